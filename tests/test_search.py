"""Title and person resolution against a real store, the way members type names."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import DATA_DIR, search
from bot.errors import FilmNotFound, PersonNotFound
from bot.importers.catalog import import_catalog
from bot.normalize import bare_key, title_key
from bot.search import readings, resolve_film, resolve_person, suggest_films, suggest_people
from bot.store import Store
from bot.store.films import NewFilm, add_film

#: (what a member types, the film it must resolve to as "Title (Year)")
QUERIES = [
    # exact forms, case and punctuation
    ("Heat", "Heat (1995)"),
    ("heat", "Heat (1995)"),
    ("HEAT!", "Heat (1995)"),
    ("  heat  ", "Heat (1995)"),
    ("pulp fiction", "Pulp Fiction (1994)"),
    ("schindlers list", "Schindler's List (1993)"),
    ("Schindler’s List", "Schindler's List (1993)"),
    ("crouching tiger hidden dragon", "Crouching Tiger, Hidden Dragon (2000)"),
    ("2001 a space odyssey", "2001: A Space Odyssey (1968)"),
    ("M", "M (1931)"),
    ("mash", "M*A*S*H (1970)"),
    ("8 1/2", "8½ (1963)"),
    ("8½", "8½ (1963)"),
    ("eight and a half", "8½ (1963)"),
    # years
    ("heat 1995", "Heat (1995)"),
    ("Heat (1986)", "Heat (1986)"),
    ("Heat [1986]", "Heat (1986)"),
    ("heat, 1986", "Heat (1986)"),
    ("heat 1987", "Heat (1986)"),  # no Heat in 1987: the one a year off
    ("crash", "Crash (2004)"),
    ("crash 1996", "Crash (1996)"),
    ("Crash (2004)", "Crash (2004)"),
    ("psycho", "Psycho (1960)"),
    ("psycho 1998", "Psycho (1998)"),
    ("scarface (1932)", "Scarface (1932)"),
    ("blade runner 2049", "Blade Runner 2049 (2017)"),  # a year that is part of the title
    ("blade runner", "Blade Runner (1982)"),
    ("Blade Runner (1982)", "Blade Runner (1982)"),
    # articles
    ("The Heat", "The Heat (2013)"),
    ("Heat, The", "The Heat (2013)"),
    ("the heat 2013", "The Heat (2013)"),
    ("the dark knight", "The Dark Knight (2008)"),
    ("Dark Knight", "The Dark Knight (2008)"),
    ("Dark Knight, The", "The Dark Knight (2008)"),
    ("godfather", "The Godfather (1972)"),
    ("haine", "La Haine (1995)"),
    ("Boot, Das", "Das Boot (1981)"),
    ("good the bad and the ugly", "The Good, the Bad and the Ugly (1966)"),
    ("silence of the lambs", "The Silence of the Lambs (1991)"),
    # accents and other titles
    ("amelie", "Amélie (2001)"),
    ("AMÉLIE", "Amélie (2001)"),
    ("le fabuleux destin d'amelie poulain", "Amélie (2001)"),
    ("leon", "Léon: The Professional (1994)"),
    ("Leon the professional", "Léon: The Professional (1994)"),
    ("se7en", "Se7en (1995)"),
    ("seven", "Se7en (1995)"),
    ("Seven (1995)", "Se7en (1995)"),
    ("sen to chihiro no kamikakushi", "Spirited Away (2001)"),
    ("gisaengchung", "Parasite (2019)"),
    ("old boy", "Oldboy (2003)"),
    # typos
    ("godfahter", "The Godfather (1972)"),
    ("the godfather part 2", "The Godfather Part II (1974)"),
    ("the godfather prt ii", "The Godfather Part II (1974)"),
    ("dark knigth", "The Dark Knight (2008)"),
    ("the drak knight", "The Dark Knight (2008)"),
    ("teh dark knight", "The Dark Knight (2008)"),
    ("darkknight", "The Dark Knight (2008)"),
    ("the dark kni ght", "The Dark Knight (2008)"),
    ("blade runer", "Blade Runner (1982)"),
    ("pulp fictoin", "Pulp Fiction (1994)"),
    ("casablanka", "Casablanca (1942)"),
    ("jurasic park", "Jurassic Park (1993)"),
    ("jurrasic park", "Jurassic Park (1993)"),
    ("jurassic prak", "Jurassic Park (1993)"),
    ("silense of the lambs", "The Silence of the Lambs (1991)"),
    ("spirtied away", "Spirited Away (2001)"),
    ("taxi drvier", "Taxi Driver (1976)"),
    ("amelei", "Amélie (2001)"),
    ("alein", "Alien (1979)"),
    ("aliens", "Aliens (1986)"),
    ("heta 1986", "Heat (1986)"),
    ("shawshank redemtion", "The Shawshank Redemption (1994)"),
    # a word misspelt twice, its first letter too, after words typed right: beyond the
    # spelling index, found among the titles starting with the words typed right
    ("blade xunnr", "Blade Runner (1982)"),
    ("taxi xrivr", "Taxi Driver (1976)"),
    # IMDb ids and URLs
    ("tt0113277", "Heat (1995)"),
    ("TT0093164", "Heat (1986)"),
    ("https://www.imdb.com/title/tt0468569/", "The Dark Knight (2008)"),
    ("imdb.com/title/tt0114369/?ref_=fn_al_tt_1", "Se7en (1995)"),
]


@pytest.fixture(scope="module")
def catalog_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled catalog, loaded once by its importer; each test gets a copy of the store."""
    path = tmp_path_factory.mktemp("catalog") / "filmclub.db"

    async def create() -> None:
        async with await Store.open(path):
            pass

    asyncio.run(create())
    report = import_catalog(path, DATA_DIR)
    assert report.added >= 250, report.lines()
    return path


@pytest.fixture
async def catalog(catalog_file: Path, tmp_path: Path) -> AsyncIterator[Store]:
    copy = tmp_path / "filmclub.db"
    shutil.copyfile(catalog_file, copy)
    async with await Store.open(copy) as store:
        yield store


async def test_at_least_forty_varied_queries_are_covered() -> None:
    assert len(QUERIES) >= 40
    assert len({query for query, _ in QUERIES}) == len(QUERIES)


@pytest.mark.parametrize(("query", "expected"), QUERIES)
async def test_query_resolves_to_the_film_meant(catalog: Store, query: str, expected: str) -> None:
    match = await resolve_film(catalog, query)
    assert match.film.label == expected


async def test_same_title_films_are_reported_best_known_first(catalog: Store) -> None:
    match = await resolve_film(catalog, "heat")
    assert match.film.label == "Heat (1995)"
    assert [f.label for f in match.same_title] == ["Heat (1986)"]
    assert "The Heat (2013)" in [f.label for f in match.suggestions]
    match = await resolve_film(catalog, "scarface")
    assert (match.film.label, [f.label for f in match.same_title]) == (
        "Scarface (1983)",
        ["Scarface (1932)"],
    )


async def test_picking_a_year_still_lists_the_other_films(catalog: Store) -> None:
    match = await resolve_film(catalog, "heat 1986")
    assert match.film.label == "Heat (1986)"
    assert [f.label for f in match.same_title] == ["Heat (1995)"]


async def test_a_year_no_film_of_that_title_has_offers_the_ones_that_exist(
    catalog: Store,
) -> None:
    with pytest.raises(FilmNotFound) as raised:
        await resolve_film(catalog, "heat 1990")
    assert raised.value.suggestions == ["Heat (1995)", "Heat (1986)"]
    assert "No film matching *heat 1990*" in raised.value.user_message


async def test_nothing_close_enough_is_not_found_with_suggestions(catalog: Store) -> None:
    with pytest.raises(FilmNotFound) as raised:
        await resolve_film(catalog, "godfather returns to the moon")
    assert raised.value.suggestions  # something to offer
    assert len(raised.value.suggestions) <= 3
    with pytest.raises(FilmNotFound) as nothing:
        await resolve_film(catalog, "qwxzvbn")
    assert nothing.value.suggestions == []


@pytest.mark.parametrize(
    "query",
    ["", "   ", "!!!", "'; DROP TABLE films;--", "@everyone", "tt9999999", "id:999999", "x" * 5000],
)
async def test_hostile_or_empty_queries_are_not_found_and_change_nothing(
    catalog: Store, query: str
) -> None:
    films = await catalog.fetchval("SELECT count(*) FROM films")
    with pytest.raises(FilmNotFound):
        await resolve_film(catalog, query)
    assert await catalog.fetchval("SELECT count(*) FROM films") == films


async def test_autocomplete_value_resolves_to_exactly_that_film(catalog: Store) -> None:
    for film in await suggest_films(catalog, "heat"):
        match = await resolve_film(catalog, search.choice_value(film.id))
        assert match.film == film


async def test_suggestions_complete_a_prefix_best_known_first(catalog: Store) -> None:
    films = await suggest_films(catalog, "hea")
    labels = [f.label for f in films]
    assert labels.index("Heat (1995)") < labels.index("The Heat (2013)")
    assert labels.index("The Heat (2013)") < labels.index("Heat (1986)")  # by popularity
    starts = [bare_key(f.title).startswith("hea") for f in films]
    assert starts == sorted(starts, reverse=True)  # titles starting so first, then near ones
    assert [f.label for f in await suggest_films(catalog, "the dark kn")] == [
        "The Dark Knight (2008)"
    ]
    assert [f.label for f in await suggest_films(catalog, "godfa")][:2] == [
        "The Godfather (1972)",
        "The Godfather Part II (1974)",
    ]


async def test_suggestions_for_text_starting_titles_are_only_those_titles(catalog: Store) -> None:
    # "seven" starts titles, so no typo-tolerant neighbours (Se7en) are mixed in while it is
    # typed; "casablanka" starts none, so those are what is offered.
    films = await suggest_films(catalog, "seven")
    assert films and all(bare_key(f.title).startswith("seven") for f in films)
    typo = await suggest_films(catalog, "casablanka")
    assert typo and not any(title_key(f.title).startswith("casablanka") for f in typo)


async def test_suggestions_with_no_text_are_the_best_known_films(catalog: Store) -> None:
    films = await suggest_films(catalog, "", limit=3)
    best = await catalog.fetchall("SELECT id FROM films ORDER BY popularity DESC, id LIMIT 3")
    assert [f.id for f in films] == [row["id"] for row in best]


async def test_suggestions_tolerate_typos_and_respect_the_limit(catalog: Store) -> None:
    assert (await suggest_films(catalog, "casablanka"))[0].label == "Casablanca (1942)"
    assert len(await suggest_films(catalog, "a", limit=2)) == 2


def test_a_trailing_year_is_read_both_as_title_and_as_year() -> None:
    assert [(r.title, r.year) for r in readings("Blade Runner 2049")] == [
        ("Blade Runner 2049", None),
        ("Blade Runner", 2049),
    ]
    assert [(r.title, r.year) for r in readings("Heat (1995)")] == [("Heat", 1995)]
    assert [(r.title, r.year) for r in readings("1917")] == [("1917", None)]


# People -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Robert De Niro", "Robert De Niro"),
        ("robert de niro", "Robert De Niro"),
        ("Robert DeNiro", "Robert De Niro"),
        ("de niro", "Robert De Niro"),
        ("deniro", "Robert De Niro"),
        ("DE NIRO", "Robert De Niro"),
        ("robert de nirro", "Robert De Niro"),
        ("pacino", "Al Pacino"),
        ("al pacino", "Al Pacino"),
        ("brando", "Marlon Brando"),
        ("christian bale", "Christian Bale"),
        ("heath ledger", "Heath Ledger"),
        ("morgan freman", "Morgan Freeman"),
    ],
)
async def test_person_resolves(catalog: Store, query: str, expected: str) -> None:
    assert (await resolve_person(catalog, query)).person.name == expected


async def test_namesakes_go_to_the_one_with_more_films(catalog: Store) -> None:
    await catalog.execute(
        "INSERT INTO people (name, name_key, imdb_id) VALUES ('Robert De Niro', 'robertdeniro', 1)"
    )
    match = await resolve_person(catalog, "robert deniro")
    assert match.person.name == "Robert De Niro"
    assert match.person.imdb_id is None  # the one with three films, not the one with none
    assert [p.imdb_id for p in match.same_name] == [1]


async def test_surname_shared_by_several_people_takes_the_best_known(catalog: Store) -> None:
    await add_film(catalog, NewFilm("Another Film", 2021, cast=[("Maria Pacino", "Herself")]))
    match = await resolve_person(catalog, "pacino")
    assert match.person.name == "Al Pacino"
    assert "Maria Pacino" in [p.name for p in match.suggestions]


async def test_unknown_person_is_not_found(catalog: Store) -> None:
    with pytest.raises(PersonNotFound) as raised:
        await resolve_person(catalog, "zqxw vbnm")
    assert "No one matching" in raised.value.user_message


async def test_people_suggestions_by_first_name_or_surname(catalog: Store) -> None:
    robs = [p.name for p in await suggest_people(catalog, "rob")]
    assert "Robert De Niro" in robs
    assert all(name.lower().startswith("rob") for name in robs)
    assert [p.name for p in await suggest_people(catalog, "pacino")] == ["Al Pacino"]
    people = await suggest_people(catalog, "m", limit=2)
    assert len(people) == 2
    for person in people:
        assert (await resolve_person(catalog, search.choice_value(person.id))).person == person


@pytest.mark.parametrize(
    "query", ["x" * 5000, "a b c d e f g h i j k l m n o p", " ".join(["heat"] * 40)]
)
async def test_paragraphs_are_looked_up_as_typed_not_corrected(catalog: Store, query: str) -> None:
    """Longer than any title: not found (quickly; correcting every word would take seconds)."""
    with pytest.raises(FilmNotFound):
        await resolve_film(catalog, query)


def test_a_vulgar_fraction_reads_apart_from_the_number_before_it() -> None:
    assert title_key("8½") == title_key("8 1/2") == "8 1 2"
