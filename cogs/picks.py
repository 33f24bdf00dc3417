"""``pick`` and ``similar``: a film for tonight, and films like one."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace

import discord
from discord import app_commands
from discord.ext import commands

from bot import pages, recommend, render
from bot.client import FilmBot
from bot.context import FilmContext, film_command
from bot.pages import Another
from bot.search import resolve_film
from bot.store.pools import ANY
from cogs._films import film_option, genre_option, other_films_note

#: Members whose last pick is remembered (so the next one differs); the oldest are forgotten.
REMEMBERED = 10_000


class Picks(commands.Cog, name="Picks"):
    """Something to watch tonight, and more like a film you liked."""

    def __init__(self, bot: FilmBot) -> None:
        self.bot = bot
        self._last_pick: dict[tuple[int, int], int] = {}
        #: How long **Pick another** stays live after the last press.
        self.button_timeout = pages.TIMEOUT
        #: Draws each pick among the best few (a test may seed it).
        self.rng = random.Random()

    @film_command(
        "pick",
        help="One film for tonight that you have not rated, with the reason; press "
        "**Pick another** for another.\n\n"
        "Optionally a genre (`neo-noir`, `sci-fi`) and a decade (`90s`, `1990s`, `1990`). "
        "Favours films this server rates highly and films like the ones you rated 8 or more; "
        "in a new server, the best known.",
        usage="[genre] [decade]",
        example="neo-noir 90s",
    )
    @commands.guild_only()
    @genre_option()
    @app_commands.describe(decade="A decade: 90s, 1990s or 1990")
    async def pick(
        self, ctx: FilmContext, *, genre: str | None = None, decade: str | None = None
    ) -> None:
        assert ctx.guild is not None
        request = self._request(ctx, ctx.guild.id, genre, decade)
        key = (ctx.guild.id, ctx.author.id)
        prefix = ctx.text_prefix

        async def produce(shown: Sequence[int]) -> tuple[discord.Embed, int]:
            chosen = await recommend.pick(ctx.store, replace(request, excluded=shown), self.rng)
            self._remember(key, chosen.film.id)
            return render.pick_embed(chosen, prefix), chosen.film.id

        # Never the same film twice in a row, across commands as within one.
        last = self._last_pick.get(key)
        embed, film_id = await produce([last] if last is not None else [])
        view = Another(film_id, produce, ctx.author.id, timeout=self.button_timeout)
        await view.send_to(ctx, embed=embed)

    def _request(
        self, ctx: FilmContext, guild_id: int, genre: str | None, decade: str | None
    ) -> recommend.Request:
        """What was asked: a prefix command's words hold both genre and decade; a slash
        command's decade option is a decade or nothing."""
        genre_text, year = recommend.split_request(genre or "")
        if decade is not None:
            year = recommend.parse_decade(decade)
        return recommend.Request(guild_id, ctx.author.id, decade=year or ANY, genre_text=genre_text)

    def _remember(self, key: tuple[int, int], film_id: int) -> None:
        self._last_pick.pop(key, None)
        self._last_pick[key] = film_id
        if len(self._last_pick) > REMEMBERED:
            del self._last_pick[next(iter(self._last_pick))]

    @film_command(
        "similar",
        help="Up to ten films like this one, each with the reason.\n\n"
        "Alike means the same director, shared cast, shared genres, and films members here "
        "liked both of.",
        usage="<film>",
        example="Heat",
    )
    @film_option()
    async def similar(self, ctx: FilmContext, *, film: str) -> None:
        match = await resolve_film(ctx.store, film)
        found = await recommend.similar(ctx.store, match.film, ctx.guild_id)
        note = other_films_note(film, match, f"{ctx.text_prefix}similar {{film}}")
        await ctx.send(note, embed=render.similar_embed(match.film, found))


async def setup(bot: FilmBot) -> None:
    await bot.add_cog(Picks(bot))
