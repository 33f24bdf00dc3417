"""Candidate pools: each genre's (and its sub-genres') best-known films per decade, kept in step."""

from __future__ import annotations

import asyncio

from bot.store import Store, picks, pools, steps
from bot.store.films import NewFilm, add_film
from bot.store.genres import find_genre
from bot.store.picks import Filter


async def _genre(store: Store, name: str) -> int:
    genre = await find_genre(store, name)
    assert genre is not None
    return genre.id


async def _pooled(store: Store, genre_id: int, decade: int = pools.ANY) -> list[int]:
    where = Filter(guild_id=1, decade=decade)
    return await store.read(lambda conn: picks.pooled(conn, where, genre_id))


async def _titles(store: Store, genre_id: int, decade: int = pools.ANY) -> list[str]:
    rows = await store.fetchall(
        "SELECT films.title || ' (' || films.year || ')' FROM film_pool "
        "JOIN films ON films.id = film_id WHERE genre_id = ? AND decade = ? "
        "ORDER BY film_pool.popularity DESC, film_id",
        (genre_id, decade),
    )
    return [r[0] for r in rows]


def test_ancestry_follows_every_parent_and_survives_a_cycle() -> None:
    # Neo-Noir (3) under Crime (1) and Film-Noir (2), Film-Noir under Crime; 4 <-> 5 a cycle.
    lineage = pools.ancestry([(3, 1), (3, 2), (2, 1), (4, 5), (5, 4)])
    assert lineage[3] == {1, 2, 3}
    assert lineage[2] == {1, 2}
    assert lineage[4] == lineage[5] == {4, 5}


def test_a_film_is_in_its_genres_and_decade_and_in_every_genre_and_decade() -> None:
    assert pools.slices({7, 9}, 1995) == {(0, 0), (0, 1990), (7, 0), (7, 1990), (9, 0), (9, 1990)}
    assert pools.slices(set(), None) == {(0, 0)}


async def test_the_catalog_import_builds_pools_through_sub_genres(catalog_store: Store) -> None:
    crime = await _genre(catalog_store, "Crime")
    # Heat (1995) is Crime only through Crime Thriller, Heist Drama and Neo-Noir.
    assert "Heat (1995)" in await _titles(catalog_store, crime)
    assert "Heat (1995)" in await _titles(catalog_store, crime, 1990)
    assert "Heat (1995)" not in await _titles(catalog_store, crime, 1980)
    noir = await _genre(catalog_store, "Film-Noir")
    assert set(await _titles(catalog_store, noir)) == {
        "Double Indemnity (1944)",
        "Blade Runner (1982)",
        "Heat (1995)",
        "Se7en (1995)",
    }
    everything = await _titles(catalog_store, pools.ANY)
    films = await catalog_store.fetchval("SELECT count(*) FROM films")
    assert len(everything) == films
    popularity = [
        r[0]
        for r in await catalog_store.fetchall(
            "SELECT films.popularity FROM film_pool JOIN films ON films.id = film_id "
            "WHERE genre_id = 0 AND decade = 0 ORDER BY film_pool.popularity DESC"
        )
    ]
    assert popularity == sorted(popularity, reverse=True) and len(popularity) == films
    assert await pools.pool_size(catalog_store, noir) == 4
    assert await pools.pool_size(catalog_store, crime, 1990) == 2  # Heat and Se7en
    assert (await pools.genre_sizes(catalog_store))[noir] == 4


async def test_a_rebuild_keeps_the_best_known_films_of_a_full_pool(catalog_store: Store) -> None:
    await asyncio.to_thread(pools.rebuild_at, catalog_store.path, 2)
    crime = await _genre(catalog_store, "Crime")
    pooled = await _pooled(catalog_store, crime)
    assert len(pooled) == 2
    best = await catalog_store.fetchall(
        "SELECT id FROM films WHERE id IN (SELECT film_id FROM film_genres) "
        "AND year IS NOT NULL ORDER BY popularity DESC LIMIT 2"
    )
    assert pooled == [r[0] for r in best]
    assert await pools.pool_size(catalog_store, crime) > 2  # counts are of every film


async def test_a_film_added_on_the_bot_joins_its_pools_at_once(catalog_store: Store) -> None:
    noir = await _genre(catalog_store, "Neo-Noir")
    before = await pools.pool_size(catalog_store, noir, 2010)
    film = await add_film(
        catalog_store,
        NewFilm("Drive", 2011, genres=["Neo-Noir"], directors=["Nicolas Winding Refn"]),
    )
    crime = await _genre(catalog_store, "Crime")
    for genre, decade in [(noir, 2010), (crime, 2010), (crime, 0), (pools.ANY, 2010)]:
        assert film in await _pooled(catalog_store, genre, decade)
    assert await pools.pool_size(catalog_store, noir, 2010) == before + 1

    await catalog_store.write(lambda conn: steps.run_async(conn, pools.unpool_film(film)))
    assert await pools.pool_size(catalog_store, noir, 2010) == before
    assert not await catalog_store.fetchval(
        "SELECT count(*) FROM film_pool WHERE film_id = ?", (film,)
    )


async def test_pools_are_marked_built_even_for_an_empty_catalog(store: Store) -> None:
    assert not await pools.pools_built(store)
    assert await asyncio.to_thread(pools.rebuild_at, store.path) == 0
    assert await pools.pools_built(store)
