"""The audit of catalog changes: who (server, member) changed which film, how, and when.

Every admin change to the shared catalog writes its entry in the same transaction as the
change itself (:func:`record`), so the audit never misses a change nor records one that did
not happen. ``filmclub db audit`` lists the entries.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bot.store.database import Store, now
from bot.store.steps import Steps

Action = Literal["addfilm", "editfilm", "addcast"]
Value = str | int | float | list[str] | None


@dataclass(frozen=True, slots=True)
class Editor:
    """Who made a change: the server and the member (with the name Discord showed then)."""

    guild_id: int
    member_id: int
    member_name: str


@dataclass(frozen=True, slots=True)
class Change:
    """One field of a film as it was and as it became (``old`` None: it was not set)."""

    field: str
    old: Value
    new: Value

    @property
    def text(self) -> str:
        """``runtime 170 → 171``, ``genres Crime, Drama → Crime``."""
        return f"{self.field} {_value_text(self.old)} → {_value_text(self.new)}"


def _value_text(value: Value) -> str:
    if value is None:
        return "none"
    return ", ".join(value) or "none" if isinstance(value, list) else str(value)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: int
    guild_id: int
    member_id: int
    member_name: str
    action: str
    film_id: int | None
    film: str
    changes: tuple[Change, ...]

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> AuditEntry:
        return cls(
            id=row["id"],
            at=row["at"],
            guild_id=row["guild_id"],
            member_id=row["member_id"],
            member_name=row["member_name"],
            action=row["action"],
            film_id=row["film_id"],
            film=row["film"],
            changes=tuple(Change(**item) for item in json.loads(row["changes"])),
        )


def record(
    editor: Editor, action: Action, film_id: int, film: str, changes: Sequence[Change]
) -> Steps[int]:
    """Write one entry (inside the transaction of the change it records); its id."""
    rows = yield (
        "INSERT INTO catalog_audit "
        "(at, guild_id, member_id, member_name, action, film_id, film, changes) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (
            now(),
            editor.guild_id,
            editor.member_id,
            editor.member_name,
            action,
            film_id,
            film,
            json.dumps(
                [{"field": c.field, "old": c.old, "new": c.new} for c in changes],
                ensure_ascii=False,
            ),
        ),
    )
    return int(rows[0][0])


_COLUMNS = "id, at, guild_id, member_id, member_name, action, film_id, film, changes"


async def audit_entries(
    store: Store,
    *,
    limit: int = 50,
    guild_id: int | None = None,
    film_id: int | None = None,
) -> list[AuditEntry]:
    """The latest entries, newest first; only one server's or one film's when asked."""
    rows = await store.fetchall(
        f"SELECT {_COLUMNS} FROM catalog_audit "
        "WHERE (:guild IS NULL OR guild_id = :guild) AND (:film IS NULL OR film_id = :film) "
        "ORDER BY at DESC, id DESC LIMIT :limit",
        {"guild": guild_id, "film": film_id, "limit": limit},
    )
    return [AuditEntry.from_row(row) for row in rows]
