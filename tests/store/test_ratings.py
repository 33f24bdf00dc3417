"""Members' ratings in the store: writes, per-server reads, the distribution, the leaderboard."""

from __future__ import annotations

import asyncio
import random
import sqlite3
from dataclasses import replace

import pytest

from bot.scores import bayesian_average
from bot.store import Store
from bot.store.films import NewFilm, add_film
from bot.store.guilds import set_bayes_m
from bot.store.ratings import (
    Distribution,
    distribution,
    film_rating,
    leaderboard,
    member_rating_count,
    member_ratings,
    member_score,
    member_scores,
    rate,
    rate_many,
    server_ratings,
    totals_off,
    unrate,
)

GUILD, OTHER_GUILD = 1001, 2002


async def films(store: Store, count: int, genres: tuple[str, ...] = ()) -> list[int]:
    return [
        await add_film(store, NewFilm(f"Film {n}", 1950 + n, genres=genres, popularity=n))
        for n in range(count)
    ]


async def test_rating_is_read_back_with_the_servers_count_and_mean(store: Store) -> None:
    heat, other = await films(store, 2)
    await rate(store, GUILD, 1, heat, 9)
    await rate(store, GUILD, 2, heat, 6.5)
    await rate(store, GUILD, 2, other, 3)
    found = await film_rating(store, GUILD, heat, member_id=2)
    assert (found.n, found.total, found.mean, found.own) == (2, 15.5, 7.75, 6.5)
    assert (await film_rating(store, GUILD, heat)).own is None
    assert await member_score(store, GUILD, 1, heat) == 9.0
    assert await member_scores(store, GUILD, 2, [heat, other, 999]) == {heat: 6.5, other: 3.0}


async def test_rerating_replaces_the_score_and_keeps_the_count(store: Store) -> None:
    (heat,) = await films(store, 1)
    await rate(store, GUILD, 1, heat, 4)
    await rate(store, GUILD, 1, heat, 10)
    found = await film_rating(store, GUILD, heat, 1)
    assert (found.n, found.mean, found.own) == (1, 10.0, 10.0)
    assert (await server_ratings(store, GUILD)).n == 1


async def test_a_film_nobody_rated_has_no_mean(store: Store) -> None:
    (heat,) = await films(store, 1)
    found = await film_rating(store, GUILD, heat, 1)
    assert (found.n, found.mean, found.own) == (0, None, None)
    assert await member_score(store, GUILD, 1, heat) is None
    assert (await server_ratings(store, GUILD)).mean is None


@pytest.mark.parametrize("score", [0, 0.5, 11, 9.3, -3, float("nan"), float("inf")])
async def test_the_table_refuses_what_is_not_a_score(store: Store, score: float) -> None:
    (heat,) = await films(store, 1)
    with pytest.raises(sqlite3.IntegrityError):
        await rate(store, GUILD, 1, heat, score)
    assert (await film_rating(store, GUILD, heat)).n == 0


async def test_rating_an_unknown_film_fails_and_stores_nothing(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        await rate(store, GUILD, 1, 12345, 8)
    assert (await server_ratings(store, GUILD)).n == 0


async def test_unrate_removes_only_that_members_rating(store: Store) -> None:
    (heat,) = await films(store, 1)
    await rate(store, GUILD, 1, heat, 8)
    await rate(store, GUILD, 2, heat, 6)
    assert await unrate(store, GUILD, 1, heat) == 8.0
    assert await unrate(store, GUILD, 1, heat) is None
    found = await film_rating(store, GUILD, heat, 2)
    assert (found.n, found.mean, found.own) == (1, 6.0, 6.0)
    assert await unrate(store, GUILD, 2, heat) == 6.0
    assert (await film_rating(store, GUILD, heat)).n == 0
    assert await store.fetchval("SELECT count(*) FROM film_stats") == 0


async def test_nothing_rated_in_one_server_is_visible_from_another(store: Store) -> None:
    heat, other = await films(store, 2)
    await rate(store, GUILD, 1, heat, 9)
    await rate(store, GUILD, 1, other, 7)
    await rate(store, OTHER_GUILD, 1, heat, 2)
    assert (await film_rating(store, OTHER_GUILD, heat, 1)).own == 2.0
    assert (await film_rating(store, OTHER_GUILD, other, 1)).n == 0
    assert [r.score for r in await member_ratings(store, OTHER_GUILD, 1)] == [2.0]
    assert (await distribution(store, OTHER_GUILD, heat)).counts == {2.0: 1}
    board = await leaderboard(store, OTHER_GUILD)
    assert [e.film.id for e in board.entries] == [heat] and board.c == 2.0
    assert await unrate(store, OTHER_GUILD, 1, other) is None
    assert (await film_rating(store, GUILD, other, 1)).own == 7.0


async def test_concurrent_rates_keep_exactly_the_last_score_of_each_member(store: Store) -> None:
    film_ids = await films(store, 5)
    rng = random.Random(5)
    sent = [
        (rng.choice((GUILD, OTHER_GUILD)), rng.randrange(40), rng.choice(film_ids), s / 2)
        for s in (rng.randrange(2, 21) for _ in range(2000))
    ]
    # One member's rates of one film go out in order, as one member's commands do.
    await asyncio.gather(*(rate(store, g, m, f, s) for g, m, f, s in sent))
    last = {(g, m, f): s for g, m, f, s in sent}
    rows = await store.fetchall("SELECT guild_id, member_id, film_id, score FROM ratings")
    assert {(r[0], r[1], r[2]): r[3] for r in rows} == last
    assert len(rows) == len(last)
    for guild in (GUILD, OTHER_GUILD):
        mine = [s for (g, _, _), s in last.items() if g == guild]
        stats = await server_ratings(store, guild)
        assert stats.n == len(mine) and stats.mean == pytest.approx(sum(mine) / len(mine))


# The distribution --------------------------------------------------------------------------------
def test_distribution_mean_median_and_bars() -> None:
    spread = Distribution(1, {1.0: 1, 7.5: 2, 8.0: 1, 10.0: 2})
    assert (spread.n, spread.mean, spread.median) == (6, 44 / 6, 7.75)
    assert spread.bars() == [(1, 1), (2, 0), (3, 0), (4, 0), (5, 0), (6, 0), (7, 2), (8, 1),
                             (9, 0), (10, 2)]  # fmt: skip
    odd = Distribution(1, {3.0: 1, 9.5: 1, 6.0: 1})
    assert odd.median == 6.0 and odd.bars()[9 - 1] == (9, 1)
    empty = Distribution(1, {})
    assert (empty.n, empty.mean, empty.median) == (0, None, None)
    assert all(count == 0 for _, count in empty.bars())


async def test_distribution_counts_each_score_given_in_this_server(store: Store) -> None:
    (heat,) = await films(store, 1)
    for member, score in enumerate([8, 8, 9.5, 2, 8.5]):
        await rate(store, GUILD, member, heat, score)
    await rate(store, OTHER_GUILD, 1, heat, 1)
    found = await distribution(store, GUILD, heat)
    assert found.counts == {2.0: 1, 8.0: 2, 8.5: 1, 9.5: 1}
    assert (found.n, found.median, found.mean) == (5, 8.0, 36 / 5)


# One member's ratings ------------------------------------------------------------------------
async def test_member_ratings_best_first_and_paged(store: Store) -> None:
    ids = await films(store, 4)
    for film_id, score in zip(ids, [7, 9.5, 3, 9.5], strict=True):
        await rate(store, GUILD, 1, film_id, score)
    await rate(store, GUILD, 2, ids[0], 10)
    everything = await member_ratings(store, GUILD, 1)
    assert [r.score for r in everything] == [9.5, 9.5, 7.0, 3.0]
    assert {r.film.id for r in everything[:2]} == {ids[1], ids[3]}
    page = await member_ratings(store, GUILD, 1, limit=2, offset=2)
    assert [(r.film.id, r.score) for r in page] == [(ids[0], 7.0), (ids[2], 3.0)]
    assert await member_rating_count(store, GUILD, 1) == 4
    assert await member_rating_count(store, OTHER_GUILD, 1) == 0


# The leaderboard ---------------------------------------------------------------------------------
async def test_one_ten_never_tops_many_nines(store: Store) -> None:
    lone_ten, many_nines, middling = await films(store, 3)
    await rate(store, GUILD, 1, lone_ten, 10)
    for member in range(1, 21):
        await rate(store, GUILD, member, many_nines, 9)
        await rate(store, GUILD, member, middling, 6)
    board = await leaderboard(store, GUILD)
    assert [e.film.id for e in board.entries] == [many_nines, lone_ten, middling]
    assert [e.n for e in board.entries] == [20, 1, 20]


async def test_leaderboard_is_the_bayesian_average_with_the_servers_m_and_mean(
    store: Store,
) -> None:
    ids = await films(store, 6)
    rng = random.Random(7)
    for film_id in ids:
        for member in range(rng.randrange(1, 12)):
            await rate(store, GUILD, member, film_id, rng.randrange(2, 21) / 2)
    await set_bayes_m(store, GUILD, 5)
    rows = await store.fetchall("SELECT film_id, score FROM ratings WHERE guild_id = ?", (GUILD,))
    scores: dict[int, list[float]] = {}
    for row in rows:
        scores.setdefault(row[0], []).append(row[1])
    c = sum(s for v in scores.values() for s in v) / len(rows)
    expected = {f: bayesian_average(len(v), sum(v) / len(v), 5, c) for f, v in scores.items()}
    board = await leaderboard(store, GUILD, limit=100)
    assert (board.m, board.c, len(board.entries)) == (5.0, pytest.approx(c), len(ids))
    assert [e.film.id for e in board.entries] == sorted(expected, key=lambda f: -expected[f])
    for entry in board.entries:
        assert entry.bayesian == pytest.approx(expected[entry.film.id])
        assert (entry.n, entry.mean) == (len(scores[entry.film.id]), pytest.approx(
            sum(scores[entry.film.id]) / len(scores[entry.film.id])))  # fmt: skip


async def test_the_servers_m_changes_the_order(store: Store) -> None:
    favourite, one_seven, many_seven_halves = await films(store, 3)
    for member in range(30):
        await rate(store, GUILD, member, favourite, 10)
        await rate(store, GUILD, member, many_seven_halves, 7.5)
    await rate(store, GUILD, 1, one_seven, 7)
    # C = 532/61 = 8.72. With m = 3 the lone 7 is pulled up to 8.29, past thirty 7.5s (7.61);
    # with m = 0 the plain means rank them.
    assert [e.film.id for e in (await leaderboard(store, GUILD)).entries] == [
        favourite,
        one_seven,
        many_seven_halves,
    ]
    await set_bayes_m(store, GUILD, 0)
    board = await leaderboard(store, GUILD)
    assert board.m == 0
    assert [(e.film.id, e.bayesian) for e in board.entries] == [
        (favourite, 10.0),
        (many_seven_halves, 7.5),
        (one_seven, 7.0),
    ]


async def test_leaderboard_pages_and_an_empty_page(store: Store) -> None:
    ids = await films(store, 5)
    for rank, film_id in enumerate(ids):
        await rate(store, GUILD, 1, film_id, 10 - rank)
    page = await leaderboard(store, GUILD, limit=2, offset=2)
    assert [e.film.id for e in page.entries] == ids[2:4]
    assert page.first_rank == 3
    beyond = await leaderboard(store, GUILD, limit=2, offset=10)
    assert (beyond.entries, beyond.first_rank, beyond.m, beyond.c) == ([], 11, 3.0, 8.0)
    nothing = await leaderboard(store, OTHER_GUILD)
    assert (nothing.entries, nothing.c) == ([], None)


async def test_leaderboard_of_a_genre_includes_the_genres_below_it(catalog_store: Store) -> None:
    store = catalog_store
    rows = await store.fetchall("SELECT id, title, year FROM films")
    by_label = {f"{r['title']} ({r['year']})": r["id"] for r in rows}
    for label, score in [
        ("Heat (1995)", 9),  # Crime Thriller, Heist Drama, Neo-Noir: all below Crime
        ("Double Indemnity (1944)", 8),  # Film-Noir, below Crime
        ("The Heat (2013)", 5),  # Crime itself, and Comedy
        ("Amélie (2001)", 10),  # Romantic Comedy: not crime
    ]:
        await rate(store, GUILD, 1, by_label[label], score)
    crime = await store.fetchval("SELECT id FROM genres WHERE name = 'Crime'")
    board = await leaderboard(store, GUILD, genre_ids=[crime])
    assert [e.film.label for e in board.entries] == [
        "Heat (1995)",
        "Double Indemnity (1944)",
        "The Heat (2013)",
    ]
    noir = await store.fetchall("SELECT id FROM genres WHERE name IN ('Neo-Noir', 'Film-Noir')")
    board = await leaderboard(store, GUILD, genre_ids=[r[0] for r in noir])
    assert [e.film.label for e in board.entries] == ["Heat (1995)", "Double Indemnity (1944)"]


@pytest.mark.parametrize("m", [0, 0.5, 3, 10, 50])
async def test_the_leaderboard_is_exact_for_any_m_page_and_genre(store: Store, m: float) -> None:
    """The leaderboard reads films in a fixed prior's order and stops early (C = 7, m = 3);
    under every other m and C its pages must still be a full ranking's, ties included."""
    rng = random.Random(m)
    popularity: dict[int, int] = {}
    for n in range(300):  # popularity repeats: ties down to the id
        film = NewFilm(f"Ranked {n}", 1900 + n // 3, genres=("Odd" if n % 2 else "Even",))
        film_id = await add_film(store, replace(film, popularity=n % 37))
        popularity[film_id] = n % 37
    ids = list(popularity)
    odd = ids[1::2]
    # Mostly generous members (C near 8.5, above the index's 7), many lone ratings, ties.
    rows = [
        (member, film, rng.choice([10.0, 9.5, 9.0, 8.0, 6.0, 2.0]))
        for film in ids
        for member in range(rng.choice([1, 1, 2, 5, 40]))
    ]
    await rate_many(store, GUILD, rows)
    await rate_many(store, OTHER_GUILD, [(1, film, 10.0) for film in ids[:50]])
    await set_bayes_m(store, GUILD, m)
    scores: dict[int, list[float]] = {}
    for _, film, score in rows:
        scores.setdefault(film, []).append(score)
    c = sum(map(sum, scores.values())) / len(rows)

    def full_ranking(among: list[int]) -> list[int]:
        def key(film: int) -> tuple[float, int, int, int]:
            v = scores[film]
            return (-((sum(v) + m * c) / (len(v) + m)), -len(v), -popularity[film], film)

        return sorted((f for f in among if f in scores), key=key)

    everything, odd_only = full_ranking(ids), full_ranking(odd)
    for limit, offset in [(10, 0), (1, 0), (7, 13), (100, 0), (10, 290)]:
        board = await leaderboard(store, GUILD, limit=limit, offset=offset)
        assert [e.film.id for e in board.entries] == everything[offset : offset + limit]
    odd_genre = await store.fetchval("SELECT id FROM genres WHERE name = 'Odd'")
    board = await leaderboard(store, GUILD, genre_ids=[odd_genre], limit=25)
    assert [e.film.id for e in board.entries] == odd_only[:25]


async def test_many_ratings_at_once_are_stored_as_rate_stores_each(store: Store) -> None:
    first, second = await films(store, 2)
    await rate(store, GUILD, 1, first, 4.0)
    stored = await rate_many(store, GUILD, [(1, first, 9.0), (2, first, 7.0), (2, second, 8.5)])
    assert stored == 3
    assert await member_score(store, GUILD, 1, first) == 9.0  # replaced, as rate replaces
    assert (await film_rating(store, GUILD, first)).n == 2
    assert (await server_ratings(store, GUILD)).n == 3
    assert (await server_ratings(store, OTHER_GUILD)).n == 0
    with pytest.raises(sqlite3.IntegrityError):
        await rate_many(store, GUILD, [(3, first, 8.0), (3, second, 11.0)])
    assert await member_score(store, GUILD, 3, first) is None  # nothing of a bad batch is kept


async def test_totals_off_finds_stats_that_disagree_with_the_ratings(store: Store) -> None:
    heat, other = await films(store, 2)
    for member in range(5):
        await rate(store, GUILD, member, heat, 8)
        await rate(store, OTHER_GUILD, member, other, 6)
    await unrate(store, GUILD, 0, heat)
    with sqlite3.connect(store.path) as conn:
        assert totals_off(conn) == 0
        conn.execute("UPDATE film_stats SET total = total + 1 WHERE film_id = ?", (heat,))
        conn.execute("DELETE FROM guild_stats WHERE guild_id = ?", (OTHER_GUILD,))
        assert totals_off(conn) == 2
