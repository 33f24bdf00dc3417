"""Backups taken while members keep rating: ``Store.backup`` in the bot's process and
``filmclub db backup`` from another one each give a store that opens, passes its integrity
check and holds every rating acknowledged before the backup began."""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import sqlite3
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from bot import ROOT
from bot.store import Store
from bot.store.ratings import rate

GUILD = 42
Rating = tuple[int, int, float]  # member, film, score


@asynccontextmanager
async def rating_load(store: Store, writers: int = 8) -> AsyncIterator[list[Rating]]:
    """Members rating films without pause until the block ends; yields the ratings
    acknowledged so far (``rate`` returned: committed), in order."""
    films = [int(r[0]) for r in await store.fetchall("SELECT id FROM films ORDER BY id")]
    acknowledged: list[Rating] = []
    keys = itertools.count()
    stop = asyncio.Event()
    under_way = asyncio.Event()

    async def member_rates() -> None:
        while not stop.is_set():
            n = next(keys)
            member, film, score = 1000 + n, films[n % len(films)], 1 + (n % 19) / 2
            await rate(store, GUILD, member, film, score)
            acknowledged.append((member, film, score))
            if len(acknowledged) >= 200:
                under_way.set()

    tasks = [asyncio.create_task(member_rates()) for _ in range(writers)]
    try:
        await under_way.wait()  # ratings are flowing before any backup starts
        yield acknowledged
    finally:
        stop.set()
        await asyncio.gather(*tasks)


def ratings_in(path: Path) -> dict[tuple[int, int], float]:
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        rows = conn.execute(
            "SELECT member_id, film_id, score FROM ratings WHERE guild_id = ?", (GUILD,)
        ).fetchall()
    return {(member, film): score for member, film, score in rows}


async def backup_during_load(
    tmp_path: Path, catalog_template: Path, take: Callable[[Store, Path], Awaitable[None]]
) -> tuple[list[Rating], list[Rating], dict[tuple[int, int], float]]:
    db_path = tmp_path / "filmclub.db"
    shutil.copyfile(catalog_template, db_path)
    target = tmp_path / "backup" / "filmclub.db"
    async with await Store.open(db_path) as store, rating_load(store) as acknowledged:
        before = list(acknowledged)
        await take(store, target)
        after = list(acknowledged)
    return before, after, ratings_in(target)


async def test_store_backup_during_a_rating_load_holds_every_rating_acknowledged_before(
    tmp_path: Path, catalog_template: Path
) -> None:
    async def in_process(store: Store, target: Path) -> None:
        await store.backup(target)

    before, after, saved = await backup_during_load(tmp_path, catalog_template, in_process)
    assert len(after) > len(before)  # the load went on while the copy was made
    assert all(saved.get((member, film)) == score for member, film, score in before)
    assert len(saved) <= len(after) + 8  # nothing invented (8 writers may be mid-commit)


async def test_filmclub_db_backup_from_another_process_during_a_rating_load(
    tmp_path: Path, catalog_template: Path
) -> None:
    async def by_the_cli(store: Store, target: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "FILMCLUB_"))}
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "db",
            "backup",
            str(target),
            "--db",
            str(store.path),
            env=env,
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 120)
        assert process.returncode == 0, err.decode()
        assert str(target) in out.decode()

    before, after, saved = await backup_during_load(tmp_path, catalog_template, by_the_cli)
    assert len(after) > len(before)
    assert all(saved.get((member, film)) == score for member, film, score in before)
