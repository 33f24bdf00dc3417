"""Embeds built from plain data: no queries, no Discord state, so every card is testable alone.

Every reply that names a film uses :func:`film_label` (``Title (Year)``); text a member or the
catalog supplied is escaped for Markdown where it is shown as data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import discord
from discord.utils import escape_markdown, escape_mentions

from bot.browse import GenreCount, RankedFilm
from bot.cards import FilmCard
from bot.recommend import Pick, Similar
from bot.scores import format_score, stars
from bot.store.models import Credit, Film, Genre, Person

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
    return f"{stars(rounded)} {mean:.1f}/10 from {ratings_count(n)}"


def typed(text: str) -> str:
    """Text to show inside a code span (something to type): a backtick would end the span."""
    return text.replace("`", "'")


def review_card(card: FilmCard, prefix: str = "!") -> discord.Embed:
    """The card of ``review``: the film and its people, the summary of its reviews, this
    server's ratings, and what to do next."""
    film = card.film
    embed = discord.Embed(
        title=clip(shown(film.label), 256),
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
    label = film.label
    hint = f"Rate it: {prefix}rate {label} 9 · Full cast: {prefix}cast {label}"
    embed.set_footer(text=clip(hint, 2048))
    return embed


def listing_pages(
    title: str, lines: Sequence[str], per_page: int, *, empty: str, footer: str | None = None
) -> list[discord.Embed]:
    """``lines`` (already inert) as embeds of ``per_page`` lines each, titled alike."""
    blocks = [lines[i : i + per_page] for i in range(0, len(lines), per_page)] or [[]]
    pages = []
    for block in blocks:
        page = discord.Embed(
            title=clip(title, 256),
            description=clip("\n".join(block) if block else empty, DESCRIPTION_LIMIT),
            colour=COLOUR,
        )
        if footer:
            page.set_footer(text=clip(footer, 2048))
        pages.append(page)
    return pages


def cast_pages(
    film: Film,
    credits: Sequence[Credit],
    per_page: int = CAST_PAGE,
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
    pages = listing_pages(
        f"Cast of {shown(film.label)}", actors, per_page, empty="No cast listed yet."
    )
    for name, people in crew.items():
        if people:
            pages[-1].add_field(name=name, value=clip(names(people), FIELD_LIMIT), inline=False)
    return pages


# Ratings -------------------------------------------------------------------------------------
#: Widest bar of a rating distribution, in blocks.
BAR_WIDTH = 20
RATINGS_PER_PAGE = 15
LEADERBOARD_PER_PAGE = 10
#: A film's label in a list line at most (a page of them stays within an embed's 4,096).
LABEL_IN_LIST = 200


def format_mean(value: float) -> str:
    """An average as replies show it: ``8.4``, ``8.43``, ``9`` (two decimals at most)."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def ratings_count(n: int) -> str:
    return f"{n:,} rating{'s' * (n != 1)}"


def server_line(n: int, mean: float | None) -> str:
    """``This server: 8.5 average from 12 ratings.``"""
    if not n or mean is None:
        return "No ratings of it in this server now."
    return f"This server: {format_mean(mean)} average from {ratings_count(n)}."


def other_films_line(title: str, others: Sequence[str], example: str) -> str:
    """The line under a reply about one of several films sharing a title."""
    listed = ", ".join(shown(label) for label in others[:5])
    return f"Also called *{shown(title)}*: {listed}. Add the year to pick one: `{example}`."


def rated(label: str, score_text: str, score_stars: str, n: int, mean: float | None) -> str:
    """The reply to ``rate``: the member's score and the film's new server average."""
    return f"You rated **{shown(label)}** {score_text}/10 ({score_stars}). {server_line(n, mean)}"


def unrated(label: str, score_text: str | None, n: int, mean: float | None) -> str:
    if score_text is None:
        return f"You haven't rated **{shown(label)}** in this server; nothing to remove."
    return (
        f"Removed your rating of **{shown(label)}** (it was {score_text}/10). "
        f"{server_line(n, mean)}"
    )


@dataclass(frozen=True)
class DistributionView:
    """A film's scores in one server, ready to draw."""

    label: str
    #: (whole score 1..10, count), as :meth:`bot.store.ratings.Distribution.bars` gives them.
    bars: Sequence[tuple[int, int]]
    n: int
    mean: float
    median: float


def distribution_chart(bars: Sequence[tuple[int, int]]) -> str:
    """One text bar per whole score, 10 at the top, in a code block (monospaced, inert)."""
    most = max((count for _, count in bars), default=0)
    lines = []
    for score, count in sorted(bars, reverse=True):
        blocks = 0 if not count else max(1, round(count / most * BAR_WIDTH))
        lines.append(f"{score:>2} │{'█' * blocks:<{BAR_WIDTH}}│ {count:,}")
    return "```\n" + "\n".join(lines) + "\n```"


def distribution_embed(view: DistributionView) -> discord.Embed:
    embed = discord.Embed(
        title=clip(f"{shown(view.label)} — ratings in this server", 256),
        description=distribution_chart(view.bars),
        colour=COLOUR,
    )
    embed.add_field(name="Mean", value=format_mean(view.mean))
    embed.add_field(name="Median", value=format_mean(view.median))
    embed.add_field(name="Ratings", value=f"{view.n:,}")
    embed.set_footer(text="A half score counts in the bar below it: 8.5 is in the 8 bar.")
    return embed


@dataclass(frozen=True)
class ScoredFilm:
    label: str
    score_text: str


def member_ratings_pages(member: str, rated_films: Sequence[ScoredFilm]) -> list[discord.Embed]:
    """A member's ratings, as given (best first), :data:`RATINGS_PER_PAGE` a page."""
    pages = []
    for start in range(0, len(rated_films), RATINGS_PER_PAGE):
        lines = [
            f"**{film.score_text}** · {shown(clip(film.label, LABEL_IN_LIST))}"
            for film in rated_films[start : start + RATINGS_PER_PAGE]
        ]
        embed = discord.Embed(
            title=clip(f"{shown(member)}'s ratings in this server", 256),
            description="\n".join(lines),
            colour=COLOUR,
        )
        embed.set_footer(text=f"{ratings_count(len(rated_films))}, best first")
        pages.append(embed)
    return pages


@dataclass(frozen=True)
class LeaderboardRow:
    rank: int
    label: str
    bayesian: float
    mean: float
    n: int


def leaderboard_pages(
    title: str, rows: Sequence[LeaderboardRow], m: float, c: float
) -> list[discord.Embed]:
    """The server's top films, :data:`LEADERBOARD_PER_PAGE` a page, each with its count."""
    pages = []
    for start in range(0, len(rows), LEADERBOARD_PER_PAGE):
        lines = [
            f"**{row.rank}.** {shown(clip(row.label, LABEL_IN_LIST))} — "
            f"**{format_mean(row.bayesian)}** "
            f"({ratings_count(row.n)}, average {format_mean(row.mean)})"
            for row in rows[start : start + LEADERBOARD_PER_PAGE]
        ]
        embed = discord.Embed(title=clip(title, 256), description="\n".join(lines), colour=COLOUR)
        embed.set_footer(
            text=f"Ranked by Bayesian average (v·R + m·C)/(v + m): v ratings averaging R, "
            f"m = {format_mean(m)}, C = {format_mean(c)} (this server's mean rating)."
        )
        pages.append(embed)
    return pages


# Members' reviews ----------------------------------------------------------------------------
#: Most characters of reviews on one page (an embed's description holds 4,096).
REVIEW_PAGE_BUDGET = 3800
REVIEWS_PER_PAGE = 5
# Spoiler tags as members type them; an unclosed tag hides the rest (as summaries read them).
_SPOILER_TAG = re.compile(r"\|\|(?P<bars>.*?)(?:\|\||\Z)|‖(?P<lines>.*?)(?:‖|\Z)", re.DOTALL)


def inert(text: str) -> str:
    """A member's text shown as data: every Markdown character escaped (inside links too, so a
    ``||`` in a URL cannot end a spoiler early) and mentions broken."""
    return escape_mentions(escape_markdown(text, ignore_links=False))


def spoiler_segments(body: str, whole: bool = False) -> list[tuple[str, bool]]:
    """A review as (text, is a spoiler) pieces: the text inside ``||…||``/``‖…‖`` tags is;
    with ``whole`` (a ``--spoiler`` review) all of it is, tags dropped."""
    pieces: list[tuple[str, bool]] = []
    position = 0
    for match in _SPOILER_TAG.finditer(body):
        if match.start() > position:
            pieces.append((body[position : match.start()], whole))
        inside = match["bars"] if match["bars"] is not None else match["lines"]
        pieces.append((inside, True))
        position = match.end()
    if position < len(body):
        pieces.append((body[position:], whole))
    return [(text, spoiler) for text, spoiler in pieces if text.strip()]


def _spoiler_wrapped(text: str, spoiler: bool) -> str:
    return f"||{inert(text)}||" if spoiler else inert(text)


def _joined(pieces: Sequence[tuple[str, bool]]) -> str:
    """Rendered pieces; a spoiler never touches the word before it, so a link just before it
    cannot swallow its opening tag."""
    out = ""
    for text, spoiler in pieces:
        rendered = _spoiler_wrapped(text, spoiler)
        if spoiler and out and not out[-1].isspace():
            out += " "
        out += rendered
    return out


def review_chunks(body: str, whole_spoiler: bool, budget: int) -> list[str]:
    """A review rendered inert, with spoilers inside ``||…||``, cut into pieces of at most
    ``budget`` characters at spaces (never inside an escape, a spoiler tag stays balanced)."""
    chunks: list[str] = []
    current: list[tuple[str, bool]] = []
    used = 0

    def flush() -> None:
        nonlocal current, used
        rendered = _joined([(t, s) for t, s in current if t.strip()])
        if rendered.strip():
            chunks.append(rendered.strip())
        current, used = [], 0

    for text, spoiler in spoiler_segments(body, whole_spoiler):
        overhead = 4 if spoiler else 0
        for token in re.findall(r"\S+\s*|\s+", text):
            pieces = [token]
            if len(inert(token)) + overhead > budget:  # one enormous word: cut it anywhere
                step = max(1, (budget - overhead) // 2)
                pieces = [token[i : i + step] for i in range(0, len(token), step)]
            for piece in pieces:
                cost = len(inert(piece))
                opens = overhead + 1 if not current or current[-1][1] != spoiler else 0
                if used + cost + opens > budget:
                    flush()
                    opens = overhead + 1
                if current and current[-1][1] == spoiler:
                    current[-1] = (current[-1][0] + piece, spoiler)
                else:
                    current.append((piece, spoiler))
                used += cost + opens
    flush()
    return chunks


@dataclass(frozen=True)
class ReviewView:
    author: str
    #: The author's score here (``9``), None when they have not rated the film.
    score_text: str | None
    #: Unix seconds of the review's last change.
    written_at: int
    body: str
    spoiler: bool


def _review_header(review: ReviewView, continued: bool) -> str:
    parts = [f"**{inert(review.author)}**"]
    if continued:
        parts.append("(continued)")
    else:
        if review.score_text is not None:
            parts.append(f"rated it {review.score_text}/10")
        parts.append(f"<t:{review.written_at}:d>")
        if review.spoiler:
            parts.append("spoilers")
    return " · ".join(parts)


def review_pages(label: str, reviews: Sequence[ReviewView]) -> list[discord.Embed]:
    """A film's member reviews in the order given (newest first), paged: a few a page, and a
    long review carried on to the next page rather than cut."""
    blocks: list[tuple[int, str]] = []  # (review number, text)
    budget = REVIEW_PAGE_BUDGET - 200  # room for the header
    for number, review in enumerate(reviews):
        for part, chunk in enumerate(review_chunks(review.body, review.spoiler, budget)):
            blocks.append((number, f"{_review_header(review, part > 0)}\n{chunk}"))
    pages: list[list[str]] = []
    page: list[str] = []
    authors: set[int] = set()
    for number, block in blocks:
        size = sum(len(b) + 2 for b in page) + len(block)
        if page and (size > REVIEW_PAGE_BUDGET or len(authors | {number}) > REVIEWS_PER_PAGE):
            pages.append(page)
            page, authors = [], set()
        page.append(block)
        authors.add(number)
    if page:
        pages.append(page)
    title = clip(f"Reviews of {shown(label)} in this server", 256)
    footer = f"{len(reviews):,} review{'s' * (len(reviews) != 1)}, newest first"
    return [
        discord.Embed(title=title, description="\n\n".join(page), colour=COLOUR).set_footer(
            text=footer
        )
        for page in pages
    ]


# filmography --------------------------------------------------------------------------------
FILMOGRAPHY_PAGE = 15


def filmography_pages(
    person: Person,
    credits: Sequence[tuple[Film, Credit]],
    namesakes: Sequence[Person] = (),
    prefix: str = "!",
    per_page: int = FILMOGRAPHY_PAGE,
) -> list[discord.Embed]:
    """The person's films, newest first: ``Heat (1995) — Neil McCauley`` for a part played,
    ``Heat (1995) — director, writer`` for work behind the camera."""
    roles: dict[int, tuple[Film, list[str]]] = {}
    for film, credit in credits:
        _, parts = roles.setdefault(film.id, (film, []))
        part = credit.character if credit.role == "actor" and credit.character else credit.role
        if part not in parts:
            parts.append(part)
    lines = [f"{shown(film.label)} — {shown(', '.join(parts))}" for film, parts in roles.values()]
    pages = listing_pages(
        f"Films of {shown(person.name)}",
        lines,
        per_page,
        empty="No films of theirs in the catalog yet.",
        footer=f"{len(lines):,} film{'s' * (len(lines) != 1)} in the catalog",
    )
    if namesakes:
        example = next((p for p in namesakes if p.imdb), None)
        also = ", ".join(
            f"{shown(p.name)} ({p.imdb})" if p.imdb else shown(p.name) for p in namesakes[:5]
        )
        how = f" — pick one by IMDb id: `{prefix}filmography {example.imdb}`" if example else ""
        pages[0].add_field(name="Others of that name", value=clip(also + how, FIELD_LIMIT))
    return pages


# genre, genres ----------------------------------------------------------------------------------
GENRE_PAGE = 30  # a genre list is scanned more than read: one screen holds a good share
GENRES_PAGE = 25


def film_genres_embed(
    film: Film,
    genres: Sequence[tuple[Genre, Sequence[str]]],
    prefix: str = "!",
) -> discord.Embed:
    """A film's genres, each with the broader genres it belongs to."""
    lines = [
        f"**{shown(genre.name)}**" + (f" — part of {names(parents)}" if parents else "")
        for genre, parents in genres
    ]
    embed = discord.Embed(
        title=clip(f"Genres of {shown(film.label)}", 256),
        description="\n".join(lines) or "No genres listed yet.",
        colour=COLOUR,
    )
    if genres:
        example = typed(genres[0][0].name)
        embed.set_footer(text=f"{prefix}genre {example} lists the best films of a genre")
    return embed


def genre_pages(
    genre: Genre,
    ranked: Sequence[RankedFilm],
    *,
    decade: int | None = None,
    includes: Sequence[str] = (),
    namesake: Film | None = None,
    prefix: str = "!",
    per_page: int = GENRE_PAGE,
) -> list[discord.Embed]:
    """A genre's films, best first, numbered; this server's average and count where rated."""
    lines = []
    for number, entry in enumerate(ranked, start=1):
        line = f"**{number}.** {shown(entry.film.label)}"
        if entry.n:
            line += f" — {entry.mean or 0:.1f}/10 here ({entry.n:,})"
        lines.append(line)
    when = f" of the {decade}s" if decade else ""
    footer = "Ranked by this server's ratings, then by how well known"
    if includes:
        footer = f"Includes {', '.join(includes[:6])}{'…' if len(includes) > 6 else ''} · " + footer
    pages = listing_pages(
        f"{shown(genre.name)} films{when}",
        lines,
        per_page,
        empty="No films of this genre in the catalog yet.",
        footer=footer,
    )
    if namesake is not None:
        how = f"`{prefix}genre {typed(namesake.label)}`"
        pages[0].add_field(
            name=f"The film {shown(namesake.label)}",
            value=f"For its genres, add the year: {how}",
            inline=False,
        )
    return pages


def genres_pages(counts: Sequence[GenreCount], per_page: int = GENRES_PAGE) -> list[discord.Embed]:
    """Every genre with its number of films, sub-genres under their parents."""
    lines = [
        "\u2003" * entry.depth
        + ("↳ " if entry.depth else "")
        + f"{shown(entry.genre.name)} — {entry.films:,}"
        for entry in counts
    ]
    return listing_pages(
        "Genres",
        lines,
        per_page,
        empty="No genres yet.",
        footer="Films per genre, counting its sub-genres",
    )


# pick, similar ----------------------------------------------------------------------------------
def pick_embed(pick: Pick, prefix: str = "!") -> discord.Embed:
    film = pick.film
    about = " · ".join(shown(g) for g in pick.genres)
    if film.runtime:
        about = f"{about} · {film.runtime} min" if about else f"{film.runtime} min"
    embed = discord.Embed(
        title=clip(f"Tonight: {shown(film.label)}", 256), description=about or None, colour=COLOUR
    )
    embed.add_field(name="Why", value=clip(shown(pick.reason[:1].upper() + pick.reason[1:]), 1024))
    if pick.n:
        embed.add_field(name="This server", value=average_text(pick.n, pick.mean), inline=False)
    embed.set_footer(text=f"{prefix}review {film.label} for its card")
    return embed


def similar_embed(film: Film, found: Sequence[Similar]) -> discord.Embed:
    lines = [
        f"**{number}.** {shown(entry.film.label)} — {shown('; '.join(entry.reasons))}"
        for number, entry in enumerate(found, start=1)
    ]
    embed = discord.Embed(
        title=clip(f"Films like {shown(film.label)}", 256),
        description=clip("\n".join(lines), DESCRIPTION_LIMIT)
        or "I know no films like it yet: it shares no genre, director or cast with another.",
        colour=COLOUR,
    )
    return embed
