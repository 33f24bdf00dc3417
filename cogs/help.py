"""``help [command]`` and ``ping``.

Every command declares ``help`` (its first line is the summary and the slash description),
``usage`` (the arguments as typed) and ``extras={"example": "<arguments>"}``; help is built
from those, so a new command appears here with its example by itself.
"""

from __future__ import annotations

from typing import Any

from discord import app_commands
from discord.ext import commands

from bot import render
from bot.client import FilmBot, command_example, command_usage
from bot.context import FilmContext, film_command

#: Families in the order help lists them; others follow alphabetically.
FAMILY_ORDER = ("Reviews", "Cast", "Genres", "Ratings", "Picks", "Help", "Admin")


def _who(command: commands.Command[Any, ..., Any]) -> str | None:
    return command.extras.get("who") if isinstance(command.extras.get("who"), str) else None


def command_help(command: commands.Command[Any, ..., Any], prefix: str) -> render.CommandHelp:
    return render.CommandHelp(
        name=command.qualified_name,
        usage=command_usage(command, prefix),
        example=command_example(command, prefix),
        summary=command.short_doc,
        details=command.help or "",
        aliases=tuple(command.aliases),
        who=_who(command),
    )


def families(bot: commands.Bot, prefix: str) -> list[render.CommandFamily]:
    """Visible commands grouped by cog, in :data:`FAMILY_ORDER`."""
    found: list[render.CommandFamily] = []
    for name, cog in bot.cogs.items():
        shown = sorted(
            (c for c in cog.walk_commands() if not c.hidden), key=lambda c: c.qualified_name
        )
        if shown:
            found.append(
                render.CommandFamily(
                    name, cog.description, [command_help(c, prefix) for c in shown]
                )
            )

    def order(family: render.CommandFamily) -> tuple[int, str]:
        ranked = family.name in FAMILY_ORDER
        return (FAMILY_ORDER.index(family.name) if ranked else len(FAMILY_ORDER), family.name)

    return sorted(found, key=order)


class Help(commands.Cog, name="Help"):
    """Finding your way around."""

    def __init__(self, bot: FilmBot) -> None:
        self.bot = bot

    @film_command(
        "help",
        help="Every command with an example, or one command in detail.",
        usage="[command]",
        example="review",
    )
    @app_commands.describe(command="The command to explain")
    async def help_command(self, ctx: FilmContext, command: str | None = None) -> None:
        prefix = ctx.text_prefix
        if command is None:
            await ctx.send(embed=render.help_overview(families(self.bot, prefix), prefix))
            return
        wanted = command.strip().removeprefix(prefix).removeprefix("/").strip()
        found = self.bot.get_command(wanted)
        if found is None or found.hidden:
            await ctx.send(
                f"There is no command called *{render.shown(render.clip(wanted, 100))}*. "
                f"`{prefix}help` lists them all."
            )
            return
        await ctx.send(embed=render.help_detail(command_help(found, prefix)))

    @help_command.autocomplete("command")
    async def _command_names(
        self, interaction: Any, current: str
    ) -> list[app_commands.Choice[str]]:
        typed = current.strip().lower()
        names = sorted(
            c.qualified_name
            for c in self.bot.walk_commands()
            if not c.hidden and c.qualified_name.startswith(typed)
        )
        return [app_commands.Choice(name=n, value=n) for n in names[:25]]

    @film_command(
        "ping", help="Check that the bot is listening (it answers Pong).", usage="", example=""
    )
    async def ping(self, ctx: FilmContext) -> None:
        await ctx.send("Pong.")


async def setup(bot: FilmBot) -> None:
    await bot.add_cog(Help(bot))
