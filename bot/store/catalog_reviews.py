"""Catalog review documents: reviews with no server, one per film and source."""

from __future__ import annotations

from dataclasses import dataclass

from bot.store.database import Store, now
from bot.store.steps import Steps


@dataclass(frozen=True)
class CatalogReview:
    id: int
    film_id: int
    source: str
    author_name: str | None
    body: str
    updated_at: int


def save_catalog_review(
    film_id: int, source: str, body: str, author: str | None, *, now: int | None = None
) -> Steps[str]:
    """Insert the document, or replace its text when it changed: ``added``, ``updated`` or
    ``unchanged``. Unchanged documents are not touched, so their cached summaries stay."""
    stamp = _now() if now is None else now
    rows = yield (
        "SELECT id, body, author_name FROM reviews "
        "WHERE film_id = ? AND source = ? AND guild_id IS NULL",
        (film_id, source),
    )
    if not rows:
        yield (
            "INSERT INTO reviews (film_id, source, author_name, body, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (film_id, source, author, body, stamp, stamp),
        )
        return "added"
    if (rows[0]["body"], rows[0]["author_name"]) == (body, author):
        return "unchanged"
    yield (
        "UPDATE reviews SET body = ?, author_name = ?, updated_at = ? WHERE id = ?",
        (body, author, stamp, rows[0]["id"]),
    )
    return "updated"


def _now() -> int:
    return now()


async def catalog_reviews(store: Store, film_id: int) -> list[CatalogReview]:
    """The film's review documents, oldest first."""
    rows = await store.fetchall(
        "SELECT id, film_id, source, author_name, body, updated_at FROM reviews "
        "WHERE film_id = ? AND guild_id IS NULL ORDER BY created_at, id",
        (film_id,),
    )
    return [CatalogReview(**dict(r)) for r in rows]
