"""Values a connection keeps (bot.store.snapshot): reused only while nothing was committed, so
what they give is always what reading again would give."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import recommend
from bot.errors import GenreNotFound
from bot.store import Store, picks, snapshot, steps
from bot.store.films import NewFilm, add_film
from bot.store.genres import save_genre
from bot.store.ratings import rate

Pair = tuple[sqlite3.Connection, sqlite3.Connection]


@pytest.fixture
def two_connections(tmp_path: Path) -> Iterator[Pair]:
    path = tmp_path / "kept.db"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("CREATE TABLE things (x INTEGER)")
    reader = sqlite3.connect(path, isolation_level=None)
    try:
        yield reader, writer
    finally:
        reader.close()
        writer.close()


class Counted:
    """``SELECT count(*) FROM things`` through the reader's kept values, counting real reads."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.reads = 0

    def __call__(self) -> int:
        return snapshot.kept(self.conn).get("things", self._read)

    def _read(self) -> int:
        self.reads += 1
        return int(self.conn.execute("SELECT count(*) FROM things").fetchone()[0])


def test_a_value_is_read_again_only_after_a_commit(two_connections: Pair) -> None:
    reader, writer = two_connections
    count = Counted(reader)
    assert (count(), count(), count.reads) == (0, 0, 1)
    writer.execute("INSERT INTO things VALUES (1)")
    assert (count(), count.reads) == (1, 2)
    assert (count(), count.reads) == (1, 2)
    # The connection's own writes leave its data_version alone; they count all the same.
    reader.execute("INSERT INTO things VALUES (2)")
    assert (count(), count.reads) == (2, 3)


def test_inside_a_read_transaction_the_value_is_that_of_its_snapshot(
    two_connections: Pair,
) -> None:
    reader, writer = two_connections
    count = Counted(reader)
    reader.execute("BEGIN")
    assert count() == 0
    writer.execute("INSERT INTO things VALUES (1)")
    assert count() == 0  # what this snapshot holds, read or kept
    assert reader.execute("SELECT count(*) FROM things").fetchone()[0] == 0
    reader.execute("COMMIT")
    assert (count(), count.reads) == (1, 2)


def test_the_least_recently_used_values_go_first(
    two_connections: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader, _ = two_connections
    monkeypatch.setattr(snapshot, "KEPT_VALUES", 2)
    reads: list[str] = []

    def value(key: str) -> str:
        return snapshot.kept(reader).get(key, lambda: reads.append(key) or key)

    for key in ["a", "b", "a", "c", "a", "b"]:
        assert value(key) == key
    assert reads == ["a", "b", "c", "b"]  # c pushed out b (a was used since), then b came back


async def test_every_reader_sees_a_rating_in_the_servers_prior_at_once(store: Store) -> None:
    film = await add_film(store, NewFilm("Heat", 1995))
    for expected in range(1, 4):
        await rate(store, 1, expected, film, 8.0)
        # More reads than readers: each reader had kept the prior from before the rating.
        for _ in range(4):
            prior = await store.read(lambda conn: picks.server_prior(conn, 1))
            assert prior.n == expected


async def test_a_genre_alias_added_meanwhile_is_understood_by_the_next_pick(
    catalog_store: Store,
) -> None:
    ask = recommend.Request(1, 1, genre_text="heistflick")
    for _ in range(3):  # every reader tries (and keeps) the unknown name
        with pytest.raises(GenreNotFound):
            await recommend.pick(catalog_store, ask, random.Random(1))
    await catalog_store.write(
        lambda conn: steps.run_async(conn, save_genre("Heist Drama", aliases=["heistflick"]))
    )
    for seed in range(3):
        chosen = await recommend.pick(catalog_store, ask, random.Random(seed))
        assert "Heist Drama" in chosen.genres
