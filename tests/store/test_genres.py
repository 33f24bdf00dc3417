"""The genre taxonomy: loose names, descendants, counts."""

from __future__ import annotations

from bot.store import Store
from bot.store.films import film_genres
from bot.store.genres import (
    find_genre,
    genre_counts,
    genre_family,
    genre_film_ids,
    genre_parents,
    search_genres,
)


async def _film_id(store: Store, title: str, year: int) -> int:
    return int(
        await store.fetchval("SELECT id FROM films WHERE title = ? AND year = ?", (title, year))
    )


async def test_genre_names_are_matched_loosely(catalog_store: Store) -> None:
    for typed in ["Science Fiction", "science-fiction", "sci-fi", "SciFi", "sf", "SCI FI"]:
        found = await find_genre(catalog_store, typed)
        assert found is not None and found.name == "Science Fiction", typed
    neo = await find_genre(catalog_store, "neonoir")
    assert neo is not None and neo.name == "Neo-Noir"
    assert await find_genre(catalog_store, "western") is None
    assert await find_genre(catalog_store, "  ") is None


async def test_a_word_finds_every_genre_holding_it(catalog_store: Store) -> None:
    names = {g.name for g in await search_genres(catalog_store, "noir")}
    assert names == {"Film-Noir", "Neo-Noir"}
    assert [g.name for g in await search_genres(catalog_store, "romcom")] == ["Romantic Comedy"]
    assert await search_genres(catalog_store, "zzz") == []


async def test_a_parent_genre_includes_its_descendants(catalog_store: Store) -> None:
    crime = await find_genre(catalog_store, "crime")
    assert crime is not None
    family = [g.name for g in await genre_family(catalog_store, crime.id)]
    assert family[0] == "Crime"
    assert set(family) == {"Crime", "Film-Noir", "Neo-Noir", "Crime Thriller", "Heist Drama"}
    neo = await find_genre(catalog_store, "Neo-Noir")
    assert neo is not None
    assert {g.name for g in await genre_parents(catalog_store, neo.id)} == {"Crime", "Film-Noir"}
    # Crime films, best known first: Se7en, Blade Runner (Neo-Noir), Heat 1995 ...
    heat95 = await _film_id(catalog_store, "Heat", 1995)
    double = await _film_id(catalog_store, "Double Indemnity", 1944)
    ids = await genre_film_ids(catalog_store, crime.id)
    assert len(ids) == 6  # every film but Amélie
    assert ids.index(heat95) < ids.index(double)


async def test_genre_counts_include_descendants(catalog_store: Store) -> None:
    counts = {g.name: n for g, n in await genre_counts(catalog_store)}
    assert counts["Film-Noir"] == 4  # Double Indemnity + the three Neo-Noir films
    assert counts["Neo-Noir"] == 3
    assert counts["Heist Drama"] == 1
    assert counts["Comedy"] == 2  # The Heat, and Amélie through Romantic Comedy


async def test_a_film_shows_its_own_genres(catalog_store: Store) -> None:
    heat = await _film_id(catalog_store, "Heat", 1995)
    names = [g.name for g in await film_genres(catalog_store, heat)]
    assert names == ["Crime Thriller", "Heist Drama", "Neo-Noir"]


async def test_a_pasted_paragraph_is_no_genre(catalog_store: Store) -> None:
    assert await search_genres(catalog_store, "noir " * 2000) != []  # one word, repeated
    assert await search_genres(catalog_store, " ".join(f"w{n}" for n in range(2000))) == []
