"""What every command taking a film shares: autocomplete from the store, and the card's data.

Not an extension (the leading underscore keeps it out of ``extension_names``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import discord
from discord import app_commands

from bot import render
from bot.search import choice_value, suggest_films

#: Autocomplete choices Discord shows at most.
CHOICES = 25
F = TypeVar("F")


async def film_choices(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    """``Title (Year)`` for what is typed so far; the value names the film exactly."""
    films = await suggest_films(interaction.client.store, current, limit=CHOICES)
    return [
        app_commands.Choice(name=render.clip(film.label, 100), value=choice_value(film.id))
        for film in films[:CHOICES]
    ]


def film_option(name: str = "film") -> Callable[[F], F]:
    """Decorate a command whose parameter ``name`` is a film: its slash option gets a
    description and title autocomplete (the value passed back names the film exactly)."""

    def decorate(command: F) -> F:
        described = app_commands.describe(
            **{name: "A title, with the year to pick between films that share it"}
        )(command)
        completed: F = app_commands.autocomplete(**{name: film_choices})(described)
        return completed

    return decorate
