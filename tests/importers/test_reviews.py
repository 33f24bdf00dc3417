"""Review documents in the seed format: the user's own example, and every way they vary."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from bot.importers.catalog import import_catalog
from bot.importers.reviews import import_reviews, parse_document
from bot.search import resolve_film
from bot.store import Store
from bot.store.catalog_reviews import catalog_reviews
from bot.store.films import NewFilm, add_film, film_credits, film_genres, get_film
from tests.catalog_fixtures import FIXTURE_DATA
from tests.importers.test_catalog import counts

HEAT_GENRES = ["Crime Thriller", "Heist Drama", "Neo-Noir"]
PROSE_CAST = [
    ("Robert De Niro", "Neil McCauley"),
    ("Al Pacino", "Lt. Vincent Hanna"),
    ("Val Kilmer", None),
    ("Ashley Judd", None),
    ("Tom Sizemore", None),
    ("Jon Voight", None),
]


async def _import(store: Store, source: Path) -> tuple[int, int, int, int]:
    report = await asyncio.to_thread(import_reviews, store.path, source)
    return report.added, report.updated, report.skipped, report.bad


async def _cast(store: Store, film_id: int) -> list[tuple[str, str | None]]:
    return [(c.name, c.character) for c in await film_credits(store, film_id) if c.role == "actor"]


async def _directors(store: Store, film_id: int) -> list[str]:
    return [c.name for c in await film_credits(store, film_id) if c.role == "director"]


async def test_seed_document_attaches_to_the_catalogs_heat(
    catalog_store: Store, seed_review: Path
) -> None:
    before = await catalog_store.fetchval("SELECT count(*) FROM films")
    assert await _import(catalog_store, seed_review) == (1, 0, 0, 0)
    assert await catalog_store.fetchval("SELECT count(*) FROM films") == before  # no duplicate
    heat = await catalog_store.fetchval("SELECT id FROM films WHERE imdb_id = 113277")
    reviews = await catalog_reviews(catalog_store, heat)
    assert [r.source for r in reviews] == ["heat-review.txt"]
    assert reviews[0].body.startswith("Heat is more than just a crime thriller")
    assert [g.name for g in await film_genres(catalog_store, heat)] == HEAT_GENRES
    assert await _directors(catalog_store, heat) == ["Michael Mann"]
    cast = dict(await _cast(catalog_store, heat))
    assert cast["Robert De Niro"] == "Neil McCauley"
    assert cast["Al Pacino"] in {"Lt. Vincent Hanna", "Vincent Hanna"}
    assert {"Val Kilmer", "Ashley Judd", "Tom Sizemore", "Jon Voight"} <= set(cast)
    # Nothing went to the other films called Heat (the 1986 one has its own from data/reviews).
    for imdb, sources in [(91183, ["heat-1986.txt"]), (2404463, [])]:
        other = await catalog_store.fetchval("SELECT id FROM films WHERE imdb_id = ?", (imdb,))
        assert [r.source for r in await catalog_reviews(catalog_store, other)] == sources


async def test_seed_document_on_an_empty_store_creates_heat_with_its_cast(
    store: Store, seed_review: Path
) -> None:
    assert await _import(store, seed_review) == (1, 0, 0, 0)
    films = await store.fetchall("SELECT id FROM films")
    assert len(films) == 1
    heat = await get_film(store, films[0]["id"])
    assert heat is not None and heat.label == "Heat"
    assert [g.name for g in await film_genres(store, heat.id)] == HEAT_GENRES
    assert await _directors(store, heat.id) == ["Michael Mann"]
    assert await _cast(store, heat.id) == PROSE_CAST
    before = counts(store.path)
    assert await _import(store, seed_review) == (0, 0, 1, 0)
    assert counts(store.path) == before


async def test_prose_cast_fills_a_film_without_cast_and_never_adds_to_one_with_cast(
    store: Store, seed_review: Path
) -> None:
    heat = await add_film(store, NewFilm("Heat", 1995, popularity=750_000))
    await add_film(store, NewFilm("Heat", 1986, popularity=7_000, cast=[("Burt Reynolds", "Nick")]))
    await _import(store, seed_review)
    assert await _cast(store, heat) == PROSE_CAST  # the best-known Heat, filled from the prose
    await store.execute("DELETE FROM reviews")
    await store.execute(
        "DELETE FROM credits WHERE role = 'actor' AND person_id IN "
        "(SELECT id FROM people WHERE name IN ('Val Kilmer', 'Tom Sizemore'))"
    )
    await _import(store, seed_review)
    assert [a for a, _ in await _cast(store, heat)] == [
        "Robert De Niro",
        "Al Pacino",
        "Ashley Judd",
        "Jon Voight",
    ]  # it had a cast now: nothing added back


async def test_a_year_in_the_file_name_picks_the_lesser_known_film(store: Store) -> None:
    await add_film(store, NewFilm("Heat", 1995, imdb_id=113277, popularity=750_000))
    await add_film(store, NewFilm("Heat", 1986, imdb_id=91183, popularity=7_000))
    assert await _import(store, FIXTURE_DATA / "reviews" / "heat-1986.txt") == (1, 0, 0, 0)
    heat86 = await store.fetchval("SELECT id FROM films WHERE imdb_id = 91183")
    reviews = await catalog_reviews(store, heat86)
    assert [(r.source, r.author_name) for r in reviews] == [("heat-1986.txt", "filmclub tests")]


async def test_the_bundled_reviews_are_loaded_and_a_file_named_by_an_alias_finds_its_film(
    catalog_store: Store,
) -> None:
    se7en = await catalog_store.fetchval("SELECT id FROM films WHERE imdb_id = 114369")
    assert [r.source for r in await catalog_reviews(catalog_store, se7en)] == ["seven.txt"]
    before = counts(catalog_store.path)
    assert await _import(catalog_store, FIXTURE_DATA / "reviews") == (0, 0, 2, 0)
    assert counts(catalog_store.path) == before


async def test_header_fields_and_changes_to_a_document(store: Store, tmp_path: Path) -> None:
    doc = tmp_path / "notes.txt"
    doc.write_text(
        "Title: The Insider\nYear: 1999\nDirector: Michael Mann\nAuthor: Sam\n"
        "Source: insider-essay\nGenre: Drama | Thriller\n\n"
        "The Insider is a thriller about a newsroom. Russell Crowe as Jeffrey Wigand is superb.\n"
    )
    assert await _import(store, doc) == (1, 0, 0, 0)
    film = await store.fetchone("SELECT id, title, year FROM films")
    assert film is not None and (film["title"], film["year"]) == ("The Insider", 1999)
    assert await _cast(store, film["id"]) == [("Russell Crowe", "Jeffrey Wigand")]
    assert await _directors(store, film["id"]) == ["Michael Mann"]
    doc.write_text(doc.read_text().replace("is superb", "is superb, and Al Pacino is too"))
    assert await _import(store, doc) == (0, 1, 0, 0)
    reviews = await catalog_reviews(store, film["id"])
    assert len(reviews) == 1 and reviews[0].source == "insider-essay"
    assert reviews[0].author_name == "Sam" and "Al Pacino is too" in reviews[0].body


async def test_a_review_imported_before_the_catalog_merges_into_the_catalogs_film(
    store: Store, seed_review: Path, tmp_path: Path
) -> None:
    await _import(store, seed_review)
    await asyncio.to_thread(import_catalog, store.path, FIXTURE_DATA)
    heats = await store.fetchall("SELECT id, year FROM films WHERE title = 'Heat' ORDER BY year")
    assert [h["year"] for h in heats] == [1986, 1995]
    assert [r.source for r in await catalog_reviews(store, heats[1]["id"])] == ["heat-review.txt"]


async def test_bad_documents_are_reported_and_the_rest_imported(
    store: Store, tmp_path: Path, seed_review: Path
) -> None:
    folder = tmp_path / "reviews"
    folder.mkdir()
    shutil.copy(seed_review, folder / "heat-review.txt")
    (folder / "empty.txt").write_text("Genre: Drama\n\n   \n")
    (folder / "latin1.txt").write_bytes("Amélie est charmant.".encode("latin-1"))
    assert await _import(store, folder) == (1, 0, 0, 2)
    report = await asyncio.to_thread(import_reviews, store.path, folder)
    reasons = [bad.reason for bad in report.examples]
    assert reasons == [
        "empty.txt: the document has no prose after its header",
        "latin1.txt: not UTF-8 (invalid continuation byte at byte 2)",
    ]


@pytest.mark.parametrize(
    ("prose", "cast"),
    [
        ("Chris Shiherlis (Val Kilmer) is loyal.", [("Val Kilmer", "Chris Shiherlis")]),
        (
            "Dr. Hannibal Lecter (Anthony Hopkins) dines.",
            [("Anthony Hopkins", "Dr. Hannibal Lecter")],
        ),
        ("Edward G. Robinson as Barton Keyes steals it.", [("Edward G. Robinson", "Barton Keyes")]),
        (
            "The cast: Benicio del Toro, Robert De Niro.",
            [("Benicio del Toro", None), ("Robert De Niro", None)],
        ),
        ("It is set in Los Angeles and New York.", []),  # not about the cast: no names taken
        ("A fine cast in a Las Vegas casino.", []),  # a place after an article is nobody
    ],
)
def test_cast_patterns_in_prose(prose: str, cast: list[tuple[str, str | None]]) -> None:
    assert parse_document(prose, "x.txt").cast == cast


@pytest.mark.parametrize(
    ("text", "directors", "writers"),
    [
        ("Directed by Michael Mann, it hums.", ["Michael Mann"], []),
        ("Written and directed by Billy Wilder.", ["Billy Wilder"], ["Billy Wilder"]),
        ("It was directed with flair by Ridley Scott.", [], []),  # only "directed by NAME"
    ],
)
def test_directors_and_writers_in_prose(
    text: str, directors: list[str], writers: list[str]
) -> None:
    doc = parse_document(text, "x.txt")
    assert (doc.directors, doc.writers) == (directors, writers)


async def test_a_film_a_document_creates_is_found_by_search(
    store: Store, seed_review: Path
) -> None:
    await _import(store, seed_review)
    assert (await resolve_film(store, "heta")).film.title == "Heat"
