"""Autocomplete's prefix lookup: titles (or their article-less form) starting with what is
typed, the best known first, whichever way the lookup reads them."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest

from bot.normalize import bare_key, title_key
from bot.store import Store, bulk, search_index

#: (title, popularity): "The Sting" starts "the s" only with its article, "Stingray" only
#: without one; "Heat" and "The Heat" share the bare key "heat".
TITLES = [
    ("The Sting", 900.0),
    ("Stingray", 800.0),
    ("The Heat", 300.0),
    ("Heat", 700.0),
    ("Heathers", 50.0),
    ("The Shining", 1000.0),
    ("Theater Camp", 20.0),
    ("Sting of Death", 10.0),
    ("A Star Is Born", 600.0),
]


@pytest.fixture
def conn(store: Store) -> Iterator[sqlite3.Connection]:
    connection = bulk.connect(store.path)
    with bulk.transaction(connection):
        connection.execute("DELETE FROM films")  # only these titles, whatever ships
        connection.executemany(
            "INSERT INTO films (title, title_key, bare_key, year, popularity) "
            "VALUES (?, ?, ?, 2000, ?)",
            [(t, title_key(t), bare_key(t), p) for t, p in TITLES],
        )
    yield connection
    connection.close()


def _titles(conn: sqlite3.Connection, prefix: str, limit: int = 25) -> list[str]:
    return [c.film.title for c in search_index.films_with_key_prefix(conn, prefix, limit)]


EXPECTED = {
    "sting": ["The Sting", "Stingray", "Sting of Death"],
    "the s": ["The Shining", "The Sting"],
    "heat": ["Heat", "The Heat", "Heathers"],
    "the": ["The Shining", "The Sting", "The Heat", "Theater Camp"],
    "s": ["The Shining", "The Sting", "Stingray", "A Star Is Born", "Sting of Death"],
    "star is": ["A Star Is Born"],
    "zz": [],
}


@pytest.mark.parametrize("crowded_above", [1, 10_000], ids=["walk popularity", "rank ranges"])
def test_prefix_matches_either_key_best_known_first_and_once_each(
    conn: sqlite3.Connection, crowded_above: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both ways of reading a prefix (walking the popularity index for a crowded one, ranking
    # the two key ranges for a narrow one) give the same films in the same order.
    monkeypatch.setattr(search_index, "PREFIX_SORT_LIMIT", crowded_above)
    for prefix, titles in EXPECTED.items():
        assert _titles(conn, prefix) == titles, prefix
    assert _titles(conn, "s", limit=2) == ["The Shining", "The Sting"]
    assert _titles(conn, "heat", limit=1) == ["Heat"]
