"""The genre taxonomy as a whole: every genre with its parents and the names it goes by."""

from __future__ import annotations

from dataclasses import dataclass

from bot.store.database import Store
from bot.store.models import Genre


@dataclass(frozen=True, slots=True)
class TaxonomyEntry:
    genre: Genre
    parent_ids: tuple[int, ...]


async def taxonomy(store: Store) -> list[TaxonomyEntry]:
    """Every genre with its parents, by name."""
    rows = await store.fetchall(
        "SELECT id, name, (SELECT group_concat(parent_id) FROM genre_parents "
        "WHERE genre_id = genres.id) AS parents FROM genres ORDER BY name"
    )
    return [
        TaxonomyEntry(
            Genre(int(r["id"]), str(r["name"])),
            tuple(int(p) for p in r["parents"].split(",")) if r["parents"] else (),
        )
        for r in rows
    ]


async def genre_names(store: Store) -> list[tuple[str, Genre]]:
    """Every name a genre answers to (its own and its aliases' keys) with the genre."""
    rows = await store.fetchall(
        "SELECT genres.name AS known, genres.id, genres.name FROM genres "
        "UNION ALL SELECT genre_aliases.alias_key, genres.id, genres.name FROM genre_aliases "
        "JOIN genres ON genres.id = genre_aliases.genre_id"
    )
    return [(str(r["known"]), Genre(int(r["id"]), str(r["name"]))) for r in rows]
