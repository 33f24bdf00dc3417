"""IMDb import at full scale: filmclub's importer against ``imdb-sqlite`` on the same files.

Generates IMDb-format files once (``bench/imdb_synth.py``: 1,000,000 titles, 2,000,000 names,
5,000,000 principals, ratings; kept in ``bench/.work/``), then, in one run:

1. ``imdb-sqlite`` (PyPI, the usual loader of these files) imports them into a new database:
   ``imdb-sqlite --db … --cache-dir … --only people,titles,crew,ratings`` (the tables of the
   files there are; it makes its indexes too).
2. ``filmclub import imdb`` imports them into a store created beforehand (untimed) with the
   bundled catalog, as a person would after ``filmclub db init``. Its time includes the search
   index, which it rebuilds before it finishes.
3. Title resolution is measured on the store filmclub built (``bench/resolve_queries.py``).

Each import runs in its own process; its time is wall-clock, its memory the peak of the sum
of the resident sizes of the process and its children (sampled every 20 ms from /proc; Linux),
and the largest single process's peak (getrusage). The machine's load average is recorded:
the two imports share it, so their ratio is the figure to compare.

    python -m bench.bench_imdb [--titles 1000000] [--queries 1000] [--write]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench.imdb_synth import generate
from bench.report import command_line, write_section
from bot import ROOT

WORK = ROOT / "bench" / ".work"
SECTION = "IMDb import"
TARGET_RATIO = 2 / 3
TARGET_MB = 400


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_tree_mb: float  # sum over the process tree, sampled
    peak_process_mb: float  # the largest single process (getrusage)


def _tree_rss_kb(pid: int) -> int:
    """Resident size of ``pid`` and all its descendants, in KiB (0 when it is gone)."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            proc = Path(f"/proc/{current}")
            for line in (proc / "status").read_text(encoding="ascii").splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
                    break
            for task in (proc / "task").iterdir():
                children = (task / "children").read_text(encoding="ascii").split()
                pending.extend(int(child) for child in children)
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def measure(command: list[str], env: dict[str, str] | None = None) -> Run:
    """Run ``command``; its wall time and peak memory."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kb(process.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{output.decode(errors='replace')}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(output.decode(errors="replace").strip()[-2000:])
    # ru_maxrss of children is the largest any child reached so far: exact only if it grew.
    largest = after if after > before else peak
    return Run(seconds, peak / 1024, largest / 1024)


def _fresh(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def run_imdb_sqlite(files: Path, db: Path) -> Run:
    _fresh(db)
    tool = shutil.which("imdb-sqlite") or str(Path(sys.executable).with_name("imdb-sqlite"))
    return measure(
        [tool, "--db", str(db), "--cache-dir", str(files), "--only", "people,titles,crew,ratings"]
    )


def run_filmclub(files: Path, db: Path) -> Run:
    _fresh(db)
    env = {**os.environ, "FILMCLUB_DB": str(db)}
    subprocess.run(
        [sys.executable, "-m", "bot", "db", "init"], env=env, check=True, stdout=subprocess.DEVNULL
    )
    return measure([sys.executable, "-m", "bot", "import", "imdb", str(files)], env=env)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--titles", type=int, default=1_000_000)
    parser.add_argument("--names", type=int, help="default: twice the titles")
    parser.add_argument("--principals", type=int, help="default: five times the titles")
    parser.add_argument("--queries", type=int, default=1000, help="resolution queries per kind")
    parser.add_argument("--skip-imdb-sqlite", action="store_true")
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args(argv)
    names = args.names or 2 * args.titles
    principals = args.principals or 5 * args.titles
    files = WORK / f"imdb-{args.titles}"
    print(f"files: {files}")
    rows = generate(files, args.titles, names, principals)
    theirs = None if args.skip_imdb_sqlite else run_imdb_sqlite(files, WORK / "imdb-sqlite.db")
    if theirs:
        print(f"imdb-sqlite: {theirs.seconds:.1f} s, peak {theirs.peak_tree_mb:.0f} MB")
    store = WORK / "filmclub-imdb.db"
    ours = run_filmclub(files, store)
    print(f"filmclub:    {ours.seconds:.1f} s, peak {ours.peak_tree_mb:.0f} MB")
    load = os.getloadavg()
    from bench.resolve_queries import measure as measure_resolution
    from bench.resolve_queries import table

    resolution = measure_resolution(store, args.queries)
    print(table(resolution))
    if args.write:
        write_section(
            SECTION, _report(rows, theirs, ours, resolution, load, command_line("bench.bench_imdb"))
        )


def _report(
    rows: dict[str, int],
    theirs: Run | None,
    ours: Run,
    resolution: dict[str, dict[str, float]],
    load: tuple[float, float, float],
    command: str,
) -> str:
    from bench.resolve_queries import table

    size = ", ".join(f"{stem} {n:,}" for stem, n in rows.items())
    lines = [
        "Generated IMDb files (`bench/imdb_synth.py`, `.tsv.gz`): " + size + " rows. "
        "Each import in its own process on this 2-core machine; memory is the peak of the "
        "process tree's summed RSS (the largest single process in brackets).",
        "",
        f"Command: `{command}`",
        "",
        "| importer | seconds | ratio | peak MB |",
        "|---|---:|---:|---:|",
    ]
    if theirs:
        lines.append(
            f"| imdb-sqlite 2.1.0 (baseline) | {theirs.seconds:.1f} | 1.00 | "
            f"{theirs.peak_tree_mb:.0f} ({theirs.peak_process_mb:.0f}) |"
        )
    ratio = f"{ours.seconds / theirs.seconds:.2f}" if theirs else "–"
    lines.append(
        f"| filmclub import imdb (incl. search index) | {ours.seconds:.1f} | {ratio} | "
        f"{ours.peak_tree_mb:.0f} ({ours.peak_process_mb:.0f}) |"
    )
    verdict = []
    if theirs:
        met = ours.seconds <= TARGET_RATIO * theirs.seconds
        verdict.append(
            f"time target (≤ {TARGET_RATIO:.2f}× imdb-sqlite) {'met' if met else 'NOT met'}"
        )
    verdict.append(
        f"memory target (< {TARGET_MB} MB) {'met' if ours.peak_tree_mb < TARGET_MB else 'NOT met'}"
    )
    lines += [
        "",
        "Targets: " + "; ".join(verdict) + ".",
        "",
        f"Title resolution on the store filmclub built ({int(resolution['store']['films']):,} "
        "films), `bench.resolve_queries.measure`:",
        "",
        table(resolution),
        "",
        f"Load average when the run ended (1, 5, 15 min): {load[0]:.2f}, {load[1]:.2f}, "
        f"{load[2]:.2f}.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
