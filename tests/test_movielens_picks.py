"""Picks and the leaderboard on real ratings: MovieLens's 100,836 ratings by 610 members, all
members of one server, over its 9,742 films.

The ratings go in through the store's ``rate_many`` (one transaction) rather than through
Discord, to keep the test quick. Latency is a benchmark's business, not a test's:
``bench/bench_movielens_replay.py`` replays the same ratings through ``!rate`` and then times
``!top`` and ``!pick`` against issue 4's targets (docs/benchmarks.md).
"""

from __future__ import annotations

import asyncio
import csv
import random
from collections import defaultdict
from pathlib import Path

import pytest

from bench.bench_movielens_replay import import_rated
from bot import recommend
from bot.importers.movielens import SOURCE
from bot.scores import bayesian_average
from bot.store import Store, picks
from bot.store.genres import find_genre
from bot.store.guilds import DEFAULT_BAYES_M
from bot.store.ratings import leaderboard
from tests.conftest import SHARED_DATA

pytestmark = pytest.mark.slow

GUILD = 1_000_000_000_000_001
FIRST_MEMBER = 3_000_000_000_000_000


def read_ratings(path: Path) -> list[tuple[int, str, float]]:
    """(member, movieId, score on 1–10): MovieLens's 0.5–5 stars doubled."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            (FIRST_MEMBER + int(row["userId"]), row["movieId"], float(row["rating"]) * 2)
            for row in csv.DictReader(handle)
        ]


@pytest.fixture(scope="module")
def movielens_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with MovieLens's films and every rating, built once for the module."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real film data not found at {SHARED_DATA} (set FILMCLUB_SHARED_DATA)")
    shared_data = SHARED_DATA
    path = tmp_path_factory.mktemp("movielens") / "filmclub.db"

    async def build() -> None:
        async with await Store.open(path) as store:
            folder = shared_data / "movielens"
            report, stored = await import_rated(store, path, folder, GUILD, FIRST_MEMBER)
            assert report.added == 9_742, report.lines()
            assert stored == len(await asyncio.to_thread(read_ratings, folder / "ratings.csv"))
            assert await store.fetchval(
                "SELECT n FROM guild_stats WHERE guild_id = ?", (GUILD,)
            ) == (100_836)

    asyncio.run(build())
    return path


@pytest.fixture
async def movielens(movielens_store: Path) -> Store:
    store = await Store.open(movielens_store)
    try:
        yield store  # type: ignore[misc]
    finally:
        await store.close()


async def rated_by(store: Store, member: int) -> set[int]:
    rows = await store.fetchall(
        "SELECT film_id FROM ratings WHERE guild_id = ? AND member_id = ?", (GUILD, member)
    )
    return {int(r[0]) for r in rows}


async def test_picks_are_films_the_member_has_not_rated(movielens: Store) -> None:
    prior = await movielens.read(lambda conn: picks.server_prior(conn, GUILD))
    assert (prior.n, prior.m) == (100_836, DEFAULT_BAYES_M)
    comedy = await find_genre(movielens, "comedy")
    assert comedy is not None
    rng = random.Random(4)
    reasons: dict[str, int] = defaultdict(int)
    for user in range(1, 611, 4):  # 153 members, from light raters to the heaviest (2,698)
        member = FIRST_MEMBER + user
        seen = await rated_by(movielens, member)
        for request in (
            recommend.Request(GUILD, member),
            recommend.Request(GUILD, member, comedy),
            recommend.Request(GUILD, member, decade=1990),
        ):
            chosen = await recommend.pick(movielens, request, rng)
            assert chosen.film.id not in seen, (user, chosen.film.label)
            if request.decade == 1990:
                assert chosen.film.year is not None and 1990 <= chosen.film.year <= 1999
            reasons[chosen.reason.split(":")[0].split(" ")[0]] += 1
    # With 100k ratings here, picks come from this server's taste, not from fame alone.
    assert reasons["because"] + reasons["popular"] > 0.8 * sum(reasons.values()), reasons


async def test_pick_another_never_repeats(movielens: Store) -> None:
    member = FIRST_MEMBER + 414  # the heaviest rater: 2,698 films
    seen = await rated_by(movielens, member)
    shown: list[int] = []
    for _ in range(25):
        request = recommend.Request(GUILD, member, excluded=shown)
        chosen = await recommend.pick(movielens, request, random.Random(len(shown)))
        assert chosen.film.id not in seen and chosen.film.id not in shown
        shown.append(chosen.film.id)


async def test_top_matches_an_independent_bayesian_ranking(
    movielens: Store, shared_data: Path
) -> None:
    ratings = await asyncio.to_thread(read_ratings, shared_data / "movielens" / "ratings.csv")
    by_movie: dict[str, list[float]] = defaultdict(list)
    for _, movie, score in ratings:
        by_movie[movie].append(score)
    mean = sum(score for _, _, score in ratings) / len(ratings)
    expected = sorted(
        by_movie,
        key=lambda m: (
            -bayesian_average(len(by_movie[m]), sum(by_movie[m]) / len(by_movie[m]), 3.0, mean),
            -len(by_movie[m]),
        ),
    )[:10]
    films = dict(
        await movielens.fetchall(
            "SELECT external_id, film_id FROM film_sources WHERE source = ?", (SOURCE,)
        )
    )
    board = await leaderboard(movielens, GUILD, limit=10)
    assert [entry.film.id for entry in board.entries] == [films[m] for m in expected]
    assert board.c is not None and abs(board.c - mean) < 1e-9
    # Sensible: films rated well by several members; the hundreds rated 10 by one member
    # alone stay out (with m = 3 a lone 10 ranks (10 + 3C)/4, about 7.8 here).
    lone_tens = sum(1 for scores in by_movie.values() if scores == [10.0])
    assert lone_tens > 100
    assert all(entry.n >= 5 and entry.mean >= 8.5 for entry in board.entries)
    assert board.entries[0].film.title == "The Shawshank Redemption"
