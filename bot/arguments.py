"""Reading the free-form arguments members type after a prefix command.

A slash command gets its options apart (``film:Heat score:9``); a prefix command gets one line,
``!rate The Dark Knight 4.5 stars`` or ``!addreview Heat 1995 --spoiler Great ||ending||``, and
these functions take it apart the way the member meant it:

* ``rate``: the score is at the end, so the longest tail (up to four words: ``9 out of 10``)
  that :func:`bot.scores.parse_score` accepts is the score and the rest is the film. With no
  such tail the last word is the score the member meant (and will be told what is accepted).
* ``addreview``: the review follows the film, and a title may have many words. A quoted title
  (``"Heat" Great film``) or the part before `` | `` is the film; otherwise the longest run
  of opening words that is exactly some film's title (with its year, when given), else the
  whole first line when the review goes on below it. ``--spoiler`` anywhere as a word of its
  own marks the whole review.
* ``ratings``: a mention, a user id or ``@name`` means a member; anything else a film.
* ``top``: a number at the end is how many films; the rest names genres, loosely.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Annotated, Any

from discord.ext import commands
from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

from bot.errors import BadScore, GenreNotFound
from bot.scores import parse_score
from bot.search import readings
from bot.store import Store
from bot.store.genres import genre_counts, search_genres
from bot.store.models import Genre
from bot.store.search_index import films_with_keys

#: Longest score form in words: ``9 out of 10``.
_SCORE_WORDS = 4
#: What a score can start with (after zero-width characters): a digit, a star or a fraction.
_SCORE_START = re.compile(r"^[\u200b\u200c\u200d\u2060\ufeff\ufe0f\ufe0e]*[0-9★⭐½¼¾]")
_QUOTED = re.compile(r'^\s*["“”„«»](?P<inside>[^"“”„«»]+)["“”„«»]\s*(?P<rest>.*)$', re.DOTALL)
# A lone ``|`` between spaces (a ``||spoiler||`` tag is two).
_SEPARATOR = re.compile(r"(?<!\|)\s\|\s(?!\|)")
# Phones turn ``--`` into a dash; every spelling means the flag.
_SPOILER_FLAG = re.compile(r"(?:^|(?<=\s))(?:--|—|–)spoilers?(?:[^\S\n]+|(?=\n)|$)", re.I)
_MENTION = re.compile(r"^<@!?(?P<id>\d{15,20})>$")
_USER_ID = re.compile(r"^(?P<id>\d{15,20})$")
#: Most opening words tried as a title when a review's film is not marked off.
MAX_TITLE_WORDS = 12


class _AsTyped(commands.Converter[str]):
    """The text as discord.py read it, unchanged (see :data:`Line`)."""

    @classmethod
    async def convert(cls, ctx: commands.Context[Any], argument: str) -> str:
        return argument


#: A consume-rest parameter's type (``*, film: Line``): the rest of the line, a ``str``.
#: Plain ``str`` is the same text, but discord.py first asks ``isinstance(str, Converter)``
#: of a runtime-checkable Protocol, 15–30 µs a command on Python 3.11; a ``Converter``
#: subclass is called at once. The slash option is the same string option (with its
#: autocomplete), passed through this converter unchanged.
Line = Annotated[str, _AsTyped]


def unquoted(text: str) -> str:
    """``"Heat"`` -> ``Heat``: a film named in quotes, as members do when it has spaces."""
    match = _QUOTED.match(text)
    return match["inside"].strip() if match and not match["rest"].strip() else text.strip()


@dataclass(frozen=True)
class FilmAndScore:
    """A ``rate`` line taken apart: the film, the words taken as its score, and that score
    (None when the score is missing or not one :func:`bot.scores.parse_score` accepts)."""

    film: str
    score_text: str
    score: float | None


def split_film_and_score(text: str) -> FilmAndScore:
    """``The Dark Knight 4.5 stars`` -> ``The Dark Knight``, ``4.5 stars``, 9.0.

    The score may be missing (``Heat``, ``""``, None) or wrong (``Heat``, ``11``, None): the
    caller then says what is accepted. It is parsed here once, to find it, and handed back.
    """
    quoted = _QUOTED.match(text)
    if quoted:
        rest = quoted["rest"].strip()
        return FilmAndScore(quoted["inside"].strip(), rest, _score_or_none(rest))
    words = text.split()
    for count in range(min(_SCORE_WORDS, len(words) - 1), 0, -1):
        if not _SCORE_START.match(words[-count]):
            continue  # cheaper than a failed parse, and rates run by the thousand
        tail = " ".join(words[-count:])
        score = _score_or_none(tail)
        if score is not None:
            return FilmAndScore(" ".join(words[:-count]), tail, score)
    # The last word was tried above (a word that cannot start a score cannot be one).
    if len(words) >= 2:
        return FilmAndScore(" ".join(words[:-1]), words[-1], None)
    return FilmAndScore(text.strip(), "", None)


def _score_or_none(text: str) -> float | None:
    try:
        return parse_score(text)
    except BadScore:
        return None


def spoiler_flag(text: str) -> tuple[str, bool]:
    """``text`` without any ``--spoiler`` flag, and whether there was one."""
    without, found = _SPOILER_FLAG.subn("", text)
    return without.strip(), bool(found)


@dataclass(frozen=True)
class FilmAndText:
    film: str
    text: str


async def split_film_and_text(store: Store, text: str) -> FilmAndText | None:
    """A review's film and its text (see the module's docstring); None when the film cannot be
    told apart from the text (the member should quote the title)."""
    text = text.strip()
    quoted = _QUOTED.match(text)
    if quoted:
        return FilmAndText(quoted["inside"].strip(), quoted["rest"].strip())
    parts = _SEPARATOR.split(text, maxsplit=1)
    if len(parts) == 2:
        return FilmAndText(parts[0].strip(), parts[1].strip())
    first_line, newline, _ = text.partition("\n")
    # Word spans of the first line, so the review keeps its own spacing and line breaks.
    spans = [m.span() for m in re.finditer(r"\S+", first_line)][:MAX_TITLE_WORDS]
    if not newline:
        spans = spans[:-1]  # something must be left for the review
    words = [text[start:end] for start, end in spans]
    count = await _longest_title(store, words)
    if count is not None:
        end = spans[count - 1][1]
        return FilmAndText(text[:end].strip(), text[end:].strip())
    if newline and first_line.strip():
        return FilmAndText(first_line.strip(), text[len(first_line) :].strip())
    return None


async def _longest_title(store: Store, words: list[str]) -> int | None:
    """How many of ``words`` (from the start) exactly name a film, the most that do."""
    prefixes = {count: readings(" ".join(words[:count])) for count in range(1, len(words) + 1)}
    every = [reading for found in prefixes.values() for reading in found if reading.bare_key]
    if not every:
        return None
    found = await store.read(
        functools.partial(
            films_with_keys,
            bare_keys=[r.bare_key for r in every],
            title_keys=[r.title_key for r in every],
        )
    )
    by_key: dict[str, set[int | None]] = {}
    for candidate in found:
        by_key.setdefault(candidate.title_key, set()).add(candidate.year)
        by_key.setdefault(candidate.bare_key, set()).add(candidate.year)
    for count in sorted(prefixes, reverse=True):
        for reading in prefixes[count]:
            years = by_key.get(reading.title_key, set()) | by_key.get(reading.bare_key, set())
            if years and (reading.year is None or reading.year in years):
                return count
    return None


@dataclass(frozen=True)
class MemberReference:
    """A member named in an argument: by id (mention or raw id), or by name (``@bob``)."""

    member_id: int | None = None
    name: str | None = None


def member_reference(text: str) -> MemberReference | None:
    """``<@123…>``, ``123…`` (a snowflake) or ``@name``: the member meant; None: not a member."""
    text = text.strip()
    match = _MENTION.match(text) or _USER_ID.match(text)
    if match:
        return MemberReference(member_id=int(match["id"]))
    if text.startswith("@") and len(text) > 1 and not text.startswith(("@everyone", "@here")):
        return MemberReference(name=text[1:].strip())
    return None


_TRAILING_NUMBER = re.compile(r"^(?P<rest>.*?)\s*(?<![\w.,-])(?P<number>\d{1,6})$", re.DOTALL)


def split_count(text: str) -> tuple[str, int | None]:
    """``crime 20`` -> (``crime``, 20); ``crime`` -> (``crime``, None); ``20`` -> (``""``, 20)."""
    match = _TRAILING_NUMBER.match(text.strip())
    if match is None:
        return text.strip(), None
    return match["rest"].strip(), int(match["number"])


#: Longer text than this names no genre (and is not worth a search).
MAX_GENRE_NAME = 100


async def genres_named(store: Store, text: str) -> list[Genre]:
    """The genres a loose name means (``sci-fi``; ``noir`` is Film-Noir and Neo-Noir);
    ``GenreNotFound`` with the closest genre names when none."""
    if len(text) > MAX_GENRE_NAME:
        raise GenreNotFound(text)
    found = await search_genres(store, text)
    if found:
        return found
    names = [genre.name for genre, _ in await genre_counts(store)]
    close = process.extract(
        text, names, scorer=fuzz.WRatio, processor=default_process, limit=3, score_cutoff=70
    )
    raise GenreNotFound(text, [name for name, _, _ in close])
