"""The local Discord speaks enough Discord for discord.py's own networking code: these tests
drive real discord.py objects (the bot's HTTP client, gateway, views) against it."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import aiohttp
import discord
import pytest

from bot.client import FilmBot
from bot.localdiscord import HandledReporter, LocalDiscord, use_local_discord
from bot.localdiscord.errors import LocalDiscordError, UnknownCommand
from bot.store import Store
from tests.conftest import BotHarness, bot_settings


async def test_the_gateway_is_zlib_compressed_when_asked(discord_bot: BotHarness) -> None:
    (session,) = discord_bot.discord.sessions.values()
    assert session.connection is not None and session.connection.compressed
    assert (await discord_bot.send("!ping")).one().content == "Pong."


async def test_a_dropped_connection_resumes_and_nothing_is_lost(discord_bot: BotHarness) -> None:
    local = discord_bot.discord
    (session,) = local.sessions.values()
    await local.drop_connection()
    # Sent while the bot is away: delivered when it resumes, as on Discord.
    replies = await discord_bot.send("!ping")
    assert replies.one().content == "Pong."
    assert session.resumes == 1
    assert list(local.sessions.values()) == [session]


async def test_a_server_added_while_running_is_announced(discord_bot: BotHarness) -> None:
    late = discord_bot.discord.add_guild("Late Show")
    replies = await discord_bot.discord.send(late, "dave", "!ping")
    assert replies.one().content == "Pong."
    guild = discord_bot.bot.get_guild(late.id)
    assert guild is not None and guild.name == "Late Show"


async def test_what_discord_rejects_is_rejected(discord_bot: BotHarness) -> None:
    channel = discord_bot.bot.get_channel(discord_bot.guild.channel.id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.HTTPException) as too_long:
        await channel.send("x" * 2001)
    assert too_long.value.status == 400 and too_long.value.code == 50035
    with pytest.raises(discord.HTTPException) as field_too_long:
        await channel.send(embed=discord.Embed(title="t").add_field(name="n", value="v" * 1025))
    assert field_too_long.value.code == 50035
    assert "fields.0.value" in field_too_long.value.text


async def test_edits_reactions_and_deletes_are_recorded(discord_bot: BotHarness) -> None:
    reply = (await discord_bot.send("!ping")).one()
    channel = discord_bot.bot.get_channel(discord_bot.guild.channel.id)
    assert isinstance(channel, discord.TextChannel)
    message = await channel.fetch_message(reply.id)
    await message.add_reaction("🍿")
    await message.edit(content="Pong again.")
    assert reply.reactions == ["🍿"]
    assert reply.content == "Pong again."
    assert [version.content for version in reply.edits] == ["Pong."]
    await message.delete()
    assert reply.deleted


async def test_message_content_needs_its_intent(tmp_path: Path) -> None:
    async with LocalDiscord() as local:
        guild = local.add_guild("Film Club")
        intents = discord.Intents(guilds=True, guild_messages=True)
        client = discord.Client(intents=intents)
        heard: asyncio.Future[discord.Message] = asyncio.get_running_loop().create_future()

        @client.event
        async def on_message(message: discord.Message) -> None:
            heard.set_result(message)

        await local.run_bot(client)
        with pytest.raises(LocalDiscordError):  # a plain client cannot say it is done
            await local.send(guild, "bob", "!review Heat", timeout=0.2)
        message = await asyncio.wait_for(heard, 5)
        assert message.content == "" and message.author.name == "bob"
        await local.stop_bot()


async def test_a_slow_first_answer_to_an_interaction_fails_as_on_discord(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with (
        LocalDiscord(interaction_deadline=0.05) as local,
        await Store.open(tmp_path / "x.db") as store,
    ):
        guild = local.add_guild("Film Club")
        bot = FilmBot(store=store, settings=bot_settings(tmp_path / "x.db"), extensions=[])

        @bot.tree.command(name="slow", description="Answers too late.")
        async def slow(interaction: discord.Interaction) -> None:
            await asyncio.sleep(0.1)
            await interaction.response.send_message("too late")

        async with bot:
            await local.run_bot(bot)
            await bot.sync_commands()
            with caplog.at_level(logging.ERROR):
                replies = await local.slash(guild, "bob", "slow")
            await local.stop_bot()
    assert list(replies) == []
    assert any("Unknown interaction" in str(r.exc_info[1]) for r in caplog.records if r.exc_info)


async def test_a_bot_in_another_process_reports_when_it_is_done(tmp_path: Path) -> None:
    async with LocalDiscord() as local, await Store.open(tmp_path / "x.db") as store:
        guild = local.add_guild("Film Club")
        async with FilmBot(store=store, settings=bot_settings(tmp_path / "x.db")) as bot:
            # What `filmclub run --local-discord URL` does, here without run_bot's shortcut.
            reporter = HandledReporter(local.url, local.token, bot)
            bot.handled_hooks.append(reporter)
            use_local_discord(local.url)
            task = asyncio.create_task(bot.start(local.token))
            await local.wait_for_bot(task=task)
            assert (await local.send(guild, "bob", "!ping")).one().content == "Pong."
            assert list(await local.send(guild, "bob", "just chatting")) == []
            # Without its websocket (reconnecting), the report goes by HTTP instead.
            fallback = HandledReporter(local.url, local.token)
            bot.handled_hooks[-1] = fallback
            assert (await local.send(guild, "bob", "!ping")).one().content == "Pong."
            await bot.close()
            await task
            await reporter.close()
            await fallback.close()
    assert local.requests.count(("POST", "/_local/handled")) == 1


async def test_unknown_routes_answer_404_like_discord(discord_bot: BotHarness) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(
            f"{discord_bot.discord.url}/api/v10/guilds/1/bans",
            headers={"Authorization": f"Bot {discord_bot.discord.token}"},
        ) as response,
    ):
        assert response.status == 404
        assert response.headers["Content-Type"] == "application/json"
        assert (await response.json())["message"] == "404: Not Found"


async def test_the_driver_refuses_what_a_discord_client_would(discord_bot: BotHarness) -> None:
    local = discord_bot.discord
    with pytest.raises(LocalDiscordError, match="not a synced slash command"):
        await discord_bot.slash("nosuchcommand")
    with pytest.raises(LocalDiscordError, match="needs its required option new"):
        await discord_bot.slash("prefix", who=discord_bot.admin)
    with pytest.raises(LocalDiscordError, match="has no option film"):
        await discord_bot.slash("ping", film="Heat")
    with pytest.raises(LocalDiscordError, match="not a member"):
        await local.send(discord_bot.guild, discord_bot.other_member, "!ping")
    with pytest.raises(LocalDiscordError, match="cannot write"):
        await local.send(local.dm(discord_bot.admin), discord_bot.member, "!ping")
    # A server-only command is not offered in a DM at all, as in the Discord client.
    with pytest.raises(UnknownCommand) as hidden:
        await local.slash(local.dm(discord_bot.admin), discord_bot.admin, "prefix", new="?")
    assert "prefix" not in hidden.value.synced and "ping" in hidden.value.synced
