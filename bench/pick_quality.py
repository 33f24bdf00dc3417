"""What the pick's budgets cost in quality: its best candidate against a much larger budget's.

A pick reads a bounded number of candidates from each source (``recommend.FROM_EACH``), weighs
a shortlist of them in full (``SHORTLIST``) and reads a bounded part of each person's films and
each fan's favourites (``bot.store.picks``). Smaller budgets make a pick cheaper and can miss
the film that weighs best. This runs the same picks with the bot's budgets, with each
``--try`` variant, and with :data:`LARGE` budgets, and compares each pick's best-weighed
candidate (the likeliest draw) with the large budget's:

* *same best*: the share of picks whose best candidate is the large budget's best;
* *best score*: the mean score of the best candidate, against the large budget's mean.

Two stores: the latency bench's (a million synthetic films with credits, 100,000 ratings by
2,000 members) and MovieLens (9,742 real films without credits, 100,836 real ratings by 610
members of one server, from ``../shared/data``; left out with a note when it is absent). The
picks are the latency bench's kind: a member with ratings, a genre one time in two (among the
bench's genre names the store knows), a decade one time in four.

    python -m bench.pick_quality [--picks 600] [--try SHORTLIST=16,FROM_EACH=16 ...] [--write]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from bench.bench_movielens_replay import MOVIELENS, import_rated
from bench.pick_instructions import (
    GENRES,
    GUILD,
    MEMBERS,
    bench_requests,
    pick_in_snapshot,
    prepared_store,
    reader,
)
from bench.report import command_line, write_section
from bot import recommend
from bot.store import Store, picks
from bot.store.genres import loose_genre_kept

SECTION = "Pick quality against larger budgets"
#: The budgets that may be set, and the module each lives in.
BUDGETS: dict[str, ModuleType] = {
    "FROM_EACH": recommend,
    "SHORTLIST": recommend,
    "PEOPLE_FROM": recommend,
    "CO_LIKED_FROM": recommend,
    "CREDITS_READ": picks,
    "PER_PERSON": picks,
    "FANS": picks,
    "FAN_FAVOURITES": picks,
}
#: Budgets several times the bot's: the reference each pick is compared with.
LARGE = {
    "FROM_EACH": 64,
    "SHORTLIST": 64,
    "CREDITS_READ": 300,
    "PER_PERSON": 24,
    "FANS": 12,
    "FAN_FAVOURITES": 24,
}
MOVIELENS_GUILD = 1
#: MovieLens user n is this member.
MOVIELENS_FIRST_MEMBER = 1_000_000


@dataclass(frozen=True)
class Server:
    """A store, and the server in it whose members ask for the picks."""

    name: str
    path: Path
    guild: int
    members: Sequence[int]


@dataclass(frozen=True)
class Outcome:
    #: Each pick's best candidate (film id and score), None when nothing was picked.
    best: list[tuple[int, float] | None]
    ms_per_pick: float


def requests(conn: sqlite3.Connection, server: Server, count: int) -> list[recommend.Request]:
    """The latency bench's kind of picks, with the genre names this store knows."""
    known = [name for name in GENRES if loose_genre_kept(conn, name) is not None]
    return bench_requests(count, server.guild, server.members, known, exclude=False)


def run(
    conn: sqlite3.Connection, asked: list[recommend.Request], budgets: dict[str, int]
) -> Outcome:
    """Every pick under ``budgets`` (the rest as the bot has them), and the best candidate
    each one weighed (seen where the pick draws among the best)."""
    defaults = {name: getattr(module, name) for name, module in BUDGETS.items()}
    found: list[tuple[int, float] | None] = []
    draw = recommend._draw

    def seen(best: Sequence[recommend.Candidate], rng: random.Random) -> recommend.Candidate:
        found[-1] = (best[0].film_id, best[0].score)
        return draw(best, rng)

    try:
        for name, value in budgets.items():
            setattr(BUDGETS[name], name, value)
        recommend._draw = seen
        started = time.process_time()
        for seed, request in enumerate(asked):
            found.append(None)
            pick_in_snapshot(conn, request, seed)
        seconds = time.process_time() - started
    finally:
        recommend._draw = draw
        for name, value in defaults.items():
            setattr(BUDGETS[name], name, value)
    return Outcome(found, seconds / len(asked) * 1e3)


def compare(server: Server, variants: dict[str, dict[str, int]], count: int) -> list[str]:
    """Table rows: each variant's picks against :data:`LARGE`'s, in ``server``."""
    conn = reader(server.path)
    try:
        asked = requests(conn, server, count)
        reference = run(conn, asked, LARGE).best
        rows = []
        for label, budgets in variants.items():
            # The first pass warms the caches; the time is the best of the three after it.
            timed = [run(conn, asked, budgets) for _ in range(4)][1:]
            outcome = timed[0]  # every pass picks the same (each pick's seed is fixed)
            ms_per_pick = min(each.ms_per_pick for each in timed)
            pairs = [(b, r) for b, r in zip(outcome.best, reference, strict=True) if r]
            same = sum(1 for b, r in pairs if b and b[0] == r[0]) / len(pairs)
            score = statistics.fmean(b[1] if b else 0.0 for b, _ in pairs)
            large = statistics.fmean(r[1] for _, r in pairs)
            rows.append(
                f"| {server.name} | {label} | {len(pairs):,} | {same:.0%} | "
                f"{score:.3f} ({score / large:.0%} of {large:.3f}) | {ms_per_pick:.2f} |"
            )
        return rows
    finally:
        conn.close()


def movielens_server(folder: Path) -> Server:
    """MovieLens's films and all its ratings in a new store (one server, a member per user)."""
    path = Path(tempfile.mkdtemp(prefix="filmclub-pick-quality-")) / "movielens.db"

    async def build() -> list[int]:
        async with await Store.open(path) as store:
            await import_rated(store, path, folder, MOVIELENS_GUILD, MOVIELENS_FIRST_MEMBER)
            rows = await store.fetchall(
                "SELECT DISTINCT member_id FROM ratings WHERE guild_id = ? ORDER BY member_id",
                (MOVIELENS_GUILD,),
            )
            return [int(row[0]) for row in rows]

    return Server("MovieLens", path, MOVIELENS_GUILD, asyncio.run(build()))


def parse_variant(text: str) -> dict[str, int]:
    """``SHORTLIST=16,FROM_EACH=16`` -> those budgets."""
    budgets = {}
    for part in text.split(","):
        name, _, value = part.partition("=")
        if name.strip() not in BUDGETS:
            raise SystemExit(f"{name!r} is not a budget; budgets: {', '.join(BUDGETS)}")
        budgets[name.strip()] = int(value)
    return budgets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--picks", type=int, default=600)
    parser.add_argument(
        "--try", dest="variants", action="append", default=[], metavar="NAME=N[,NAME=N]"
    )
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()
    variants: dict[str, dict[str, int]] = {"the bot's": {}}
    variants |= {text: parse_variant(text) for text in args.variants}
    servers = [Server("bench", prepared_store(1_000_000), GUILD, MEMBERS)]
    notes = []
    ratings = MOVIELENS / "ratings.csv"
    if ratings.exists():
        servers.append(movielens_server(MOVIELENS))
    else:
        notes.append(f"MovieLens left out: {ratings} not found.")
    rows = []
    try:
        for server in servers:
            rows += compare(server, variants, args.picks)
    finally:
        for built in servers[1:]:  # MovieLens's store was made for this run
            shutil.rmtree(built.path.parent, ignore_errors=True)
    large = ", ".join(f"{name}={value}" for name, value in LARGE.items())
    body = "\n".join(
        [
            f"Command: `{command_line('bench.pick_quality')}`",
            "",
            f"{args.picks} picks of the latency bench's kind on each store, under each set of "
            f"budgets and under large ones ({large}); each pick's best-weighed candidate is "
            "compared with the large budgets' best. Time is processor time per pick in one "
            "process, warm (the best of three passes).",
            "",
            "| store | budgets | picks | same best | best score (of the large budgets') "
            "| ms per pick |",
            "|---|---|---:|---:|---|---:|",
            *rows,
            *(["", *notes] if notes else []),
        ]
    )
    print(body)
    if args.write:
        write_section(SECTION, body)


if __name__ == "__main__":
    main()
