"""Versioned migrations: ``migrations/NNNN_name.sql``, tracked in ``PRAGMA user_version``."""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass
from importlib import resources

import aiosqlite

log = logging.getLogger(__name__)

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class StoreTooNew(RuntimeError):
    """The store was written by a newer filmclub than this one."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def available_migrations() -> list[Migration]:
    """Every migration shipped with this filmclub, in version order, numbered 1..n without gaps."""
    found: list[Migration] = []
    for entry in resources.files("bot.store").joinpath("migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), entry.name, entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    expected = list(range(1, len(found) + 1))
    if [m.version for m in found] != expected:
        raise RuntimeError(f"migrations must be numbered 1..n without gaps, found {found!r}")
    return found


def latest_version() -> int:
    return len(available_migrations())


async def current_version(conn: aiosqlite.Connection) -> int:
    rows = list(await conn.execute_fetchall("PRAGMA user_version"))
    return int(rows[0][0])


async def migrate(conn: aiosqlite.Connection, target: int | None = None) -> list[int]:
    """Apply every pending migration up to ``target`` (default: the newest), one transaction each.

    Returns the versions applied. ``conn`` must be in autocommit mode (``isolation_level=None``).
    """
    migrations = available_migrations()
    target = len(migrations) if target is None else target
    version = await current_version(conn)
    if version > len(migrations):
        raise StoreTooNew(
            f"the store is at schema version {version} but this filmclub knows only "
            f"{len(migrations)}; upgrade filmclub"
        )
    applied: list[int] = []
    for migration in migrations[version:target]:
        # The script carries its own BEGIN/COMMIT so the schema change and the version bump land
        # together or not at all; executescript would otherwise commit between statements.
        script = (
            "BEGIN IMMEDIATE;\n"
            f"{migration.sql}\n"
            f"PRAGMA user_version = {migration.version};\n"
            "COMMIT;\n"
        )
        try:
            await conn.executescript(script)
        except sqlite3.Error:
            if conn.in_transaction:
                await conn.rollback()
            log.exception("migration %s failed; the store is unchanged", migration.name)
            raise
        log.info("applied migration %s", migration.name)
        applied.append(migration.version)
    return applied
