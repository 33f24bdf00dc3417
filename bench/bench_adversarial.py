"""The adversarial property suite, long: tens of thousands of hostile cases over every command.

The same property and harness as ``tests/test_adversarial.py`` (tests/adversarial.py), on a
store with the bundled catalog, run for ``--cases`` cases in all (shared evenly between the
commands the bot has, each driven as a prefix and a slash command). Unlike the CI suite it does
not stop at the first failure: every failing case is counted and the first few are printed.
Writes its section of docs/benchmarks.md with ``--write``.

    python -m bench.bench_adversarial --cases 20000 --write
"""

from __future__ import annotations

import argparse
import asyncio
import math
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.report import command_line, load_average, write_section
from bot.bootstrap import open_store
from tests.adversarial import BotThread, Result, command_names, fuzz_command
from tests.conftest import bot_settings

SECTION = "Adversarial input (hypothesis)"


def build_store(work: Path) -> Path:
    db_path = work / "filmclub.db"

    async def build() -> None:
        store = await open_store(bot_settings(db_path), db_path)
        await store.close()

    asyncio.run(build())
    return db_path


def run(cases: int, seed: int) -> tuple[list[Result], float]:
    names = command_names()
    per_command = math.ceil(cases / len(names))
    work = Path(tempfile.mkdtemp(prefix="filmclub-adversarial-"))
    results: list[Result] = []
    started = time.perf_counter()
    try:
        runner = BotThread(build_store(work))
        with runner as fuzzer:
            for number, name in enumerate(names):
                result = fuzz_command(
                    runner,
                    fuzzer,
                    name,
                    examples=per_command,
                    stop_at_first=False,
                    seed=seed + number,
                )
                results.append(result)
                print(
                    f"{name:>14}: {result.cases:,} cases, {len(result.failures)} failures, "
                    f"{result.seconds:.0f} s",
                    flush=True,
                )
                for failure in result.failures[:3]:
                    print("   ", failure[:2000], flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results, time.perf_counter() - started


def report(results: list[Result], seconds: float, command: str, seed: int) -> str:
    total = sum(r.cases for r in results)
    failures = sum(len(r.failures) for r in results)
    per_case = [r.seconds / r.cases * 1000 for r in results if r.cases]
    rows = [
        f"| `{r.command}` | {r.cases:,} | {len(r.failures)} | {r.seconds:.0f} |" for r in results
    ]
    load = load_average()
    return "\n".join(
        [
            "Generated hostile input for every command the bot has (found at run time), each "
            "case used as a prefix command and as a slash command by a member, an admin or the "
            "owner, in the server or a DM, sometimes typing into an autocompleted option and "
            "pressing a button on the reply: unicode of every category, zero-width and RTL "
            "characters, Markdown, `@everyone`/role/user mentions, 0 to 6,000 characters, SQL "
            "and format-string fragments, numbers at every edge. A case fails on any error "
            "logged, an apology, exception text in a reply, a reply that could ping, anything "
            "the local Discord refused (its limits answer 400), a slash command left "
            "unanswered, or a store integrity check other than `ok` (checked after every "
            f"case). Bundled catalog; hypothesis seed {seed} + the command's index.",
            "",
            f"Command: `{command}`",
            "",
            f"**{total:,} cases run, {failures} failures**, in {seconds / 60:.1f} min "
            f"(median {statistics.median(per_case):.0f} ms per case).",
            "",
            "| command | cases | failures | seconds |",
            "|---|---:|---:|---:|",
            *rows,
            "",
            f"Load average when the run ended (1, 5, 15 min): {load}.",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000, help="cases in all (default 20,000)")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args(argv)
    results, seconds = run(args.cases, args.seed)
    text = report(results, seconds, command_line("bench.bench_adversarial"), args.seed)
    print(text)
    if args.write:
        write_section(SECTION, text)
    return 1 if any(r.failures for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
