"""The store's foundation: WAL, migrations, group commit, per-server totals."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from bot.store import Store, StoreTooNew, latest_version

UPSERT_RATING = (
    "INSERT INTO ratings (guild_id, member_id, film_id, score, rated_at) VALUES (?, ?, ?, ?, 0) "
    "ON CONFLICT (guild_id, member_id, film_id) DO UPDATE SET score = excluded.score"
)


async def _add_film(store: Store, title: str = "Heat", year: int = 1995) -> int:
    await store.execute(
        "INSERT INTO films (title, title_key, bare_key, year) VALUES (?, ?, ?, ?)",
        (title, title.lower(), title.lower(), year),
    )
    return int(await store.fetchval("SELECT max(id) FROM films"))


async def test_new_store_is_wal_with_foreign_keys_at_latest_version(store: Store) -> None:
    assert await store.fetchval("PRAGMA journal_mode") == "wal"
    assert await store.fetchval("PRAGMA foreign_keys") == 1
    assert await store.fetchval("PRAGMA user_version") == latest_version()


async def test_concurrent_writes_are_group_committed_and_all_land(store: Store) -> None:
    film = await _add_film(store)
    await asyncio.gather(*(store.execute(UPSERT_RATING, (1, m, film, 7.5)) for m in range(300)))
    assert store.writer.commits < 300  # grouped, not one commit per write
    row = await store.fetchone("SELECT n, total FROM film_stats WHERE guild_id = 1")
    assert row is not None
    assert (row["n"], row["total"]) == (300, 300 * 7.5)


async def test_a_bad_write_fails_alone(store: Store) -> None:
    film = await _add_film(store)
    results = await asyncio.gather(
        store.execute(UPSERT_RATING, (1, 1, film, 8)),
        store.execute(UPSERT_RATING, (1, 2, film, 11)),  # out of range: CHECK fails
        store.execute(UPSERT_RATING, (1, 3, film, 6)),
        return_exceptions=True,
    )
    assert results[0] is None and results[2] is None
    assert isinstance(results[1], sqlite3.IntegrityError)
    scores = await store.fetchall("SELECT member_id, score FROM ratings ORDER BY member_id")
    assert [tuple(r) for r in scores] == [(1, 8.0), (3, 6.0)]


async def test_rating_totals_follow_updates_and_deletes(store: Store) -> None:
    film = await _add_film(store)
    for member, score in [(1, 8), (2, 6), (1, 10)]:  # member 1 re-rates
        await store.execute(UPSERT_RATING, (7, member, film, score))
    row = await store.fetchone("SELECT n, total FROM film_stats WHERE guild_id = 7")
    assert row is not None and (row["n"], row["total"]) == (2, 16.0)
    await store.execute("DELETE FROM ratings WHERE guild_id = 7 AND member_id = 2")
    await store.execute("DELETE FROM ratings WHERE guild_id = 7 AND member_id = 1")
    assert await store.fetchval("SELECT count(*) FROM film_stats") == 0
    assert await store.fetchval("SELECT count(*) FROM guild_stats") == 0


async def test_a_store_from_a_newer_filmclub_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "newer.db"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {latest_version() + 1}")
    with pytest.raises(StoreTooNew):
        await Store.open(path)


async def test_backup_is_a_consistent_copy(store: Store, tmp_path: Path) -> None:
    await _add_film(store)
    await store.backup(tmp_path / "copy.db")
    with sqlite3.connect(tmp_path / "copy.db") as copy:
        assert copy.execute("SELECT title FROM films").fetchall() == [("Heat",)]
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)


async def test_read_runs_a_function_on_a_reader_in_one_snapshot(store: Store) -> None:
    film = await _add_film(store)
    loop_thread = threading.get_ident()

    def read(conn: sqlite3.Connection) -> tuple[int, str, bool]:
        title = conn.execute("SELECT title FROM films WHERE id = ?", (film,)).fetchone()[0]
        return threading.get_ident(), title, conn.in_transaction

    thread, title, in_transaction = await store.read(read)
    assert (title, in_transaction) == ("Heat", True)
    assert thread != loop_thread  # off the event loop
    assert await store.fetchval("SELECT count(*) FROM films") == 1  # the snapshot was closed


async def test_read_passes_errors_on_and_leaves_the_reader_usable(store: Store) -> None:
    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("SELECT * FROM no_such_table")

    for _ in range(3):  # every reader, and again
        with pytest.raises(sqlite3.OperationalError):
            await store.read(broken)
    assert await store.read(lambda conn: conn.execute("SELECT 41 + 1").fetchone()[0]) == 42
