"""FilmBot end to end through the local Discord: start-up, prefixes, errors, permissions,
cooldowns, servers kept apart, and the meta-test over every extension."""

from __future__ import annotations

import asyncio
import logging
import re
from collections import Counter
from pathlib import Path

import discord
import pytest

from bot.client import APOLOGY, FilmBot, extension_names
from bot.context import FilmContext, film_command
from bot.errors import FilmNotFound
from bot.localdiscord import LocalDiscord, User
from bot.localdiscord.gateway import DIRECT_MESSAGES, GUILD_MESSAGES, GUILDS, MESSAGE_CONTENT
from bot.store import Store, guilds
from tests.conftest import BotHarness, bot_settings, running_bot

SECRET = "SELECT secret FROM /etc/passwd"


def add_failing_commands(bot: FilmBot) -> None:
    """Two commands that fail: one with our own error, one with an unexpected one."""

    @film_command("notfound", help="Raises FilmNotFound.", usage="", example="")
    async def notfound(ctx: FilmContext) -> None:
        raise FilmNotFound("Heta", ["Heat (1995)"])

    @film_command("boom", help="Raises an unexpected error.", usage="", example="")
    async def boom(ctx: FilmContext) -> None:
        raise RuntimeError(SECRET)

    bot.add_command(notfound)
    bot.add_command(boom)


async def test_prefix_and_slash_commands_answer(discord_bot: BotHarness) -> None:
    assert (await discord_bot.send("!ping")).one().content == "Pong."
    slash = (await discord_bot.slash("ping")).one()
    assert slash.content == "Pong."
    assert slash.interaction is not None and slash.interaction.response_type == 4


async def test_the_bot_skips_its_own_messages_and_hears_everyone_elses(
    discord_bot: BotHarness,
) -> None:
    local, bot = discord_bot.discord, discord_bot.bot
    heard: list[discord.Message] = []
    other_bot_heard = asyncio.Event()

    async def listener(message: discord.Message) -> None:
        heard.append(message)
        if message.author.bot:
            other_bot_heard.set()

    bot.add_listener(listener, "on_message")
    first = (await discord_bot.send("!ping")).one()
    assert first.content == "Pong."
    projector = User(local.ids.next(), "projector", bot=True)
    local.users[projector.id] = projector
    other_bot = local.add_member(discord_bot.guild, projector)
    # Another bot's message is parsed and dispatched (and, being a bot's, not answered: the
    # local Discord never hears that the bot is done with it, so the send is given up).
    sending = asyncio.ensure_future(discord_bot.send("!ping", who=other_bot))
    await asyncio.wait_for(other_bot_heard.wait(), 10)
    sending.cancel()
    second = (await discord_bot.send("!ping")).one()
    assert second.content == "Pong."
    # The gateway is in order: the echo of the first reply came before the other bot's
    # message, so by now it was skipped, not merely late.
    bot_messages = [m for m in local.messages.values() if m.author is local.bot_user]
    assert [m.id for m in bot_messages] == [first.id, second.id]
    assert [m.author.id for m in heard] == [
        discord_bot.member.user.id,
        projector.id,
        discord_bot.member.user.id,
    ]
    cached = {m.id for m in bot.cached_messages}
    assert {m.id for m in heard} <= cached
    assert not cached & {first.id, second.id}


async def test_commands_are_case_insensitive_and_mentions_are_a_prefix(
    discord_bot: BotHarness,
) -> None:
    assert (await discord_bot.send("!PING")).one().content == "Pong."
    mention = f"<@{discord_bot.discord.bot_user.id}> ping"
    assert (await discord_bot.send(mention)).one().content == "Pong."


async def test_plain_chat_and_unknown_commands_get_no_reply(discord_bot: BotHarness) -> None:
    assert list(await discord_bot.send("what a film")) == []
    assert list(await discord_bot.send("!nosuchcommand Heat")) == []


async def test_the_bot_asks_for_exactly_the_intents_it_needs(discord_bot: BotHarness) -> None:
    (session,) = discord_bot.discord.sessions.values()
    assert session.intents == GUILDS | GUILD_MESSAGES | DIRECT_MESSAGES | MESSAGE_CONTENT


async def test_every_reply_forbids_pinging_anyone(discord_bot: BotHarness) -> None:
    role = discord_bot.discord.add_role(discord_bot.guild, "regulars")
    text = f"!help @everyone @here {role.mention} {discord_bot.admin.mention}"
    for reply in [
        (await discord_bot.send(text)).one(),
        (await discord_bot.slash("help", command=text)).one(),
        (await discord_bot.send("!ping")).one(),
    ]:
        assert reply.allowed_mentions == {"parse": []}
        assert reply.pings == set()
    # The member's text comes back as inert data, not as live mentions.
    assert "@everyone" not in (await discord_bot.send(text)).one().content


async def test_prefix_replies_thread_onto_the_question(discord_bot: BotHarness) -> None:
    replies = await discord_bot.send("!ping")
    question = max(
        discord_bot.discord.messages.values(),
        key=lambda m: m.id * (m.author.id == discord_bot.member.id),
    )
    assert replies.one().reference_id == question.id


async def test_our_errors_become_their_message(discord_bot: BotHarness) -> None:
    add_failing_commands(discord_bot.bot)
    await discord_bot.bot.sync_commands()
    expected = "No film matching *Heta*. Did you mean Heat (1995)?"
    assert (await discord_bot.send("!notfound")).one().content == expected
    slash = (await discord_bot.slash("notfound")).one()
    assert slash.content == expected
    assert slash.ephemeral


async def test_an_unexpected_error_gets_an_apology_and_a_logged_traceback(
    discord_bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    add_failing_commands(discord_bot.bot)
    await discord_bot.bot.sync_commands()
    with caplog.at_level(logging.ERROR, logger="bot.client"):
        prefix = (await discord_bot.send("!boom")).one()
        slash = (await discord_bot.slash("boom")).one()
    for reply in (prefix, slash):
        assert reply.content == APOLOGY
        assert "secret" not in reply.text.lower() and "RuntimeError" not in reply.text
    failures = [r for r in caplog.records if r.getMessage().startswith("command boom failed")]
    assert len(failures) == 2
    assert all(r.exc_info and SECRET in str(r.exc_info[1]) for r in failures)
    assert str(discord_bot.guild.id) in failures[0].getMessage()


async def test_a_missing_argument_gets_the_usage_line_and_an_example(
    discord_bot: BotHarness,
) -> None:
    reply = (await discord_bot.send("!prefix", who=discord_bot.admin)).one()
    assert "Usage: `!prefix <new prefix>`" in reply.content
    assert "Example: `!prefix ?`" in reply.content


async def test_an_admin_command_is_refused_without_manage_server(discord_bot: BotHarness) -> None:
    for replies in [
        await discord_bot.send("!prefix ?"),
        await discord_bot.slash("prefix", new="?"),
    ]:
        assert replies.one().content == "You need the Manage Server permission."
    assert (await guilds.get_guild_settings(discord_bot.store, discord_bot.guild.id)).prefix is None
    assert list(await discord_bot.send("?ping")) == []


async def test_a_server_command_is_refused_in_a_dm(discord_bot: BotHarness) -> None:
    dm = discord_bot.discord.dm(discord_bot.admin)
    reply = (await discord_bot.discord.send(dm, discord_bot.admin, "!prefix ?")).one()
    assert reply.content == "This works inside a server."
    assert (await discord_bot.discord.send(dm, discord_bot.admin, "!ping")).one().content == "Pong."


async def test_prefixes_are_per_server_and_survive_a_restart(discord_bot: BotHarness) -> None:
    local, elsewhere = discord_bot.discord, discord_bot.other_guild
    reply = (await discord_bot.send("!prefix ?", who=discord_bot.admin)).one()
    assert reply.content == "Commands here now start with `?`, e.g. `?help`."
    assert (await discord_bot.send("?ping")).one().content == "Pong."
    assert list(await discord_bot.send("!ping")) == []
    assert (await local.send(elsewhere, discord_bot.other_member, "!ping")).one().content == "Pong."
    assert list(await local.send(elsewhere, discord_bot.other_member, "?ping")) == []

    await local.stop_bot()
    settings = bot_settings(discord_bot.store.path)
    async with (
        await Store.open(discord_bot.store.path) as store,
        FilmBot(store=store, settings=settings) as bot,
    ):
        await local.run_bot(bot)
        assert (await discord_bot.send("?ping")).one().content == "Pong."
        await local.stop_bot()


async def test_too_many_commands_get_a_cooldown_with_the_seconds_left(tmp_path: Path) -> None:
    db_path = tmp_path / "filmclub.db"
    async with running_bot(
        db_path, bot_settings(db_path, cooldown_rate=2, cooldown_per=30)
    ) as harness:
        assert (await harness.send("!ping")).one().content == "Pong."
        assert (await harness.slash("ping")).one().content == "Pong."
        refused = (await harness.send("!ping")).one().content
        assert refused.startswith("You're going a bit fast — try again in ")
        seconds = re.search(r"in (\d+) seconds", refused)
        assert seconds is not None and 28 <= int(seconds[1]) <= 30
        # Another member is not held back by bob, nor is bob in another server.
        assert (await harness.send("!ping", who=harness.admin)).one().content == "Pong."
        # A server's own cooldown replaces the default at once.
        changed = await guilds.set_cooldown(harness.store, harness.guild.id, 100, 1.0)
        harness.bot.guild_config.changed(changed)
        assert (await harness.send("!ping")).one().content == "Pong."


async def test_a_failing_extension_is_logged_and_the_rest_still_runs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with LocalDiscord() as local, await Store.open(tmp_path / "x.db") as store:
        guild = local.add_guild("Film Club")
        settings = bot_settings(tmp_path / "x.db")
        extensions = ["cogs.help", "tests.no_such_extension"]
        with caplog.at_level(logging.ERROR, logger="bot.client"):
            async with FilmBot(store=store, settings=settings, extensions=extensions) as bot:
                await local.run_bot(bot)
                assert (await local.send(guild, "bob", "!ping")).one().content == "Pong."
                await local.stop_bot()
    assert list(bot.failed_extensions) == ["tests.no_such_extension"]
    (record,) = [r for r in caplog.records if "tests.no_such_extension" in r.getMessage()]
    assert record.exc_info is not None


async def test_slash_commands_sync_only_when_asked(tmp_path: Path) -> None:
    async with LocalDiscord() as local, await Store.open(tmp_path / "x.db") as store:
        guild = local.add_guild("Film Club")
        settings = bot_settings(tmp_path / "x.db")
        async with FilmBot(store=store, settings=settings) as bot:
            await local.run_bot(bot)
            assert local.commands == {}
            assert not [r for r in local.requests if r[0] == "PUT"]
            await local.stop_bot()
        dev = bot_settings(tmp_path / "x.db", dev_guild_id=guild.id)
        async with FilmBot(store=store, settings=dev) as bot:
            await local.run_bot(bot)
            assert list(local.commands) == [guild.id]
            assert {"help", "ping", "prefix"} <= {c["name"] for c in local.commands[guild.id]}
            await local.stop_bot()


async def test_only_the_owner_syncs(discord_bot: BotHarness) -> None:
    refused = (await discord_bot.send("!sync", who=discord_bot.admin)).one()
    assert refused.content == "Only the bot's owner can do that."
    discord_bot.discord.commands.clear()
    done = (await discord_bot.send("!sync here", who=discord_bot.owner)).one()
    assert done.content.startswith("Synced ") and str(discord_bot.guild.id) in done.content
    assert list(discord_bot.discord.commands) == [discord_bot.guild.id]
    await discord_bot.send("!sync", who=discord_bot.owner)
    assert None in discord_bot.discord.commands


async def test_a_wrong_token_fails_cleanly(tmp_path: Path) -> None:
    async with LocalDiscord(token="right") as local, await Store.open(tmp_path / "x.db") as store:
        local.add_guild("Film Club")
        async with FilmBot(store=store, settings=bot_settings(tmp_path / "x.db")) as bot:
            with pytest.raises(discord.LoginFailure):
                await local.run_bot(bot, token="wrong")
    assert ("GET", "/api/v10/users/@me") in local.requests
    assert not local.sessions


# The meta-test --------------------------------------------------------------------------------
async def test_every_extension_loads_with_unique_named_documented_commands(
    discord_bot: BotHarness,
) -> None:
    bot = discord_bot.bot
    assert bot.failed_extensions == {}
    assert set(bot.extensions) == set(extension_names())
    everything = list(bot.walk_commands())
    names = Counter(name for c in everything for name in (c.qualified_name, *c.aliases))
    assert [name for name, n in names.items() if n > 1] == []
    for command in everything:
        where = f"{command.qualified_name} in {command.cog_name}"
        assert command.cog is not None, f"{where}: every command belongs to a family (cog)"
        assert command.help and command.short_doc, f"{where} has no help text"
        assert command.usage is not None, f"{where} has no usage"
        assert isinstance(command.extras.get("example"), str), f"{where} has no example"
        if getattr(command, "app_command", None) is not None:
            assert len(command.short_doc) <= 100, f"{where}: slash descriptions are <= 100"
    # The local Discord checks the synced schema as Discord does (names, lengths, options).
    synced = {c["name"] for c in discord_bot.discord.commands[None]}
    hybrid = {c.name for c in everything if getattr(c, "app_command", None) is not None}
    assert synced == hybrid


async def test_slow_slash_commands_are_deferred_and_fast_ones_are_not(
    discord_bot: BotHarness,
) -> None:
    @film_command("slow", help="Thinks for a while.", usage="", example="")
    async def slow(ctx: FilmContext, seconds: float = 0.0) -> None:
        async with ctx.defer_if_slow(after=0.02):
            await asyncio.sleep(seconds)
        await ctx.send("Done.")

    discord_bot.bot.add_command(slow)
    await discord_bot.bot.sync_commands()
    fast = (await discord_bot.slash("slow", seconds=0)).one()
    assert fast.interaction is not None and fast.interaction.response_type == 4
    slow_reply = (await discord_bot.slash("slow", seconds=0.1)).one()
    assert slow_reply.interaction is not None and slow_reply.interaction.response_type == 5
    assert slow_reply.content == "Done." and not slow_reply.loading
    assert (await discord_bot.send("!slow 0.05")).one().content == "Done."


async def test_a_switched_off_message_content_intent_fails_cleanly(tmp_path: Path) -> None:
    async with (
        LocalDiscord(message_content_allowed=False) as local,
        await Store.open(tmp_path / "x.db") as store,
        FilmBot(store=store, settings=bot_settings(tmp_path / "x.db")) as bot,
    ):
        local.add_guild("Film Club")
        with pytest.raises(discord.PrivilegedIntentsRequired):
            await local.run_bot(bot)


async def test_the_bots_owner_has_no_cooldown(tmp_path: Path) -> None:
    db_path = tmp_path / "filmclub.db"
    async with running_bot(
        db_path, bot_settings(db_path, cooldown_rate=1, cooldown_per=30)
    ) as harness:
        for _ in range(3):
            assert (await harness.send("!ping", who=harness.owner)).one().content == "Pong."
        assert (await harness.send("!ping")).one().content == "Pong."
        assert (await harness.send("!ping")).one().content.startswith("You're going a bit fast")
