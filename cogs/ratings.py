"""``rate``, ``unrate``, ``ratings`` and ``top``: members' scores in this server.

The prefix forms read one line (``!rate The Dark Knight 4.5 stars``), so each command's first
parameter is keyword-only and takes the whole line (discord.py's "consume rest"); the slash
forms get the same parameters as separate options. ``bot.arguments`` takes the line apart.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot import render
from bot.arguments import (
    Line,
    genres_named,
    member_reference,
    split_count,
    split_film_and_score,
    unquoted,
)
from bot.client import FilmBot
from bot.context import FilmContext, film_command
from bot.errors import BadCount, BadScore, FilmNotFound
from bot.film_cache import FilmCache
from bot.pages import Pages
from bot.scores import format_score, parse_score, stars
from bot.search import FilmMatch
from bot.store import ratings
from cogs._films import film_option, other_films_note, slash_requires

#: ``top`` shows this many films unless asked for another number, and at most TOP_MAX.
TOP_DEFAULT = 10
TOP_MAX = 100


def _guild_id(ctx: FilmContext) -> int:
    # Every command here is guild_only, so discord.py has already refused DMs.
    assert ctx.guild is not None
    return ctx.guild.id


#: Name lookups a minute (see ``Ratings.name_lookups``).
NAME_LOOKUPS_PER_MINUTE = 30
#: Discord's longest username or server nickname.
NAME_MAX = 32


def _with_note(text: str, note: str | None) -> str:
    return f"{text}\n{note}" if note else text


class Ratings(commands.Cog, name="Ratings"):
    """Rate films and see how this server rates them."""

    def __init__(self, bot: FilmBot) -> None:
        self.bot = bot
        #: Members rate the same few films again and again: resolve each title once.
        self.films = FilmCache(bot.store)
        #: A member looked up by name is a gateway request, and the gateway allows about 110
        #: a minute for everything, heartbeats included (discord.py stalls the socket beyond
        #: that): name lookups get at most this share; past it, text is only a film title.
        self.name_lookups = commands.Cooldown(NAME_LOOKUPS_PER_MINUTE, 60)
        slash_requires(self.rate, "score")

    async def _film(self, query: str) -> FilmMatch:
        if not query.strip():
            raise commands.UserInputError("no film named")
        return await self.films.resolve(unquoted(query))

    # rate / unrate ---------------------------------------------------------------------------
    @film_command(
        "rate",
        help="Rate a film in this server: 1–10 in half steps, or 0.5–5 stars.\n\n"
        "Accepts `9`, `9.5`, `9/10`, `4.5/5`, `4.5 stars` and `★★★★½`. Rating a film again "
        "replaces your score; `unrate` removes it. The reply shows the film's new average here.",
        usage="<film> <score>",
        example="Heat 9",
    )
    @commands.guild_only()
    @film_option()
    @app_commands.describe(score="9, 9.5, 9/10, 4.5/5, 4.5 stars or ★★★★½")
    async def rate(self, ctx: FilmContext, *, film: Line, score: str = "") -> None:
        guild_id = _guild_id(ctx)
        if score:
            query, value = film, parse_score(score)
        else:
            line = split_film_and_score(film)
            if line.score is None:
                raise BadScore
            query, value = line.film, line.score
        match = await self._film(query)
        # Returns after the commit, with the film's average and count including this rating.
        now = await ratings.rate(ctx.store, guild_id, ctx.author.id, match.film.id, value)
        text = render.rated(match.film.label, format_score(value), stars(value), now.n, now.mean)
        example = f"{ctx.text_prefix}rate {{film}} {format_score(value)}"
        await ctx.send(_with_note(text, other_films_note(query, match, example)))

    @film_command(
        "unrate",
        help="Remove your rating of a film in this server.",
        usage="<film>",
        example="Heat",
    )
    @commands.guild_only()
    @film_option()
    async def unrate(self, ctx: FilmContext, *, film: Line) -> None:
        guild_id = _guild_id(ctx)
        match = await self._film(film)
        removed = await ratings.unrate(ctx.store, guild_id, ctx.author.id, match.film.id)
        now = await ratings.film_rating(ctx.store, guild_id, match.film.id)
        was = None if removed is None else format_score(removed)
        text = render.unrated(match.film.label, was, now.n, now.mean)
        note = other_films_note(film, match, f"{ctx.text_prefix}unrate {{film}}")
        await ctx.send(_with_note(text, note))

    # ratings -------------------------------------------------------------------------------------
    @film_command(
        "ratings",
        help="A film's ratings in this server as a chart, or a member's ratings, best first.\n\n"
        "With a film: one bar per whole score (a half score counts in the bar below it), the "
        "mean, the median and the count. With a member (a mention, their id or `@name`), or "
        "with nothing for your own: every film they rated here, best first, in pages.",
        usage="[film | @member]",
        example="Heat",
    )
    @commands.guild_only()
    @film_option()
    @app_commands.describe(member="A member, for their ratings (leave empty for your own)")
    async def ratings(
        self,
        ctx: FilmContext,
        *,
        film: str | None = None,
        member: discord.Member | None = None,
    ) -> None:
        if member is not None:
            await self._member_ratings(ctx, member.id, member.display_name)
            return
        if film is None or not film.strip():
            await self._member_ratings(ctx, ctx.author.id, ctx.author.display_name)
            return
        reference = member_reference(film)
        if reference is not None:
            found = await self._member(ctx, reference.member_id, reference.name)
            if found is None:
                await ctx.send(
                    "I can't find the member "
                    f"*{render.shown(render.clip(film.strip(), 100))}* in this server."
                )
                return
            await self._member_ratings(ctx, *found)
            return
        try:
            match = await self._film(film)
        except FilmNotFound:
            named = await self._member(ctx, None, film.strip())
            if named is None:
                raise
            await self._member_ratings(ctx, *named)
            return
        await self._distribution(ctx, film, match)

    async def _member(
        self, ctx: FilmContext, member_id: int | None, name: str | None
    ) -> tuple[int, str] | None:
        """(id, display name) of the member meant, when they are in this server."""
        guild = ctx.guild
        assert guild is not None
        if member_id is not None:
            found = guild.get_member(member_id) or discord.utils.get(
                ctx.message.mentions if ctx.interaction is None else [], id=member_id
            )
            if not isinstance(found, discord.Member):
                try:  # REST, rate limited per route: never the shared gateway
                    found = await guild.fetch_member(member_id)
                except (discord.NotFound, discord.HTTPException):
                    found = None
            return None if found is None else (found.id, found.display_name)
        assert name is not None
        if not name or len(name) > NAME_MAX:
            return None  # no one is called that: do not ask Discord
        wanted = name.casefold()
        if self.name_lookups.update_rate_limit():
            return None  # the lookup budget is spent
        candidates = await guild.query_members(name, limit=25)
        for candidate in candidates:
            names = (candidate.name, candidate.display_name, candidate.global_name or "")
            if wanted in (n.casefold() for n in names):
                return candidate.id, candidate.display_name
        return None

    async def _member_ratings(self, ctx: FilmContext, member_id: int, name: str) -> None:
        found = await ratings.member_ratings(ctx.store, _guild_id(ctx), member_id)
        if not found:
            who = "You haven't" if member_id == ctx.author.id else f"{render.shown(name)} hasn't"
            await ctx.send(
                f"{who} rated anything in this server yet. Try `{ctx.text_prefix}rate Heat 9`."
            )
            return
        scored = [render.ScoredFilm(r.film.label, format_score(r.score)) for r in found]
        await Pages(render.member_ratings_pages(name, scored), ctx.author.id).show(ctx)

    async def _distribution(self, ctx: FilmContext, query: str, match: FilmMatch) -> None:
        film = match.film
        spread = await ratings.distribution(ctx.store, _guild_id(ctx), film.id)
        note = other_films_note(query, match, f"{ctx.text_prefix}ratings {{film}}")
        if spread.mean is None or spread.median is None:
            await ctx.send(
                _with_note(
                    f"Nobody in this server has rated **{render.shown(film.label)}** yet. "
                    f"`{ctx.text_prefix}rate {film.title} 9` to be the first.",
                    note,
                )
            )
            return
        view = render.DistributionView(
            film.label, spread.bars(), spread.n, spread.mean, spread.median
        )
        await ctx.send(content=note, embed=render.distribution_embed(view))

    # top -----------------------------------------------------------------------------------------
    @film_command(
        "top",
        help="This server's best-rated films, by Bayesian average.\n\n"
        "A film's average is weighed against the server's mean (`(v·R + m·C)/(v + m)`, m set "
        "by admins with `settings`), so one 10 never outranks many 9s. Name a genre to rank "
        "only its films (sub-genres included) and a number for how many (up to 100).",
        usage="[genre] [n]",
        example="crime 20",
    )
    @commands.guild_only()
    @app_commands.describe(genre="Only films of this genre", n="How many films (1–100)")
    async def top(
        self,
        ctx: FilmContext,
        *,
        genre: str | None = None,
        n: app_commands.Range[int, 1, TOP_MAX] | None = None,
    ) -> None:
        text, count = (genre or "", n) if n is not None else split_count(genre or "")
        if count is not None and not 1 <= count <= TOP_MAX:
            raise BadCount(1, TOP_MAX)
        count = count or TOP_DEFAULT
        genres = await genres_named(ctx.store, text) if text.strip() else []
        board = await ratings.leaderboard(
            ctx.store, _guild_id(ctx), genre_ids=[g.id for g in genres], limit=count
        )
        names = ", ".join(g.name for g in genres)
        if not board.entries or board.c is None:
            where = f"No {render.shown(names)} film" if genres else "No film"
            await ctx.send(
                f"{where} has been rated in this server yet. Try `{ctx.text_prefix}rate Heat 9`."
            )
            return
        rows = [
            render.LeaderboardRow(board.first_rank + i, e.film.label, e.bayesian, e.mean, e.n)
            for i, e in enumerate(board.entries)
        ]
        title = f"Top {render.shown(names)} films here" if genres else "Top films in this server"
        pages = render.leaderboard_pages(title, rows, board.m, board.c)
        await Pages(pages, ctx.author.id).show(ctx)


async def setup(bot: FilmBot) -> None:
    await bot.add_cog(Ratings(bot))
