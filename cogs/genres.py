"""``genre`` and ``genres``: a film's genres, a genre's best films here, every genre."""

from __future__ import annotations

from discord.ext import commands

from bot import browse, render
from bot.client import FilmBot
from bot.context import FilmContext, film_command
from bot.pages import Pages
from bot.search import FilmMatch
from bot.store.films import film_genres
from bot.store.genres import genre_parents
from cogs._films import genre_option, other_films_note


class Genres(commands.Cog, name="Genres"):
    """Films by genre, and the genres of a film."""

    def __init__(self, bot: FilmBot) -> None:
        self.bot = bot

    @film_command(
        "genre",
        help="A genre's best films here, or a film's genres.\n\n"
        "A genre lists its films and its sub-genres' (`crime` includes Crime Thriller), best "
        "rated in this server first, then the best known. Loose names work: `sci-fi`, "
        "`scifi`, `science fiction`, `noir`. A genre's name wins over a film of that title; "
        "add the film's year to get the film (`Crime (2005)`).",
        usage="<film or genre>",
        example="crime",
    )
    @genre_option("name")
    async def genre(self, ctx: FilmContext, *, name: str) -> None:
        found = await browse.genre_or_film(ctx.store, name)
        if isinstance(found, FilmMatch):
            await self._film_genres(ctx, name, found)
            return
        family = await browse.family(ctx.store, found.genre)
        pages = render.genre_pages(
            found.genre,
            await browse.genre_ranking(ctx.store, ctx.guild_id, found.genre),
            includes=[g.name for g in family[1:]],
            namesake=found.namesake,
            prefix=ctx.text_prefix,
        )
        await Pages(pages, ctx.author.id).show(ctx)

    async def _film_genres(self, ctx: FilmContext, query: str, match: FilmMatch) -> None:
        genres = await film_genres(ctx.store, match.film.id)
        with_parents = [
            (genre, [p.name for p in await genre_parents(ctx.store, genre.id)]) for genre in genres
        ]
        embed = render.film_genres_embed(match.film, with_parents, ctx.text_prefix)
        note = other_films_note(query, match, f"{ctx.text_prefix}genre {{film}}")
        await ctx.send(note, embed=embed)

    @film_command(
        "genres",
        help="Every genre with its number of films, sub-genres under their parents.",
        usage="",
        example="",
    )
    async def genres(self, ctx: FilmContext) -> None:
        pages = render.genres_pages(await browse.genre_counts(ctx.store))
        await Pages(pages, ctx.author.id).show(ctx)


async def setup(bot: FilmBot) -> None:
    await bot.add_cog(Genres(bot))
