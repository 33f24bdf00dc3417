"""``filmclub run`` and ``filmclub console`` in their own processes: SIGTERM closes the gateway
and the store cleanly (WAL checkpointed, integrity ok) within 5 s and loses nothing
acknowledged; a dropped gateway connection is resumed."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sqlite3
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from discord import Permissions

from bot import ROOT
from bot.localdiscord import LocalDiscord, LocalDiscordError

#: What a service manager gives a stopping service before it kills it, at most.
SHUTDOWN_BUDGET = 5.0


def environment(db_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "FILMCLUB_"))}
    return {
        **env,
        "FILMCLUB_DB": str(db_path),
        "FILMCLUB_COOLDOWN_RATE": "100000",
        "FILMCLUB_COOLDOWN_PER": "1",
        "PYTHONPATH": os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]),
    }


@asynccontextmanager
async def filmclub(
    db_path: Path, *args: str, stdin: int | None = None
) -> AsyncIterator[asyncio.subprocess.Process]:
    """``python -m bot ARGS`` (what the ``filmclub`` script runs) in its own process."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=environment(db_path),
        cwd=db_path.parent,
        stdin=stdin if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def terminate(process: asyncio.subprocess.Process) -> tuple[float, str]:
    """SIGTERM; seconds until the process exited, and its stderr."""
    assert process.stderr is not None
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    err = await asyncio.wait_for(process.stderr.read(), 30)
    await asyncio.wait_for(process.wait(), 30)
    return time.monotonic() - started, err.decode()


def assert_closed_cleanly(db_path: Path) -> None:
    wal = db_path.with_name(db_path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0, "the WAL was not checkpointed"
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def prefix_of(db_path: Path, guild_id: int) -> str | None:
    with sqlite3.connect(db_path) as conn:
        row = conn.execute(
            "SELECT prefix FROM guild_settings WHERE guild_id = ?", (guild_id,)
        ).fetchone()
    return None if row is None else str(row[0])


async def test_sigterm_stops_run_within_5_s_with_the_store_checkpointed_and_whole(
    catalog_template: Path, tmp_path: Path
) -> None:
    db_path = tmp_path / "filmclub.db"
    shutil.copyfile(catalog_template, db_path)
    async with LocalDiscord() as local:
        guilds = [local.add_guild(f"Club {n}") for n in range(24)]
        admins = [
            local.add_member(g, f"admin{n}", permissions=Permissions(manage_guild=True))
            for n, g in enumerate(guilds)
        ]
        async with filmclub(db_path, "run", "--local-discord", local.url) as process:
            await local.wait_for_bot(timeout=60, task=asyncio.ensure_future(process.wait()))
            first = guilds[0]
            assert (await local.send(first, "bob", "!review Heat")).one().embed.title
            assert (
                (await local.send(first, admins[0], "!prefix ?"))
                .one()
                .content.startswith("Commands here now start with `?`")
            )
            # A resumed gateway session, with the bot in its own process.
            (session,) = local.sessions.values()
            await local.drop_connection()
            assert (await local.send(first, "bob", "?ping")).one().content == "Pong."
            assert session.resumes == 1

            # Writes in flight when SIGTERM arrives: every one acknowledged must be kept.
            acknowledged: list[int] = []

            async def change_prefix(n: int) -> None:
                try:
                    replies = await local.send(guilds[n], admins[n], "!prefix %", timeout=10)
                except LocalDiscordError:
                    return  # not answered before the bot left: not acknowledged either
                if any(m.content.startswith("Commands here now") for m in replies):
                    acknowledged.append(guilds[n].id)

            load = [asyncio.create_task(change_prefix(n)) for n in range(1, len(guilds))]
            await asyncio.sleep(0.05)
            took, err = await terminate(process)
            await asyncio.gather(*load)
    assert process.returncode == 0, err
    assert took < SHUTDOWN_BUDGET, f"took {took:.1f} s to stop"
    assert "Traceback" not in err
    assert_closed_cleanly(db_path)
    assert prefix_of(db_path, guilds[0].id) == "?"
    assert acknowledged  # the commands running at SIGTERM were let finish
    assert all(prefix_of(db_path, guild_id) == "%" for guild_id in acknowledged)


async def test_sigterm_stops_the_console_within_5_s_with_the_store_checkpointed(
    catalog_template: Path, tmp_path: Path
) -> None:
    db_path = tmp_path / "filmclub.db"
    shutil.copyfile(catalog_template, db_path)
    async with filmclub(db_path, "console", stdin=asyncio.subprocess.PIPE) as process:
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(b"!prefix ?\n?ping\n")
        await process.stdin.drain()
        heard = b""
        while b"Pong." not in heard:
            line = await asyncio.wait_for(process.stdout.readline(), 60)
            assert line, "the console ended before answering"
            heard += line
        # The input stays open: only the signal can end this console.
        took, err = await terminate(process)
    assert process.returncode == 0, err
    assert took < SHUTDOWN_BUDGET, f"took {took:.1f} s to stop"
    assert "Traceback" not in err
    assert_closed_cleanly(db_path)
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT prefix FROM guild_settings").fetchall() == [("?",)]
