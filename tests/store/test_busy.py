"""The store while another process holds its lock: bounded retries, then StoreBusy, and
everything served again once the lock is gone."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import aiosqlite
import pytest

from bot.errors import StoreBusy
from bot.store import Store, guilds
from tests.faults import store_locked_by_another_process


async def test_a_write_waits_out_a_short_lock_and_lands(tmp_path: Path) -> None:
    async with await Store.open(tmp_path / "x.db", busy_wait=10) as store:
        async with store_locked_by_another_process(store.path) as holder:
            write = asyncio.create_task(guilds.set_prefix(store, 1, "?"))
            await asyncio.sleep(0.5)
            assert not write.done()  # still retrying behind the other process's lock
            await holder.release()
            saved = await asyncio.wait_for(write, 10)
        assert saved.prefix == "?"
        assert (await guilds.get_guild_settings(store, 1)).prefix == "?"


async def test_a_long_lock_gives_store_busy_after_the_bounded_wait_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    async with await Store.open(tmp_path / "x.db", busy_wait=0.6) as store:
        async with store_locked_by_another_process(store.path):
            started = time.monotonic()
            results = await asyncio.gather(
                guilds.set_prefix(store, 1, "?"),
                guilds.set_bayes_m(store, 2, 5),
                return_exceptions=True,
            )
            waited = time.monotonic() - started
            assert all(isinstance(r, StoreBusy) for r in results), results
            assert 0.6 <= waited < 5  # retried for the whole wait, and no longer than bounded
            # Reads carry on beside the other process's write lock (WAL).
            assert await guilds.all_guild_settings(store) == []
        # Once the lock is gone the same write is served.
        assert (await guilds.set_prefix(store, 1, "?")).prefix == "?"


async def test_store_busy_is_the_friendly_sentence() -> None:
    assert StoreBusy().user_message == (
        "The film store is busy right now; please try again in a moment."
    )


async def test_a_busy_read_is_retried_then_served(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = aiosqlite.Connection.execute_fetchall
    failures = {"left": 3}

    async def locked_a_few_times(self: aiosqlite.Connection, *args: object) -> object:
        if failures["left"]:
            failures["left"] -= 1
            raise sqlite3.OperationalError("database is locked")
        return await real(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(aiosqlite.Connection, "execute_fetchall", locked_a_few_times)
    assert await store.fetchval("SELECT 41 + 1") == 42
    assert failures["left"] == 0


async def test_a_read_that_stays_busy_gives_store_busy_and_other_errors_pass_through(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with await Store.open(tmp_path / "x.db", busy_wait=0.3) as store:

        async def always_locked(self: aiosqlite.Connection, *args: object) -> object:
            raise sqlite3.OperationalError("database is locked")

        with monkeypatch.context() as patched:
            patched.setattr(aiosqlite.Connection, "execute_fetchall", always_locked)
            with pytest.raises(StoreBusy):
                await store.fetchall("SELECT 1")
        with pytest.raises(sqlite3.OperationalError, match="no such table"):
            await store.fetchall("SELECT * FROM no_such_table")


async def test_closing_does_not_wait_out_a_lock(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "x.db", busy_wait=30)
    async with store_locked_by_another_process(store.path):
        write = asyncio.create_task(guilds.set_prefix(store, 1, "?"))
        await asyncio.sleep(0.3)
        started = time.monotonic()
        await store.close()
        assert time.monotonic() - started < 5
        with pytest.raises(StoreBusy):
            await write


async def test_a_busy_snapshot_read_is_retried_then_served(store: Store) -> None:
    calls = 0

    def locked_twice(conn: sqlite3.Connection) -> int:
        nonlocal calls
        calls += 1
        if calls <= 2:
            raise sqlite3.OperationalError("database is locked")
        return int(conn.execute("SELECT 41 + 1").fetchone()[0])

    assert await store.read(locked_twice) == 42
    assert calls == 3
