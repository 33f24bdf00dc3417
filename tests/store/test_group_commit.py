"""The writer's single-trip batches: reads after statements, failures that stay alone, the
generation caches watch, and checkpoints off the commit path."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from pathlib import Path

import aiosqlite

from bot.store import Store
from bot.store.films import NewFilm, add_film

UPSERT = (
    "INSERT INTO ratings (guild_id, member_id, film_id, score, rated_at) VALUES (?, ?, ?, ?, 0) "
    "ON CONFLICT (guild_id, member_id, film_id) DO UPDATE SET score = excluded.score"
)
STATS = "SELECT n, total FROM film_stats WHERE guild_id = ? AND film_id = ?"


async def test_reads_run_after_their_statement_in_the_same_transaction(store: Store) -> None:
    film = await add_film(store, NewFilm("Heat", 1995))
    rows = await asyncio.gather(
        *(store.execute_then_read(UPSERT, (1, m, film, 8), STATS, (1, film)) for m in range(50))
    )
    counts = [row["n"] for row in rows if row is not None]
    assert len(counts) == 50
    # Each read sees at least its own rating and never more than the batch wrote.
    assert all(1 <= n <= 50 for n in counts) and max(counts) == 50
    assert store.writer.commits < 50


async def test_a_failing_row_fails_alone_and_gets_no_read(store: Store) -> None:
    film = await add_film(store, NewFilm("Heat", 1995))
    results = await asyncio.gather(
        store.execute_then_read(UPSERT, (1, 1, film, 8), STATS, (1, film)),
        store.execute_then_read(UPSERT, (1, 2, film, 11), STATS, (1, film)),  # out of range
        store.execute_then_read(UPSERT, (1, 3, film, 6), STATS, (1, film)),
        return_exceptions=True,
    )
    assert isinstance(results[1], sqlite3.IntegrityError)
    first, third = results[0], results[2]
    assert isinstance(first, sqlite3.Row) and isinstance(third, sqlite3.Row)
    assert (third["n"], third["total"]) == (2, 14.0)
    assert await store.fetchval("SELECT count(*) FROM ratings") == 2


async def test_statements_and_callables_mix_in_one_batch(store: Store) -> None:
    film = await add_film(store, NewFilm("Heat", 1995))

    async def delete_member_two(conn: aiosqlite.Connection) -> int:
        cursor = await conn.execute("DELETE FROM ratings WHERE member_id = 2 RETURNING 1")
        gone = len(list(await cursor.fetchall()))
        await cursor.close()
        return gone

    results = await asyncio.gather(
        store.execute(UPSERT, (1, 1, film, 8)),
        store.execute(UPSERT, (1, 2, film, 6)),
        store.write(delete_member_two),
        store.execute(UPSERT, (1, 3, film, 4)),
    )
    assert results[2] == 1
    members = await store.fetchall("SELECT member_id FROM ratings ORDER BY member_id")
    assert [row[0] for row in members] == [1, 3]


async def test_generation_moves_with_callables_and_other_connections(
    store: Store, tmp_path: Path
) -> None:
    film = await add_film(store, NewFilm("Heat", 1995))  # a callable write
    start = store.writer.generation
    await store.execute(UPSERT, (1, 1, film, 8))
    assert store.writer.generation == start  # plain statements leave caches alone
    await add_film(store, NewFilm("Se7en", 1995))
    assert store.writer.generation == start + 1
    with sqlite3.connect(store.path) as other:  # another process, as an import would be
        other.execute("UPDATE films SET popularity = 5 WHERE id = ?", (film,))
    await store.execute(UPSERT, (1, 2, film, 8))  # the writer notices at its next transaction
    assert store.writer.generation == start + 2


async def test_the_writer_never_checkpoints_and_the_store_does_in_the_background(
    store: Store, tmp_path: Path
) -> None:
    autocheckpoint = await store.writer._conn.execute_fetchall("PRAGMA wal_autocheckpoint")
    assert [tuple(row) for row in autocheckpoint] == [(0,)]
    film = await add_film(store, NewFilm("Heat", 1995))
    for member in range(200):
        await store.execute(UPSERT, (1, member, film, 7))
    await asyncio.sleep(1.5)  # time for a background checkpoint
    # The main file alone (without the WAL) already holds every rating.
    alone = tmp_path / "main-file-only.db"
    shutil.copyfile(store.path, alone)
    with sqlite3.connect(alone) as copy:
        assert copy.execute("SELECT count(*) FROM ratings").fetchone()[0] == 200
