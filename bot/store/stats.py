"""Counts of what the store holds, for ``filmclub db stats``."""

from __future__ import annotations

from dataclasses import dataclass

from bot.store.database import Store


@dataclass(frozen=True)
class StoreStats:
    schema_version: int
    films: int
    films_with_cast: int
    people: int
    credits: int
    genres: int
    catalog_reviews: int
    member_reviews: int
    ratings: int
    servers: int

    def lines(self) -> list[tuple[str, int]]:
        return [
            ("films", self.films),
            ("films with cast", self.films_with_cast),
            ("people", self.people),
            ("credits", self.credits),
            ("genres", self.genres),
            ("catalog reviews", self.catalog_reviews),
            ("member reviews", self.member_reviews),
            ("ratings", self.ratings),
            ("servers", self.servers),
        ]


async def store_stats(store: Store) -> StoreStats:
    row = await store.fetchone(
        """
        SELECT
            (SELECT count(*) FROM films) AS films,
            (SELECT count(*) FROM (SELECT DISTINCT film_id FROM credits WHERE role = 'actor'))
                AS films_with_cast,
            (SELECT count(*) FROM people) AS people,
            (SELECT count(*) FROM credits) AS credits,
            (SELECT count(*) FROM genres) AS genres,
            (SELECT count(*) FROM reviews WHERE guild_id IS NULL) AS catalog_reviews,
            (SELECT count(*) FROM reviews WHERE guild_id IS NOT NULL) AS member_reviews,
            (SELECT count(*) FROM ratings) AS ratings,
            (SELECT count(*) FROM (SELECT guild_id FROM ratings UNION SELECT guild_id FROM reviews
                                   WHERE guild_id IS NOT NULL
                                   UNION SELECT guild_id FROM guild_settings)) AS servers
        """
    )
    assert row is not None
    version = int(await store.fetchval("PRAGMA user_version"))
    return StoreStats(
        schema_version=version, **{key: int(value) for key, value in dict(row).items()}
    )
