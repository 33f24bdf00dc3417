"""Write logic written once and run on either kind of connection.

Some writes happen both on the bot's event loop (an admin's ``addfilm`` through
``Store.write`` on aiosqlite) and in an importer's worker thread (plain ``sqlite3`` with one big
transaction). Rather than keep two copies of that logic, it is written as a generator of
:data:`Steps`: it yields ``(sql, params)`` and receives the statement's rows back. :func:`run`
drives it on a ``sqlite3`` connection, :func:`run_async` on an ``aiosqlite`` one; steps compose
with ``yield from``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Generator, Mapping, Sequence
from typing import Any, TypeVar

import aiosqlite

T = TypeVar("T")
Statement = tuple[str, Sequence[Any] | Mapping[str, Any]]
Steps = Generator[Statement, list[sqlite3.Row], T]


def run(conn: sqlite3.Connection, steps: Steps[T]) -> T:
    """Drive ``steps`` on a plain sqlite3 connection (an importer's, in its worker thread)."""
    try:
        statement = next(steps)
        while True:
            rows = conn.execute(*statement).fetchall()
            statement = steps.send(rows)
    except StopIteration as done:
        result: T = done.value
        return result


async def run_async(conn: aiosqlite.Connection, steps: Steps[T]) -> T:
    """Drive ``steps`` on an aiosqlite connection (inside ``Store.write``)."""
    try:
        statement = next(steps)
        while True:
            rows = list(await conn.execute_fetchall(*statement))
            statement = steps.send(rows)
    except StopIteration as done:
        result: T = done.value
        return result


def one(rows: list[sqlite3.Row]) -> sqlite3.Row | None:
    return rows[0] if rows else None
