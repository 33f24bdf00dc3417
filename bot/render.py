"""Embeds built from plain data: no queries, no Discord state, so every card is testable alone.

Every reply that names a film uses :func:`film_label` (``Title (Year)``); text a member or the
catalog supplied is escaped for Markdown where it is shown as data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import discord
from discord.utils import escape_markdown, escape_mentions

from bot.cards import FilmCard
from bot.scores import format_score, stars
from bot.store.models import Credit, Film

#: The colour of filmclub's embeds (a cinema-curtain red).
COLOUR = discord.Colour(0xB3261E)
FIELD_LIMIT = 1024
DESCRIPTION_LIMIT = 4096


def shown(text: str) -> str:
    """Catalog or member text as inert data: Markdown and mentions neutralised."""
    return escape_mentions(escape_markdown(text))


def film_label(title: str, year: int | None) -> str:
    """``Heat (1995)``; the bare title when the year is unknown."""
    return f"{title} ({year})" if year else title


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _chunks(lines: Iterable[str], limit: int) -> list[str]:
    """Lines joined into as few blocks of at most ``limit`` characters as possible."""
    blocks: list[str] = []
    current = ""
    for line in lines:
        line = clip(line, limit)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            blocks.append(current)
            candidate = line
        current = candidate
    if current:
        blocks.append(current)
    return blocks


# Help ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CommandHelp:
    name: str
    #: ``!review <film>``
    usage: str
    #: ``!review Heat``
    example: str
    summary: str
    details: str = ""
    aliases: Sequence[str] = ()
    #: e.g. "Manage Server": who may use it, when not everyone.
    who: str | None = None


@dataclass(frozen=True)
class CommandFamily:
    name: str
    description: str
    commands: Sequence[CommandHelp] = field(default_factory=tuple)


def help_overview(families: Sequence[CommandFamily], prefix: str) -> discord.Embed:
    """Every command by family, each with one example."""
    embed = discord.Embed(
        title="filmclub commands",
        description=(
            f"Type a command with `{prefix}` or use it as a slash command (`/review`). "
            f"`{prefix}help <command>` explains one."
        ),
        colour=COLOUR,
    )
    for family in families:
        lines = []
        for command in family.commands:
            who = f" *({command.who})*" if command.who else ""
            lines.append(f"`{command.example}` — {command.summary}{who}")
        for number, block in enumerate(_chunks(lines, FIELD_LIMIT)):
            embed.add_field(
                name=family.name if number == 0 else f"{family.name} (more)",
                value=block,
                inline=False,
            )
    return embed


def help_detail(command: CommandHelp) -> discord.Embed:
    """One command: what it does, how to type it, an example, its aliases."""
    embed = discord.Embed(
        title=command.name,
        description=clip(command.details or command.summary, DESCRIPTION_LIMIT),
        colour=COLOUR,
    )
    embed.add_field(name="Usage", value=f"`{command.usage}`", inline=False)
    embed.add_field(name="Example", value=f"`{command.example}`", inline=False)
    if command.aliases:
        embed.add_field(
            name="Also", value=", ".join(f"`{a}`" for a in command.aliases), inline=False
        )
    if command.who:
        embed.add_field(name="Who", value=command.who, inline=False)
    return embed


# Films ----------------------------------------------------------------------------------------
#: Top-billed actors on a review card.
CARD_CAST = 4
#: Cast lines per page of ``cast``.
CAST_PAGE = 15


def names(people: Iterable[str]) -> str:
    return ", ".join(shown(name) for name in people)


def average_text(n: int, mean: float | None) -> str:
    """``★★★★½ 8.5/10 from 12 ratings``: what a server's ratings of a film come to."""
    if not n or mean is None:
        return "No ratings here yet"
    rounded = min(10.0, max(1.0, round(mean * 2) / 2))
    return f"{stars(rounded)} {mean:.1f}/10 from {n:,} rating{'s' * (n != 1)}"


def others_hint(film: Film, others: Sequence[Film], command: str, prefix: str) -> str:
    """The other films sharing ``film``'s title, and how to ask ``command`` for one of them."""
    also = ", ".join(shown(f.label) for f in others[:5])
    if len(others) > 5:
        also += f" and {len(others) - 5:,} more"
    dated = next((f for f in others if f.year), None)
    if dated is None:
        return clip(also, FIELD_LIMIT)
    pick = f"{typed(film.title)} {dated.year}"
    return clip(f"{also} — add the year to pick one: `{prefix}{command} {pick}`", FIELD_LIMIT)


def typed(text: str) -> str:
    """Text to show inside a code span (something to type): a backtick would end the span."""
    return text.replace("`", "'")


def review_card(card: FilmCard, prefix: str = "!") -> discord.Embed:
    """The card of ``review``: the film and its people, the summary of its reviews, this
    server's ratings, the other films of its title, and what to do next."""
    film = card.film
    embed = discord.Embed(
        title=shown(film.label),
        description=" · ".join(shown(g) for g in card.genres) or None,
        colour=COLOUR,
    )
    if card.directors:
        label = "Director" if len(card.directors) == 1 else "Directors"
        embed.add_field(name=label, value=clip(names(card.directors), FIELD_LIMIT), inline=True)
    if card.cast:
        embed.add_field(name="Starring", value=clip(names(card.cast[:CARD_CAST]), FIELD_LIMIT))
    if film.runtime:
        embed.add_field(name="Runtime", value=f"{film.runtime} min", inline=True)
    if card.summary:
        summary = clip(shown(card.summary), FIELD_LIMIT)
    elif card.summary is None:
        how = f"`{prefix}addreview {typed(film.label)} <your review>`"
        summary = f"No reviews yet. Write the first: {how}"
    else:
        summary = "Its reviews are all spoilers, so there is nothing to quote here."
    embed.add_field(name="Summary", value=summary, inline=False)
    if card.rating is not None:
        here = average_text(card.rating.n, card.rating.mean)
        if card.rating.own is not None:
            here += f" · you rated it {format_score(card.rating.own)}/10"
        embed.add_field(name="This server", value=here, inline=False)
    if card.others:
        embed.add_field(
            name=f"Other films called {shown(film.title)}",
            value=others_hint(film, card.others, "review", prefix),
            inline=False,
        )
    label = film.label
    hint = f"Rate it: {prefix}rate {label} 9 · Full cast: {prefix}cast {label}"
    embed.set_footer(text=clip(hint, 2048))
    return embed


def cast_pages(
    film: Film, credits: Sequence[Credit], per_page: int = CAST_PAGE
) -> list[discord.Embed]:
    """Cast in billing order (``Actor — Character``), then director(s) and writers."""
    actors = [
        f"{shown(c.name)} — {shown(c.character)}" if c.character else shown(c.name)
        for c in credits
        if c.role == "actor"
    ]
    crew = {
        "Directed by": [c.name for c in credits if c.role == "director"],
        "Written by": [c.name for c in credits if c.role == "writer"],
    }
    blocks = [actors[i : i + per_page] for i in range(0, len(actors), per_page)] or [[]]
    pages = []
    for block in blocks:
        description = "\n".join(block) if block else "No cast listed yet."
        pages.append(
            discord.Embed(
                title=f"Cast of {shown(film.label)}",
                description=clip(description, DESCRIPTION_LIMIT),
                colour=COLOUR,
            )
        )
    for name, people in crew.items():
        if people:
            pages[-1].add_field(name=name, value=clip(names(people), FIELD_LIMIT), inline=False)
    return pages
