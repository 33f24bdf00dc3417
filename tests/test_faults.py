"""The bot under faults, end to end: the store locked by another process, slow slash commands,
a dropped gateway connection."""

from __future__ import annotations

import asyncio
import logging
import random

import pytest

from bot.context import FilmContext, film_command
from bot.errors import StoreBusy
from bot.store import guilds
from tests.conftest import BotHarness
from tests.faults import store_locked_by_another_process

BUSY = StoreBusy().user_message


def add_slow_command(harness: BotHarness) -> None:
    """A test-only command that takes as long as it is told: slowness injected here, never in
    the bot's own code paths."""

    @film_command("dawdle", help="Waits, then answers.", usage="<seconds>", example="0.1")
    async def dawdle(ctx: FilmContext, seconds: float = 0.0) -> None:
        await asyncio.sleep(seconds)
        await ctx.send(f"Done after {seconds:g} s.")

    harness.bot.add_command(dawdle)


async def test_a_locked_store_gets_a_friendly_reply_then_is_served_once_free(
    discord_bot: BotHarness,
) -> None:
    local, admin = discord_bot.discord, discord_bot.admin
    discord_bot.store.busy_wait = 1.0
    discord_bot.bot.defer_after = 0.2
    local.interaction_deadline = 0.6  # the 1 s busy wait would miss it without the deferral
    async with store_locked_by_another_process(discord_bot.store.path) as holder:
        prefix_reply = (await discord_bot.send("!prefix ?", who=admin)).one()
        slash_reply = (await discord_bot.slash("prefix", who=admin, new="?")).one()
        # Reads go on beside the other process's write lock.
        card = (await discord_bot.send("!review Heat")).one()
        await holder.release()
    assert prefix_reply.content == BUSY
    assert slash_reply.content == BUSY
    assert slash_reply.interaction is not None and slash_reply.interaction.response_type == 5
    assert not slash_reply.loading
    assert card.embed.title is not None and card.embed.title.startswith("Heat")
    assert (await guilds.get_guild_settings(discord_bot.store, discord_bot.guild.id)).prefix is None
    # Free again: the same command is served.
    done = (await discord_bot.send("!prefix ?", who=admin)).one()
    assert done.content.startswith("Commands here now start with `?`")
    assert (await discord_bot.send("?ping")).one().content == "Pong."


async def test_a_short_lock_is_waited_out_without_the_member_noticing(
    discord_bot: BotHarness,
) -> None:
    admin = discord_bot.admin
    async with store_locked_by_another_process(discord_bot.store.path) as holder:
        asking = asyncio.create_task(discord_bot.send("!prefix ?", who=admin))
        await asyncio.sleep(0.3)
        assert not asking.done()
        await holder.release()
        reply = (await asking).one()
    assert reply.content.startswith("Commands here now start with `?`")


async def test_a_slow_slash_command_is_deferred_and_a_fast_one_is_not(
    discord_bot: BotHarness,
) -> None:
    add_slow_command(discord_bot)
    await discord_bot.bot.sync_commands()
    discord_bot.bot.defer_after = 0.1
    discord_bot.discord.interaction_deadline = 0.3
    slow = (await discord_bot.slash("dawdle", seconds=0.5)).one()
    assert slow.interaction is not None and slow.interaction.response_type == 5
    assert slow.content == "Done after 0.5 s." and not slow.loading
    fast = (await discord_bot.slash("dawdle", seconds=0)).one()
    assert fast.interaction is not None and fast.interaction.response_type == 4
    # Prefix commands have no deadline to keep and nothing to defer.
    assert (await discord_bot.send("!dawdle 0.2")).one().content == "Done after 0.2 s."


async def test_a_reply_racing_the_deferral_is_never_sent_twice(
    discord_bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    add_slow_command(discord_bot)
    await discord_bot.bot.sync_commands()
    discord_bot.bot.defer_after = 0.05
    rng = random.Random(6)
    delays = [round(rng.uniform(0.03, 0.07), 3) for _ in range(40)]
    with caplog.at_level(logging.WARNING):
        answers = await asyncio.gather(*(discord_bot.slash("dawdle", seconds=d) for d in delays))
    for delay, replies in zip(delays, answers, strict=True):
        assert replies.one().content == f"Done after {delay:g} s."
        assert not replies.one().loading
    kinds = {replies.one().interaction.response_type for replies in answers}  # type: ignore[union-attr]
    assert kinds <= {4, 5}
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


async def test_a_dropped_gateway_connection_is_resumed_and_commands_work_after(
    discord_bot: BotHarness,
) -> None:
    local = discord_bot.discord
    (session,) = local.sessions.values()
    for round_number in range(1, 3):
        await local.drop_connection()
        assert (await discord_bot.send("!ping")).one().content == "Pong."
        assert session.resumes == round_number
    card = (await discord_bot.slash("review", film="Heat")).one()
    assert card.embed.title is not None and card.embed.title.startswith("Heat")
    assert list(local.sessions.values()) == [session]  # resumed, never identified afresh
