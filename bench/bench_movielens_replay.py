"""MovieLens replayed through ``!rate``, then ``!top`` checked against plain Python.

``../shared/data/movielens`` is imported with the MovieLens importer (films, genres, IMDb
ids; the number of ratings becomes each film's popularity prior); then every
line of ``ratings.csv`` (100,836 ratings by 610 users) becomes ``!rate id:<film> <stars>/5``
from that user, a member of one server, through the local Discord to the bot in its own
process (``id:`` is what title autocomplete passes; it names the film MovieLens means). The
commands go out as fast as the bot answers them, at most ``--window`` at once, the ratings
of one (user, film) in file order (MovieLens lists a few films twice under two ids, which
the catalog merges into one film: the later rating replaces the earlier, as re-rating does).

Then ``!top 100`` is read page by page and must equal, line for line, the leaderboard this
module computes from the CSV alone: the last score of each (user, film), C the mean of them
all, m = 3, ``(v·R + m·C)/(v + m)`` per film, ties by more ratings, then catalog popularity,
then id (the order ``top`` documents), printed as ``top`` prints it. No SQL of the bot's is
used for it; the store only supplies which film each movieId became, its label and its
popularity. ``tests/test_movielens_replay.py`` does the same for a tenth of the users with
the bot in the test's own process.

Last, on the replayed store, ``!top`` and ``!pick [genre] [decade]`` (a MovieLens member, one of
its genres one time in two, a decade one time in four) are timed one at a time against issue
4's latency targets, beside the floor (an unmodified discord.py bot answering ``!ping``), as
``bench_commands`` times its requests.

    python -m bench.bench_movielens_replay [--window 32] [--requests 500] [--write]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import platform
import random
import re
import shutil
import signal
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bench.bench_commands import (
    FLOOR,
    Plain,
    Series,
    answered,
    latency_table,
    measure,
    plain_bot,
    start_bot,
    stop_all,
)
from bench.bench_roundtrip import bot_process
from bench.report import SHARED, command_line, load_average, percentile, write_section
from bot.cli.run import run_async
from bot.importers.common import ImportReport
from bot.importers.movielens import SOURCE, import_movielens
from bot.localdiscord import Guild, LocalDiscord, Member, Message
from bot.render import format_mean
from bot.scores import parse_score
from bot.store import Store
from bot.store.ratings import rate_many

SECTION = "MovieLens replayed through rate"
MOVIELENS = SHARED / "data" / "movielens"
#: The leaderboard's m when a server never changed it.
DEFAULT_M = 3.0
TOP = 100
#: MovieLens user n is the member named ``user<n>``.
MEMBER_NAME = "user"
#: MovieLens's genres as members type them (``Children`` has no name of its own here).
GENRES = [
    "action", "adventure", "animation", "comedy", "crime", "documentary", "drama", "fantasy",
    "film noir", "horror", "musical", "mystery", "romance", "sci-fi", "thriller", "war",
    "western",
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Rating:
    user: int
    movie: str
    stars: str  # as in the file: 0.5 to 5.0

    @property
    def command(self) -> str:
        return f"{self.stars}/5"


def read_ratings(folder: Path, keep: Callable[[int], bool] = lambda user: True) -> list[Rating]:
    """``ratings.csv`` in file order, the users ``keep`` accepts."""
    with (folder / "ratings.csv").open(newline="", encoding="utf-8") as handle:
        rows = csv.DictReader(handle)
        return [
            Rating(int(row["userId"]), row["movieId"], row["rating"])
            for row in rows
            if keep(int(row["userId"]))
        ]


@dataclass(frozen=True, slots=True)
class CatalogFilm:
    label: str
    popularity: float


async def import_rated(
    store: Store, db_path: Path, folder: Path, guild: int, first_member: int
) -> tuple[ImportReport, int]:
    """MovieLens's films into ``store`` (open on ``db_path``), then every line of
    ``ratings.csv`` as a rating by member ``first_member + userId`` of ``guild``, stored in bulk
    (``rate_many``, one transaction) rather than through ``!rate``: quick, for what needs the
    ratings and not their replay. The film import's report, and how many ratings were stored."""
    report = await asyncio.to_thread(import_movielens, db_path, folder)
    film_of, _ = await asyncio.to_thread(catalog, db_path)
    ratings = await asyncio.to_thread(read_ratings, folder)
    stored = await rate_many(
        store,
        guild,
        ((first_member + r.user, film_of[r.movie], float(r.stars) * 2) for r in ratings),
    )
    return report, stored


def catalog(db_path: Path) -> tuple[dict[str, int], dict[int, CatalogFilm]]:
    """movieId -> film id (from the importer's film_sources), and each film's label."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        film_of = {
            str(movie): int(film)
            for movie, film in conn.execute(
                "SELECT external_id, film_id FROM film_sources WHERE source = ?", (SOURCE,)
            )
        }
        films = {
            int(film): CatalogFilm(f"{title} ({year})" if year else title, float(popularity))
            for film, title, year, popularity in conn.execute(
                "SELECT id, title, year, popularity FROM films"
            )
        }
    finally:
        conn.close()
    return film_of, films


def expected_top(
    ratings: Iterable[Rating],
    film_of: dict[str, int],
    films: dict[int, CatalogFilm],
    *,
    m: float = DEFAULT_M,
    top: int = TOP,
) -> list[str]:
    """The leaderboard's lines as ``top`` prints them, computed from the CSV in plain Python."""
    last: dict[tuple[int, int], float] = {}
    for rating in ratings:
        last[rating.user, film_of[rating.movie]] = float(rating.stars) * 2
    scores: dict[int, list[float]] = {}
    for (_, film), score in last.items():
        scores.setdefault(film, []).append(score)
    c = sum(last.values()) / len(last)
    ranked = []
    for film, given in scores.items():
        v, total = len(given), sum(given)
        ranked.append(((total + m * c) / (v + m), v, total / v, film))
    ranked.sort(key=lambda r: (-r[0], -r[1], -films[r[3]].popularity, r[3]))
    return [
        f"**{rank}.** {films[film].label} — **{format_mean(bayesian)}** "
        f"({v:,} rating{'s' * (v != 1)}, average {format_mean(mean)})"
        for rank, (bayesian, v, mean, film) in enumerate(ranked[:top], start=1)
    ]


async def replay(
    discord: LocalDiscord,
    guild: Guild,
    ratings: list[Rating],
    film_of: dict[str, int],
    window: int,
) -> list[float]:
    """Every rating as ``!rate`` from its user; latencies. One (user, film)'s ratings go out
    in file order, each after the previous one's reply; all else as fast as the bot answers."""
    members: dict[int, Member] = {}
    chains: dict[tuple[int, int], list[Rating]] = {}
    for rating in ratings:
        if rating.user not in members:
            members[rating.user] = discord.add_member(guild, f"{MEMBER_NAME}{rating.user}")
        chains.setdefault((rating.user, film_of[rating.movie]), []).append(rating)
    sending = asyncio.Semaphore(window)
    latencies: list[float] = []

    async def one_key(film: int, chain: list[Rating]) -> None:
        for rating in chain:
            text = f"!rate id:{film} {rating.command}"
            async with sending:
                replies = await discord.send(guild, members[rating.user], text, timeout=120)
            expected = f"{parse_score(rating.command):g}/10"
            if len(replies) != 1 or f"** {expected}" not in replies[0].content:
                raise AssertionError(f"{text!r} got: {replies.text}")
            assert replies.latency is not None
            latencies.append(replies.latency)

    await asyncio.gather(*(one_key(film, chain) for (_, film), chain in chains.items()))
    return latencies


_LINE = re.compile(r"^\*\*\d+\.\*\* ")


async def top_lines(discord: LocalDiscord, guild: Guild, who: Member | str) -> list[str]:
    """Every line of ``!top 100``, turning its pages."""
    reply: Message = (await discord.send(guild, who, f"!top {TOP}", timeout=60)).one()
    lines = (reply.embed.description or "").splitlines()
    while reply.buttons and not reply.buttons[-1].disabled:
        reply = (await discord.click(reply, "Next", who, timeout=60)).one()
        lines += (reply.embed.description or "").splitlines()
    return [line for line in lines if _LINE.match(line)]


@dataclass
class Outcome:
    ratings: int
    members: int
    import_seconds: float
    replay_seconds: float
    latencies: list[float]
    matches: bool
    first_difference: str
    #: ``!top`` and ``!pick`` on the replayed store, and the floor.
    timed: dict[str, Series] = field(default_factory=dict)


@dataclass
class Asking:
    """``top`` and ``pick`` asked by the replayed members."""

    discord: LocalDiscord
    guild: Guild
    members: list[Member]
    rng: random.Random

    async def top(self) -> float:
        return await answered(self.discord, self.guild, self.rng.choice(self.members), "!top")

    async def pick(self) -> float:
        words = ["!pick"]
        if self.rng.random() < 0.5:
            words.append(self.rng.choice(GENRES))
        if self.rng.random() < 0.25:  # MovieLens's films end in 2018
            words.append(f"{self.rng.randrange(1930, 2020, 10)}s")
        who = self.rng.choice(self.members)
        return await answered(self.discord, self.guild, who, " ".join(words))


async def time_top_and_pick(
    discord: LocalDiscord, guild: Guild, bot_pid: int, db_path: Path, requests: int
) -> dict[str, Series]:
    """``!top`` and ``!pick`` from the replayed members, and the floor on its own local
    Discord, ``requests`` of each in blocks taking turns."""
    members = [m for m in guild.members.values() if m.name.startswith(MEMBER_NAME)]
    asking = Asking(discord, guild, members, random.Random(7))
    processes: list[asyncio.subprocess.Process] = []
    async with LocalDiscord() as plain_discord:
        plain_guild = plain_discord.add_guild("Floor")
        plain = Plain(plain_discord, plain_guild, plain_discord.add_member(plain_guild, "x"))
        try:
            plain_pid = (
                await start_bot(plain_discord, db_path, plain_bot(plain_discord), processes)
            ).pid
            series = {
                FLOOR: Series(plain.ping, plain_pid),
                "!top": Series(asking.top, bot_pid),
                "!pick [genre] [decade]": Series(asking.pick, bot_pid),
            }
            await measure(series, requests, warmup=min(100, requests))
            return series
        finally:
            await stop_all(processes)


async def run(window: int, requests: int) -> Outcome:
    work = Path(tempfile.mkdtemp(prefix="filmclub-movielens-"))
    try:
        db_path = work / "filmclub.db"
        await (await Store.open(db_path)).close()
        started = time.perf_counter()
        await asyncio.to_thread(import_movielens, db_path, MOVIELENS)
        imported = time.perf_counter() - started
        ratings = read_ratings(MOVIELENS)
        film_of, films = catalog(db_path)
        expected = expected_top(ratings, film_of, films)
        async with LocalDiscord() as discord:
            guild = discord.add_guild("MovieLens")
            process = await bot_process(
                discord, db_path, *("bot", "run", "--local-discord", discord.url)
            )
            exited = asyncio.ensure_future(process.wait())
            try:
                await discord.wait_for_bot(timeout=60, task=exited)
                started = time.perf_counter()
                latencies = await replay(discord, guild, ratings, film_of, window)
                replayed = time.perf_counter() - started
                shown = await top_lines(discord, guild, "reader")
                timed = await time_top_and_pick(discord, guild, process.pid, db_path, requests)
            finally:
                if process.returncode is None:
                    process.send_signal(signal.SIGTERM)
                await asyncio.wait_for(exited, 60)
        pairs = enumerate(zip(shown, expected, strict=False), start=1)
        difference = next(
            (f"#{n}: {a!r} vs {b!r}" for n, (a, b) in pairs if a != b),
            "" if len(shown) == len(expected) else f"{len(shown)} lines vs {len(expected)}",
        )
        users = len({r.user for r in ratings})
        return Outcome(
            len(ratings), users, imported, replayed, latencies, not difference, difference, timed
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report(outcome: Outcome, window: int, command: str) -> str:
    ms = [x * 1000 for x in outcome.latencies]
    load = load_average()
    verdict = "yes, all 100 lines" if outcome.matches else f"NO ({outcome.first_difference})"
    return "\n".join(
        [
            f"All of `ratings.csv` ({outcome.ratings:,} ratings by {outcome.members} users, "
            "one server) as `!rate id:<film> <stars>/5` through the local Discord, the bot in "
            f"its own process, at most {window} commands in flight; then `!top 100` compared "
            "line for line with the same leaderboard computed from the CSV in plain Python "
            "(see the bench's docstring).",
            "",
            f"Command: `{command}`",
            "",
            "| MovieLens import s | replay s | ratings/s | median ms | p99 ms "
            "| `top` equals the independent computation |",
            "|---:|---:|---:|---:|---:|---|",
            f"| {outcome.import_seconds:.1f} | {outcome.replay_seconds:.1f} "
            f"| {outcome.ratings / outcome.replay_seconds:,.0f} | {statistics.median(ms):.2f} "
            f"| {percentile(ms, 99):.2f} | {verdict} |",
            "",
            f"Then, on the replayed store, `!top` and `!pick [genre] [decade]` from its members "
            f"(a MovieLens genre one time in two, a decade one time in four), "
            f"{len(outcome.timed[FLOOR].latencies):,} of each one at a time in blocks taking "
            "turns, beside the floor (an unmodified discord.py bot answering `!ping` on its own "
            "local Discord), against issue 4's targets:",
            "",
            *latency_table(outcome.timed),
            "",
            f"Python {platform.python_version()}, {os.cpu_count()} cores; load average when the "
            f"run ended (1, 5, 15 min): {load}.",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window", type=int, default=32)
    parser.add_argument("--requests", type=int, default=500, help="of top and of pick, timed")
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()
    if not MOVIELENS.is_dir():
        raise SystemExit(f"MovieLens not found at {MOVIELENS}")
    outcome = run_async(run(args.window, args.requests))
    body = report(outcome, args.window, command_line("bench.bench_movielens_replay"))
    print(body)
    if args.write:
        write_section(SECTION, body)
    if not outcome.matches:
        raise SystemExit("top differs from the independent computation")


if __name__ == "__main__":
    main()
