"""Per-server settings: the command prefix, the leaderboard's Bayesian ``m``, the cooldown.

A server without a row uses the defaults (``Settings`` for prefix and cooldown, 3 for ``m``).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import aiosqlite

from bot.store.database import Store, now

#: The leaderboard's default Bayesian prior weight (the column's default in 0001).
DEFAULT_BAYES_M = 3.0

_COLUMNS = "guild_id, prefix, bayes_m, cooldown_rate, cooldown_per"


@dataclass(frozen=True, slots=True)
class GuildSettings:
    guild_id: int
    #: ``None``: the bot's default prefix.
    prefix: str | None = None
    bayes_m: float = DEFAULT_BAYES_M
    #: ``None`` (both): the bot's default cooldown.
    cooldown_rate: int | None = None
    cooldown_per: float | None = None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> GuildSettings:
        return cls(
            guild_id=row["guild_id"],
            prefix=row["prefix"],
            bayes_m=row["bayes_m"],
            cooldown_rate=row["cooldown_rate"],
            cooldown_per=row["cooldown_per"],
        )


async def get_guild_settings(store: Store, guild_id: int) -> GuildSettings:
    """The server's settings; the defaults when it never changed any."""
    row = await store.fetchone(
        f"SELECT {_COLUMNS} FROM guild_settings WHERE guild_id = ?", (guild_id,)
    )
    return GuildSettings(guild_id) if row is None else GuildSettings.from_row(row)


async def all_guild_settings(store: Store) -> list[GuildSettings]:
    """Every server that changed a setting (a small table: the bot caches it whole)."""
    rows = await store.fetchall(f"SELECT {_COLUMNS} FROM guild_settings ORDER BY guild_id")
    return [GuildSettings.from_row(row) for row in rows]


async def _upsert(
    store: Store, guild_id: int, column: str, values: tuple[object, ...]
) -> GuildSettings:
    # ``column`` is one of the fixed fragments below, never user text.
    async def write(conn: aiosqlite.Connection) -> GuildSettings:
        cursor = await conn.execute(
            f"""
            INSERT INTO guild_settings (guild_id, {column}, updated_at)
            VALUES (?, {", ".join("?" for _ in values)}, ?)
            ON CONFLICT (guild_id) DO UPDATE SET
                {", ".join(f"{c} = excluded.{c}" for c in column.split(", "))},
                updated_at = excluded.updated_at
            RETURNING {_COLUMNS}
            """,
            (guild_id, *values, now()),
        )
        row = await cursor.fetchone()
        await cursor.close()
        assert row is not None
        return GuildSettings.from_row(row)

    return await store.write(write)


async def set_prefix(store: Store, guild_id: int, prefix: str | None) -> GuildSettings:
    """Change the server's prefix (``None``: back to the default)."""
    return await _upsert(store, guild_id, "prefix", (prefix,))


async def set_bayes_m(store: Store, guild_id: int, bayes_m: float) -> GuildSettings:
    return await _upsert(store, guild_id, "bayes_m", (bayes_m,))


async def set_cooldown(
    store: Store, guild_id: int, rate: int | None, per: float | None
) -> GuildSettings:
    """Change the server's per-member cooldown (``None`` for both: back to the default)."""
    return await _upsert(store, guild_id, "cooldown_rate, cooldown_per", (rate, per))
