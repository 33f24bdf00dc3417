"""Cached review summaries, one per film and scope.

A film's summary in a server is made from the catalog's review documents plus that server's
member reviews, never another server's. A server without member reviews of the film shares the
catalog-only summary, kept under ``guild_id`` 0; a server with some has its own row. The
triggers of migration 0001 delete a film's rows when its reviews change (every server's for a
catalog document, that server's for a member review), and a row made by another summariser
version counts as missing.

Computing a summary takes a while, and a review may change meanwhile. So a miss is first
*claimed* (:func:`claim_summary`), the reviews are read, and the result is stored only if the
claim survived (:func:`store_summary`): a review changing in between deletes the claim with the
row, and the stale summary is shown once but never cached.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import aiosqlite

from bot.store.database import Store, now

#: The scope of summaries made from catalog documents alone.
CATALOG = 0
#: Member reviews read for one summary at most (the newest); the summariser weighs a few
#: sentences of each, so more would only cost reading time.
MAX_MEMBER_REVIEWS = 200


@dataclass(frozen=True, slots=True)
class CachedSummary:
    """What the store knows of a film's summary for one server."""

    #: Whose summary it is: the server's own (it has member reviews of the film) or CATALOG.
    scope: int
    #: Whether the film has any review this server may read (catalog or its own).
    reviewed: bool
    #: The cached text ("" when the reviews hold nothing to show); None when not cached.
    text: str | None


@dataclass(frozen=True, slots=True)
class ReviewSource:
    id: int
    body: str
    spoiler: bool


async def cached_summary(
    store: Store, film_id: int, guild_id: int | None, version: int
) -> CachedSummary:
    """The film's summary scope in this server (None: a DM, catalog only) and its cached text
    if the summariser ``version`` made it."""
    row = await store.fetchone(
        """
        WITH scope(id) AS (
            SELECT CASE WHEN EXISTS (SELECT 1 FROM reviews WHERE film_id = :film
                                     AND guild_id = :guild) THEN :guild ELSE 0 END
        )
        SELECT scope.id AS scope,
               scope.id <> 0 OR EXISTS (SELECT 1 FROM reviews WHERE film_id = :film
                                        AND guild_id IS NULL) AS reviewed,
               (SELECT summary FROM summaries WHERE film_id = :film AND guild_id = scope.id
                AND algorithm_version = :version AND claim IS NULL) AS text
        FROM scope
        """,
        {"film": film_id, "guild": guild_id or CATALOG, "version": version},
    )
    assert row is not None
    return CachedSummary(int(row["scope"]), bool(row["reviewed"]), row["text"])


async def summary_sources(store: Store, film_id: int, scope: int) -> list[ReviewSource]:
    """The reviews a summary in ``scope`` is made from: the catalog documents, then the
    server's member reviews (the newest :data:`MAX_MEMBER_REVIEWS`), oldest first."""
    rows = await store.fetchall(
        """
        SELECT id, body, spoiler FROM (
            SELECT id, body, spoiler, 0 AS member, created_at FROM reviews
            WHERE film_id = :film AND guild_id IS NULL
            UNION ALL
            SELECT * FROM (SELECT id, body, spoiler, 1, created_at FROM reviews
                           WHERE film_id = :film AND guild_id = :scope
                           ORDER BY updated_at DESC LIMIT :most)
        ) ORDER BY member, created_at, id
        """,
        {"film": film_id, "scope": scope, "most": MAX_MEMBER_REVIEWS},
    )
    return [ReviewSource(int(r["id"]), str(r["body"]), bool(r["spoiler"])) for r in rows]


async def claim_summary(store: Store, film_id: int, scope: int, version: int) -> int:
    """Mark the film's summary in ``scope`` as being computed; returns the claim to store it
    with."""
    claim = secrets.randbits(62)
    await store.execute(
        """
        INSERT INTO summaries (film_id, guild_id, summary, computed_at, algorithm_version, claim)
        VALUES (?, ?, '', ?, ?, ?)
        ON CONFLICT (film_id, guild_id) DO UPDATE SET
            summary = '', computed_at = excluded.computed_at,
            algorithm_version = excluded.algorithm_version, claim = excluded.claim
        """,
        (film_id, scope, now(), version, claim),
    )
    return claim


async def store_summary(store: Store, film_id: int, scope: int, claim: int, text: str) -> bool:
    """Cache ``text`` if the claim still stands (no review changed since it was made)."""

    async def write(conn: aiosqlite.Connection) -> bool:
        cursor = await conn.execute(
            "UPDATE summaries SET summary = ?, computed_at = ?, claim = NULL "
            "WHERE film_id = ? AND guild_id = ? AND claim = ?",
            (text, now(), film_id, scope, claim),
        )
        stored = cursor.rowcount == 1
        await cursor.close()
        return stored

    return await store.write(write)
