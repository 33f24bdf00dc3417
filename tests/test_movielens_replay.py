"""MovieLens ratings replayed through ``!rate``; ``!top`` equals a plain-Python leaderboard.

A deterministic slice (the users whose id is a multiple of 10: 61 users, 12,029 ratings) with
the bot in this process, to keep CI quick; ``bench/bench_movielens_replay.py`` replays all
100,836 ratings with the bot in its own process and makes the same comparison.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bench.bench_movielens_replay import (
    catalog,
    expected_top,
    read_ratings,
    replay,
    top_lines,
)
from bot.importers.movielens import import_movielens
from bot.store import Store
from bot.store.ratings import server_ratings
from tests.conftest import running_bot

pytestmark = pytest.mark.slow


async def test_top_after_a_movielens_replay_matches_an_independent_computation(
    shared_data: Path, tmp_path: Path
) -> None:
    folder = shared_data / "movielens"
    db_path = tmp_path / "filmclub.db"
    await (await Store.open(db_path)).close()
    await asyncio.to_thread(import_movielens, db_path, folder)
    ratings = read_ratings(folder, keep=lambda user: user % 10 == 0)
    assert (len(ratings), len({r.user for r in ratings})) == (12_029, 61)
    film_of, films = catalog(db_path)
    expected = expected_top(ratings, film_of, films)
    async with running_bot(db_path) as harness:
        await replay(harness.discord, harness.guild, ratings, film_of, window=32)
        shown = await top_lines(harness.discord, harness.guild, harness.member)
        stored = await server_ratings(harness.store, harness.guild.id)
    assert len(shown) == 100
    assert shown == expected
    # Every (user, film) once: MovieLens's doubled films are one film here, rated once.
    assert stored.n == len({(r.user, film_of[r.movie]) for r in ratings})
