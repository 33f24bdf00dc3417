"""The importers' own connection: plain sqlite3 in a worker thread, big transactions.

Importers never run on the event loop. Each opens its own connection here and writes in large
transactions; the bot's connections keep reading the last committed state meanwhile (WAL).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

from bot.store import pools, search_index

#: Page cache of an import connection (KiB): big enough for index builds, bounded for memory.
IMPORT_CACHE_KIB = 65_536


def connect(path: Path | str, *, busy_ms: int = 30_000, checked: bool = True) -> sqlite3.Connection:
    """A connection for one import, in autocommit mode (transactions are explicit).

    ``checked=False`` turns off foreign keys and CHECK constraints on this connection only, for
    an importer that makes every id and value it writes itself from validated input: they cost
    two thirds of a credit row's insert (SQLite rebuilds the ``role IN (…)`` list for every
    row). The store's other connections keep enforcing both.
    """
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode = WAL")
    # NORMAL in WAL mode syncs only at checkpoints: a crash loses at most the import's last
    # transaction and never corrupts the store, which OFF could on power loss.
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute(f"PRAGMA foreign_keys = {'ON' if checked else 'OFF'}")
    conn.execute(f"PRAGMA ignore_check_constraints = {'OFF' if checked else 'ON'}")
    conn.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
    conn.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
    # Index builds after a bulk load sort in helper threads: the parser is done by then.
    conn.execute("PRAGMA threads = 2")
    return conn


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction: committed when the block ends, rolled back if it raises."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


@contextlib.contextmanager
def savepoint(conn: sqlite3.Connection, name: str = "one") -> Iterator[sqlite3.Connection]:
    """A nested unit inside the import's transaction: undone alone if the block raises."""
    conn.execute(f"SAVEPOINT {name}")
    try:
        yield conn
    except BaseException:
        conn.execute(f"ROLLBACK TO {name}")
        conn.execute(f"RELEASE {name}")
        raise
    conn.execute(f"RELEASE {name}")


def refresh_search_index(
    conn: sqlite3.Connection,
    film_ids: Iterable[int] | None = None,
    *,
    films: bool = True,
    people: bool = True,
) -> None:
    """Every importer calls this before it commits, so search finds what it wrote: the films it
    added or renamed (``film_ids``, a small import) or, after a bulk load, everything (the
    films' part and the people's part can be rebuilt separately, each once its table is done).

    The candidate pools of genre lists and picks are rebuilt whole with the films: an import may
    have changed a film's genres, year or popularity, and only a full pass keeps every pool's
    count exact (one pass over the films in popularity order: seconds at a million films).
    """
    if film_ids is not None:
        search_index.index_films(conn, film_ids)
    elif films or people:
        search_index.rebuild(conn, films=films, people=people)
    if films:
        pools.rebuild(conn)


@contextlib.contextmanager
def deferred_indexes(
    conn: sqlite3.Connection, tables: list[str], *, when_under: int = 100_000
) -> Iterator[list[str]]:
    """Drop the secondary indexes of small ``tables`` during a bulk load, rebuild them after.

    Building an index once from sorted data is far cheaper than keeping it up to date row by
    row. Only tables with fewer than ``when_under`` rows (a fresh store, which the import will
    dwarf) are touched; unique indexes stay, since they enforce the data's identity. Must run
    inside the import's transaction so a failure restores the indexes with everything else.
    """
    deferred: list[tuple[str, str]] = []
    for table in tables:
        rows = conn.execute(f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT ?)", (when_under,))
        if rows.fetchone()[0] >= when_under:
            continue
        for name, sql in conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'",
            (table,),
        ).fetchall():
            deferred.append((name, sql))
    for name, _ in deferred:
        conn.execute(f'DROP INDEX "{name}"')
    # On failure nothing is rebuilt: the transaction's rollback brings the indexes back.
    yield [name for name, _ in deferred]
    for _, sql in deferred:
        conn.execute(sql)


def import_rating(
    conn: sqlite3.Connection, guild_id: int, member_id: int, film_id: int, score: float, at: int
) -> str:
    """A member's rating from an export: ``added``, ``updated`` (another score) or
    ``unchanged``. The ratings triggers keep the server's totals, as for ``!rate``."""
    row = conn.execute(
        "SELECT score FROM ratings WHERE guild_id = ? AND member_id = ? AND film_id = ?",
        (guild_id, member_id, film_id),
    ).fetchone()
    if row is not None and row[0] == score:
        return "unchanged"
    conn.execute(
        "INSERT INTO ratings (guild_id, member_id, film_id, score, rated_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, member_id, film_id) DO UPDATE SET "
        "score = excluded.score, rated_at = excluded.rated_at",
        (guild_id, member_id, film_id, score, at),
    )
    return "added" if row is None else "updated"
