"""Members' own reviews: one per member, film and server, never seen from another server.

A member's review is a row of ``reviews`` with its server and author (catalog documents have
neither; see :mod:`bot.store.catalog_reviews`). The body is kept as the member wrote it,
spoiler tags (``||…||``, ``‖…‖``) included; ``spoiler`` marks a review that is a spoiler as a
whole (``--spoiler``). Adding, replacing or deleting one fires the triggers of migration 0001
that drop that film's cached summary in that server, so the next card recomputes it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Literal

import aiosqlite

from bot.errors import TooLong
from bot.store.database import Store, now

#: Longest review accepted, in characters (product.md).
MAX_REVIEW_LENGTH = 4000

Saved = Literal["added", "replaced", "exists"]

_COLUMNS = """
    reviews.id, reviews.film_id, reviews.guild_id, reviews.author_id, reviews.author_name,
    reviews.body, reviews.spoiler, reviews.created_at, reviews.updated_at,
    (SELECT score FROM ratings WHERE ratings.guild_id = reviews.guild_id
        AND ratings.member_id = reviews.author_id AND ratings.film_id = reviews.film_id) AS score
"""


@dataclass(frozen=True, slots=True)
class MemberReview:
    id: int
    film_id: int
    guild_id: int
    author_id: int
    #: The author's display name when they wrote it.
    author_name: str
    body: str
    #: The whole review is a spoiler.
    spoiler: bool
    created_at: int
    updated_at: int
    #: The author's rating of the film in this server, if any.
    score: float | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> MemberReview:
        return cls(
            id=row["id"],
            film_id=row["film_id"],
            guild_id=row["guild_id"],
            author_id=row["author_id"],
            author_name=row["author_name"] or "",
            body=row["body"],
            spoiler=bool(row["spoiler"]),
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            score=None if row["score"] is None else float(row["score"]),
        )


async def member_review(
    store: Store, guild_id: int, film_id: int, author_id: int
) -> MemberReview | None:
    """The member's own review of the film in this server, or None."""
    row = await store.fetchone(
        f"SELECT {_COLUMNS} FROM reviews WHERE guild_id = ? AND film_id = ? AND author_id = ?",
        (guild_id, film_id, author_id),
    )
    return None if row is None else MemberReview.from_row(row)


async def save_member_review(
    store: Store,
    guild_id: int,
    film_id: int,
    author_id: int,
    author_name: str,
    body: str,
    *,
    spoiler: bool = False,
    replace: bool = False,
) -> Saved:
    """Store the member's review of the film in this server, in one transaction.

    Without ``replace`` an existing review of theirs is left alone and ``exists`` returned (the
    caller asks before replacing); with it the old one goes and the new one counts as the
    newest. ``TooLong`` (nothing written) past :data:`MAX_REVIEW_LENGTH` characters.
    """
    if len(body) > MAX_REVIEW_LENGTH:
        raise TooLong("A review", MAX_REVIEW_LENGTH)
    if not body.strip():
        raise ValueError("a review needs some text")

    async def write(conn: aiosqlite.Connection) -> Saved:
        stamp = now()
        cursor = await conn.execute(
            "DELETE FROM reviews WHERE guild_id = ? AND film_id = ? AND author_id = ? "
            "AND ? RETURNING created_at",
            (guild_id, film_id, author_id, replace),
        )
        old = await cursor.fetchone()
        await cursor.close()
        # A replaced review gets a new row (and id), so newest first is also id order.
        cursor = await conn.execute(
            "INSERT INTO reviews (film_id, guild_id, author_id, author_name, body, spoiler, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (guild_id, film_id, author_id) WHERE guild_id IS NOT NULL DO NOTHING "
            "RETURNING id",
            (
                film_id,
                guild_id,
                author_id,
                author_name,
                body,
                int(spoiler),
                stamp if old is None else old[0],
                stamp,
            ),
        )
        added = await cursor.fetchone()
        await cursor.close()
        if added is None:
            return "exists"
        return "added" if old is None else "replaced"

    return await store.write(write)


async def delete_member_review(store: Store, guild_id: int, film_id: int, author_id: int) -> bool:
    """Delete the member's own review of the film in this server; False when they had none.
    Only the author's own row can match: nobody deletes another member's review."""

    async def delete(conn: aiosqlite.Connection) -> bool:
        cursor = await conn.execute(
            "DELETE FROM reviews WHERE guild_id = ? AND film_id = ? AND author_id = ? RETURNING id",
            (guild_id, film_id, author_id),
        )
        gone = await cursor.fetchone()
        await cursor.close()
        return gone is not None

    return await store.write(delete)


async def film_member_reviews(
    store: Store, guild_id: int, film_id: int, limit: int | None = None, offset: int = 0
) -> list[MemberReview]:
    """This server's member reviews of the film, newest first, with each author's score."""
    rows = await store.fetchall(
        f"SELECT {_COLUMNS} FROM reviews WHERE film_id = ? AND guild_id = ? "
        "ORDER BY updated_at DESC, id DESC LIMIT ? OFFSET ?",
        (film_id, guild_id, -1 if limit is None else limit, offset),
    )
    return [MemberReview.from_row(row) for row in rows]


async def member_review_count(store: Store, guild_id: int, film_id: int) -> int:
    count = await store.fetchval(
        "SELECT count(*) FROM reviews WHERE film_id = ? AND guild_id = ?", (film_id, guild_id)
    )
    return int(count)
