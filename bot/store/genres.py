"""Genres and their taxonomy: a genre may have parents, and asking for a parent includes its
descendants (``Crime`` finds Heat through ``Crime Thriller``). Names are matched loosely, by
their folded key, an alias, or either with the spaces squeezed out (``scifi`` = ``sci fi``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from bot.normalize import fold
from bot.store import snapshot, steps
from bot.store.database import Store
from bot.store.models import Genre
from bot.store.steps import Steps

# The genre ``:genre`` and every genre below it (here and in picks' filters). UNION (not
# UNION ALL) so a cycle typed into genres.toml ends instead of looping.
FAMILY = """
WITH RECURSIVE family(id) AS (
    SELECT :genre
    UNION SELECT gp.genre_id FROM genre_parents AS gp JOIN family ON gp.parent_id = family.id
)
"""

_FIND = """
SELECT id, 0 AS rank FROM genres WHERE key = :key
UNION ALL SELECT genre_id, 1 FROM genre_aliases WHERE alias_key = :key
UNION ALL SELECT id, 2 FROM genres WHERE replace(key, ' ', '') = :compact
UNION ALL SELECT genre_id, 3 FROM genre_aliases WHERE alias_key = :compact
ORDER BY rank LIMIT 1
"""


def genre_keys(name: str) -> tuple[str, str]:
    """The folded key of a genre name and its compact form (``sci fi``, ``scifi``)."""
    key = fold(name)
    return key, key.replace(" ", "")


#: More distinct words than any genre name or alias has (one LIKE each: a pasted paragraph
#: would build an expression deeper than SQLite allows).
MAX_GENRE_WORDS = 8


# Steps (shared by importers and admin commands) -------------------------------------------------
def find_genre_id(name: str) -> Steps[int | None]:
    key, compact = genre_keys(name)
    if not key:
        return None
    rows = yield (_FIND, {"key": key, "compact": compact})
    return int(rows[0][0]) if rows else None


def genre_id(name: str) -> Steps[int | None]:
    """The genre a name means (by key, alias or compact form), created when there is none."""
    found = yield from find_genre_id(name)
    if found is not None:
        return found
    key, _ = genre_keys(name)
    if not key:
        return None
    rows = yield ("INSERT INTO genres (name, key) VALUES (?, ?) RETURNING id", (name.strip(), key))
    return int(rows[0][0])


def save_genre(name: str, parents: Sequence[str] = (), aliases: Sequence[str] = ()) -> Steps[int]:
    """Upsert one taxonomy entry: the name's spelling, its parents and its aliases."""
    key, compact = genre_keys(name)
    if not key:
        raise ValueError(f"a genre needs a name, not {name!r}")
    rows = yield ("SELECT id FROM genres WHERE key = ?", (key,))
    if rows:
        own = int(rows[0][0])
        yield ("UPDATE genres SET name = ? WHERE id = ? AND name IS NOT ?", (name, own, name))
    else:
        # An alias of the same key (from an earlier import) becomes the genre proper.
        yield ("DELETE FROM genre_aliases WHERE alias_key = ?", (key,))
        rows = yield ("INSERT INTO genres (name, key) VALUES (?, ?) RETURNING id", (name, key))
        own = int(rows[0][0])
    for parent in parents:
        parent_id = yield from genre_id(parent)
        if parent_id is not None and parent_id != own:
            yield (
                "INSERT OR IGNORE INTO genre_parents (genre_id, parent_id) VALUES (?, ?)",
                (own, parent_id),
            )
    alias_keys = {k for alias in aliases for k in genre_keys(alias) if k} | {compact}
    for alias_key in sorted(alias_keys - {key}):
        yield (
            "INSERT INTO genre_aliases (alias_key, genre_id) VALUES (?, ?) "
            "ON CONFLICT (alias_key) DO UPDATE SET genre_id = excluded.genre_id "
            "WHERE genre_id <> excluded.genre_id",
            (alias_key, own),
        )
    return own


def tag_film(film_id: int, genre_names: Iterable[str]) -> Steps[int]:
    """Add genres to a film (never removes one); returns how many were new."""
    added = 0
    for name in genre_names:
        gid = yield from genre_id(name)
        if gid is None:
            continue
        rows = yield (
            "INSERT INTO film_genres (film_id, genre_id) VALUES (?, ?) "
            "ON CONFLICT DO NOTHING RETURNING genre_id",
            (film_id, gid),
        )
        added += len(rows)
    return added


# Reads --------------------------------------------------------------------------------------------
async def get_genre(store: Store, genre_id: int) -> Genre | None:
    row = await store.fetchone("SELECT id, name FROM genres WHERE id = ?", (genre_id,))
    return None if row is None else Genre.from_row(row)


def named_genre(name: str) -> Steps[Genre | None]:
    """The one genre a name means exactly (key, alias, or compact form), or None."""
    key, compact = genre_keys(name)
    if not key:
        return None
    rows = yield (
        f"SELECT genres.id, genres.name FROM ({_FIND}) AS hit JOIN genres ON genres.id = hit.id",
        {"key": key, "compact": compact},
    )
    return Genre.from_row(rows[0]) if rows else None


def genres_named(text: str, limit: int = 10) -> Steps[list[Genre]]:
    """Genres a loose name may mean: the exact one, else every genre (or alias) holding all of
    its words (``noir`` finds Film-Noir and Neo-Noir), best known first."""
    exact = yield from named_genre(text)
    if exact is not None:
        return [exact]
    words = list(dict.fromkeys(fold(text).split()))
    if not words or len(words) > MAX_GENRE_WORDS:
        return []  # more words than any genre's name has: none holds them all
    # Whole words only: ' ' || key || ' ' LIKE '% noir %'.
    clauses = " AND ".join(["(' ' || k || ' ') LIKE ?"] * len(words))
    params = [f"% {w} %" for w in words]
    rows = yield (
        f"""
        SELECT genres.id, genres.name FROM genres
        JOIN (SELECT id, key AS k FROM genres
              UNION SELECT genre_id, alias_key FROM genre_aliases) AS named ON named.id = genres.id
        WHERE {clauses}
        GROUP BY genres.id
        ORDER BY (SELECT count(*) FROM film_genres WHERE genre_id = genres.id) DESC, genres.name
        LIMIT ?
        """,
        (*params, limit),
    )
    return [Genre.from_row(r) for r in rows]


def family_of(genre_id: int) -> Steps[list[Genre]]:
    """The genre and all its descendants, the genre itself first."""
    rows = yield (
        f"{FAMILY} SELECT genres.id, genres.name FROM family JOIN genres USING (id) "
        "ORDER BY genres.id <> :genre, genres.name",
        {"genre": genre_id},
    )
    return [Genre.from_row(r) for r in rows]


def loose_genre(text: str) -> Steps[Genre | None]:
    """The genre a name or alias means, else the broadest genre holding its words: ``noir``
    matches Film-Noir and Neo-Noir, and Film-Noir is the one that includes the other."""
    found = yield from genres_named(text, limit=10)
    if len(found) == 1:  # the name or an alias (one lookup), or one genre holding the words
        return found[0]
    for genre in found:
        below = {g.id for g in (yield from family_of(genre.id))}
        if all(other.id in below for other in found):
            return genre
    return found[0] if found else None


def loose_genre_kept(conn: sqlite3.Connection, text: str) -> Genre | None:
    """:func:`loose_genre` on a reader connection, kept until the next commit (members name
    the same few genres all day)."""
    return snapshot.kept(conn).get(
        ("loose genre", text), lambda: steps.run(conn, loose_genre(text))
    )


async def find_loose_genre(store: Store, text: str) -> Genre | None:
    """:func:`loose_genre_kept`, on a reader."""
    return await store.read(lambda conn: loose_genre_kept(conn, text))


async def find_genre(store: Store, name: str) -> Genre | None:
    """:func:`named_genre`, on a reader."""
    return await store.read(lambda conn: steps.run(conn, named_genre(name)))


async def search_genres(store: Store, text: str, limit: int = 10) -> list[Genre]:
    """:func:`genres_named`, on a reader."""
    return await store.read(lambda conn: steps.run(conn, genres_named(text, limit)))


async def genre_family(store: Store, genre_id: int) -> list[Genre]:
    """:func:`family_of`, on a reader."""
    return await store.read(lambda conn: steps.run(conn, family_of(genre_id)))


async def genre_parents(store: Store, genre_id: int) -> list[Genre]:
    rows = await store.fetchall(
        "SELECT genres.id, genres.name FROM genre_parents JOIN genres ON genres.id = parent_id "
        "WHERE genre_id = ? ORDER BY genres.name",
        (genre_id,),
    )
    return [Genre.from_row(r) for r in rows]


async def genre_counts(store: Store) -> list[tuple[Genre, int]]:
    """Every genre with its number of films, counting its descendants' films too."""
    rows = await store.fetchall(
        """
        WITH RECURSIVE below(ancestor, id) AS (
            SELECT id, id FROM genres
            UNION SELECT below.ancestor, gp.genre_id FROM genre_parents AS gp
                  JOIN below ON gp.parent_id = below.id
        )
        SELECT genres.id, genres.name, count(DISTINCT fg.film_id) AS films
        FROM genres JOIN below ON below.ancestor = genres.id
        LEFT JOIN film_genres AS fg ON fg.genre_id = below.id
        GROUP BY genres.id ORDER BY genres.name
        """
    )
    return [(Genre.from_row(r), int(r["films"])) for r in rows]


async def genre_film_ids(
    store: Store, genre_id: int, limit: int = 50, offset: int = 0
) -> list[int]:
    """Films of the genre or any genre below it, best known first."""
    rows = await store.fetchall(
        f"""{FAMILY}
        SELECT films.id FROM films
        WHERE films.id IN (SELECT film_id FROM film_genres WHERE genre_id IN family)
        ORDER BY films.popularity DESC, films.id LIMIT :limit OFFSET :offset
        """,
        {"genre": genre_id, "limit": limit, "offset": offset},
    )
    return [int(r[0]) for r in rows]
