"""``cast`` and ``filmography``: who is in a film and who made it, and a person's films."""

from __future__ import annotations

from discord.ext import commands

from bot import render
from bot.client import FilmBot
from bot.context import FilmContext, film_command
from bot.pages import Pages
from bot.search import resolve_film, resolve_person
from bot.store.films import film_credits
from bot.store.people import person_credits
from cogs._films import film_option, other_films_note, person_option


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
        note = other_films_note(film, match, f"{ctx.text_prefix}cast {{film}}")
        await Pages(pages, ctx.author.id).show(ctx, content=note)

    @film_command(
        "filmography",
        help="A person's films in the catalog, newest first, with their part in each.\n\n"
        "Name them as you would say it: `Robert De Niro`, `de niro`, `deniro`, or an IMDb id "
        "(`nm0000134`).",
        usage="<person>",
        example="de niro",
        aliases=["films"],
    )
    @person_option()
    async def filmography(self, ctx: FilmContext, *, person: str) -> None:
        match = await resolve_person(ctx.store, person)
        pages = render.filmography_pages(
            match.person,
            await person_credits(ctx.store, match.person.id),
            namesakes=match.same_name,
            prefix=ctx.text_prefix,
        )
        await Pages(pages, ctx.author.id).show(ctx)


async def setup(bot: FilmBot) -> None:
    await bot.add_cog(Cast(bot))
