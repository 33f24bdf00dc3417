"""Genres as members name them, a film called like a genre, and a genre's films ranked."""

from __future__ import annotations

import pytest

from bot import browse
from bot.errors import GenreNotFound, GenreOrFilmNotFound
from bot.search import FilmMatch
from bot.store import Store
from bot.store.browse import TaxonomyEntry
from bot.store.films import NewFilm, add_film
from bot.store.models import Genre
from bot.store.ratings import rate
from tests import catalog_fixtures

catalog = catalog_fixtures.catalog_store

GUILD = 1_000_000_000_000_001


async def test_a_genre_name_or_a_loose_one_names_a_genre(catalog: Store) -> None:
    for text, name in [
        ("crime", "Crime"),
        ("NEO NOIR", "Neo-Noir"),
        ("sci-fi", "Science Fiction"),
        ("scifi", "Science Fiction"),
        ("romcom", "Romantic Comedy"),
        ("noir", "Film-Noir"),
    ]:
        found = await browse.genre_or_film(catalog, text)
        assert isinstance(found, browse.GenreChoice), text
        assert found.genre.name == name and found.namesake is None


async def test_anything_else_is_a_film(catalog: Store) -> None:
    found = await browse.genre_or_film(catalog, "heat 1986")
    assert isinstance(found, FilmMatch) and found.film.label == "Heat (1986)"


async def test_a_genre_wins_over_its_namesake_film_which_the_year_reaches(
    catalog: Store,
) -> None:
    await add_film(catalog, NewFilm("Crime", 2005, genres=["Drama"]))
    found = await browse.genre_or_film(catalog, "Crime")
    assert isinstance(found, browse.GenreChoice)
    assert found.genre.name == "Crime"
    assert found.namesake is not None and found.namesake.label == "Crime (2005)"
    film = await browse.genre_or_film(catalog, "Crime (2005)")
    assert isinstance(film, FilmMatch) and film.film.label == "Crime (2005)"


async def test_neither_a_genre_nor_a_film_gets_suggestions(catalog: Store) -> None:
    with pytest.raises(GenreOrFilmNotFound) as raised:
        await browse.genre_or_film(catalog, "thriler")
    assert raised.value.user_message.startswith(
        "No genre or film matching *thriler*. Did you mean Thriller"
    )
    with pytest.raises(GenreNotFound) as missing:
        await browse.resolve_genre(catalog, "comedi")
    assert "Comedy" in missing.value.user_message
    assert (await browse.resolve_genre(catalog, "neonoir")).name == "Neo-Noir"


async def test_a_genre_ranks_this_servers_favourites_then_the_best_known(
    catalog: Store,
) -> None:
    crime = await browse.resolve_genre(catalog, "crime")
    by_fame = [r.film.label for r in await browse.genre_ranking(catalog, GUILD, crime)]
    assert by_fame[0] == "Se7en (1995)"  # the best known; no ratings yet
    assert "Heat (1995)" in by_fame and "Amélie (2001)" not in by_fame
    films = {label: i for i, label in enumerate(by_fame)}
    ids = dict(
        await catalog.fetchall(
            "SELECT title || ' (' || year || ')', id FROM films WHERE title || ' (' || year || ')'"
            " IN ('Double Indemnity (1944)', 'Se7en (1995)')"
        )
    )
    for member in range(1, 6):
        await rate(catalog, GUILD, member, ids["Double Indemnity (1944)"], 10.0)
        await rate(catalog, GUILD, member, ids["Se7en (1995)"], 3.0)
    ranked = await browse.genre_ranking(catalog, GUILD, crime)
    labels = [r.film.label for r in ranked]
    assert labels[0] == "Double Indemnity (1944)"
    assert labels[-1] == "Se7en (1995)"  # rated below this server's mean: after the unrated
    assert ranked[0].n == 5 and ranked[0].mean == 10.0
    assert len(labels) == len(films)
    # In a DM there are no server ratings: fame alone.
    assert [r.film.label for r in await browse.genre_ranking(catalog, None, crime)] == (by_fame)


def test_the_genre_tree_puts_sub_genres_under_each_parent() -> None:
    crime, thriller, noir, neo = (
        Genre(1, "Crime"),
        Genre(2, "Thriller"),
        Genre(3, "Noir"),
        (Genre(4, "Neo-Noir")),
    )
    entries = [
        TaxonomyEntry(crime, ()),
        TaxonomyEntry(thriller, ()),
        TaxonomyEntry(noir, (1,)),
        TaxonomyEntry(neo, (1, 3)),
    ]
    lines = [(c.genre.name, c.films, c.depth) for c in browse.genre_tree(entries, {1: 9, 4: 2})]
    assert lines == [
        ("Crime", 9, 0),
        ("Noir", 0, 1),
        ("Neo-Noir", 2, 2),
        ("Neo-Noir", 2, 1),
        ("Thriller", 0, 0),
    ]
