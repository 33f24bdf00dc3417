"""Round trip through the local Discord: a member's message dispatched -> the bot's reply.

filmclub runs in its own process (``python -m bot run --local-discord URL``: the real
discord.py client, zlib-stream gateway) on a fresh store with the bundled catalog. Beside it
runs the floor, an unmodified discord.py bot answering ``!ping`` (``bench/plain_ping_bot.py``),
each bot on its own local Discord in this process. Messages go one at a time, in blocks of 100
of one kind, the kinds taking turns, so drift in the machine's load touches every series.

The latency of one message is from the moment the local Discord starts writing MESSAGE_CREATE
to the bot's socket to the moment the bot's ``POST /channels/…/messages`` for the reply
arrives. Both bots report each finished command to their local Discord, which sends the next
message only then, so each message is measured alone. filmclub's ``!ping`` adds its client to
the floor; ``!review Heat`` adds title resolution, the store reads and the card.

    python -m bench.bench_roundtrip [--messages 2000] [--warmup 200] [--write]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from asyncio.subprocess import Process
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.report import command_line, load_average, percentile, write_section
from bot import ROOT
from bot.bootstrap import open_store
from bot.cli.run import run_async
from bot.localdiscord import Guild, LocalDiscord, Member
from bot.settings import Settings

SECTION = "Round trip through the local Discord"
COMMANDS = ("!ping", "!review Heat")
PLAIN = "!ping (plain discord.py bot)"
#: Messages of one kind in a row.
BLOCK = 100


def bot_process(
    discord: LocalDiscord, db_path: Path, *command: str, **settings: str
) -> Awaitable[Process]:
    """The bot (or ``command``) in its own process; ``settings`` are more environment
    variables (``FILMCLUB_DB_SYNCHRONOUS="NORMAL"``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "FILMCLUB_"))}
    env.update(
        DISCORD_TOKEN=discord.token,
        FILMCLUB_DB=str(db_path),
        FILMCLUB_LOG_LEVEL="WARNING",
        # One member sends thousands of commands here; the cooldown would answer most of them.
        FILMCLUB_COOLDOWN_RATE="1000000",
        FILMCLUB_COOLDOWN_PER="1",
        PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]),
        **settings,
    )
    return asyncio.create_subprocess_exec(
        sys.executable, "-m", *command, env=env, cwd=db_path.parent
    )


@dataclass
class Target:
    """One series: a message, sent to one bot through its own local Discord."""

    label: str
    discord: LocalDiscord
    text: str
    guild: Guild = field(init=False)
    member: Member = field(init=False)

    def __post_init__(self) -> None:
        self.guild = self.discord.add_guild("Bench")
        self.member = self.discord.add_member(self.guild, "bench")

    async def one(self) -> float:
        answer = await self.discord.send(self.guild, self.member, self.text, timeout=30)
        if len(answer) != 1 or answer.latency is None:
            raise RuntimeError(f"{self.text!r} got {len(answer)} replies:\n{answer.text}")
        return answer.latency


async def measure(targets: Sequence[Target], messages: int, warmup: int) -> dict[str, list[float]]:
    """Blocks of :data:`BLOCK` messages of one series, the series taking turns: drift in the
    machine's load touches all alike, and each message follows one of its own kind (a ping
    right after a review would pay for the review's after-effects)."""
    for target in targets:
        for _ in range(warmup):
            await target.one()
    latencies: dict[str, list[float]] = {target.label: [] for target in targets}
    for start in range(0, messages, BLOCK):
        for target in targets:
            for _ in range(min(BLOCK, messages - start)):
                latencies[target.label].append(await target.one())
    return latencies


async def run(messages: int, warmup: int) -> dict[str, list[float]]:
    work = Path(tempfile.mkdtemp(prefix="filmclub-bench-"))
    try:
        db_path = work / "filmclub.db"
        store = await open_store(Settings(db_path=db_path), db_path)
        await store.close()
        async with LocalDiscord() as plain, LocalDiscord() as filmclub:
            # Both bots run all along, idle while the other is measured.
            targets = [
                Target(PLAIN, plain, "!ping"),
                *(Target(text, filmclub, text) for text in COMMANDS),
            ]
            processes: list[Process] = []
            try:
                for discord, command in (
                    (plain, ["bench.plain_ping_bot", plain.url, plain.token]),
                    (filmclub, ["bot", "run", "--local-discord", filmclub.url]),
                ):
                    process = await bot_process(discord, db_path, *command)
                    processes.append(process)
                    exited = asyncio.ensure_future(process.wait())
                    await discord.wait_for_bot(timeout=60, task=exited)
                return await measure(targets, messages, warmup)
            finally:
                # Before the local Discords close, or the bots would try to reconnect.
                for process in processes:
                    if process.returncode is None:
                        process.terminate()
                    await process.wait()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report(latencies: dict[str, list[float]], command: str) -> str:
    floor = statistics.median(latencies[PLAIN])
    floor_p99 = percentile(latencies[PLAIN], 99)
    rows = []
    for text, values in latencies.items():
        median, p99 = statistics.median(values), percentile(values, 99)
        mean = statistics.fmean(values)
        rows.append(
            f"| `{text}` | {len(values):,} | {median * 1000:.3f} | {p99 * 1000:.3f} "
            f"| {mean * 1000:.3f} | {median / floor:.2f}× | {p99 / floor_p99:.2f}× |"
        )
    load = load_average()
    return "\n".join(
        [
            "Message dispatched by the local Discord -> the bot's reply request received, one "
            "message at a time, each bot in its own process (the real discord.py client, "
            "zlib-stream gateway), filmclub on a fresh store with the bundled catalog. The floor "
            "is an unmodified discord.py bot answering `!ping` (gateway parse, command dispatch, "
            "one REST call), running alongside; the ratios are against it. filmclub's `!ping` "
            "adds its client (per-server prefix, cooldown, the reply threaded onto the "
            "question); `!review Heat` adds title resolution, the store reads and the card. "
            "Both bots report each finished command to their local Discord, which sends the "
            "next message only then. Blocks of 100 messages of one series take turns.",
            "",
            f"Command: `{command}`",
            "",
            "| message | n | median ms | p99 ms | mean ms | median vs floor | p99 vs floor |",
            "|---|---:|---:|---:|---:|---:|---:|",
            *rows,
            "",
            f"Python {platform.python_version()}, {os.cpu_count()} cores; load average when the "
            f"run ended (1, 5, 15 min): {load}.",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000, help="per command (default 2000)")
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()
    started = time.perf_counter()
    latencies = run_async(run(args.messages, args.warmup))
    body = report(latencies, command_line("bench.bench_roundtrip"))
    print(body)
    print(f"\n({time.perf_counter() - started:.0f} s)")
    if args.write:
        write_section(SECTION, body)


if __name__ == "__main__":
    main()
