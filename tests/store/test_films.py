"""Films, people and credits: adding, reading, and the order things come back in."""

from __future__ import annotations

import pytest

from bot.errors import FilmExists
from bot.store import Store
from bot.store.films import (
    NewFilm,
    add_film,
    film_aliases,
    film_countries,
    film_credits,
    film_genres,
    films_with_server_ratings,
    get_film,
    get_films,
)
from bot.store.models import Film, parse_imdb_title
from bot.store.people import get_person, people_named, person_credits
from bot.store.ratings import rate

HEAT = NewFilm(
    title="Heat",
    year=1995,
    runtime=170,
    imdb_id=113277,
    popularity=750_000,
    genres=["Crime Thriller", "Neo-Noir"],
    directors=["Michael Mann"],
    writers=["Michael Mann"],
    cast=[("Al Pacino", "Lt. Vincent Hanna"), ("Robert De Niro", "Neil McCauley")],
    countries=["United States"],
)


def test_film_label_and_imdb_forms() -> None:
    heat = Film(1, "Heat", 1995, 170, 113277, "movie", 1.0)
    assert (heat.label, heat.imdb) == ("Heat (1995)", "tt0113277")
    undated = Film(2, "Heat", None, None, None, "movie", 0.0)
    assert (undated.label, undated.imdb) == ("Heat", None)
    assert parse_imdb_title("tt0113277") == parse_imdb_title("113277") == 113277
    assert parse_imdb_title("nm0000134") is None
    assert parse_imdb_title("tt0") is None


async def test_add_film_stores_everything_it_names(store: Store) -> None:
    film_id = await add_film(store, HEAT)
    film = await get_film(store, film_id)
    assert film == Film(film_id, "Heat", 1995, 170, 113277, "movie", 750_000)
    assert [g.name for g in await film_genres(store, film_id)] == ["Crime Thriller", "Neo-Noir"]
    credits = [(c.name, c.role, c.character, c.billing) for c in await film_credits(store, film_id)]
    assert credits == [
        ("Al Pacino", "actor", "Lt. Vincent Hanna", 1),
        ("Robert De Niro", "actor", "Neil McCauley", 2),
        ("Michael Mann", "director", None, 1),
        ("Michael Mann", "writer", None, 1),
    ]
    assert await film_countries(store, film_id) == ["United States"]
    # One Michael Mann, credited twice.
    assert await store.fetchval("SELECT count(*) FROM people") == 3


async def test_add_film_reuses_people_and_genres_by_key(store: Store) -> None:
    await add_film(store, HEAT)
    insider = NewFilm(
        title="The Insider",
        year=1999,
        genres=["neo noir", "Drama"],  # an existing genre by another spelling, and a new one
        directors=["MICHAEL MANN"],
        cast=[("Al Pacino", "Lowell Bergman"), ("Russell Crowe", "Jeffrey Wigand")],
    )
    insider_id = await add_film(store, insider)
    assert [g.name for g in await film_genres(store, insider_id)] == ["Drama", "Neo-Noir"]
    assert await store.fetchval("SELECT count(*) FROM people") == 4
    assert await store.fetchval("SELECT count(*) FROM genres") == 3
    pacino = (await people_named(store, "al pacino"))[0]
    films = [(f.label, c.character) for f, c in await person_credits(store, pacino.id)]
    assert films == [("The Insider (1999)", "Lowell Bergman"), ("Heat (1995)", "Lt. Vincent Hanna")]
    assert await get_person(store, pacino.id) == pacino


@pytest.mark.parametrize(
    "clash",
    [
        NewFilm(title="Heat", year=1995),  # same title and year
        NewFilm(title="heat!", year=1995),  # same title key
        NewFilm(title="Something Else", year=2000, imdb_id=113277),  # same IMDb id
    ],
)
async def test_adding_a_film_twice_raises_film_exists(store: Store, clash: NewFilm) -> None:
    first = await add_film(store, HEAT)
    with pytest.raises(FilmExists) as raised:
        await add_film(store, clash)
    assert raised.value.film_id == first
    assert "already in the catalog" in raised.value.user_message
    assert await store.fetchval("SELECT count(*) FROM films") == 1
    assert await store.fetchval("SELECT count(*) FROM people") == 3  # nothing half-written


async def test_same_title_other_year_is_another_film(store: Store) -> None:
    first = await add_film(store, HEAT)
    second = await add_film(store, NewFilm(title="Heat", year=1986, aliases=["Heat", "Hot"]))
    assert first != second
    assert await film_aliases(store, second) == ["Hot"]  # its own title is no alias


async def test_get_films_keeps_the_order_given(store: Store) -> None:
    ids = [await add_film(store, NewFilm(title=f"Film {n}", year=2000 + n)) for n in range(5)]
    wanted = [ids[3], ids[0], 9999, ids[4]]
    assert [f.id for f in await get_films(store, wanted)] == [ids[3], ids[0], ids[4]]
    assert await get_films(store, []) == []
    assert await get_film(store, 9999) is None


async def test_films_with_server_ratings_count_only_that_servers(store: Store) -> None:
    heat = await add_film(store, HEAT)
    quiet = await add_film(store, NewFilm(title="Quiet", year=2001))
    for member, score in ((1, 9.0), (2, 7.0)):
        await rate(store, 10, member, heat, score)
    await rate(store, 20, 1, heat, 2.0)  # another server's rating: never counted in 10's
    found = await store.read(lambda conn: films_with_server_ratings(conn, 10, [heat, quiet, 999]))
    by_title = {film.title: (n, total) for film, n, total in found}
    assert by_title == {"Heat": (2, 16.0), "Quiet": (0, 0.0)}
    elsewhere = await store.read(lambda conn: films_with_server_ratings(conn, 20, [heat]))
    assert [(film.id, n, total) for film, n, total in elsewhere] == [(heat, 1, 2.0)]
