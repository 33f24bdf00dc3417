"""Reviews: a film's card with the summary of its reviews (``review``), and members' own
reviews."""

from __future__ import annotations

from discord.ext import commands

from bot import cards, render
from bot.client import FilmBot
from bot.context import FilmContext, film_command
from bot.search import resolve_film
from cogs._films import film_option


class Reviews(commands.Cog, name="Reviews"):
    """What a film is and what people thought of it."""

    def __init__(self, bot: FilmBot) -> None:
        self.bot = bot

    # The card ----------------------------------------------------------------------------------
    @film_command(
        "review",
        help="A film's card: genres, director, leading cast, a summary of its reviews and this "
        "server's rating.\n\n"
        "Name the film as you would say it: `Heat`, `heat 1995`, `Heat (1995)`, `tt0113277`. "
        "The summary quotes the catalog's reviews and this server's member reviews, never "
        "their spoilers.",
        usage="<film>",
        example="Heat",
    )
    @film_option()
    async def review(self, ctx: FilmContext, *, film: str) -> None:
        match = await resolve_film(ctx.store, film)
        card = await cards.film_card(
            ctx.store, match.film, ctx.guild_id, ctx.author.id, match.same_title
        )
        await ctx.send(embed=render.review_card(card, ctx.text_prefix))


async def setup(bot: FilmBot) -> None:
    await bot.add_cog(Reviews(bot))
