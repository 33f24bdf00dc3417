"""``cast``: who is in a film, and who made it."""

from __future__ import annotations

from discord.ext import commands

from bot import render
from bot.client import FilmBot
from bot.context import FilmContext, film_command
from bot.pages import Pages
from bot.search import resolve_film
from bot.store.films import film_credits
from cogs._films import film_option


class Cast(commands.Cog, name="Cast"):
    """The people in and behind a film."""

    def __init__(self, bot: FilmBot) -> None:
        self.bot = bot

    @film_command(
        "cast",
        help="A film's cast in billing order with their characters, then director and writers.",
        usage="<film>",
        example="Heat",
    )
    @film_option()
    async def cast(self, ctx: FilmContext, *, film: str) -> None:
        match = await resolve_film(ctx.store, film)
        pages = render.cast_pages(match.film, await film_credits(ctx.store, match.film.id))
        await Pages(pages, ctx.author.id).show(ctx)


async def setup(bot: FilmBot) -> None:
    await bot.add_cog(Cast(bot))
