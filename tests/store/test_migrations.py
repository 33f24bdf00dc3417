"""Migrations: from an empty file, and from every older version with data in it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import aiosqlite
import pytest

from bot.store import Store, latest_version, migrate
from bot.store.schema import available_migrations

# Representative rows, each inserted into a store as soon as its table exists.
SAMPLE_ROWS: list[tuple[str, str, tuple[object, ...]]] = [
    (
        "films",
        "INSERT INTO films (id, title, title_key, bare_key, year, imdb_id, popularity) "
        "VALUES (1, 'Heat', 'heat', 'heat', 1995, 113277, 750000)",
        (),
    ),
    ("film_aliases", "INSERT INTO film_aliases VALUES (1, 'Heat!', 'heat x', 'heat x')", ()),
    (
        "genres",
        "INSERT INTO genres (id, name, key) VALUES (1, 'Crime', 'crime'), "
        "(2, 'Neo-Noir', 'neo noir')",
        (),
    ),
    ("genre_parents", "INSERT INTO genre_parents VALUES (2, 1)", ()),
    ("genre_aliases", "INSERT INTO genre_aliases VALUES ('neonoir', 2)", ()),
    ("film_genres", "INSERT INTO film_genres VALUES (1, 2)", ()),
    ("people", "INSERT INTO people (id, name, name_key) VALUES (1, 'Al Pacino', 'alpacino')", ()),
    ("credits", "INSERT INTO credits VALUES (1, 1, 'actor', 'Lt. Vincent Hanna', 1)", ()),
    (
        "reviews",
        "INSERT INTO reviews (film_id, source, body, created_at, updated_at) "
        "VALUES (1, 'heat-review.txt', 'Heat is...', 0, 0)",
        (),
    ),
    ("ratings", "INSERT INTO ratings VALUES (10, 20, 1, 9, 0)", ()),
    (
        "guild_settings",
        "INSERT INTO guild_settings (guild_id, prefix, updated_at) VALUES (10, '?', 0)",
        (),
    ),
    ("film_sources", "INSERT INTO film_sources VALUES ('movielens', '6', 1)", ()),
    ("film_countries", "INSERT INTO film_countries VALUES (1, 'United States')", ()),
]


async def _tables(conn: aiosqlite.Connection) -> set[str]:
    rows = await conn.execute_fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {r[0] for r in rows}


async def test_an_empty_file_migrates_to_the_latest_version(tmp_path: Path) -> None:
    async with await Store.open(tmp_path / "new.db") as store:
        assert await store.fetchval("PRAGMA user_version") == latest_version()
        assert await store.fetchval("PRAGMA foreign_key_check") is None
        assert await store.integrity_check() == "ok"
    assert [m.version for m in available_migrations()] == list(range(1, latest_version() + 1))


@pytest.mark.parametrize("start", range(1, latest_version()))
async def test_data_survives_migration_from_each_older_version(tmp_path: Path, start: int) -> None:
    path = tmp_path / f"v{start}.db"
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        assert await migrate(conn, target=start) == list(range(1, start + 1))
        present = await _tables(conn)
        inserted = [table for table, _, _ in SAMPLE_ROWS if table in present]
        for table, sql, params in SAMPLE_ROWS:
            if table in present:
                await conn.execute(sql, params)
    async with await Store.open(path) as store:  # migrates the rest of the way
        assert await store.fetchval("PRAGMA user_version") == latest_version()
        for table in inserted:
            assert await store.fetchval(f"SELECT count(*) FROM {table}") >= 1, table
        assert await store.fetchval("SELECT title FROM films WHERE imdb_id = 113277") == "Heat"
        assert await store.fetchval("SELECT n FROM film_stats WHERE film_id = 1") == 1
        assert await store.integrity_check() == "ok"
    with sqlite3.connect(path) as plain:
        assert plain.execute("PRAGMA foreign_key_check").fetchall() == []
