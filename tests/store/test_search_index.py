"""The search index: bulk rebuild, incremental adds, deletions, and the people it covers."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.errors import FilmNotFound, PersonNotFound
from bot.normalize import bare_key, name_key, title_key
from bot.search import resolve_film, resolve_person
from bot.store import Store, bulk, search_index
from bot.store.films import NewFilm, add_film

INDEX_TABLES = (
    "search_words",
    "search_word_deletes",
    "search_short_word_deletes",
    "search_name_suffixes",
)


def _insert_films(conn: sqlite3.Connection, titles: list[tuple[str, int, float]]) -> None:
    """Films the way a bulk importer writes them: plain rows, no index maintenance."""
    with bulk.transaction(conn):
        conn.executemany(
            "INSERT INTO films (title, title_key, bare_key, year, popularity) "
            "VALUES (?, ?, ?, ?, ?)",
            [(t, title_key(t), bare_key(t), y, p) for t, y, p in titles],
        )


def _insert_people(conn: sqlite3.Connection, people: list[tuple[str, float]]) -> None:
    with bulk.transaction(conn):
        conn.executemany(
            "INSERT INTO people (name, name_key, popularity) VALUES (?, ?, ?)",
            [(n, name_key(n), p) for n, p in people],
        )


def _snapshot(conn: sqlite3.Connection) -> dict[str, list[tuple[object, ...]]]:
    return {
        table: sorted(tuple(row) for row in conn.execute(f"SELECT * FROM {table}"))
        for table in INDEX_TABLES
    }


@pytest.fixture
def conn(store: Store) -> Iterator[sqlite3.Connection]:
    """An importer's connection to the test store."""
    connection = bulk.connect(store.path)
    yield connection
    connection.close()


async def test_bulk_loaded_films_are_found_by_typo_only_after_the_rebuild(
    store: Store, conn: sqlite3.Connection
) -> None:
    _insert_films(conn, [("Koyaanisqatsi", 1982, 50_000.0), ("Powaqqatsi", 1988, 10_000.0)])
    assert (await resolve_film(store, "koyaanisqatsi")).film.year == 1982  # exact needs no index
    with pytest.raises(FilmNotFound):
        await resolve_film(store, "koyanisqatsi")
    bulk.refresh_search_index(conn)
    assert (await resolve_film(store, "koyanisqatsi")).film.title == "Koyaanisqatsi"
    assert (await resolve_film(store, "powaqatsi")).film.title == "Powaqqatsi"


async def test_rebuild_is_idempotent_and_counts_each_words_titles(
    store: Store, conn: sqlite3.Connection
) -> None:
    _insert_films(
        conn,
        [("The Night of the Hunter", 1955, 1.0), ("Night and Fog", 1956, 1.0), ("Fog", 1980, 1.0)],
    )
    _insert_people(conn, [("Robert Mitchum", 5.0), ("Shelley Winters", 3.0)])
    search_index.rebuild(conn)
    first = _snapshot(conn)
    search_index.rebuild(conn)
    with bulk.transaction(conn):  # inside an importer's own transaction too
        search_index.rebuild(conn)
    assert _snapshot(conn) == first
    films = dict(conn.execute("SELECT word, films FROM search_words").fetchall())
    assert films == {"night": 2, "of": 1, "the": 1, "hunter": 1, "and": 1, "fog": 2}
    deletes = {row[0] for row in conn.execute("SELECT variant FROM search_word_deletes")}
    assert {"nigt", "ight", "huter", "fo"} <= deletes
    assert len(first["search_name_suffixes"]) == 2


async def test_a_failed_rebuild_leaves_the_old_index(
    store: Store, conn: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    _insert_films(conn, [("Stalker", 1979, 1.0)])
    search_index.rebuild(conn)
    before = _snapshot(conn)

    def broken(_: sqlite3.Connection) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(search_index, "_rebuild_name_suffixes", broken)
    with pytest.raises(RuntimeError):
        search_index.rebuild(conn)
    assert _snapshot(conn) == before
    assert not conn.in_transaction


async def test_a_film_added_through_the_store_is_found_by_typo_at_once(store: Store) -> None:
    await add_film(store, NewFilm("Zatoichi", 2003, cast=[("Takeshi Kitano", "Zatoichi")]))
    assert (await resolve_film(store, "zatoichy")).film.title == "Zatoichi"
    assert (await resolve_person(store, "kitano")).person.name == "Takeshi Kitano"


async def test_a_renamed_film_is_found_by_its_new_title_after_index_films(
    store: Store, conn: sqlite3.Connection
) -> None:
    _insert_films(conn, [("Working Title", 2020, 1.0)])
    search_index.rebuild(conn)
    film_id = conn.execute("SELECT id FROM films").fetchone()[0]
    with bulk.transaction(conn):
        new = "Portrait of a Lady on Fire"
        conn.execute(
            "UPDATE films SET title = ?, title_key = ?, bare_key = ? WHERE id = ?",
            (new, title_key(new), bare_key(new), film_id),
        )
        search_index.index_films(conn, [film_id])
    assert (await resolve_film(store, "portrait of a lady on fyre")).film.id == film_id
    with pytest.raises(FilmNotFound):
        await resolve_film(store, "working title")


async def test_a_deleted_film_is_never_found(store: Store) -> None:
    await add_film(store, NewFilm("Nosferatu", 1922, popularity=100.0))
    await add_film(store, NewFilm("Nosferatu", 2024, popularity=10.0))
    gone = (await resolve_film(store, "nosferatu")).film
    assert gone.year == 1922
    await store.execute("DELETE FROM films WHERE id = ?", (gone.id,))
    match = await resolve_film(store, "nosferatu")
    assert match.film.year == 2024
    assert match.same_title == []
    assert (await resolve_film(store, "nosferatoo")).film.year == 2024
    await store.execute("DELETE FROM films")
    for query in ("nosferatu", "nosferatoo", f"id:{gone.id}"):
        with pytest.raises(FilmNotFound):
            await resolve_film(store, query)


async def test_surname_index_covers_the_best_known_people_and_full_names_find_anyone(
    store: Store, conn: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = [(f"Extra Number{i}", 0.0) for i in range(40)]
    people += [("Toshiro Mifune", 90.0), ("Takashi Shimura", 80.0)]
    _insert_people(conn, people)
    monkeypatch.setattr(search_index, "PEOPLE_INDEXED", 5)
    search_index.rebuild(conn)
    indexed = conn.execute("SELECT count(*) FROM search_name_suffixes").fetchone()[0]
    assert 2 <= indexed < len(people)
    assert (await resolve_person(store, "mifune")).person.name == "Toshiro Mifune"
    assert (await resolve_person(store, "shimura")).person.name == "Takashi Shimura"
    # Not in the surname index, but a full name is an exact key lookup.
    assert (await resolve_person(store, "extra number7")).person.name == "Extra Number7"


async def test_people_indexed_one_by_one_join_the_surname_index(
    store: Store, conn: sqlite3.Connection
) -> None:
    _insert_people(conn, [("Liv Ullmann", 1.0)])
    with pytest.raises(PersonNotFound):
        await resolve_person(store, "ullmann")
    person = conn.execute("SELECT id FROM people").fetchone()[0]
    with bulk.transaction(conn):
        search_index.index_people(conn, [person])
        search_index.index_people(conn, [person])  # twice changes nothing
    assert (await resolve_person(store, "ullmann")).person.name == "Liv Ullmann"
    assert conn.execute("SELECT count(*) FROM search_name_suffixes").fetchone()[0] == 1


def test_deletions_are_every_string_a_few_characters_shorter() -> None:
    assert search_index.deletions("heat", 1) == {"heat", "eat", "hat", "het", "hea"}
    assert "ht" in search_index.deletions("heat", 2)
    assert search_index.deletions("a", 2) == {"a"}


async def test_index_files_are_only_in_the_migration(tmp_path: Path) -> None:
    """A fresh store has the index tables, empty, at the latest version."""
    async with await Store.open(tmp_path / "new.db") as store:
        for table in INDEX_TABLES:
            assert await store.fetchval(f"SELECT count(*) FROM {table}") == 0


async def test_when_popularity_tells_nobody_apart_the_surname_index_stays_bounded(
    store: Store, conn: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    _insert_people(conn, [(f"Same Fame{i}", 0.0) for i in range(40)])
    monkeypatch.setattr(search_index, "PEOPLE_INDEXED", 5)
    search_index.rebuild(conn)
    assert conn.execute("SELECT count(*) FROM search_name_suffixes").fetchone()[0] == 5


@pytest.mark.parametrize("year", [None, 1990, 2030])
def test_a_title_shared_by_many_films_gives_those_near_the_year_then_the_best_known(
    conn: sqlite3.Connection, year: int | None
) -> None:
    # 300 films called "Love" and 300 "The Love"; popularity unrelated to year, with ties.
    shared = [
        (title, 1900 + (i * 7) % 130, float((i * 37) % 101))
        for i in range(300)
        for title in ("Love", "The Love")
    ]
    _insert_films(conn, shared)
    rows = conn.execute("SELECT id, title_key, bare_key, year, popularity FROM films").fetchall()

    def ranked(column: int, key: str) -> list[int]:
        films = [r for r in rows if r[column] == key]
        films.sort(key=lambda r: (year is None or abs(r[3] - year) > 1, -r[4], r[0]))
        return [r[0] for r in films[:10]]

    found = search_index.films_with_keys(conn, ["love"], ["the love"], per_key=10, year=year)
    assert sorted(c.film.id for c in found) == sorted(ranked(2, "love") + ranked(1, "the love"))
