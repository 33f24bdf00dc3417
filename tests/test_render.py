"""Cards from plain data: what they show, and member/catalog text kept inert."""

from __future__ import annotations

from bot import render
from bot.browse import RankedFilm
from bot.cards import FilmCard
from bot.recommend import Pick
from bot.store.models import Credit, Film, Genre, Person
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


def test_a_filmography_merges_a_films_credits_and_names_namesakes() -> None:
    person = Person(7, "Michael Mann", 562263, 1943)
    other = Person(8, "Michael Mann", 1234567, None)
    credits = [
        (HEAT, Credit(1, 7, "Michael Mann", "director", None, 1)),
        (HEAT, Credit(1, 7, "Michael Mann", "writer", None, 1)),
        (ODD, Credit(2, 7, "Michael Mann", "actor", "*Himself*", 3)),
    ]
    (page,) = render.filmography_pages(person, credits, [other], prefix="?")
    assert (page.description or "").splitlines() == [
        "Heat (1995) — director, writer",
        "\\*Bold\\* @\u200beveryone — \\*Himself\\*",
    ]
    assert page.fields[0].value == (
        "Michael Mann (nm1234567) — pick one by IMDb id: `?filmography nm1234567`"
    )


def test_a_genre_list_numbers_its_films_and_shows_this_servers_ratings() -> None:
    ranked = [RankedFilm(HEAT, 4, 8.25), RankedFilm(ODD, 0, None)]
    (page,) = render.genre_pages(Genre(1, "Crime"), ranked, includes=["Neo-Noir"])
    assert (page.description or "").splitlines() == [
        "**1.** Heat (1995) — 8.2/10 here (4)",
        "**2.** \\*Bold\\* @\u200beveryone",
    ]
    assert (page.footer.text or "").startswith("Includes Neo-Noir · ")
    empty = render.genre_pages(Genre(2, "Western"), [])
    assert empty[0].description == "No films of this genre in the catalog yet."


def test_a_pick_and_its_reason() -> None:
    embed = render.pick_embed(Pick(HEAT, ["Neo-Noir"], "a classic of Neo-Noir", 0, None), "?")
    assert embed.title == "Tonight: Heat (1995)"
    assert embed.description == "Neo-Noir · 170 min"
    assert [(f.name, f.value) for f in embed.fields] == [("Why", "A classic of Neo-Noir")]
    assert embed.footer.text == "?review Heat (1995) for its card"


def test_a_film_with_a_very_long_title_still_fits_discords_limits() -> None:
    from bot.localdiscord.limits import message_problems

    long = Film(3, "Night of the Day of the Dawn *" * 10, 1991, 90, None, "movie", 0)
    card = render.review_card(FilmCard(long, ["Comedy"], ["A Director"], ["An Actor"]))
    pages = render.cast_pages(long, [credit("An Actor", "actor", "Someone", 1)])
    for embed in [card, *pages]:
        assert embed.title is not None and len(embed.title) <= 256
        assert not message_problems({"embeds": [embed.to_dict()]})
