"""Instructions per ``pick`` at a million films, counted by valgrind: a measure this shared
machine's noise does not move.

``bench_commands``'s medians move by 10% from run to run here, so a change worth a few percent
of a pick cannot be seen in them. Valgrind counts the instructions the picks execute, the same
to 0.2% from run to run. The picks are the bench's kind (``recommend.pick_now`` on a reader
connection, as the bot runs them: a member who has rated films, a genre typed one time in two,
a decade one time in four, one film excluded one time in four as after an earlier pick) on the
bench's store with its ratings (made from ``bench_commands``'s store on first use). A child
process runs them under ``valgrind --tool=cachegrind`` twice, ``--picks`` and twice as many:
the difference is what ``--picks`` warm picks cost, without start-up.

``--against DIR`` counts another checkout's picks the same way (``git worktree add /tmp/old
REV``) and prints the ratio. It counts instructions, not time: memory stalls and a machine's
idle wake-ups are not in it (the latency bench has those).

    python -m bench.pick_instructions [--picks 400] [--against DIR] [--write]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

# The child runs with the counted checkout first on PYTHONPATH: these are its modules.
from bot import ROOT, recommend
from bot.errors import GenreNotFound, NothingToPick
from bot.store.pools import ANY

SECTION = "Instructions per pick"
GUILD = 1
MEMBERS = range(1_000, 3_000)
RATINGS = 100_000
#: The latency bench's genres (``bench_commands.GENRES``), written here again on purpose: the
#: child also runs with other checkouts' code, and every checkout must be asked the same picks.
GENRES = [
    "crime", "drama", "comedy", "thriller", "sci-fi", "horror", "romance", "western",
    "neo-noir", "animation", "war", "documentary", "film noir", "adventure", "musical",
]  # fmt: skip


def prepared_store(films: int) -> Path:
    """The bench's store with its ratings (made once, then kept beside it)."""
    from bench.bench_commands import DEFAULT_STORE, add_ratings, build_store
    from bot.store import Store

    built = Path(str(DEFAULT_STORE).format(films=films))
    rated = built.with_name(built.stem + "-rated.db")
    if rated.exists():
        return rated
    if not built.exists():
        build_store(built, films, 300_000)
    partial = rated.with_suffix(".partial")
    shutil.copyfile(built, partial)

    async def rate() -> None:
        async with await Store.open(partial) as store:
            await add_ratings(store, GUILD, list(MEMBERS), RATINGS)

    asyncio.run(rate())
    for leftover in (Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    partial.rename(rated)
    return rated


def bench_requests(
    count: int, guild: int, members: Sequence[int], genres: Sequence[str], *, exclude: bool
) -> list[recommend.Request]:
    """The latency bench's kind of picks: a member with ratings, one of ``genres`` typed one
    time in two, a decade one time in four, and (``exclude``) one film excluded one time in
    four, as after an earlier pick. The same seed, so the same picks, on every call."""
    rng = random.Random(11)
    made = []
    for _ in range(count):
        genre = rng.choice(genres) if genres and rng.random() < 0.5 else ""
        decade = rng.randrange(1930, 2030, 10) if rng.random() < 0.25 else ANY
        excluded = (rng.randrange(1, 100_000),) if exclude and rng.random() < 0.25 else ()
        member = rng.choice(members)
        made.append(recommend.Request(guild, member, None, decade, excluded, genre))
    return made


def reader(db: Path) -> sqlite3.Connection:
    """A connection to ``db`` that reads as the bot's readers do."""
    conn = sqlite3.connect(db, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA mmap_size = 1073741824")  # as the bot's readers
    return conn


def pick_in_snapshot(conn: sqlite3.Connection, request: recommend.Request, seed: int) -> None:
    """One pick, in its own read transaction as ``Store.read`` runs it (nothing to pick and
    an unknown genre are answers too: they count like picks)."""
    conn.execute("BEGIN")
    try:
        recommend.pick_now(conn, request, random.Random(seed))
    except (NothingToPick, GenreNotFound):
        pass
    finally:
        conn.execute("COMMIT")


def run_picks(db: Path, picks: int, passes: int) -> None:
    """The child's work: the same ``picks`` requests, ``passes`` times over."""
    requests = bench_requests(picks, GUILD, MEMBERS, GENRES, exclude=True)
    conn = reader(db)
    for _ in range(passes):
        for seed, request in enumerate(requests):
            pick_in_snapshot(conn, request, seed)


def instructions(tree: Path, db: Path, picks: int, passes: int) -> int:
    """Instructions the child executes with ``tree``'s code (valgrind's ``I refs``)."""
    valgrind = ["valgrind", "--tool=cachegrind", "--cache-sim=no"]
    valgrind.append("--cachegrind-out-file=/dev/null")
    child = [sys.executable, str(Path(__file__).resolve()), "--child", str(db)]
    result = subprocess.run(
        [*valgrind, *child, "--picks", str(picks), "--passes", str(passes)],
        env={**os.environ, "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"I\s+refs:\s+([\d,]+)", result.stderr)
    if found is None:
        raise RuntimeError(f"no instruction count from valgrind:\n{result.stderr[-2000:]}")
    return int(found[1].replace(",", ""))


def revision(tree: Path) -> str:
    """``tree``'s commit (``4f7a626``), for the table."""
    found = subprocess.run(
        ["git", "-C", str(tree), "log", "-1", "--format=%h"], capture_output=True, text=True
    )
    return found.stdout.strip() if found.returncode == 0 else "not a git checkout"


def per_pick(tree: Path, db: Path, picks: int) -> int:
    return (instructions(tree, db, picks, 2) - instructions(tree, db, picks, 1)) // picks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--films", type=int, default=1_000_000)
    parser.add_argument("--picks", type=int, default=400)
    parser.add_argument("--against", type=Path, help="another checkout to count the same way")
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--passes", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_picks(args.child, args.picks, args.passes)
        return
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (apt install valgrind): it counts the instructions")
    db = prepared_store(args.films)
    with tempfile.TemporaryDirectory() as work:  # each count reads its own copy
        copy = Path(work) / db.name
        shutil.copyfile(db, copy)
        here = per_pick(ROOT, copy, args.picks)
        lines = [f"| this checkout ({revision(ROOT)}) | {here:,} | 1.00 |"]
        if args.against:
            there = per_pick(args.against.resolve(), copy, args.picks)
            other = f"{args.against} ({revision(args.against)})"
            lines.append(f"| {other} | {there:,} | {there / here:.2f} |")
    from bench.report import command_line, write_section

    body = "\n".join(
        [
            f"Command: `{command_line('bench.pick_instructions')}`",
            "",
            f"{args.picks} picks of the latency bench's kind on its {args.films:,}-film store "
            f"with {RATINGS:,} ratings, counted by valgrind (instructions of warm picks, "
            "start-up excluded); the same to 0.2% run to run, where latencies move by 10%.",
            "",
            "| code | instructions per pick | vs this checkout |",
            "|---|---:|---:|",
            *lines,
        ]
    )
    print(body)
    if args.write:
        write_section(SECTION, body)


if __name__ == "__main__":
    main()
