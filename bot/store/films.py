"""Films: reading them with their genres and credits, adding and merging them.

Writes are :mod:`bot.store.steps` generators so the same logic serves an admin's ``addfilm``
(on the event loop, through ``Store.write``) and the importers (in a worker thread).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import aiosqlite

from bot.errors import FilmExists
from bot.normalize import bare_key, title_key
from bot.store import pools, steps
from bot.store.database import Store
from bot.store.genres import tag_film
from bot.store.models import FILM_COLUMNS, Credit, Film, Genre
from bot.store.people import credit, person_id
from bot.store.search_index import index_films_steps
from bot.store.steps import Steps

Saved = Literal["added", "updated", "unchanged"]


@dataclass(frozen=True)
class NewFilm:
    """A film as an admin or an importer describes it; names are matched or created on save."""

    title: str
    year: int | None
    runtime: int | None = None
    imdb_id: int | None = None
    kind: str = "movie"
    popularity: float = 0.0
    genres: Sequence[str] = ()
    directors: Sequence[str] = ()
    writers: Sequence[str] = ()
    #: (actor, character) in billing order; character may be None.
    cast: Sequence[tuple[str, str | None]] = ()
    aliases: Sequence[str] = ()
    countries: Sequence[str] = field(default=())

    @property
    def label(self) -> str:
        return f"{self.title} ({self.year})" if self.year else self.title


# Steps --------------------------------------------------------------------------------------------
def find_film_id(
    title: str,
    year: int | None = None,
    imdb_id: int | None = None,
    *,
    year_slack: int = 0,
) -> Steps[int | None]:
    """The film an importer's row means, or None.

    By IMDb id first. Then by title key (the film's own title or an alias) and year, but never a
    film whose IMDb id differs from the row's: two films may share a title and a year. With a year
    and no dated match, a film of that title still without a year or IMDb id (one a review
    document created) is the one. Without a year, the best-known film of that title.
    """
    if imdb_id is not None:
        rows = yield ("SELECT id FROM films WHERE imdb_id = ?", (imdb_id,))
        if rows:
            return int(rows[0][0])
    key = title_key(title)
    if not key:
        return None
    titled = (
        "SELECT id FROM films WHERE title_key = :key "
        "UNION SELECT film_id FROM film_aliases WHERE title_key = :key"
    )
    agrees = "(:imdb IS NULL OR films.imdb_id IS NULL)"
    params = {"key": key, "year": year, "imdb": imdb_id, "slack": year_slack}
    if year is None:
        rows = yield (
            f"SELECT id FROM films WHERE id IN ({titled}) AND {agrees} "
            "ORDER BY popularity DESC, id LIMIT 1",
            params,
        )
        return int(rows[0][0]) if rows else None
    rows = yield (
        f"""
        SELECT id FROM films WHERE id IN ({titled}) AND {agrees}
          AND (year BETWEEN :year - :slack AND :year + :slack
               OR (year IS NULL AND imdb_id IS NULL))
        ORDER BY year IS NULL, abs(year - :year), popularity DESC, id LIMIT 1
        """,
        params,
    )
    return int(rows[0][0]) if rows else None


def add_details(film_id: int, new: NewFilm, *, cast: bool = True) -> Steps[int]:
    """Genres, directors, writers, cast (when ``cast``), aliases and countries of ``new`` that the
    film lacks; never removes anything. Returns how many rows changed."""
    changed = yield from tag_film(film_id, new.genres)
    roles: list[tuple[str, Sequence[tuple[str, str | None]]]] = [
        ("director", [(name, None) for name in new.directors]),
        ("writer", [(name, None) for name in new.writers]),
    ]
    if cast:
        roles.insert(0, ("actor", new.cast))
    for role, people in roles:
        for billing, (name, character) in enumerate(people, start=1):
            person = yield from person_id(name)
            if person is not None:
                changed += yield from credit(film_id, person, role, character or None, billing)
    own_key = title_key(new.title)
    for alias in new.aliases:
        changed += yield from add_alias(film_id, alias, own_key)
    for country in new.countries:
        rows = yield (
            "INSERT INTO film_countries (film_id, country) VALUES (?, ?) "
            "ON CONFLICT DO NOTHING RETURNING 1",
            (film_id, country.strip()),
        )
        changed += len(rows)
    return changed


def add_alias(film_id: int, alias: str, own_key: str | None = None) -> Steps[int]:
    key = title_key(alias)
    if not key or key == own_key:
        return 0
    rows = yield (
        "INSERT INTO film_aliases (film_id, title, title_key, bare_key) "
        "SELECT :film, :title, :key, :bare "
        "WHERE :key <> (SELECT title_key FROM films WHERE id = :film) "
        "ON CONFLICT DO NOTHING RETURNING 1",
        {"film": film_id, "title": alias.strip(), "key": key, "bare": bare_key(alias)},
    )
    return len(rows)


def insert_film(new: NewFilm) -> Steps[int]:
    rows = yield (
        "INSERT INTO films (title, title_key, bare_key, year, runtime, imdb_id, kind, popularity) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (
            new.title.strip(),
            title_key(new.title),
            bare_key(new.title),
            new.year,
            new.runtime,
            new.imdb_id,
            new.kind,
            new.popularity,
        ),
    )
    return int(rows[0][0])


def add_film_steps(new: NewFilm) -> Steps[int]:
    """Insert a new film with everything it names; FilmExists when the catalog has it."""
    if not title_key(new.title):
        raise ValueError("a film needs a title")
    rows = yield (
        "SELECT id FROM films WHERE imdb_id = ? OR (title_key = ? AND year IS ?) LIMIT 1",
        (new.imdb_id, title_key(new.title), new.year),
    )
    if rows:
        raise FilmExists(new.label, int(rows[0][0]))
    film_id = yield from insert_film(new)
    yield from add_details(film_id, new)
    yield from index_films_steps([film_id])  # findable by its words (and people) at once
    yield from pools.pool_film(film_id)  # in genre lists and picks at once
    return film_id


def save_film(
    new: NewFilm,
    *,
    authoritative: bool,
    cast_only_if_none: bool = False,
    film_id: int | None = None,
) -> Steps[tuple[int, Saved]]:
    """Add ``new`` or merge it into ``film_id`` or else the film it matches (see
    :func:`find_film_id`).

    ``authoritative`` sources (the bundled catalog) correct the title, year and runtime; others
    only fill what is missing, and a title they know the film by becomes an alias. Popularity
    only ever grows: it is the best vote count any source has seen.
    """
    if film_id is None:
        film_id = yield from find_film_id(new.title, new.year, new.imdb_id)
    if film_id is None:
        film_id = yield from insert_film(new)
        yield from add_details(film_id, new)
        return film_id, "added"
    rows = yield (f"SELECT {FILM_COLUMNS} FROM films WHERE id = ?", (film_id,))
    old = Film.from_row(rows[0])
    title, year, runtime = old.title, old.year, old.runtime
    changed = 0
    if authoritative:
        title = new.title.strip()
        year = new.year if new.year is not None else old.year
        runtime = new.runtime if new.runtime is not None else old.runtime
    else:
        year = old.year if old.year is not None else new.year
        runtime = old.runtime if old.runtime is not None else new.runtime
        if title_key(new.title) != title_key(old.title):
            changed += yield from add_alias(film_id, new.title, title_key(old.title))
    merged = (
        title,
        year,
        runtime,
        old.imdb_id if old.imdb_id is not None else new.imdb_id,
        new.kind if authoritative else old.kind,
        max(old.popularity, new.popularity),
    )
    if merged != (old.title, old.year, old.runtime, old.imdb_id, old.kind, old.popularity):
        yield (
            "UPDATE films SET title = ?, title_key = ?, bare_key = ?, year = ?, runtime = ?, "
            "imdb_id = ?, kind = ?, popularity = ? WHERE id = ?",
            (merged[0], title_key(title), bare_key(title), *merged[1:], film_id),
        )
        if authoritative and title_key(title) != title_key(old.title):
            yield (
                "DELETE FROM film_aliases WHERE film_id = ? AND title_key = ?",
                (film_id, title_key(title)),
            )
        changed += 1
    with_cast = True
    if cast_only_if_none:
        with_cast = not (yield from has_credits(film_id, "actor"))
    changed += yield from add_details(film_id, new, cast=with_cast)
    return film_id, ("updated" if changed else "unchanged")


def has_credits(film_id: int, role: str) -> Steps[bool]:
    """Whether the film has anyone credited in ``role`` (``actor``: whether it has a cast)."""
    rows = yield ("SELECT 1 FROM credits WHERE film_id = ? AND role = ? LIMIT 1", (film_id, role))
    return bool(rows)


def record_source(film_id: int, source: str, external_id: str) -> Steps[bool]:
    """Remember which film an outside source's id names (``movielens``, ``1``); True if new."""
    rows = yield (
        "INSERT INTO film_sources (source, external_id, film_id) VALUES (?, ?, ?) "
        "ON CONFLICT (source, external_id) DO UPDATE SET film_id = excluded.film_id "
        "WHERE film_id <> excluded.film_id RETURNING 1",
        (source, external_id, film_id),
    )
    return bool(rows)


def film_for_source(source: str, external_id: str) -> Steps[int | None]:
    rows = yield (
        "SELECT film_id FROM film_sources WHERE source = ? AND external_id = ?",
        (source, external_id),
    )
    return int(rows[0][0]) if rows else None


# Reads and writes for the bot ---------------------------------------------------------------------
async def get_film(store: Store, film_id: int) -> Film | None:
    row = await store.fetchone(f"SELECT {FILM_COLUMNS} FROM films WHERE id = ?", (film_id,))
    return None if row is None else Film.from_row(row)


async def get_films(store: Store, ids: Sequence[int]) -> list[Film]:
    """The films with these ids, in the order given (unknown ids are left out)."""
    if not ids:
        return []
    by_id = await store.read(lambda conn: films_by_id(conn, ids))
    return [by_id[i] for i in ids if i in by_id]


def films_by_id(conn: sqlite3.Connection, ids: Iterable[int]) -> dict[int, Film]:
    """The films with these ids, by id (on a reader connection)."""
    cursor = conn.execute(
        f"SELECT {FILM_COLUMNS} FROM films WHERE id IN (SELECT value FROM json_each(?))",
        (json.dumps([int(i) for i in ids]),),
    )
    cursor.row_factory = None  # plain tuples, in FILM_COLUMNS's order: Film's fields
    return {row[0]: Film(*row) for row in cursor.fetchall()}


def films_with_server_ratings(
    conn: sqlite3.Connection, guild_id: int, ids: Iterable[int]
) -> list[tuple[Film, int, float]]:
    """The films with these ids, each with this server's ratings of it: how many and their
    total (0 and 0 when none). One read for a genre list, which shows both (on a reader
    connection)."""
    cursor = conn.execute(
        f"""
        SELECT {FILM_COLUMNS}, coalesce(film_stats.n, 0), coalesce(film_stats.total, 0)
        FROM films LEFT JOIN film_stats
             ON film_stats.guild_id = ? AND film_stats.film_id = films.id
        WHERE films.id IN (SELECT value FROM json_each(?))
        """,
        (guild_id, json.dumps([int(i) for i in ids])),
    )
    cursor.row_factory = None  # plain tuples: Film's fields, then the two counts
    return [(Film(*row[:-2]), int(row[-2]), float(row[-1])) for row in cursor.fetchall()]


async def film_by_imdb(store: Store, imdb_id: int) -> Film | None:
    row = await store.fetchone(f"SELECT {FILM_COLUMNS} FROM films WHERE imdb_id = ?", (imdb_id,))
    return None if row is None else Film.from_row(row)


async def film_genres(store: Store, film_id: int) -> list[Genre]:
    rows = await store.fetchall(
        "SELECT genres.id, genres.name FROM film_genres JOIN genres ON genres.id = genre_id "
        "WHERE film_id = ? ORDER BY genres.name",
        (film_id,),
    )
    return [Genre.from_row(r) for r in rows]


async def film_credits(store: Store, film_id: int) -> list[Credit]:
    """Actors in billing order, then directors, writers and everyone else."""
    rows = await store.fetchall(
        """
        SELECT credits.film_id, credits.person_id, people.name, credits.role, credits.character,
               credits.billing
        FROM credits JOIN people ON people.id = credits.person_id
        WHERE credits.film_id = ?
        ORDER BY CASE credits.role WHEN 'actor' THEN 0 WHEN 'director' THEN 1
                                   WHEN 'writer' THEN 2 ELSE 3 END,
                 credits.role, credits.billing IS NULL, credits.billing, people.name
        """,
        (film_id,),
    )
    return [Credit.from_row(r) for r in rows]


async def film_aliases(store: Store, film_id: int) -> list[str]:
    rows = await store.fetchall(
        "SELECT title FROM film_aliases WHERE film_id = ? ORDER BY title", (film_id,)
    )
    return [str(r[0]) for r in rows]


async def film_countries(store: Store, film_id: int) -> list[str]:
    rows = await store.fetchall(
        "SELECT country FROM film_countries WHERE film_id = ? ORDER BY rowid", (film_id,)
    )
    return [str(r[0]) for r in rows]


async def add_film(store: Store, new: NewFilm) -> int:
    """Add a film with its genres, people and aliases in one transaction; returns its id.

    Raises :class:`~bot.errors.FilmExists` when a film with the same IMDb id, or the same title
    and year, is already there.
    """

    async def write(conn: aiosqlite.Connection) -> int:
        return await steps.run_async(conn, add_film_steps(new))

    return await store.write(write)
