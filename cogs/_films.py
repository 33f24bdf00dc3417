"""What every command taking a film (or a person, or a genre) shares: autocomplete from the
store, the line naming other films of the same title, and slash options the prefix form reads
from one line.

Not an extension (the leading underscore keeps it out of ``extension_names``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Coroutine, Iterable
from typing import Any, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from bot import render
from bot.normalize import fold
from bot.search import FilmMatch, choice_value, readings, suggest_films, suggest_people
from bot.store.browse import genre_names
from bot.store.models import Film

#: Autocomplete choices Discord shows at most.
CHOICES = 25
F = TypeVar("F")


def _choices(named: Iterable[tuple[str, int]]) -> list[app_commands.Choice[str]]:
    """(what to show, id) as choices whose value names that film or person exactly."""
    return [
        app_commands.Choice(name=render.clip(name, 100), value=choice_value(item_id))
        for name, item_id in itertools.islice(named, CHOICES)
    ]


async def film_choices(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    """``Title (Year)`` for what is typed so far; the value names the film exactly."""
    films = await suggest_films(interaction.client.store, current, limit=CHOICES)
    return _choices((film.label, film.id) for film in films)


async def person_choices(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    """Names starting (or ending, a surname) like what is typed; the value names the person."""
    people = await suggest_people(interaction.client.store, current, limit=CHOICES)
    return _choices((person.name, person.id) for person in people)


async def genre_choices(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    """Genres whose name (or another name they go by) starts like what is typed."""
    typed = fold(current)
    names = await genre_names(interaction.client.store)
    found = sorted({genre.name for name, genre in names if fold(name).startswith(typed)})
    return [app_commands.Choice(name=name, value=name) for name in found[:CHOICES]]


Choices = Callable[
    [discord.Interaction[Any], str], Coroutine[Any, Any, list[app_commands.Choice[str]]]
]


def _option(name: str, description: str, choices: Choices) -> Callable[[F], F]:
    def decorate(command: F) -> F:
        described = app_commands.describe(**{name: description})(command)
        completed: F = app_commands.autocomplete(**{name: choices})(described)
        return completed

    return decorate


def film_option(name: str = "film") -> Callable[[F], F]:
    """Decorate a command whose parameter ``name`` is a film: its slash option gets a
    description and title autocomplete (the value passed back names the film exactly)."""
    return _option(name, "A title, with the year to pick between films that share it", film_choices)


def genre_option(name: str = "genre") -> Callable[[F], F]:
    """The same for a parameter naming a genre: genre autocomplete."""
    return _option(name, "A genre, e.g. crime, sci-fi or neo-noir", genre_choices)


def person_option(name: str = "person") -> Callable[[F], F]:
    """The same for a parameter naming a person: name autocomplete."""
    return _option(name, "A name, e.g. Robert De Niro or de niro", person_choices)


def named_exactly(query: str, film: Film) -> bool:
    """Whether ``query`` already picks ``film`` among films sharing its title: an autocomplete
    choice, an IMDb id, or the title with the film's year."""
    text = query.strip()
    if text.startswith("id:") or text[:2].lower() == "tt":
        return True
    return film.year is not None and any(r.year == film.year for r in readings(text))


def other_films_note(query: str, match: FilmMatch, command: str) -> str | None:
    """``Also called Heat: Heat (1986). Add the year …`` when other films share the title and
    ``query`` did not already pick one. ``command`` is the example with ``{film}`` where the
    title and year go (``!rate {film} 9``)."""
    if not match.same_title or named_exactly(query, match.film):
        return None
    other = match.same_title[0]
    example = command.format(film=f"{other.title} {other.year}" if other.year else other.title)
    return render.other_films_line(match.film.title, [f.label for f in match.same_title], example)


def slash_requires(command: commands.HybridCommand[Any, ..., Any], *options: str) -> None:
    """Mark ``options`` required on the slash side of a hybrid command.

    A prefix command like ``!rate The Dark Knight 9`` reads everything from one line: its first
    parameter is keyword-only and takes the whole line, so the parameters after it need Python
    defaults, which discord.py turns into optional slash options. Discord should still ask
    for them, so they are marked required here (on the cog's own copy of the command, before
    the cog is added and its slash commands registered).
    """
    app_command = command.app_command
    assert app_command is not None
    for name in options:
        app_command._params[name].required = True
