"""Rating load: thousands of ``!rate`` commands through the local Discord, then a full audit.

The bot runs in its own process (``python -m bot run --local-discord URL``: the real
discord.py client) on a fresh store with the bundled catalog; this process runs the local
Discord with 5 servers and 200 members (each a member of every server). It sends
``--commands`` rate commands (default 10,000): random members, servers, films (typed as
``Title (Year)``) and scores in every accepted form, many of them re-rating.

Members type one command at a time: a member's next command goes out only once the bot has
answered the previous one, so "the last score" of a (server, member, film) is well defined.
At most ``--window`` members are typing at once; the bot gets a new command the moment it
answers one, so it runs flat out. Several windows may be given; each runs on a fresh store.

Latency is the local Discord's: from writing MESSAGE_CREATE to the bot's socket to the
arrival of the bot's reply. Each reply is sent only after its rating's group commit
returned (``Store.execute``); ``tests/test_rating_crash.py`` shows it by SIGKILL.

Then the audit: the bot is stopped (SIGTERM), and the store must hold exactly the last score
sent for every (server, member, film) — nothing lost, nothing duplicated, nothing else — with
``film_stats`` and ``guild_stats`` equal to sums over ``ratings`` and ``integrity_check`` ok.
Every reply must name the film and score that were sent.

    python -m bench.bench_ratings_load [--commands 10000] [--window 32 ...] [--write]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import shutil
import signal
import sqlite3
import statistics
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from bench.bench_roundtrip import bot_process
from bench.report import command_line, load_average, percentile, write_section
from bot.bootstrap import open_store
from bot.cli.run import run_async
from bot.localdiscord import Guild, LocalDiscord, Member
from bot.scores import format_score, parse_score
from bot.settings import Settings
from bot.store.ratings import totals_off

SECTION = "Rating load through the local Discord"
GUILDS = 5
MEMBERS = 200
FILMS = 100
#: Score forms members type (each parses to the score stored).
SCORE_FORMS = ("{s}", "{s}/10", "{half}/5", "{half} stars", "{glyphs}")


@dataclass(frozen=True)
class Rate:
    guild: int  # index into the guilds
    member: int  # index into the members
    film: int  # index into the films
    score: float
    typed: str  # the score as the member types it


def typed_score(score: float, rng: random.Random) -> str:
    whole_stars, half = divmod(round(score), 2)
    # 8.5 is 4¼ stars: no glyphs say that, 4.25/5 does.
    forms = SCORE_FORMS if score == round(score) else SCORE_FORMS[:-1]
    text = rng.choice(forms).format(
        s=format_score(score), half=f"{score / 2:g}", glyphs="★" * whole_stars + "½" * half
    )
    assert parse_score(text) == score, text
    return text


def workload(commands: int, seed: int = 5) -> list[Rate]:
    rng = random.Random(seed)
    rates = []
    for _ in range(commands):
        score = rng.randrange(2, 21) / 2
        rates.append(
            Rate(
                rng.randrange(GUILDS),
                rng.randrange(MEMBERS),
                rng.randrange(FILMS),
                score,
                typed_score(score, rng),
            )
        )
    return rates


@dataclass
class Series:
    commands: int
    seconds: float
    latencies: list[float]
    bot_cpu_seconds: float
    #: CPU of this process: the local Discord and the members typing.
    discord_cpu_seconds: float


@dataclass
class Outcome:
    window: int
    floor: Series | None  # filmclub's !ping under the same load
    rates: Series
    audit: dict[str, int | str]


async def run_once(
    commands: list[Rate],
    window: int,
    work: Path,
    floor: int,
    synchronous: str,
    profile: Path | None = None,
) -> Outcome:
    db_path = work / f"load-{window}.db"
    store = await open_store(Settings(db_path=db_path), db_path)
    films = [
        (int(row["id"]), f"{row['title']} ({row['year']})")
        for row in await store.fetchall(
            "SELECT id, title, year FROM films WHERE year IS NOT NULL "
            "ORDER BY popularity DESC, id LIMIT ?",
            (FILMS,),
        )
    ]
    await store.close()
    async with LocalDiscord() as discord:
        guilds = [discord.add_guild(f"Server {n}") for n in range(GUILDS)]
        members = [f"member{n}" for n in range(MEMBERS)]
        in_guild = {
            (g, m): discord.add_member(guilds[g], name)
            for g in range(GUILDS)
            for m, name in enumerate(members)
        }
        process = await bot_process(
            discord,
            db_path,
            *("bot", "run", "--local-discord", discord.url),
            FILMCLUB_DB_SYNCHRONOUS=synchronous,
        )
        exited = asyncio.ensure_future(process.wait())
        try:
            await discord.wait_for_bot(timeout=60, task=exited)
            await warm_up(discord, guilds[0], in_guild[0, 0], films)

            async def series(sent: list[Rate], ping: bool) -> tuple[Series, int]:
                cpu_before, own_before = process_cpu_seconds(process.pid), time.process_time()
                started = time.perf_counter()
                latencies, wrong = await send_all(
                    discord, guilds, in_guild, films, sent, window, ping
                )
                seconds = time.perf_counter() - started
                cpu = process_cpu_seconds(process.pid) - cpu_before
                own = time.process_time() - own_before
                return Series(len(sent), seconds, latencies, cpu, own), wrong

            pings = (await series(commands[:floor], True))[0] if floor else None
            spy = await start_py_spy(process.pid, profile) if profile else None
            rates, wrong = await series(commands, False)
            if spy is not None:
                spy.send_signal(signal.SIGINT)
                await spy.wait()
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(exited, 30)
    audit = audit_store(db_path, guilds, in_guild, films, commands)
    audit["wrong replies"] = wrong
    return Outcome(window, pings, rates, audit)


async def warm_up(
    discord: LocalDiscord, guild: Guild, member: Member, films: list[tuple[int, str]]
) -> None:
    """One rating of each film and its removal: the bot's caches and the store's pages warm,
    nothing left behind."""
    for _, label in films:
        await discord.send(guild, member, f"!rate {label} 5", timeout=30)
        await discord.send(guild, member, f"!unrate {label}", timeout=30)


async def send_all(
    discord: LocalDiscord,
    guilds: list[Guild],
    in_guild: dict[tuple[int, int], Member],
    films: list[tuple[int, str]],
    commands: list[Rate],
    window: int,
    ping: bool = False,
) -> tuple[list[float], int]:
    """Send every command (or, with ``ping``, a ``!ping`` in its place: the floor); the
    latencies, and how many replies did not say what was rated."""
    by_member: dict[int, list[Rate]] = defaultdict(list)
    for rate in commands:
        by_member[rate.member].append(rate)
    typing = asyncio.Semaphore(window)
    latencies: list[float] = []
    wrong = 0

    async def member_types(rates: list[Rate]) -> None:
        nonlocal wrong
        for rate in rates:
            label = films[rate.film][1]
            text = "!ping" if ping else f"!rate {label} {rate.typed}"
            async with typing:
                replies = await discord.send(
                    guilds[rate.guild], in_guild[rate.guild, rate.member], text, timeout=60
                )
            if replies.latency is None or len(replies) != 1:
                raise RuntimeError(f"rate got {len(replies)} replies: {replies.text}")
            latencies.append(replies.latency)
            expected = f"You rated **{label}** {format_score(rate.score)}/10"
            wrong += not (ping or replies[0].content.startswith(expected))

    await asyncio.gather(*(member_types(rates) for rates in by_member.values()))
    return latencies, wrong


def audit_store(
    db_path: Path,
    guilds: list[Guild],
    in_guild: dict[tuple[int, int], Member],
    films: list[tuple[int, str]],
    commands: list[Rate],
) -> dict[str, int | str]:
    """The store against what was sent: exactly the last score of every key, and totals."""
    expected = {
        (guilds[r.guild].id, in_guild[r.guild, r.member].id, films[r.film][0]): r.score
        for r in commands
    }
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        stored = {
            (g, m, f): s
            for g, m, f, s in conn.execute(
                "SELECT guild_id, member_id, film_id, score FROM ratings"
            )
        }
        off = totals_off(conn)
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()
    return {
        "keys sent": len(expected),
        "rows stored": len(stored),
        "lost": sum(1 for key in expected if key not in stored),
        "wrong score": sum(1 for key, s in expected.items() if key in stored and stored[key] != s),
        "unexpected rows": sum(1 for key in stored if key not in expected),
        "totals off": off,
        "integrity_check": integrity,
    }


async def start_py_spy(pid: int, output: Path) -> asyncio.subprocess.Process:
    """Sample the bot with py-spy (``pip install py-spy``) into a collapsed-stacks file."""
    spy = await asyncio.create_subprocess_exec(
        "py-spy", "record", "--pid", str(pid), "--format", "raw", "--rate", "250", "--gil",
        "--output", str(output), "--nonblocking",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    await asyncio.sleep(1)  # attached before the load starts
    return spy


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def passed(outcome: Outcome) -> bool:
    audit = outcome.audit
    return (
        audit["lost"] == audit["wrong score"] == audit["unexpected rows"] == 0
        and audit["totals off"] == audit["wrong replies"] == 0
        and audit["rows stored"] == audit["keys sent"]
        and audit["integrity_check"] == "ok"
    )


def row(what: str, window: int, series: Series, audit: str) -> str:
    ms = [x * 1000 for x in series.latencies]
    return (
        f"| {what} | {window} | {series.commands:,} | {series.commands / series.seconds:,.0f} "
        f"| {statistics.median(ms):.2f} | {percentile(ms, 99):.2f} | {max(ms):.1f} "
        f"| {series.bot_cpu_seconds / series.commands * 1e6:.0f} "
        f"| {series.commands / series.bot_cpu_seconds:,.0f} "
        f"| {series.discord_cpu_seconds / series.commands * 1e6:.0f} | {audit} |"
    )


def report(outcomes: list[Outcome], command: str) -> str:
    rows = []
    for o in outcomes:
        if o.floor is not None:
            rows.append(row("`!ping` (floor)", o.window, o.floor, "—"))
        rows.append(row("`!rate`", o.window, o.rates, "passed" if passed(o) else "FAILED"))
    audit = outcomes[-1].audit
    load = load_average()
    return "\n".join(
        [
            f"`!rate` commands from {MEMBERS} members across {GUILDS} servers on {FILMS} films, "
            "the bot in its own process (real discord.py client) through the local Discord; "
            "a member types their next command once the previous one is answered, and at most "
            "*window* members type at once, so the bot always has work. Latency: "
            "MESSAGE_CREATE written to the bot -> its reply received, each reply sent only "
            "after its rating was committed. Audit after SIGTERM: the store holds exactly the "
            "last score sent for every (server, member, film), the trigger-kept totals equal "
            "sums over the ratings, integrity_check ok, every reply named the film and score "
            "sent. See the bench's docstring.",
            "",
            f"Command: `{command}`",
            "",
            "| command | window | commands | per second | median ms | p99 ms | max ms "
            "| bot CPU µs/command | one busy core's worth, per second "
            "| local Discord CPU µs/command | audit |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
            *rows,
            "",
            "Audit of the last run: " + ", ".join(f"{k} {v}" for k, v in audit.items()) + ".",
            "",
            "Reading it: *per second* and the latencies depend on how much of the 2 cores the "
            "bot and the local Discord get; the machine is shared, so compare them with the "
            "`!ping` floor measured in the same run. The CPU columns are what each process "
            "spent per command, whatever the load: *one busy core's worth* (10⁶ / bot CPU "
            "µs) is the bot's ceiling with a core to itself. The bot's part of a `!ping` is "
            "discord.py's (gateway frame, parse, dispatch, the reply's HTTP request) plus the "
            "report of each finished input to the local Discord; a `!rate` adds parsing the "
            "score, the cached title, and its share of a group commit (one trip to the "
            "writer's thread and one fsync per batch, the film's new totals read in the same "
            "trip).",
            "",
            f"Python {platform.python_version()}, {os.cpu_count()} cores (the bot and the "
            f"local Discord share them); load average when the run ended (1, 5, 15 min): "
            f"{load}.",
        ]
    )


async def run(
    commands: int, windows: list[int], floor: int, synchronous: str, profile: Path | None
) -> list[Outcome]:
    work = Path(tempfile.mkdtemp(prefix="filmclub-load-"))
    try:
        rates = workload(commands)
        return [
            await run_once(rates, window, work, floor, synchronous, profile) for window in windows
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=10_000)
    parser.add_argument("--window", type=int, nargs="+", default=[32])
    parser.add_argument(
        "--floor", type=int, default=2000, help="!ping commands first, as the floor (0: none)"
    )
    parser.add_argument(
        "--synchronous",
        choices=["FULL", "NORMAL"],
        default="FULL",
        help="the bot's FILMCLUB_DB_SYNCHRONOUS (FULL, the default, survives power loss)",
    )
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument(
        "--py-spy", type=Path, metavar="FILE", help="profile the bot into FILE (collapsed stacks)"
    )
    args = parser.parse_args()
    outcomes = run_async(run(args.commands, args.window, args.floor, args.synchronous, args.py_spy))
    body = report(outcomes, command_line("bench.bench_ratings_load"))
    print(body)
    if args.write:
        write_section(SECTION, body)
    if not all(passed(o) for o in outcomes):
        raise SystemExit("the audit failed: see above")


if __name__ == "__main__":
    main()
