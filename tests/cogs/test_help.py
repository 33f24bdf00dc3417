"""``help`` and ``ping`` through the local Discord."""

from __future__ import annotations

from tests.conftest import BotHarness


async def test_help_lists_every_command_by_family_with_an_example(discord_bot: BotHarness) -> None:
    embed = (await discord_bot.send("!help")).one().embed
    families = {field.name: field.value or "" for field in embed.fields}
    commands = [c for c in discord_bot.bot.walk_commands() if not c.hidden]
    for command in commands:
        family = families[command.cog_name or ""]
        assert f"`!{command.qualified_name}" in family, command.qualified_name
    assert "`!prefix ?`" in families["Admin"] and "*(Manage Server)*" in families["Admin"]
    assert list(families).index("Help") < list(families).index("Admin")


async def test_help_uses_this_servers_prefix(discord_bot: BotHarness) -> None:
    await discord_bot.send("!prefix ?", who=discord_bot.admin)
    assert "`?ping`" in (await discord_bot.send("?help")).one().text
    assert (
        "`!ping`"
        in (await discord_bot.discord.send(discord_bot.other_guild, "dave", "!help")).one().text
    )


async def test_help_for_one_command(discord_bot: BotHarness) -> None:
    embed = (await discord_bot.send("!help prefix")).one().embed
    assert embed.title == "prefix"
    fields = {field.name: field.value for field in embed.fields}
    assert fields == {
        "Usage": "`!prefix <new prefix>`",
        "Example": "`!prefix ?`",
        "Who": "Manage Server",
    }
    slash = (await discord_bot.slash("help", command="ping")).one()
    assert slash.embed.title == "ping"


async def test_help_for_an_unknown_command_says_so(discord_bot: BotHarness) -> None:
    reply = (await discord_bot.send("!help *nope*")).one()
    assert reply.content == r"There is no command called *\*nope\**. `!help` lists them all."


async def test_help_autocompletes_command_names(discord_bot: BotHarness) -> None:
    choices = await discord_bot.discord.autocomplete(
        discord_bot.guild, discord_bot.member, "help", "command", "p"
    )
    assert [c.name for c in choices] == ["pick", "ping", "prefix"]
    assert all(c.value == c.name for c in choices)


async def test_ping(discord_bot: BotHarness) -> None:
    assert (await discord_bot.send("!ping")).one().content == "Pong."
    dm = discord_bot.discord.dm(discord_bot.member)
    assert (
        await discord_bot.discord.send(dm, discord_bot.member, "!ping")
    ).one().content == "Pong."
