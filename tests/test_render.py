"""Cards from plain data: what they show, and member/catalog text kept inert."""

from __future__ import annotations

from bot import render
from bot.cards import FilmCard
from bot.store.models import Credit, Film
from bot.store.ratings import FilmRating

HEAT = Film(1, "Heat", 1995, 170, 113277, "movie", 750000)
ODD = Film(2, "*Bold* @everyone", None, None, None, "movie", 0)


def credit(
    name: str, role: str, character: str | None = None, billing: int | None = None
) -> Credit:
    return Credit(1, hash(name), name, role, character, billing)


def test_a_card_names_the_film_and_its_people() -> None:
    card = render.review_card(
        FilmCard(HEAT, ["Crime Thriller"], ["Michael Mann"], ["Al Pacino", "Robert De Niro"])
    )
    assert card.title == "Heat (1995)"
    assert [(f.name, f.value) for f in card.fields] == [
        ("Director", "Michael Mann"),
        ("Starring", "Al Pacino, Robert De Niro"),
        ("Runtime", "170 min"),
        ("Summary", "No reviews yet. Write the first: `!addreview Heat (1995) <your review>`"),
    ]


def test_a_card_shows_the_summary_and_this_servers_ratings() -> None:
    rating = FilmRating(HEAT.id, n=3, total=26.0, own=9.5)
    card = render.review_card(FilmCard(HEAT, summary="*Tense* @everyone.", rating=rating), "?")
    shown = {f.name: f.value for f in card.fields}
    assert shown["Summary"] == "\\*Tense\\* @\u200beveryone."
    assert shown["This server"] == "★★★★½ 8.7/10 from 3 ratings · you rated it 9.5/10"
    assert card.footer.text == "Rate it: ?rate Heat (1995) 9 · Full cast: ?cast Heat (1995)"
    spoilers = render.review_card(FilmCard(HEAT, summary="", rating=FilmRating(HEAT.id, 0, 0)))
    shown = {f.name: f.value for f in spoilers.fields}
    assert shown["Summary"].startswith("Its reviews are all spoilers")
    assert shown["This server"] == "No ratings here yet"


def test_other_films_of_the_title_say_how_to_pick_one() -> None:
    older = Film(3, "Heat", 1986, 101, 91183, "movie", 20000)
    undated = Film(4, "Heat", None, None, None, "movie", 0)
    card = render.review_card(FilmCard(HEAT, others=[older, undated]))
    shown = {f.name: f.value for f in card.fields}
    assert shown["Other films called Heat"] == (
        "Heat (1986), Heat — add the year to pick one: `!review Heat 1986`"
    )


def test_text_from_the_catalog_is_inert() -> None:
    card = render.review_card(FilmCard(ODD, cast=["<@123456789012345678> _x_"]))
    assert card.title == "\\*Bold\\* @\u200beveryone"
    assert card.fields[0].value == "<@\u200b123456789012345678> \\_x\\_"
    assert card.description is None


def test_a_long_cast_is_split_into_pages_with_the_crew_last() -> None:
    credits = [credit(f"Actor {n}", "actor", f"Role {n}", n) for n in range(1, 18)]
    credits += [credit("Ann", "director"), credit("Bo", "writer"), credit("Cy", "writer")]
    pages = render.cast_pages(HEAT, credits, per_page=15)
    assert [len((p.description or "").splitlines()) for p in pages] == [15, 2]
    assert pages[0].fields == []
    assert [(f.name, f.value) for f in pages[1].fields] == [
        ("Directed by", "Ann"),
        ("Written by", "Bo, Cy"),
    ]
    assert render.cast_pages(HEAT, [])[0].description == "No cast listed yet."
