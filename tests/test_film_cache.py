"""The resolution cache gives resolve_film's answers, and forgets them when the catalog moves."""

from __future__ import annotations

import sqlite3

import pytest

from bot.errors import FilmNotFound
from bot.film_cache import FilmCache
from bot.store import Store
from bot.store.films import NewFilm, add_film
from tests.catalog_fixtures import catalog_store

__all__ = ["catalog_store"]


async def test_repeats_are_answered_from_memory(catalog_store: Store) -> None:
    cache = FilmCache(catalog_store)
    first = await cache.resolve("Heat")
    again = await cache.resolve("  Heat ")
    assert again is first and first.film.label == "Heat (1995)"
    assert (cache.hits, cache.misses) == (1, 1)
    assert (await cache.resolve("heat 1986")).film.label == "Heat (1986)"


async def test_a_catalog_change_here_is_seen_at_once(catalog_store: Store) -> None:
    cache = FilmCache(catalog_store)
    assert (await cache.resolve("Heat")).film.year == 1995
    await add_film(catalog_store, NewFilm("Heat", 2031, popularity=10**9))
    assert (await cache.resolve("Heat")).film.year == 2031


async def test_unknown_films_are_not_remembered(catalog_store: Store) -> None:
    cache = FilmCache(catalog_store)
    with pytest.raises(FilmNotFound):
        await cache.resolve("Zzyzx Qwv")
    await add_film(catalog_store, NewFilm("Zzyzx Qwv", 2020))
    assert (await cache.resolve("Zzyzx Qwv")).film.title == "Zzyzx Qwv"


async def test_another_process_changing_the_catalog_is_seen_after_the_next_write(
    catalog_store: Store,
) -> None:
    cache = FilmCache(catalog_store)
    assert (await cache.resolve("Heat")).film.year == 1995
    with sqlite3.connect(catalog_store.path) as other:
        other.execute("UPDATE films SET popularity = 1e12 WHERE title = 'Heat' AND year = 1986")
    await catalog_store.execute("DELETE FROM ratings WHERE guild_id = -1")  # any write
    assert (await cache.resolve("Heat")).film.year == 1986


async def test_answers_expire(catalog_store: Store) -> None:
    cache = FilmCache(catalog_store, ttl=0)
    await cache.resolve("Heat")
    await cache.resolve("Heat")
    assert (cache.hits, cache.misses) == (0, 2)
