"""Checking what an admin typed into ``addfilm``, ``editfilm`` and ``addcast`` before it is
written: titles and names as one tidy line within bounds, lists split on commas, genres the
taxonomy knows (a typo is not a new genre), years and runtimes in range."""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import process

from bot.errors import CatalogInputError, GenreNotFound, TooLong
from bot.normalize import fold, name_key, title_key
from bot.search import readings
from bot.store import Store
from bot.store.genres import find_genre, genre_counts, search_genres

TITLE_MAX = 300
NAME_MAX = 200
#: The years the store accepts (the CHECK on films.year).
FIRST_YEAR, LAST_YEAR = 1870, 2100
#: A runtime in minutes (the longest films run for days).
RUNTIME_MAX = 60_000
#: At most this many genres or directors in one list.
LIST_MAX = 12
#: The place in the credits ``addcast`` accepts.
BILLING_MAX = 500


def one_line(text: str) -> str:
    """Whitespace (newlines, tabs, runs of spaces) as single spaces; control and zero-width
    characters dropped; a ``|`` separating flags on the prefix form trimmed off the ends."""
    kept = "".join(c for c in text if c.isprintable() or c.isspace())
    return " ".join(kept.split()).strip(" |").strip()


def clean_title(text: str) -> str:
    title = one_line(text)
    if len(title) > TITLE_MAX:
        raise TooLong("A title", TITLE_MAX)
    if not title_key(title):
        raise CatalogInputError("A title needs letters or digits.")
    return title


def title_and_year(text: str, year: int | None) -> tuple[str, int | None]:
    """``Heat (1995)`` -> (``Heat``, 1995); an explicit ``year`` wins over one in the title.
    A bare trailing number stays in the title (``Blade Runner 2049``)."""
    line = one_line(text)
    reading = readings(line)[0] if line else None
    if reading is not None and reading.year is not None:
        line, year = reading.title, year if year is not None else reading.year
    return clean_title(line), check_year(year)


def check_year(year: int | None) -> int | None:
    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        raise CatalogInputError(f"A year goes from {FIRST_YEAR} to {LAST_YEAR}.")
    return year


def check_runtime(minutes: int | None) -> int | None:
    if minutes is not None and not 1 <= minutes <= RUNTIME_MAX:
        raise CatalogInputError(f"A runtime is a number of minutes from 1 to {RUNTIME_MAX:,}.")
    return minutes


def check_billing(place: int | None) -> int | None:
    if place is not None and not 1 <= place <= BILLING_MAX:
        raise CatalogInputError(f"A billing place goes from 1 to {BILLING_MAX}.")
    return place


def clean_name(text: str, what: str = "A name") -> str:
    name = one_line(text)
    if len(name) > NAME_MAX:
        raise TooLong(what, NAME_MAX)
    if not name_key(name):
        raise CatalogInputError(f"{what} needs letters.")
    return name


def names(text: str, what: str = "A name") -> list[str]:
    """``Lana Wachowski, Lilly Wachowski`` -> both names (order kept, repeats dropped)."""
    found: dict[str, str] = {}
    for part in one_line(text).split(","):
        if part.strip():
            name = clean_name(part, what)
            found.setdefault(name_key(name), name)
    if not found:
        raise CatalogInputError(f"{what} needs letters.")
    if len(found) > LIST_MAX:
        raise CatalogInputError(f"At most {LIST_MAX} names at once.")
    return list(found.values())


async def known_genres(store: Store, text: str) -> list[str]:
    """The taxonomy's names for a comma-separated list (``sci-fi, noir`` -> Science Fiction,
    Film-Noir); a name it does not know is refused with the closest ones it does."""
    wanted = [part for part in (p.strip() for p in one_line(text).split(",")) if part]
    if not wanted:
        raise CatalogInputError("Name at least one genre, e.g. `Crime, Thriller`.")
    if len(wanted) > LIST_MAX:
        raise CatalogInputError(f"At most {LIST_MAX} genres at once.")
    found: list[str] = []
    for name in wanted:
        genre = await find_genre(store, name[:NAME_MAX])
        if genre is None:
            raise GenreNotFound(name, await close_genres(store, name[:NAME_MAX]))
        if genre.name not in found:
            found.append(genre.name)
    return found


async def close_genres(store: Store, name: str) -> list[str]:
    """Up to three genre names like ``name``: by its words (``noir``), else by spelling."""
    found = [g.name for g in await search_genres(store, name, limit=3)]
    if found:
        return found
    everything = [genre.name for genre, _ in await genre_counts(store)]
    close = process.extract(fold(name), everything, processor=fold, limit=3, score_cutoff=70)
    return [match for match, _, _ in close]


def listed(items: Sequence[str]) -> str:
    return ", ".join(items) if items else "none"
