"""``review``, ``pick`` and title autocomplete at a million films, through the local Discord.

The store: the bundled catalog (with its review documents) plus synthetic films up to
``--films`` (titles from ``bench.title_synth``'s chains over real titles, years 1910–2024,
heavy-tailed popularity), each with one to three genres of the bundled taxonomy, a director
and three top-billed actors drawn from ``--people`` synthetic names (the well-known ones in
many films); built once and kept (``--store``), then copied for each run. Each run adds
``--ratings`` ratings by ``--members`` members of one server (each member rates the same
number of films, drawn by popularity; a film's scores scatter around its own quality), stored
in bulk like an import (``ratings.rate_many``), using the ids the local Discord gave them.

The bot runs in its own process (``python -m bot run --local-discord URL``: the real discord.py
client, zlib-stream gateway), next to an unmodified discord.py bot answering ``!ping`` (the
floor, ``bench/plain_ping_bot.py``). One request at a time; blocks of ``BLOCK`` of one kind take
turns so drift in the machine's load touches all alike. A message's latency is dispatch -> the
bot's reply request (``Replies.latency``); an autocomplete's is the call -> the bot's choices.

* ``!review <film>``: half the bundled films (summaries cached after the warm-up), half
  synthetic ones by popularity, typed as ``Title (Year)`` or just the title.
* ``!pick [genre] [decade]``: a member who has rated films, a genre one time in two, a decade
  one time in four.
* autocomplete of ``/review film``: the first 1–8 letters of a title.

    python -m bench.bench_commands [--films 1000000] [--requests 1000] [--write]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import platform
import random
import shutil
import signal
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bench.bench_ratings_load import start_py_spy
from bench.bench_roundtrip import bot_process
from bench.report import command_line, load_average, percentile, write_section
from bench.title_synth import synth_films, synth_names
from bot.bootstrap import open_store
from bot.cli.run import run_async
from bot.localdiscord import Guild, LocalDiscord, Member
from bot.normalize import name_key, title_keys
from bot.settings import Settings
from bot.store import Store, bulk
from bot.store.ratings import rate_many

SECTION = "Film commands at a million films"
DEFAULT_STORE = Path(tempfile.gettempdir()) / "filmclub-bench-commands-{films}.db"
#: Requests of one kind in a row.
BLOCK = 50
#: Targets from issue 4, in milliseconds.
TARGET_MEDIAN, TARGET_P99 = 3.0, 15.0
GENRES = [
    "crime", "drama", "comedy", "thriller", "sci-fi", "horror", "romance", "western",
    "neo-noir", "animation", "war", "documentary", "film noir", "adventure", "musical",
]  # fmt: skip


# The store ----------------------------------------------------------------------------------------
def build_store(path: Path, n_films: int, n_people: int, seed: int = 4) -> dict[str, float]:
    """The bundled catalog plus synthetic films, people, credits and genres; seconds per part."""
    seconds: dict[str, float] = {}
    started = time.perf_counter()

    async def bundled() -> None:
        store = await open_store(Settings(db_path=path), path)
        await store.close()

    asyncio.run(bundled())
    seconds["bundled catalog"] = time.perf_counter() - started
    rng = random.Random(seed)
    conn = bulk.connect(path)
    try:
        genre_weights = _genre_weights(conn)
        with (
            bulk.transaction(conn),
            bulk.deferred_indexes(
                conn, ["films", "people", "credits", "film_genres"], when_under=10_000_000
            ),
        ):
            started = time.perf_counter()
            first_film = int(conn.execute("SELECT max(id) FROM films").fetchone()[0]) + 1
            extra = max(0, n_films - first_film + 1)
            conn.executemany(
                "INSERT INTO films (id, title, title_key, bare_key, year, popularity) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    (first_film + i, title, *title_keys(title), year, popularity)
                    for i, (title, year, popularity) in enumerate(synth_films(extra))
                ),
            )
            first_person = int(conn.execute("SELECT max(id) FROM people").fetchone()[0]) + 1
            conn.executemany(
                "INSERT INTO people (id, name, name_key, popularity) VALUES (?, ?, ?, ?)",
                (
                    (first_person + i, name, name_key(name), popularity)
                    for i, (name, popularity) in enumerate(synth_names(n_people))
                ),
            )
            seconds["films and people"] = time.perf_counter() - started
            started = time.perf_counter()
            films = range(first_film, first_film + extra)
            conn.executemany(
                "INSERT OR IGNORE INTO film_genres (film_id, genre_id) VALUES (?, ?)",
                _genres_of(films, genre_weights, rng),
            )
            conn.executemany(
                "INSERT OR IGNORE INTO credits (film_id, person_id, role, billing) "
                "VALUES (?, ?, ?, ?)",
                _credits_of(films, first_person, n_people, rng),
            )
            seconds["genres and credits"] = time.perf_counter() - started
        started = time.perf_counter()
        with bulk.transaction(conn):
            bulk.refresh_search_index(conn)  # the search index and the pools, as imports do
        seconds["search index and pools"] = time.perf_counter() - started
        conn.execute("PRAGMA optimize")
    finally:
        conn.close()
    return seconds


def _genre_weights(conn: sqlite3.Connection) -> list[tuple[int, int]]:
    """(genre, weight): how often the bundled catalog uses each genre (at least once)."""
    rows = conn.execute(
        "SELECT genres.id, count(film_genres.film_id) + 1 FROM genres "
        "LEFT JOIN film_genres ON film_genres.genre_id = genres.id GROUP BY genres.id"
    ).fetchall()
    return [(int(r[0]), int(r[1])) for r in rows]


def _genres_of(
    films: range, weights: list[tuple[int, int]], rng: random.Random
) -> Iterator[tuple[int, int]]:
    ids = [g for g, _ in weights]
    cumulative = list(_accumulate(w for _, w in weights))
    for film in films:
        for genre in rng.choices(ids, cum_weights=cumulative, k=rng.randint(1, 3)):
            yield film, genre


def _credits_of(
    films: range, first_person: int, n_people: int, rng: random.Random
) -> Iterator[tuple[int, int, str, int]]:
    """A director and three billed actors per film; low person ids (the well-known) recur: at a
    million films the busiest few have several hundred credits, as IMDb's busiest actors do."""
    for film in films:
        for billing, role in enumerate(("director", "actor", "actor", "actor")):
            person = first_person + int(n_people * rng.random() ** 1.5)
            yield film, person, role, billing or 1


def _accumulate(values: Iterator[int]) -> Iterator[int]:
    total = 0
    for value in values:
        total += value
        yield total


async def add_ratings(
    store: Store, guild_id: int, members: list[int], n_ratings: int, seed: int = 7
) -> None:
    """``n_ratings`` scores by ``members``, over the best-known films, popularity-weighted."""
    rng = random.Random(seed)
    rows = await store.fetchall(
        "SELECT id, popularity FROM films ORDER BY popularity DESC LIMIT 50000"
    )
    films = [int(r[0]) for r in rows]
    cumulative = list(_accumulate(int(math.sqrt(float(r[1])) * 100) + 1 for r in rows))
    quality = {film: rng.gauss(7.0, 1.2) for film in films}
    per_member = max(1, n_ratings // len(members))
    scores = []
    for member in members:
        bias = rng.gauss(0, 0.7)
        chosen = set(rng.choices(films, cum_weights=cumulative, k=per_member * 2))
        for film in list(chosen)[:per_member]:
            score = quality[film] + bias + rng.gauss(0, 1.2)
            scores.append((member, film, min(10.0, max(1.0, round(score * 2) / 2))))
    await rate_many(store, guild_id, scores)


# The requests -------------------------------------------------------------------------------------
@dataclass
class Workload:
    discord: LocalDiscord
    guild: Guild
    raters: list[Member]
    bundled: list[str]
    synthetic: list[str]
    rng: random.Random

    async def review(self) -> float:
        titles = self.bundled if self.rng.random() < 0.5 else self.synthetic
        return await self._message(f"!review {self.rng.choice(titles)}")

    async def pick(self) -> float:
        words = []
        if self.rng.random() < 0.5:
            words.append(self.rng.choice(GENRES))
        if self.rng.random() < 0.25:
            words.append(f"{self.rng.randrange(1930, 2030, 10)}s")
        return await self._message(" ".join(["!pick", *words]), self.rng.choice(self.raters))

    async def ping(self) -> float:
        return await self._message("!ping")

    async def autocomplete(self) -> float:
        title = self.rng.choice(self.bundled + self.synthetic)
        typed = title[: self.rng.randint(1, 8)]
        started = time.perf_counter()
        await self.discord.autocomplete(
            self.guild, self.raters[0], "review", "film", typed, timeout=30
        )
        return time.perf_counter() - started

    async def _message(self, text: str, who: Member | None = None) -> float:
        return await answered(self.discord, self.guild, who or self.raters[0], text)


async def answered(discord: LocalDiscord, guild: Guild, who: Member, text: str) -> float:
    """``text`` sent by ``who``; the latency of its one reply (an apology is an error)."""
    answer = await discord.send(guild, who, text, timeout=30)
    if len(answer) != 1 or answer.latency is None or "Sorry" in answer.text:
        raise RuntimeError(f"{text!r} got {len(answer)} replies:\n{answer.text}")
    return answer.latency


#: The floor's row: every other median is also given as a multiple of it.
FLOOR = "!ping (plain discord.py bot)"


def plain_bot(local: LocalDiscord) -> list[str]:
    """The command (for ``bot_process``) of the floor's bot on ``local``."""
    return ["bench.plain_ping_bot", local.url, local.token]


async def start_bot(
    local: LocalDiscord,
    db_path: Path,
    command: list[str],
    processes: list[asyncio.subprocess.Process],
) -> asyncio.subprocess.Process:
    """``command`` in its own process on ``local`` (added to ``processes``, for the caller to
    stop whatever happens), once it is connected."""
    process = await bot_process(local, db_path, *command)
    processes.append(process)
    await local.wait_for_bot(timeout=120, task=asyncio.ensure_future(process.wait()))
    return process


@dataclass
class Plain:
    """The floor: an unmodified discord.py bot on its own local Discord."""

    discord: LocalDiscord
    guild: Guild
    member: Member

    async def ping(self) -> float:
        answer = await self.discord.send(self.guild, self.member, "!ping", timeout=30)
        if answer.latency is None:
            raise RuntimeError("the plain bot did not answer")
        return answer.latency


async def sample_titles(store: Store, rng: random.Random) -> tuple[list[str], list[str]]:
    """Titles as members type them: the bundled films (they have IMDb ids) and the best-known
    synthetic ones (they have none)."""
    bundled = await store.fetchall("SELECT title, year FROM films WHERE imdb_id IS NOT NULL")
    synthetic = await store.fetchall(
        "SELECT title, year FROM films WHERE imdb_id IS NULL ORDER BY popularity DESC LIMIT 20000"
    )

    def typed(rows: list[object]) -> list[str]:
        return [
            f"{r[0]} ({r[1]})" if rng.random() < 0.5 else str(r[0])  # type: ignore[index]
            for r in rows
        ]

    return typed(list(bundled)), typed(list(synthetic))


async def run(args: argparse.Namespace) -> tuple[dict[str, Series], dict[str, float]]:
    cached = args.store or Path(str(DEFAULT_STORE).format(films=args.films))
    built: dict[str, float] = {}
    if not cached.exists():
        built = await asyncio.to_thread(build_store, cached, args.films, args.people)
    work = Path(tempfile.mkdtemp(prefix="filmclub-bench-"))
    processes = []
    try:
        db_path = work / "filmclub.db"
        await asyncio.to_thread(shutil.copyfile, cached, db_path)
        rng = random.Random(11)
        async with LocalDiscord() as plain_discord, LocalDiscord() as discord:
            guild = discord.add_guild("Bench")
            raters = [discord.add_member(guild, f"member{n}") for n in range(args.members)]
            async with await Store.open(db_path) as store:
                started = time.perf_counter()
                await add_ratings(store, guild.id, [m.id for m in raters], args.ratings)
                built["ratings (this run)"] = time.perf_counter() - started
                built["films"] = float(await store.fetchval("SELECT count(*) FROM films"))
                bundled, synthetic = await sample_titles(store, rng)
            plain_guild = plain_discord.add_guild("Bench")
            plain = Plain(plain_discord, plain_guild, plain_discord.add_member(plain_guild, "x"))
            work_load = Workload(discord, guild, raters, bundled, synthetic, rng)
            plain_pid = (
                await start_bot(plain_discord, db_path, plain_bot(plain_discord), processes)
            ).pid
            command = ["bot", "run", "--local-discord", discord.url]
            bot_pid = (await start_bot(discord, db_path, command, processes)).pid
            owner = guild.members[discord.owner.id]
            await discord.send(guild, owner, "!sync here", timeout=60)  # slash commands here
            series = {
                FLOOR: Series(plain.ping, plain_pid),
                "!ping": Series(work_load.ping, bot_pid),
                "!review <film>": Series(work_load.review, bot_pid),
                "!pick [genre] [decade]": Series(work_load.pick, bot_pid),
                "autocomplete /review film": Series(work_load.autocomplete, bot_pid),
            }
            try:
                spy = await start_py_spy(bot_pid, args.py_spy) if args.py_spy else None
                await measure(series, args.requests, args.warmup)
                if spy is not None:
                    spy.send_signal(signal.SIGINT)
                    await spy.wait()
                return series, built
            finally:
                await stop_all(processes)  # before their local Discords close under them
    finally:
        await stop_all(processes)
        shutil.rmtree(work, ignore_errors=True)


async def stop_all(processes: list[asyncio.subprocess.Process]) -> None:
    for process in processes:
        if process.returncode is None:
            process.terminate()
        await process.wait()


@dataclass
class Series:
    """One kind of request, and the process that answers it (whose processor time is read)."""

    one: Callable[[], Awaitable[float]]
    pid: int
    latencies: list[float] = field(default_factory=list)
    #: Processor seconds (user + system) the answering process spent on the timed requests.
    cpu: float = 0.0


def process_cpu(pid: int) -> float:
    """A process's processor time so far (Linux ``/proc``), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measure(series: dict[str, Series], requests: int, warmup: int) -> None:
    for kind in series.values():
        for _ in range(warmup):
            await kind.one()
    for start in range(0, requests, BLOCK):
        for kind in series.values():
            before = process_cpu(kind.pid)
            for _ in range(min(BLOCK, requests - start)):
                kind.latencies.append(await kind.one())
            kind.cpu += process_cpu(kind.pid) - before


def latency_table(series: dict[str, Series]) -> list[str]:
    """The measured series as a table: each median also as a multiple of the floor's
    (:data:`FLOOR`), each request but ``!ping`` against issue 4's targets."""
    floor = statistics.median(series[FLOOR].latencies)
    rows = [
        "| request | n | median ms | p99 ms | mean ms | median vs floor "
        "| bot processor ms per request | target |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for label, kind in series.items():
        values = kind.latencies
        median, p99 = statistics.median(values) * 1000, percentile(values, 99) * 1000
        target = ""
        if not label.startswith("!ping"):
            met = median < TARGET_MEDIAN and p99 < TARGET_P99
            target = "met" if met else "**missed**"
        rows.append(
            f"| {label} | {len(values):,} | {median:.2f} | {p99:.2f} "
            f"| {statistics.fmean(values) * 1000:.2f} | {median / (floor * 1000):.1f}× "
            f"| {kind.cpu / len(values) * 1000:.2f} | {target} |"
        )
    return rows


def report(series: dict[str, Series], built: dict[str, float], args: argparse.Namespace) -> str:
    load = load_average()
    parts = [(part, value) for part, value in built.items() if part != "films"]
    building = ", ".join(f"{part} {value:.0f} s" for part, value in parts)
    return "\n".join(
        [
            f"Command: `{command_line('bench.bench_commands')}`",
            "",
            f"{int(built.get('films', 0)):,} films (the bundled catalog and synthetic ones with "
            f"genres, a director and three actors each, {args.people:,} people), "
            f"{args.ratings:,} ratings by {args.members:,} members of one server. The bot in its "
            "own process through the local Discord, one request at a time, each kind in blocks "
            f"of {BLOCK} taking turns, after {args.warmup} warm-up requests of each; the floor "
            "is an unmodified discord.py bot answering `!ping` in the same run. Targets "
            f"(issue 4): median under {TARGET_MEDIAN:g} ms and p99 under {TARGET_P99:g} ms. "
            "See the bench's docstring for the requests. The processor time is the answering "
            "process's own (user + system, from /proc, over all timed requests of the kind): "
            "what the request costs whatever else the machine is doing.",
            "",
            *latency_table(series),
            "",
            f"Building: {building}." if building else "",
            f"Python {platform.python_version()}, {os.cpu_count()} cores, shared with other work; "
            f"load average when the run ended (1, 5, 15 min): {load}.",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--films", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=300_000)
    parser.add_argument("--ratings", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=2_000)
    parser.add_argument("--requests", type=int, default=1_000, help="of each kind")
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--store", type=Path, help="the built store to reuse (made if missing)")
    parser.add_argument(
        "--py-spy", type=Path, metavar="FILE", help="profile the bot into FILE (collapsed stacks)"
    )
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()
    started = time.perf_counter()
    series, built = run_async(run(args))
    body = report(series, built, args)
    print(body)
    print(f"\n({time.perf_counter() - started:.0f} s)")
    if args.write:
        write_section(SECTION, body)


if __name__ == "__main__":
    main()
