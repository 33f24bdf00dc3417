"""``settings cooldown``: a server's own per-member cooldown, set and reset by its admins."""

from __future__ import annotations

import re

import pytest

from bot.store import guilds
from tests.conftest import BotHarness


async def test_an_admin_sets_the_cooldown_and_it_applies_at_once(discord_bot: BotHarness) -> None:
    admin = discord_bot.admin
    reply = (await discord_bot.send("!settings cooldown 2 30", who=admin)).one()
    assert reply.content == "Each member here may now use 2 commands every 30 s."
    assert "Cooldown: 2 commands per 30 s" in (await discord_bot.send("!settings", who=admin)).text
    assert (await discord_bot.send("!ping")).one().content == "Pong."
    assert (await discord_bot.slash("ping")).one().content == "Pong."
    refused = (await discord_bot.send("!ping")).one().content
    seconds = re.search(r"try again in (\d+) seconds", refused)
    assert seconds is not None and 28 <= int(seconds[1]) <= 30
    back = await discord_bot.slash("settings", who=admin, setting="cooldown", value="default")
    assert back.one().content.endswith("(the default).")
    settings = await guilds.get_guild_settings(discord_bot.store, discord_bot.guild.id)
    assert (settings.cooldown_rate, settings.cooldown_per) == (None, None)
    assert (await discord_bot.send("!ping")).one().content == "Pong."


@pytest.mark.parametrize("value", ["0 10", "5", "x", "101 10", "5 0", "5 99999", "-1 5", "½ 3"])
async def test_a_bad_cooldown_says_what_fits_and_changes_nothing(
    discord_bot: BotHarness, value: str
) -> None:
    reply = (await discord_bot.send(f"!settings cooldown {value}", who=discord_bot.admin)).one()
    assert reply.content.startswith("A cooldown is a number of commands (1 to 100)")
    settings = await guilds.get_guild_settings(discord_bot.store, discord_bot.guild.id)
    assert settings.cooldown_rate is None


async def test_only_admins_change_the_cooldown(discord_bot: BotHarness) -> None:
    reply = (await discord_bot.send("!settings cooldown 1 3600")).one()
    assert reply.content == "You need the Manage Server permission."
    settings = await guilds.get_guild_settings(discord_bot.store, discord_bot.guild.id)
    assert settings.cooldown_rate is None
    unknown = (await discord_bot.send("!settings colour red", who=discord_bot.admin)).one()
    assert unknown.content.startswith("The settings here are `m`")
