"""Every query a pick, a similar list or a genre list runs reads through an index: none scans a
whole table (what keeps them fast at a million films is checked here, the speed in the bench)."""

from __future__ import annotations

import random
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bot import recommend
from bot.recommend import Request
from bot.store import Store, picks
from bot.store.genres import find_genre
from bot.store.models import Film
from bot.store.ratings import rate

TABLES = {"films", "ratings", "credits", "film_genres", "film_stats", "film_pool", "people"}
_FULL_SCAN = re.compile(r"^SCAN (\w+)(?! USING)")


class Planner:
    """A connection that records the query plan of every statement it runs."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.plans: list[tuple[str, list[str]]] = []

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        plan = [str(row[3]) for row in self.conn.execute(f"EXPLAIN QUERY PLAN {sql}", params)]
        self.plans.append((" ".join(sql.split())[:80], plan))
        return self.conn.execute(sql, params)

    @property
    def total_changes(self) -> int:  # what kept values watch (bot.store.snapshot)
        return self.conn.total_changes

    def full_scans(self) -> list[tuple[str, str]]:
        return [
            (sql, step)
            for sql, plan in self.plans
            for step in plan
            if (match := _FULL_SCAN.match(step)) and match[1] in TABLES
        ]


@contextmanager
def planner(store: Store) -> Iterator[Planner]:
    conn = sqlite3.connect(store.path)
    try:
        yield Planner(conn)
    finally:
        conn.close()


async def test_picks_similar_and_genre_lists_never_scan_a_table(catalog_store: Store) -> None:
    films = [int(r[0]) for r in await catalog_store.fetchall("SELECT id FROM films")]
    for member in range(1, 6):
        for film in films[member % 2 :: 2]:  # each member rates half the films
            await rate(catalog_store, 1, member, film, 9.0 if (film + member) % 3 else 5.0)
    genre = await find_genre(catalog_store, "crime")
    heat = await catalog_store.fetchone(
        "SELECT id, title, year, runtime, imdb_id, kind, popularity FROM films "
        "WHERE imdb_id = 113277"
    )
    assert genre is not None and heat is not None
    with planner(catalog_store) as db:
        for request in (
            Request(1, 1),
            Request(1, 2, genre),
            Request(1, 99),  # a member with no ratings
        ):
            recommend.pick_now(db, request, random.Random(1))  # type: ignore[arg-type]
        recommend.similar_now(db, Film(*heat), 1)  # type: ignore[arg-type]
        where = picks.Filter(1, 1, genre.id, 1990)
        picks.popular_beyond_pool(db, where)  # type: ignore[arg-type]
        assert len(db.plans) >= 15
        assert db.full_scans() == []


async def test_a_genre_filter_reads_each_films_own_genres(catalog_store: Store) -> None:
    # A family like Drama holds a dozen genres: probing each candidate once per genre of the
    # family costs a dozen lookups where reading its own one to three genres costs one.
    genre = await find_genre(catalog_store, "drama")
    assert genre is not None
    with planner(catalog_store) as db:
        picks.server_favourites(db, picks.Filter(1, 1, genre.id, 1990))  # type: ignore[arg-type]
        picks.pooled(db, picks.Filter(1, 1, genre.id), 0)  # type: ignore[arg-type]
    steps = [step for _, plan in db.plans for step in plan if "film_genres" in step]
    assert steps and all("PRIMARY KEY (film_id=?)" in step for step in steps), steps
