"""MovieLens: the real files, title forms, merging with the catalog, bad rows, idempotency."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.importers.movielens import import_movielens, parse_title
from bot.store import Store
from bot.store.films import film_aliases, film_genres
from tests.importers.test_catalog import counts


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        ("Heat (1995)", ("Heat", 1995, [])),
        ("Heat, The (2013)", ("The Heat", 2013, [])),
        ("Seven (a.k.a. Se7en) (1995)", ("Seven", 1995, ["Se7en"])),
        (
            "City of Lost Children, The (Cité des enfants perdus, La) (1995)",
            ("The City of Lost Children", 1995, ["La Cité des enfants perdus"]),
        ),
        (
            "Léon: The Professional (a.k.a. The Professional) (Léon) (1994)",
            ("Léon: The Professional", 1994, ["The Professional", "Léon"]),
        ),
        ("(500) Days of Summer (2009)", ("(500) Days of Summer", 2009, [])),
        ("Death Note: Desu nôto (2006–2007)", ("Death Note: Desu nôto", 2006, [])),
        ("Babylon 5", ("Babylon 5", None, [])),
    ],
)
def test_movielens_titles(raw: str, parsed: tuple[str, int | None, list[str]]) -> None:
    assert parse_title(raw) == parsed


async def _import(store: Store, folder: Path) -> tuple[int, int, int, int]:
    report = await asyncio.to_thread(import_movielens, store.path, folder)
    return report.added, report.updated, report.skipped, report.bad


async def test_every_movielens_film_is_in_the_store_exactly_once(
    catalog_store: Store, shared_data: Path
) -> None:
    films_before = await catalog_store.fetchval("SELECT count(*) FROM films")
    added, updated, unchanged, bad = await _import(catalog_store, shared_data / "movielens")
    assert (added + updated + unchanged, bad) == (9742, 0)
    mapped = await catalog_store.fetchone(
        "SELECT count(*) AS ids, count(DISTINCT film_id) AS films FROM film_sources "
        "WHERE source = 'movielens'"
    )
    assert mapped is not None and (mapped["ids"], mapped["films"]) == (9742, 9742)
    # The test catalog's films that MovieLens has were merged, not duplicated.
    assert await catalog_store.fetchval("SELECT count(*) FROM films") == films_before + added
    heat = await catalog_store.fetchall("SELECT id FROM films WHERE imdb_id = 113277")
    assert len(heat) == 1
    ml_heat = await catalog_store.fetchval(
        "SELECT film_id FROM film_sources WHERE source = 'movielens' AND external_id = '6'"
    )
    assert ml_heat == heat[0]["id"]
    # Heat, The (2013) is The Heat; Seven (a.k.a. Se7en) is the catalog's Se7en.
    the_heat = await catalog_store.fetchval(
        "SELECT film_id FROM film_sources WHERE source = 'movielens' AND external_id = '103372'"
    )
    assert the_heat == await catalog_store.fetchval("SELECT id FROM films WHERE imdb_id = 2404463")
    se7en = await catalog_store.fetchval("SELECT id FROM films WHERE imdb_id = 114369")
    assert (
        await catalog_store.fetchval(
            "SELECT external_id FROM film_sources WHERE source = 'movielens' AND film_id = ?",
            (se7en,),
        )
        == "47"
    )
    assert set(await film_aliases(catalog_store, se7en)) == {"Seven"}
    toy_story = await catalog_store.fetchone(
        "SELECT films.id, title, year, popularity FROM films JOIN film_sources ON film_id = id "
        "WHERE source = 'movielens' AND external_id = '1'"
    )
    assert toy_story is not None
    assert (toy_story["title"], toy_story["year"], toy_story["popularity"]) == (
        "Toy Story",
        1995,
        215,
    )
    genres = {g.name for g in await film_genres(catalog_store, toy_story["id"])}
    assert {"Animation", "Comedy", "Family"} <= genres  # "Children" is the taxonomy's Family
    before = counts(catalog_store.path)
    assert await _import(catalog_store, shared_data / "movielens") == (0, 0, 9742, 0)
    assert counts(catalog_store.path) == before


async def test_bad_movielens_rows_are_reported(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "ml"
    folder.mkdir()
    (folder / "movies.csv").write_bytes(
        b"movieId,title,genres\n"
        b"1,Toy Story (1995),Adventure|Animation\n"
        b'2,"Broken quote (1995),Drama\n'  # line 3
        b"x,Not an id (1990),Drama\n"
        b"4,Amelie (2001)\n"  # line 5: a column missing
        b"5,Am\xe9lie (2001),Comedy\n"  # line 6: Latin-1, not UTF-8
        b"6,\\N,\\N\n"  # line 7: \N is a title here, and so is kept
        b"7,Good (2000),(no genres listed)"
    )
    (folder / "links.csv").write_text("movieId,imdbId,tmdbId\n1,0114709,862\n7,not-an-id,1\n")
    added, _, _, bad = await _import(store, folder)
    assert (added, bad) == (3, 5)
    report = await asyncio.to_thread(import_movielens, store.path, folder)
    assert sorted(b.line for b in report.examples) == [3, 3, 4, 5, 6]  # links line 3 too
    assert await store.fetchval("SELECT imdb_id FROM films WHERE title = 'Toy Story'") == 114709
    assert await store.fetchval("SELECT count(*) FROM film_genres") == 3  # 2 + Drama for \\N
