"""The bundled catalog importer and the first-use bootstrap."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from pathlib import Path

from bot.bootstrap import open_store
from bot.importers.catalog import import_catalog
from bot.settings import Settings
from bot.store import Store
from bot.store.films import film_aliases, film_credits, get_film
from tests.catalog_fixtures import FIXTURE_DATA

TABLES = [
    "films",
    "film_aliases",
    "film_countries",
    "genres",
    "genre_parents",
    "genre_aliases",
    "film_genres",
    "people",
    "credits",
    "reviews",
]


def counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


async def test_a_new_store_is_loaded_with_the_bundled_catalog_once(tmp_path: Path) -> None:
    settings = Settings(db_path=tmp_path / "first.db")
    store = await open_store(settings, data_dir=FIXTURE_DATA)
    async with store:
        assert await store.fetchval("SELECT count(*) FROM films") == 7
        heat = await store.fetchone("SELECT id FROM films WHERE imdb_id = 113277")
        assert heat is not None
        film = await get_film(store, heat["id"])
        assert film is not None and film.label == "Heat (1995)" and film.runtime == 170
        cast = [(c.name, c.character) for c in await film_credits(store, film.id)][:2]
        assert cast == [("Al Pacino", "Lt. Vincent Hanna"), ("Robert De Niro", "Neil McCauley")]
    before = counts(settings.db_path)
    # A second start finds films and loads nothing; the counts stay.
    async with await open_store(settings, data_dir=FIXTURE_DATA):
        pass
    assert counts(settings.db_path) == before


async def test_catalog_import_is_idempotent(catalog_store: Store) -> None:
    before = counts(catalog_store.path)
    report = await asyncio.to_thread(import_catalog, catalog_store.path, FIXTURE_DATA)
    assert report.read == 7 + 12  # films + genres
    assert (report.added, report.updated, report.bad) == (0, 0, 0)
    assert report.skipped == report.read
    assert counts(catalog_store.path) == before


async def test_the_catalog_corrects_what_it_says(catalog_store: Store, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURE_DATA, data)
    nineties = data / "catalog" / "1990s.toml"
    nineties.write_text(
        nineties.read_text()
        .replace("runtime = 170", "runtime = 171")
        .replace('aka = ["Seven"]', 'aka = ["Seven", "Sieben"]')
    )
    report = await asyncio.to_thread(import_catalog, catalog_store.path, data)
    assert (report.added, report.updated) == (0, 2)
    film = await catalog_store.fetchone("SELECT id, runtime FROM films WHERE imdb_id = 113277")
    assert film is not None and film["runtime"] == 171
    seven = await catalog_store.fetchval("SELECT id FROM films WHERE imdb_id = 114369")
    assert await film_aliases(catalog_store, seven) == ["Seven", "Sieben"]


async def test_bad_catalog_entries_are_reported_not_fatal(store: Store, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURE_DATA, data)
    (data / "catalog" / "1950s.toml").write_text(
        '[[film]]\ntitle = "Good"\nyear = 1955\n\n'
        "[[film]]\nyear = 1956\n\n"  # no title
        '[[film]]\ntitle = "Bad id"\nimdb = "nm0000134"\n\n'
        '[[film]]\ntitle = "Bad year"\nyear = "fifty"\n\n'
        '[[film]]\ntitle = "Bad cast"\ncast = ["A", "B"]\n'
    )
    (data / "catalog" / "1960s.toml").write_text('[[film]\ntitle = "broken TOML"\n')
    (data / "catalog" / "1970s.toml").write_bytes(b'[[film]]\ntitle = "\xff\xfe"\n')
    report = await asyncio.to_thread(import_catalog, store.path, data)
    assert report.added == 8  # the 7 good films and "Good"
    assert report.bad == 6
    reasons = [(bad.line, bad.reason) for bad in report.examples]
    assert reasons[0] == (5, "1950s.toml: title must be text and is required")
    assert reasons[1][0] == 8 and "IMDb title id" in reasons[1][1]
    assert any("not valid TOML" in reason for _, reason in reasons)
    assert await store.fetchval("SELECT count(*) FROM films") == 8
    assert "… and 1 more bad rows" in report.lines()[-1]
