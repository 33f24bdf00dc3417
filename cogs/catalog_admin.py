"""``addfilm``, ``editfilm``, ``addcast``: admins (Manage Server) curate the shared catalog.

One syntax serves both forms. Prefix: the film first, then ``field: value`` pairs, separated
by ``|`` for readability (the bars are optional)::

    !addfilm Heat (1995) | genres: Crime, Thriller | director: Michael Mann | runtime: 170
    !editfilm Heat 1995 | runtime: 171
    !addcast Heat 1995 | actor: Al Pacino | character: Vincent Hanna | billing: 1

Slash: the same fields are the command's options (``/addfilm title:Heat (1995) genres:…``),
with the film to edit autocompleted. Every change is recorded with the server, member and
time (``filmclub db audit`` lists them).
"""

from __future__ import annotations

from discord.ext import commands

from bot import catalog_admin as check
from bot import render
from bot.client import FilmBot
from bot.context import FilmContext, film_command, manage_server_only
from bot.errors import CatalogInputError
from bot.search import resolve_film
from bot.store.audit import Change, Editor
from bot.store.catalog_edits import (
    FilmCorrection,
    add_cast_member,
    add_film_audited,
    correct_film,
)
from bot.store.films import NewFilm
from cogs._films import film_option


class Fields(commands.FlagConverter, case_insensitive=True, delimiter=":", prefix=""):
    """``field: value`` pairs; a ``|`` between them is only for the eye."""

    @classmethod
    def parse_flags(cls, argument: str, *, ignore_extra: bool = True) -> dict[str, list[str]]:
        found = super().parse_flags(argument, ignore_extra=ignore_extra)
        return {
            name: [value.strip().strip("|").strip() for value in values]
            for name, values in found.items()
        }


YEAR = commands.Range[int, check.FIRST_YEAR, check.LAST_YEAR]
RUNTIME = commands.Range[int, 1, check.RUNTIME_MAX]
BILLING = commands.Range[int, 1, check.BILLING_MAX]


class NewFilmFields(Fields):
    title: str = commands.flag(positional=True, description="The title, e.g. Heat (1995)")
    year: YEAR | None = commands.flag(default=None, description="The year it came out")
    genres: str | None = commands.flag(
        default=None, aliases=["genre"], description="Comma-separated, e.g. Crime, Thriller"
    )
    directors: str | None = commands.flag(
        default=None, aliases=["director"], description="Comma-separated names"
    )
    runtime: RUNTIME | None = commands.flag(default=None, description="In minutes")


class CorrectionFields(Fields):
    film: str = commands.flag(positional=True, description="The film to correct")
    title: str | None = commands.flag(default=None, description="The right title")
    year: YEAR | None = commands.flag(default=None, description="The right year")
    runtime: RUNTIME | None = commands.flag(default=None, description="The right runtime (min)")
    genres: str | None = commands.flag(
        default=None, aliases=["genre"], description="All its genres, comma-separated"
    )
    directors: str | None = commands.flag(
        default=None, aliases=["director"], description="All its directors, comma-separated"
    )


class CastFields(Fields):
    film: str = commands.flag(positional=True, description="The film")
    actor: str = commands.flag(description="The actor's name")
    character: str | None = commands.flag(default=None, description="The character they play")
    billing: BILLING | None = commands.flag(
        default=None, description="Place in the credits (1 = top billed); default: last"
    )


def editor_of(ctx: FilmContext) -> Editor:
    assert ctx.guild is not None
    return Editor(ctx.guild.id, ctx.author.id, str(ctx.author))


def described(change: Change) -> str:
    """``runtime 170 → 171`` for a reply (names and titles as inert text)."""
    return render.shown(render.clip(change.text, 600))


class Catalog(commands.Cog, name="Catalog"):
    """Adding and correcting films in the catalog every server shares (Manage Server)."""

    def __init__(self, bot: FilmBot) -> None:
        self.bot = bot

    @film_command(
        "addfilm",
        help="Add a film to the catalog.\n\n"
        "The title first (with the year in brackets, or `year:`), then any of `genres:`, "
        "`director:` and `runtime:` (minutes), separated by `|`. Genres are ones the bot "
        "knows (`genres` lists them); several genres or directors are comma-separated. A film "
        "already in the catalog (same title and year) is reported, not added twice.\n"
        "Slash: `/addfilm title:Heat (1995) genres:Crime, Thriller directors:Michael Mann "
        "runtime:170`.",
        usage="<title (year)> [| genres: A, B] [| director: name] [| runtime: minutes]",
        example="Heat (1995) | genres: Crime, Thriller | director: Michael Mann | runtime: 170",
        who="Manage Server",
    )
    @manage_server_only()
    async def addfilm(self, ctx: FilmContext, *, film: NewFilmFields) -> None:
        title, year = check.title_and_year(film.title, film.year)
        new = NewFilm(
            title=title,
            year=year,
            runtime=check.check_runtime(film.runtime),
            genres=await check.known_genres(ctx.store, film.genres) if film.genres else (),
            directors=check.names(film.directors, "A director") if film.directors else (),
        )
        added = await add_film_audited(ctx.store, new, editor_of(ctx))
        details = [
            check.listed(new.genres) if new.genres else "",
            f"directed by {check.listed(new.directors)}" if new.directors else "",
            f"{added.runtime} min" if added.runtime else "",
        ]
        shown = "; ".join(render.shown(d) for d in details if d)
        await ctx.send(
            f"Added *{render.shown(added.label)}* to the catalog"
            + (f": {shown}." if shown else ".")
            + f" `{ctx.text_prefix}addcast` adds its cast."
        )

    @film_command(
        "editfilm",
        help="Correct a film in the catalog.\n\n"
        "The film first (as you would name it anywhere: `Heat 1995`), then the fields to set: "
        "`title:`, `year:`, `runtime:`, `genres:` (replaces all its genres) or `director:` "
        "(replaces its directors), separated by `|`.\n"
        "Slash: `/editfilm film:Heat (1995) runtime:171`.",
        usage="<film> | <title|year|runtime|genres|director>: <value>",
        example="Heat 1995 | runtime: 171",
        who="Manage Server",
    )
    @manage_server_only()
    @film_option()
    async def editfilm(self, ctx: FilmContext, *, change: CorrectionFields) -> None:
        fix = FilmCorrection(
            title=check.clean_title(change.title) if change.title is not None else None,
            year=check.check_year(change.year),
            runtime=check.check_runtime(change.runtime),
            genres=await check.known_genres(ctx.store, change.genres)
            if change.genres is not None
            else None,
            directors=check.names(change.directors, "A director")
            if change.directors is not None
            else None,
        )
        if fix.empty:
            raise CatalogInputError(
                "Say what to correct, e.g. "
                f"`{ctx.text_prefix}editfilm Heat 1995 | runtime: 171` "
                "(title, year, runtime, genres or director)."
            )
        match = await resolve_film(ctx.store, check.one_line(change.film))
        film, changes = await correct_film(ctx.store, match.film.id, fix, editor_of(ctx))
        if not changes:
            await ctx.send(
                f"*{render.shown(film.label)}* already reads like that; nothing changed."
            )
            return
        await ctx.send(
            f"Corrected *{render.shown(film.label)}*: "
            + "; ".join(described(done) for done in changes)
            + "."
        )

    @film_command(
        "addcast",
        help="Add an actor to a film's cast, or correct their character or place.\n\n"
        "The film first, then `actor:`, and optionally `character:` and `billing:` (1 is top "
        "billed; without it they go last, or keep their place).\n"
        "Slash: `/addcast film:Heat (1995) actor:Al Pacino character:Vincent Hanna billing:1`.",
        usage="<film> | actor: <name> [| character: <name>] [| billing: <place>]",
        example="Heat 1995 | actor: Al Pacino | character: Vincent Hanna | billing: 1",
        who="Manage Server",
    )
    @manage_server_only()
    @film_option()
    async def addcast(self, ctx: FilmContext, *, credit: CastFields) -> None:
        actor = check.clean_name(credit.actor, "An actor's name")
        character = (
            check.clean_name(credit.character, "A character's name") if credit.character else None
        )
        billing = check.check_billing(credit.billing)
        match = await resolve_film(ctx.store, check.one_line(credit.film))
        cast = await add_cast_member(
            ctx.store, match.film.id, actor, character, billing, editor_of(ctx)
        )
        role = f" as {render.shown(cast.character)}" if cast.character else ""
        verb = "Updated" if cast.before is not None else "Added"
        await ctx.send(
            f"{verb} {render.shown(cast.actor)}{role} in the cast of "
            f"*{render.shown(cast.film.label)}* (billed {cast.billing})."
        )


async def setup(bot: FilmBot) -> None:
    await bot.add_cog(Catalog(bot))
