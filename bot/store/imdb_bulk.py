"""The IMDb importer's SQL: bulk writes on its own sqlite3 connection (see bot.importers.imdb).

New films and people get their ids from the importer, which holds the write lock while it
inserts them (``BEGIN IMMEDIATE``), so nobody else can take an id meanwhile; credits then need
no lookups of films or people by IMDb id, the most expensive part of a naive load.
"""

from __future__ import annotations

import sqlite3
from array import array
from collections.abc import Iterable

#: (position, title, title key, bare key, year, runtime, imdb id, kind, popularity): the film's
#: id is ``base + position``.
FilmRow = tuple[int, str, str, str, int | None, int | None, int, str, float]


def next_id(conn: sqlite3.Connection, table: str) -> int:
    """The first free id of ``table``; only valid while this connection holds the write lock."""
    return int(conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0])


def imdb_ids(conn: sqlite3.Connection, table: str) -> tuple[array[int], array[int]]:
    """(imdb ids ascending, ids) of the rows of ``table`` that have an IMDb id."""
    keys, ids = array("q"), array("q")
    cursor = conn.execute(
        f"SELECT imdb_id, id FROM {table} WHERE imdb_id IS NOT NULL ORDER BY imdb_id"
    )
    while batch := cursor.fetchmany(50_000):
        for imdb_id, row_id in batch:
            keys.append(imdb_id)
            ids.append(row_id)
    return keys, ids


def films_without_imdb(conn: sqlite3.Connection) -> dict[tuple[str, int | None], int]:
    """Films not yet tied to IMDb by (title key, year): a title+year match ties them."""
    found: dict[tuple[str, int | None], int] = {}
    for film_id, key, year in conn.execute(
        "SELECT id, title_key, year FROM films WHERE imdb_id IS NULL ORDER BY popularity DESC"
    ):
        found.setdefault((key, year), film_id)
    return found


def tie_film(conn: sqlite3.Connection, film_id: int, imdb_id: int) -> None:
    conn.execute(
        "UPDATE films SET imdb_id = ? WHERE id = ? AND imdb_id IS NULL", (imdb_id, film_id)
    )


def insert_films(conn: sqlite3.Connection, rows: Iterable[FilmRow], base: int) -> int:
    # The bases are added here, in SQLite, so the parser's rows need no rewriting in Python.
    cursor = conn.executemany(
        "INSERT INTO films (id, title, title_key, bare_key, year, runtime, imdb_id, kind, "
        f"popularity) VALUES (?1 + {int(base)}, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        rows,
    )
    return cursor.rowcount


def fill_films(
    conn: sqlite3.Connection, rows: Iterable[tuple[int | None, int | None, float, int]]
) -> int:
    """(year, runtime, popularity, id): fill a known film's gaps, raise its popularity; returns
    how many films changed."""
    cursor = conn.executemany(
        """
        UPDATE films SET year = coalesce(year, ?1), runtime = coalesce(runtime, ?2),
                         popularity = max(popularity, ?3)
        WHERE id = ?4 AND ((year IS NULL AND ?1 IS NOT NULL) OR (runtime IS NULL AND ?2 IS NOT NULL)
                           OR popularity < ?3)
        """,
        rows,
    )
    return cursor.rowcount


def insert_film_genres(
    conn: sqlite3.Connection, rows: Iterable[tuple[int, int]], base: int = 0
) -> int:
    """(film id - base, genre id)."""
    cursor = conn.executemany(
        f"INSERT OR IGNORE INTO film_genres (film_id, genre_id) VALUES (?1 + {int(base)}, ?2)",
        rows,
    )
    return cursor.rowcount


def insert_aliases(
    conn: sqlite3.Connection, rows: Iterable[tuple[int, str, str, str]], base: int = 0
) -> int:
    """(film id - base, title, title key, bare key)."""
    cursor = conn.executemany(
        "INSERT OR IGNORE INTO film_aliases (film_id, title, title_key, bare_key) "
        f"VALUES (?1 + {int(base)}, ?2, ?3, ?4)",
        rows,
    )
    return cursor.rowcount


# People and credits -------------------------------------------------------------------------------
PersonRow = tuple[int, str, str, int | None, int | None, float]


def insert_people(conn: sqlite3.Connection, rows: Iterable[PersonRow], base: int) -> int:
    """(imdb id, name, name key, birth, death, popularity) of new people, whose id is ``base +
    imdb id``."""
    cursor = conn.executemany(
        "INSERT INTO people (id, name, name_key, imdb_id, birth_year, death_year, popularity) "
        f"VALUES (?1 + {int(base)}, ?2, ?3, ?1, ?4, ?5, ?6)",
        rows,
    )
    return cursor.rowcount


def fill_people(
    conn: sqlite3.Connection, rows: Iterable[tuple[int | None, int | None, float, int]]
) -> int:
    """(birth, death, popularity, id): fill a known person's gaps; returns how many changed."""
    cursor = conn.executemany(
        """
        UPDATE people SET birth_year = coalesce(birth_year, ?1),
                          death_year = coalesce(death_year, ?2),
                          popularity = max(popularity, ?3)
        WHERE id = ?4 AND ((birth_year IS NULL AND ?1 IS NOT NULL)
                           OR (death_year IS NULL AND ?2 IS NOT NULL) OR popularity < ?3)
        """,
        rows,
    )
    return cursor.rowcount


def delete_credits_of(conn: sqlite3.Connection, people: Iterable[int]) -> int:
    """Remove the credits of these person ids (written before it was known they have no name)."""
    cursor = conn.executemany("DELETE FROM credits WHERE person_id = ?", ((p,) for p in people))
    return cursor.rowcount


# A person already here without an IMDb id (from the catalog or a review) and a person this
# import added are the same when they share a name key and a film.
_SAME_PEOPLE = """
SELECT DISTINCT old.id, new.id FROM people AS old
JOIN credits AS oc ON oc.person_id = old.id
JOIN credits AS nc ON nc.film_id = oc.film_id
JOIN people AS new ON new.id = nc.person_id AND new.name_key = old.name_key
WHERE old.imdb_id IS NULL AND new.id >= ? AND new.imdb_id IS NOT NULL
"""


def merge_untied_people(conn: sqlite3.Connection, first_new: int) -> int:
    """Merge each person already here with the IMDb person this import added for them: the old
    id stays (its credits, any references), taking the new one's IMDb id and credits."""
    pairs = conn.execute(_SAME_PEOPLE, (first_new,)).fetchall()
    merged = 0
    kept: set[int] = set()
    for old, new in pairs:
        if old in kept:
            continue
        kept.add(old)
        merge_person(conn, keep=old, drop=new)
        merged += 1
    return merged


def merge_person(conn: sqlite3.Connection, *, keep: int, drop: int) -> None:
    """Fold person ``drop`` into ``keep``: credits move (filling what keep's lack), ``keep``
    takes ``drop``'s IMDb id and years when it has none, ``drop`` goes."""
    conn.execute(
        """
        INSERT INTO credits (film_id, person_id, role, character, billing)
        SELECT film_id, ?1, role, character, billing FROM credits WHERE person_id = ?2
        ON CONFLICT (film_id, role, person_id) DO UPDATE SET
            character = coalesce(character, excluded.character),
            billing = coalesce(billing, excluded.billing)
        """,
        (keep, drop),
    )
    conn.execute("DELETE FROM credits WHERE person_id = ?", (drop,))
    row = conn.execute(
        "DELETE FROM people WHERE id = ? RETURNING imdb_id, birth_year, death_year, popularity",
        (drop,),
    ).fetchone()
    conn.execute(
        "UPDATE people SET imdb_id = coalesce(imdb_id, ?), birth_year = coalesce(birth_year, ?), "
        "death_year = coalesce(death_year, ?), popularity = max(popularity, ?) WHERE id = ?",
        (*row, keep),
    )


def insert_credits(
    conn: sqlite3.Connection,
    rows: Iterable[tuple[int, int, str, str | None, int | None]],
    film_base: int,
    person_base: int,
) -> int:
    """(film - film_base, person - person_base, role, character, billing) of films new to the
    store: nothing to merge with, so a plain insert (a third cheaper than the upsert); repeats
    in the files are ignored."""
    cursor = conn.executemany(
        "INSERT OR IGNORE INTO credits (film_id, person_id, role, character, billing) "
        f"VALUES (?1 + {int(film_base)}, ?2 + {int(person_base)}, ?3, ?4, ?5)",
        rows,
    )
    return cursor.rowcount


def upsert_credits(
    conn: sqlite3.Connection, rows: Iterable[tuple[int, int, str, str | None, int | None]]
) -> int:
    """(film, person, role, character, billing): add credits, fill what known ones lack;
    returns rows written."""
    cursor = conn.executemany(
        """
        INSERT INTO credits (film_id, person_id, role, character, billing) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (film_id, role, person_id) DO UPDATE SET
            character = coalesce(character, excluded.character),
            billing = coalesce(billing, excluded.billing)
        WHERE (character IS NULL AND excluded.character IS NOT NULL)
           OR (billing IS NULL AND excluded.billing IS NOT NULL)
        """,
        rows,
    )
    return cursor.rowcount
