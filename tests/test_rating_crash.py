"""A bot killed with SIGKILL in the middle of a rating rush loses no acknowledged rating.

The bot runs in its own process (``python -m bot run --local-discord URL``). Members send
ratings as fast as it answers; once enough replies have arrived the process is killed with
SIGKILL while many commands are still in flight. Every rating whose reply reached the local
Discord must then be in the store (a reply is sent only after the rating's group commit
returned), the store must pass ``integrity_check`` with its trigger-kept totals equal to the
ratings, and a restarted bot must serve on from it.
"""

from __future__ import annotations

import asyncio
import shutil
import signal
import sqlite3
from pathlib import Path

import pytest

from bench.bench_roundtrip import bot_process
from bot.localdiscord import BotDidNotAnswer, Guild, LocalDiscord, Member
from bot.store.ratings import totals_off

pytestmark = pytest.mark.slow

MEMBERS = 40
#: Replies to wait for before the kill; the rest of the rush is in flight or unsent.
KILL_AFTER = 120


async def start_bot(discord: LocalDiscord, db_path: Path) -> asyncio.subprocess.Process:
    process = await bot_process(discord, db_path, "bot", "run", "--local-discord", discord.url)
    await discord.wait_for_bot(timeout=60, task=asyncio.ensure_future(process.wait()))
    return process


def film_ids(db_path: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("SELECT id FROM films ORDER BY id").fetchall()
    return [(int(row[0]), f"id:{row[0]}") for row in rows]


async def rush(
    discord: LocalDiscord,
    guild: Guild,
    members: list[Member],
    films: list[tuple[int, str]],
    acknowledged: list[tuple[int, int, float]],
    enough: asyncio.Event,
) -> None:
    """Every member rates every film once (a distinct key per command), one command at a
    time each; ``acknowledged`` collects (member, film, score) as replies arrive."""

    async def member_rates(number: int, member: Member) -> None:
        for position, (film_id, query) in enumerate(films):
            score = (number + position) % 19 / 2 + 1  # 1 to 10 in half steps
            try:
                replies = await discord.send(guild, member, f"!rate {query} {score}", timeout=5)
            except BotDidNotAnswer:
                return  # the bot is gone
            if replies and replies[0].content.startswith("You rated"):
                acknowledged.append((member.id, film_id, score))
                if len(acknowledged) >= KILL_AFTER:
                    enough.set()

    await asyncio.gather(*(member_rates(n, m) for n, m in enumerate(members)))


async def test_sigkill_mid_rush_loses_no_acknowledged_rating(
    catalog_template: Path, tmp_path: Path
) -> None:
    db_path = tmp_path / "filmclub.db"
    shutil.copyfile(catalog_template, db_path)
    films = film_ids(db_path)
    acknowledged: list[tuple[int, int, float]] = []
    async with LocalDiscord() as discord:
        guild = discord.add_guild("Film Club")
        members = [discord.add_member(guild, f"member{n}") for n in range(MEMBERS)]
        bot = await start_bot(discord, db_path)
        enough = asyncio.Event()
        sending = asyncio.create_task(rush(discord, guild, members, films, acknowledged, enough))
        await asyncio.wait_for(enough.wait(), 60)
        bot.send_signal(signal.SIGKILL)
        await bot.wait()
        killed_at = len(acknowledged)
        await asyncio.wait_for(sending, 30)
        # Replies that were already on their way when the kill came count too.
        assert len(acknowledged) >= killed_at >= KILL_AFTER
        assert len(acknowledged) < MEMBERS * len(films), "the kill came after the rush ended"

        with sqlite3.connect(db_path) as conn:  # opening recovers the WAL as the bot would
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            stored = {
                (member, film): score
                for member, film, score in conn.execute(
                    "SELECT member_id, film_id, score FROM ratings WHERE guild_id = ?",
                    (guild.id,),
                )
            }
            off = totals_off(conn)
        missing = [(m, f, s) for m, f, s in acknowledged if stored.get((m, f)) != s]
        assert missing == []
        assert off == 0
        # Ratings committed whose replies the kill cut off may be there too; nothing else is.
        sent_keys = {(m.id, f) for m in members for f, _ in films}
        assert set(stored) <= sent_keys

        restarted = await start_bot(discord, db_path)
        try:
            member_id, film_id, score = acknowledged[0]
            member = next(m for m in members if m.id == member_id)
            mine = (await discord.send(guild, member, "!ratings", timeout=30)).one()
            assert f"**{score:g}**" in (mine.embed.description or "")
            again = (await discord.send(guild, member, f"!rate id:{film_id} 10")).one()
            assert again.content.startswith("You rated")
        finally:
            restarted.send_signal(signal.SIGTERM)
            await asyncio.wait_for(restarted.wait(), 30)
        with sqlite3.connect(db_path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
