"""Picks and similar films on a real store with the test catalog: what is asked, what is
picked, and why."""

from __future__ import annotations

import random

import pytest

from bot import recommend
from bot.errors import BadDecade, GenreNotFound, NothingToPick
from bot.recommend import Request
from bot.store import Store, picks
from bot.store.genres import find_genre
from bot.store.models import Film
from bot.store.picks import Prior
from bot.store.pools import ANY
from bot.store.ratings import rate
from tests import catalog_fixtures

catalog = catalog_fixtures.catalog_store

GUILD = 1_000_000_000_000_001
OTHER_GUILD = 1_000_000_000_000_002
MEMBER = 2_000_000_000_000_001


@pytest.mark.parametrize(
    ("text", "decade"),
    [
        ("90s", 1990),
        ("'90s", 1990),
        ("1990s", 1990),
        ("1990", 1990),
        ("1995", 1990),
        ("20s", 1920),
        ("00s", 2000),
        ("10s", 2010),
        ("2020s", 2020),
        ("1890s", 1890),
    ],
)
def test_decades_as_members_write_them(text: str, decade: int) -> None:
    assert recommend.parse_decade(text) == decade


@pytest.mark.parametrize("text", ["85s", "1995s", "abc", "3000s", "9", "", "1790s", "90ss"])
def test_what_is_not_a_decade(text: str) -> None:
    with pytest.raises(BadDecade) as raised:
        recommend.parse_decade(text)
    assert "Decades look like `90s`, `1990s` or `1990`." in raised.value.user_message


def test_a_request_is_a_genre_and_a_decade_in_either_order() -> None:
    assert recommend.split_request("neo-noir 90s") == ("neo-noir", 1990)
    assert recommend.split_request("1980s science fiction") == ("science fiction", 1980)
    assert recommend.split_request("crime") == ("crime", ANY)
    assert recommend.split_request("") == ("", ANY)
    with pytest.raises(BadDecade):
        recommend.split_request("crime 85s")


async def film(store: Store, imdb: int) -> Film:
    row = await store.fetchone("SELECT id FROM films WHERE imdb_id = ?", (imdb,))
    assert row is not None
    found = await store.fetchall(
        "SELECT id, title, year, runtime, imdb_id, kind, popularity FROM films WHERE id = ?",
        (row[0],),
    )
    return Film(*found[0])


HEAT, HEAT_86, SE7EN, BLADE_RUNNER, DOUBLE_INDEMNITY, THE_HEAT = (
    113277,
    91183,
    114369,
    83658,
    36775,
    2404463,
)


async def noir_request(store: Store, member: int = MEMBER, **changes: object) -> Request:
    genre = await find_genre(store, "neo-noir")
    assert genre is not None
    request = Request(GUILD, member, genre)
    return Request(**{**request.__dict__, **changes})  # type: ignore[arg-type]


async def test_a_new_server_gets_the_best_known_films_of_the_genre(catalog: Store) -> None:
    prior = await catalog.read(lambda conn: picks.server_prior(conn, GUILD))
    assert prior == Prior(0, picks.NO_MEAN, 3.0)
    request = await noir_request(catalog)
    picked = {
        (await recommend.pick(catalog, request, random.Random(seed))).film.title
        for seed in range(20)
    }
    assert picked <= {"Heat", "Se7en", "Blade Runner"}
    assert "Se7en" in picked  # the best known of them
    choice = await recommend.pick(catalog, request, random.Random(0))
    assert choice.reason in ("a classic of Neo-Noir", "one of the best-known films of Neo-Noir")


async def test_a_genre_as_typed_is_named_in_the_picks_own_trip_to_the_reader(
    catalog: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    trips = 0
    read = catalog.read

    async def counted(run):  # type: ignore[no-untyped-def]
        nonlocal trips
        trips += 1
        return await read(run)

    monkeypatch.setattr(catalog, "read", counted)
    typed = Request(GUILD, MEMBER, genre_text="neo noir")
    named = await noir_request(catalog)
    trips = 0
    for seed in range(5):
        assert (await recommend.pick(catalog, typed, random.Random(seed))) == (
            await recommend.pick(catalog, named, random.Random(seed))
        )
    assert trips == 10  # one per pick, whether the genre came typed or already named
    with pytest.raises(GenreNotFound) as unknown:
        await recommend.pick(catalog, Request(GUILD, MEMBER, genre_text="comedi"))
    assert unknown.value.suggestions[:1] == ["Comedy"]  # a second trip only for a bad name


async def test_a_pick_is_never_rated_by_the_asker_nor_already_shown(catalog: Store) -> None:
    se7en, heat = await film(catalog, SE7EN), await film(catalog, HEAT)
    await rate(catalog, GUILD, MEMBER, se7en.id, 6.0)
    request = await noir_request(catalog, excluded=[heat.id])
    for seed in range(10):
        chosen = await recommend.pick(catalog, request, random.Random(seed))
        assert chosen.film.title == "Blade Runner"
    with pytest.raises(NothingToPick):
        blade = await film(catalog, BLADE_RUNNER)
        gone = await noir_request(catalog, excluded=[heat.id, blade.id])
        await recommend.pick(catalog, gone)


async def test_a_pick_like_a_favourite_says_so(catalog: Store) -> None:
    heat, blade = await film(catalog, HEAT), await film(catalog, BLADE_RUNNER)
    await rate(catalog, GUILD, MEMBER, heat.id, 9.0)
    chosen = await recommend.pick(
        catalog, await noir_request(catalog, excluded=[blade.id]), random.Random(0)
    )
    assert chosen.film.title == "Se7en"
    assert chosen.reason.startswith("because you rated Heat (1995) 9/10")
    assert "Neo-Noir" in chosen.reason and "Crime Thriller" in chosen.reason


async def test_a_film_the_server_loves_is_picked_for_that(catalog: Store) -> None:
    se7en, blade = await film(catalog, SE7EN), await film(catalog, BLADE_RUNNER)
    for member in range(1, 9):
        await rate(catalog, GUILD, member, blade.id, 10.0)
        await rate(catalog, GUILD, member, se7en.id, 4.0)
    request = await noir_request(catalog)
    chosen = await recommend.pick(catalog, request, random.Random(0))
    assert chosen.film.title == "Blade Runner"
    assert chosen.reason == "popular in this server: 10.0/10 from 8 ratings"
    assert (chosen.n, chosen.mean) == (8, 10.0)
    here = await catalog.read(lambda conn: picks.server_prior(conn, GUILD))
    assert (here.n, here.mean, here.m) == (16, 7.0, 3.0)
    # Another server knows nothing of it.
    elsewhere = await catalog.read(lambda conn: picks.server_prior(conn, OTHER_GUILD))
    assert elsewhere == Prior(0, picks.NO_MEAN, 3.0)


async def test_decade_narrows_the_pick(catalog: Store) -> None:
    request = await noir_request(catalog, decade=1980)
    chosen = await recommend.pick(catalog, request, random.Random(0))
    assert chosen.film.title == "Blade Runner"
    assert chosen.reason.endswith("Neo-Noir in the 1980s")
    with pytest.raises(NothingToPick):
        await recommend.pick(catalog, await noir_request(catalog, decade=1950))


async def test_similar_films_share_genres_people_or_fans(catalog: Store) -> None:
    heat, indemnity = await film(catalog, HEAT), await film(catalog, DOUBLE_INDEMNITY)
    for member in (1, 2):
        await rate(catalog, GUILD, member, heat.id, 9.0)
        await rate(catalog, GUILD, member, indemnity.id, 9.0)
    found = await recommend.similar(catalog, heat, GUILD)
    titles = [s.film.label for s in found]
    assert titles[0] == "Se7en (1995)"
    assert found[0].reasons == ["also Crime Thriller, Neo-Noir"]
    assert "Heat (1995)" not in titles and "The Heat (2013)" not in titles
    by_title = {s.film.label: s.reasons for s in found}
    assert "2 members here liked both" in by_title["Double Indemnity (1944)"]
    # Fans in this server are never counted in another.
    elsewhere = {s.film.label for s in await recommend.similar(catalog, heat, OTHER_GUILD)}
    assert "Double Indemnity (1944)" not in elsewhere
    assert len(found) <= recommend.SIMILAR


async def test_the_servers_favourites_follow_every_new_rating(catalog: Store) -> None:
    # Each reader keeps the server's best-rated films between picks: a rating committed since
    # must show on every reader's next pick.
    se7en, blade = await film(catalog, SE7EN), await film(catalog, BLADE_RUNNER)
    noir = await find_genre(catalog, "neo-noir")
    assert noir is not None

    async def favourites(where: picks.Filter) -> list[int]:
        found = await catalog.read(lambda conn: picks.server_favourites(conn, where))
        return [stat.film_id for stat in found]

    for member in range(1, 4):
        await rate(catalog, GUILD, member, blade.id, 10.0)
    for _ in range(2):  # both readers
        assert await favourites(picks.Filter(GUILD)) == [blade.id]
    await rate(catalog, GUILD, 9, se7en.id, 10.0)
    for _ in range(2):
        assert await favourites(picks.Filter(GUILD)) == [blade.id, se7en.id]
        # narrowed as the queries narrow: genre, decade, the member's own ratings, shown
        assert await favourites(picks.Filter(GUILD, genre_id=noir.id, decade=1980)) == [blade.id]
        assert await favourites(picks.Filter(GUILD, decade=1990)) == [se7en.id]
        assert await favourites(picks.Filter(GUILD, member_id=1)) == [se7en.id]
        assert await favourites(picks.Filter(GUILD, excluded=[se7en.id])) == [blade.id]
    assert await favourites(picks.Filter(OTHER_GUILD)) == []
