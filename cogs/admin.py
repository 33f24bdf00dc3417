"""Server admins' and the bot owner's commands: ``prefix`` and ``sync``."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import FilmBot
from bot.context import FilmContext, film_command
from bot.errors import BadPrefix
from bot.store import guilds

PREFIX_MAX = 5
_NOT_IN_PREFIX = set("`/\\@#")


def valid_prefix(text: str) -> str:
    """The prefix as given, when members can type it and it cannot break a reply's Markdown."""
    if not 1 <= len(text) <= PREFIX_MAX or any(c.isspace() or c in _NOT_IN_PREFIX for c in text):
        raise BadPrefix()
    return text


class Admin(commands.Cog, name="Admin"):
    """Settings for this server (Manage Server) and tools for the bot's owner."""

    def __init__(self, bot: FilmBot) -> None:
        self.bot = bot

    @film_command(
        "prefix",
        help="Change the command prefix in this server (mentioning the bot always works too).",
        usage="<new prefix>",
        example="?",
        who="Manage Server",
    )
    @commands.guild_only()
    @commands.has_guild_permissions(manage_guild=True)
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.describe(new="1 to 5 characters, e.g. ? or fc!")
    async def prefix(self, ctx: FilmContext, new: str) -> None:
        assert ctx.guild is not None
        changed = await guilds.set_prefix(ctx.store, ctx.guild.id, valid_prefix(new))
        self.bot.guild_config.changed(changed)
        await ctx.send(f"Commands here now start with `{new}`, e.g. `{new}help`.")

    @film_command(
        "sync",
        help="Register the slash commands with Discord.\n\n"
        "With nothing after it: everywhere (Discord may take an hour to show them). With `here`:"
        " in this server, at once. With a server id: in that server.",
        usage="[here | server id]",
        example="here",
        who="bot owner",
        with_app_command=False,
    )
    @commands.is_owner()
    async def sync(self, ctx: FilmContext, where: str | None = None) -> None:
        if where is None:
            count = await self.bot.sync_commands()
            await ctx.send(f"Synced {count} slash commands everywhere.")
            return
        if where == "here":
            if ctx.guild is None:
                raise commands.NoPrivateMessage()
            target: discord.abc.Snowflake = ctx.guild
        elif where.isdigit():
            target = discord.Object(int(where))
        else:
            raise commands.BadArgument("sync takes `here` or a server id")
        count = await self.bot.sync_commands(target)
        await ctx.send(f"Synced {count} slash commands to server {target.id}.")


async def setup(bot: FilmBot) -> None:
    await bot.add_cog(Admin(bot))
