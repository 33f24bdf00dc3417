"""Candidate pools: the best-known films of each genre and decade, ready in popularity order.

A genre list or a pick must not sort a million films. The pool of (genre, decade) holds the
:data:`POOL_SIZE` most popular films of that genre — counting every genre below it in the
taxonomy, so the Crime pool holds Heat through Crime Thriller — and decade; genre 0 is every
film and decade 0 every year. Reading one is a single index range. ``pool_sizes`` counts every
film of each genre and decade, pooled or not.

Pools are derived data. Every import rebuilds them with the search index (:func:`rebuild`,
called from ``bulk.refresh_search_index``); a single film added or edited on the bot keeps them
in step with :func:`pool_film` (after the change) and :func:`unpool_film` (before a change or a
delete).
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from bot.store import bulk
from bot.store.database import Store
from bot.store.steps import Steps

#: Films kept per (genre, decade) at a rebuild: 20 pages of a genre list, and more candidates
#: than a pick ever weighs.
POOL_SIZE = 200
#: Every genre / every decade.
ANY = 0
_BATCH = 20_000


def decade_of(year: int | None) -> int:
    """``1995`` -> ``1990``; ``ANY`` for an unknown year."""
    return ANY if year is None else year // 10 * 10


def slices(genre_ids: Iterable[int], year: int | None) -> set[tuple[int, int]]:
    """Every (genre, decade) pool a film with these genres (ancestors included) and year is in."""
    decades = {ANY, decade_of(year)}
    return {(genre, decade) for genre in {ANY, *genre_ids} for decade in decades}


def ancestry(parents: Iterable[tuple[int, int]]) -> dict[int, frozenset[int]]:
    """Each genre with itself and every genre above it, from (genre, parent) pairs. A cycle
    typed into the taxonomy ends instead of looping."""
    above: dict[int, set[int]] = {}
    for genre, parent in parents:
        above.setdefault(genre, set()).add(parent)
    found: dict[int, frozenset[int]] = {}
    for genre in above:
        seen = {genre}
        stack = [genre]
        while stack:
            for parent in above.get(stack.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
        found[genre] = frozenset(seen)
    return found


# Rebuild (importers, in their worker thread) ------------------------------------------------------
def rebuild(conn: sqlite3.Connection, pool_size: int = POOL_SIZE) -> int:
    """Recreate every pool and count from the catalog; returns the rows pooled. Runs inside the
    caller's transaction when there is one, else in its own. One pass over the films in
    popularity order, so no pool is ever sorted."""
    sizes: Counter[tuple[int, int]] = Counter()
    pooled = 0
    conn.execute("SAVEPOINT pools_rebuild")
    try:
        lineage = ancestry(conn.execute("SELECT genre_id, parent_id FROM genre_parents"))
        films = conn.cursor()
        films.row_factory = None  # plain tuples: a million rows
        films.execute(
            "SELECT id, year, popularity, "
            "(SELECT group_concat(genre_id) FROM film_genres WHERE film_id = films.id) "
            # Read in table order and sorted once: walking the popularity index would visit
            # the films and their genres in random order (twice as slow at a million films).
            "FROM films NOT INDEXED ORDER BY popularity DESC, id"
        )
        conn.execute("DELETE FROM film_pool")
        conn.execute("DELETE FROM pool_sizes")
        batch: list[tuple[int, int, float, int]] = []
        # Films share few (genres, decade) combinations: each one's pools are worked out once,
        # and once they are all full its films are only counted (a million films in seconds).
        pools_of: dict[tuple[str | None, int], tuple[tuple[int, int], ...]] = {}
        full: Counter[tuple[str | None, int]] = Counter()  # combination -> films not pooled
        for film_id, year, popularity, genre_list in films:
            combination = (genre_list, decade_of(year))
            if combination in full:
                full[combination] += 1
                continue
            keys = pools_of.get(combination)
            if keys is None:
                genres: set[int] = set()
                for genre in map(int, genre_list.split(",")) if genre_list else ():
                    genres |= lineage.get(genre, {genre})
                keys = pools_of[combination] = tuple(slices(genres, year))
            room = False
            for key in keys:
                size = sizes[key] = sizes[key] + 1
                if size <= pool_size:
                    batch.append((*key, popularity, film_id))
                    room = room or size < pool_size
            if not room:
                full[combination] += 0
            if len(batch) >= _BATCH:
                pooled += _insert(conn, batch)
                batch = []
        pooled += _insert(conn, batch)
        for combination, films_left in full.items():
            for key in pools_of[combination]:
                sizes[key] += films_left
        sizes[ANY, ANY] += 0  # the marker that pools were built, even for an empty catalog
        conn.executemany(
            "INSERT INTO pool_sizes (genre_id, decade, films) VALUES (?, ?, ?)",
            [(genre, decade, count) for (genre, decade), count in sizes.items()],
        )
    except BaseException:
        conn.execute("ROLLBACK TO pools_rebuild")
        conn.execute("RELEASE pools_rebuild")
        raise
    conn.execute("RELEASE pools_rebuild")
    return pooled


def rebuild_at(path: Path, pool_size: int = POOL_SIZE) -> int:
    """:func:`rebuild` on its own connection (a worker thread's), committed."""
    conn = bulk.connect(path)
    try:
        with bulk.transaction(conn):
            return rebuild(conn, pool_size)
    finally:
        conn.close()


def _insert(conn: sqlite3.Connection, rows: list[tuple[int, int, float, int]]) -> int:
    conn.executemany(
        "INSERT INTO film_pool (genre_id, decade, popularity, film_id) VALUES (?, ?, ?, ?)", rows
    )
    return len(rows)


# One film (steps: on the bot through Store.write, or inside an importer) --------------------------
def _film_slices(film_id: int) -> Steps[tuple[float, set[tuple[int, int]]] | None]:
    """The film's popularity and the pools it belongs in now; None when there is no such film."""
    rows = yield (
        """
        WITH RECURSIVE lineage(id) AS (
            SELECT genre_id FROM film_genres WHERE film_id = :film
            UNION SELECT parent_id FROM genre_parents JOIN lineage ON genre_id = lineage.id
        )
        SELECT films.year, films.popularity, lineage.id AS genre_id
        FROM films LEFT JOIN lineage ON 1 WHERE films.id = :film
        """,
        {"film": film_id},
    )
    if not rows:
        return None
    genres = {int(row["genre_id"]) for row in rows if row["genre_id"] is not None}
    return float(rows[0]["popularity"]), slices(genres, rows[0]["year"])


def pool_film(film_id: int) -> Steps[None]:
    """Put a new or just-edited film into every pool it belongs in and count it there (call
    :func:`unpool_film` before editing a pooled film). The pools stay in popularity order; one
    more film in a full pool costs nothing but a row."""
    found = yield from _film_slices(film_id)
    if found is None:
        return
    popularity, keys = found
    payload = json.dumps(sorted(keys))
    yield (
        "INSERT OR REPLACE INTO film_pool (genre_id, decade, popularity, film_id) "
        "SELECT value ->> 0, value ->> 1, ?, ? FROM json_each(?)",
        (popularity, film_id, payload),
    )
    yield (
        "INSERT INTO pool_sizes (genre_id, decade, films) "
        "SELECT value ->> 0, value ->> 1, 1 FROM json_each(?) WHERE 1 "
        "ON CONFLICT (genre_id, decade) DO UPDATE SET films = films + 1",
        (payload,),
    )


def unpool_film(film_id: int) -> Steps[None]:
    """Take a film out of its pools and counts, before its genres, year or popularity change
    (then :func:`pool_film`) or before it is deleted."""
    found = yield from _film_slices(film_id)
    if found is None:
        return
    yield ("DELETE FROM film_pool WHERE film_id = ?", (film_id,))
    yield (
        "UPDATE pool_sizes SET films = films - 1 WHERE films > 0 AND (genre_id, decade) IN "
        "(SELECT value ->> 0, value ->> 1 FROM json_each(?))",
        (json.dumps(sorted(found[1])),),
    )


# Reads --------------------------------------------------------------------------------------------
async def pools_built(store: Store) -> bool:
    """Whether the pools were ever built (a store from before migration 0004 has none yet)."""
    return bool(await store.fetchval("SELECT EXISTS (SELECT 1 FROM pool_sizes WHERE genre_id = 0)"))


async def pool_size(store: Store, genre_id: int = ANY, decade: int = ANY) -> int:
    """How many films the genre (and all below it) has in that decade, pooled or not."""
    value = await store.fetchval(
        "SELECT films FROM pool_sizes WHERE genre_id = ? AND decade = ?", (genre_id, decade)
    )
    return int(value or 0)


async def genre_sizes(store: Store) -> dict[int, int]:
    """Every genre's number of films (counting the genres below it), for ``genres``."""
    rows = await store.fetchall(
        "SELECT genre_id, films FROM pool_sizes WHERE decade = 0 AND genre_id <> 0"
    )
    return {int(r[0]): int(r[1]) for r in rows}
