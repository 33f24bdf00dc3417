"""``review``: a film's card."""

from __future__ import annotations

from discord.ext import commands

from bot import render
from bot.client import FilmBot
from bot.context import FilmContext, film_command
from bot.search import resolve_film
from bot.store.films import film_credits, film_genres
from cogs._films import film_option


class Reviews(commands.Cog, name="Reviews"):
    """What a film is and what people thought of it."""

    def __init__(self, bot: FilmBot) -> None:
        self.bot = bot

    @film_command(
        "review",
        help="A film's card: genres, director, leading cast and runtime.",
        usage="<film>",
        example="Heat",
    )
    @film_option()
    async def review(self, ctx: FilmContext, *, film: str) -> None:
        match = await resolve_film(ctx.store, film)
        credits = await film_credits(ctx.store, match.film.id)
        card = render.FilmCard(
            film=match.film,
            genres=[genre.name for genre in await film_genres(ctx.store, match.film.id)],
            directors=[c.name for c in credits if c.role == "director"],
            cast=[c.name for c in credits if c.role == "actor"][: render.CARD_CAST],
            others=match.same_title,
            prefix=ctx.text_prefix,
        )
        await ctx.send(embed=render.review_card(card))


async def setup(bot: FilmBot) -> None:
    await bot.add_cog(Reviews(bot))
