"""Server admins' and the bot owner's commands: ``prefix``, ``settings`` and ``sync``."""

from __future__ import annotations

import re
from decimal import Decimal

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import FilmBot
from bot.context import FilmContext, film_command, manage_server_only
from bot.errors import BadPrefix, BadSetting
from bot.store import guilds

PREFIX_MAX = 5
#: The largest leaderboard m an admin may set (a prior weight of more ratings than most
#: servers will ever give a film would flatten every film onto the server's mean).
BAYES_M_MAX = 1000
_PLAIN_NUMBER = re.compile(r"^\s*(\d{1,4})(?:[.,](\d{1,3}))?\s*$")
_NOT_IN_PREFIX = set("`/\\@#")


def valid_prefix(text: str) -> str:
    """The prefix as given, when members can type it and it cannot break a reply's Markdown:
    1 to 5 printable characters (no spaces, zero-width or control characters), none that
    starts a mention, a channel or a code span."""
    if (
        not 1 <= len(text) <= PREFIX_MAX
        or not text.isprintable()
        or any(c.isspace() or c in _NOT_IN_PREFIX for c in text)
    ):
        raise BadPrefix()
    return text


def valid_bayes_m(text: str) -> float:
    """The leaderboard's m as typed (``5``, ``2.5``), from 0 to :data:`BAYES_M_MAX`."""
    match = _PLAIN_NUMBER.match(text)
    value = Decimal(f"{match[1]}.{match[2] or 0}") if match else None
    if value is None or value > BAYES_M_MAX:
        raise BadSetting(f"m is a number from 0 to {BAYES_M_MAX:,}, e.g. `3` (the default).")
    return float(value)


_COOLDOWN = re.compile(r"^\s*(\d{1,3})\s*(?:/|per|every|in)?\s*(\d{1,4})\s*(?:s|sec|seconds?)?\s*$")
#: A server's cooldown: at most this many commands in a window, a window at most this long.
COOLDOWN_RATE_MAX = 100
COOLDOWN_PER_MAX = 3600


def valid_cooldown(text: str) -> tuple[int | None, float | None]:
    """``5 10`` / ``5/10s`` / ``5 per 10`` -> (5, 10.0); ``default`` -> (None, None)."""
    if text.strip().lower() in ("default", "reset"):
        return None, None
    match = _COOLDOWN.match(text)
    rate, per = (int(match[1]), int(match[2])) if match else (0, 0)
    if not (1 <= rate <= COOLDOWN_RATE_MAX and 1 <= per <= COOLDOWN_PER_MAX):
        raise BadSetting(
            f"A cooldown is a number of commands (1 to {COOLDOWN_RATE_MAX}) and of seconds "
            f"(1 to {COOLDOWN_PER_MAX:,}), e.g. `cooldown 5 10`, or `cooldown default`."
        )
    return rate, float(per)


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
    @manage_server_only()
    @app_commands.describe(new="1 to 5 characters, e.g. ? or fc!")
    async def prefix(self, ctx: FilmContext, new: str) -> None:
        assert ctx.guild is not None
        changed = await guilds.set_prefix(ctx.store, ctx.guild.id, valid_prefix(new))
        self.bot.guild_config.changed(changed)
        await ctx.send(f"Commands here now start with `{new}`, e.g. `{new}help`.")

    @film_command(
        "settings",
        help="Show this server's settings, or change the leaderboard's m or the cooldown.\n\n"
        "`m` is how many ratings at the server's mean every film starts with on `top`: the "
        "higher it is, the more ratings a film needs to climb (default 3). `cooldown` is how "
        "many commands each member may use in how many seconds (`cooldown 5 10`), or "
        "`cooldown default`.",
        usage="[m <value> | cooldown <commands> <seconds> | cooldown default]",
        example="m 5",
        who="Manage Server",
    )
    @manage_server_only()
    @app_commands.describe(
        setting="The setting to change: m or cooldown",
        value="Its new value: a number for m; commands and seconds (5 10) or default for cooldown",
    )
    async def settings(
        self, ctx: FilmContext, setting: str | None = None, *, value: str | None = None
    ) -> None:
        assert ctx.guild is not None
        if setting is None:
            await ctx.send(self._settings_text(ctx.guild.id))
            return
        name = setting.strip().lower()
        if name == "cooldown":
            await self._set_cooldown(ctx, ctx.guild.id, value)
            return
        if name not in ("m", "bayes_m"):
            raise BadSetting(
                "The settings here are `m` (the leaderboard's prior weight) and `cooldown`."
            )
        if value is None:
            raise BadSetting(f"Give m a value, e.g. `{ctx.text_prefix}settings m 5`.")
        changed = await guilds.set_bayes_m(ctx.store, ctx.guild.id, valid_bayes_m(value))
        self.bot.guild_config.changed(changed)
        m = f"{changed.bayes_m:g}"
        await ctx.send(
            f"The leaderboard's m is now {m} in this server: every film's average starts as if "
            f"it had {m} ratings at the server's mean."
        )

    async def _set_cooldown(self, ctx: FilmContext, guild_id: int, value: str | None) -> None:
        rate, per = valid_cooldown(value or "")
        changed = await guilds.set_cooldown(ctx.store, guild_id, rate, per)
        self.bot.guild_config.changed(changed)
        rate, per = self.bot.guild_config.cooldown(guild_id)
        default = " (the default)" if changed.cooldown_rate is None else ""
        await ctx.send(
            f"Each member here may now use {rate} command{'s' * (rate != 1)} "
            f"every {per:g} s{default}."
        )

    def _settings_text(self, guild_id: int) -> str:
        current = self.bot.guild_config.get(guild_id)
        default = " (the default)"
        rate, per = self.bot.guild_config.cooldown(guild_id)
        return "\n".join(
            [
                "Settings in this server:",
                f"Prefix: `{self.bot.guild_config.prefix(guild_id)}`"
                + (default if current.prefix is None else ""),
                f"Leaderboard m: {current.bayes_m:g}"
                + (default if current.bayes_m == guilds.DEFAULT_BAYES_M else ""),
                f"Cooldown: {rate} commands per {per:g} s"
                + (default if current.cooldown_rate is None else ""),
            ]
        )

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
        elif where.isascii() and where.isdigit() and self.bot.get_guild(int(where)):
            target = discord.Object(int(where))
        elif where.isascii() and where.isdigit():
            await ctx.send(f"I am not in a server with the id {where[:20]}.")
            return
        else:
            raise commands.BadArgument("sync takes `here` or a server id")
        count = await self.bot.sync_commands(target)
        await ctx.send(f"Synced {count} slash commands to server {target.id}.")


async def setup(bot: FilmBot) -> None:
    await bot.add_cog(Admin(bot))
