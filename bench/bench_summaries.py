"""Review summaries: time per summary for 1, 10 and 50 reviews, against a pysbd-split baseline.

Real prose from ``../shared/data/plots/wiki_movie_plots.csv`` (never copied into the repo):

* 1 review: each film's whole plot as one long document (multi-paragraph, ~4,000 chars), plus
  the seed review ``../shared/seeds/heat-review.txt``.
* 10 and 50 reviews: member-sized reviews of 1–3 consecutive sentences, taken in order from a
  film's plot and running on into the next films' when it is used up (no sentence repeats).

Each set is summarised ``--rounds`` times; "warm" is the bot's steady state (the per-word stem
cache filled by earlier summaries), "cold" clears that cache before every summary. The
baseline is the same summariser with pysbd (the splitter the brief suggested) doing the
splitting, measured on the same sets.

    python -m bench.bench_summaries [--rounds 5] [--write] [--show-heat]
"""

from __future__ import annotations

import argparse
import csv
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import pysbd

from bench.report import command_line, load_average, write_section
from bot import ROOT, summaries
from bot.summaries import ReviewText, split_sentences, summarize

SHARED = ROOT.parent / "shared"
PLOTS = SHARED / "data" / "plots" / "wiki_movie_plots.csv"
HEAT = SHARED / "seeds" / "heat-review.txt"
SECTION = "Review summaries"
SIZES = (1, 10, 50)


def load_plots() -> list[str]:
    with PLOTS.open(encoding="utf-8", newline="") as handle:
        return [row["Plot"] for row in csv.DictReader(handle)]


def heat_body() -> str:
    return HEAT.read_text(encoding="utf-8").partition("\n")[2]


def review_sets(plots: Sequence[str], size: int, count: int) -> list[list[ReviewText]]:
    """``count`` sets of ``size`` reviews; see the module docstring."""
    if size == 1:
        return [[ReviewText(heat_body())]] + [[ReviewText(plot)] for plot in plots[: count - 1]]
    sentences = [split_sentences(plot) for plot in plots]
    sets = []
    for start in range(count):
        stream = _sentence_stream(sentences, start * len(sentences) // count)
        reviews = []
        for k in range(size):
            reviews.append(ReviewText(" ".join(next(stream) for _ in range(1 + k % 3))))
        sets.append(reviews)
    return sets


def _sentence_stream(sentences: Sequence[list[str]], film: int) -> Iterator[str]:
    while True:
        yield from sentences[film % len(sentences)]
        film += 1


def time_summaries(
    sets: Sequence[list[ReviewText]], rounds: int, before_each: Callable[[], None] | None = None
) -> list[float]:
    """Milliseconds per summary, every set ``rounds`` times."""
    times = []
    for _ in range(rounds):
        for reviews in sets:
            if before_each:
                before_each()
            start = time.perf_counter_ns()
            summarize(reviews)
            times.append((time.perf_counter_ns() - start) / 1e6)
    return times


@contextmanager
def pysbd_splitting() -> Iterator[None]:
    """The summariser with pysbd splitting each line, as the baseline."""
    segmenter = pysbd.Segmenter(language="en", clean=False)

    def split(text: str) -> list[str]:
        return [
            " ".join(sentence.split())
            for line in text.splitlines()
            for sentence in segmenter.segment(line)
            if sentence.strip()
        ]

    original = summaries.split_sentences
    summaries.split_sentences = split
    try:
        yield
    finally:
        summaries.split_sentences = original


def p99(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def measure(rounds: int, sets_per_size: int) -> list[dict[str, float]]:
    plots = load_plots()
    rows = []
    for size in SIZES:
        sets = review_sets(plots, size, sets_per_size)
        time_summaries(sets, 1)  # fill the stem cache, as a running bot has
        warm = time_summaries(sets, rounds)
        cold = time_summaries(sets, rounds, before_each=summaries._term.cache_clear)
        with pysbd_splitting():
            baseline = time_summaries(sets, 1)
        rows.append(
            {
                "reviews": size,
                "sets": len(sets),
                "chars": statistics.mean(sum(len(r.body) for r in s) for s in sets),
                "sentences": statistics.mean(
                    sum(len(split_sentences(r.body)) for r in s) for s in sets
                ),
                "median": statistics.median(warm),
                "p99": p99(warm),
                "cold_median": statistics.median(cold),
                "cold_p99": p99(cold),
                "baseline_median": statistics.median(baseline),
                "baseline_p99": p99(baseline),
            }
        )
    return rows


def table(rows: Sequence[dict[str, float]]) -> str:
    lines = [
        "| reviews | sets | chars (mean) | sentences (mean) | median ms | p99 ms "
        "| cold median ms | cold p99 ms | pysbd-split median ms | speed-up |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['reviews']:.0f} | {row['sets']:.0f} | {row['chars']:,.0f} "
            f"| {row['sentences']:.0f} | {row['median']:.2f} | {row['p99']:.2f} "
            f"| {row['cold_median']:.2f} | {row['cold_p99']:.2f} "
            f"| {row['baseline_median']:.1f} | {row['baseline_median'] / row['median']:.0f}× |"
        )
    return "\n".join(lines)


def show_heat() -> None:
    """The seed review's summary with each splitter: the quality side of the choice."""
    naive = re.compile(r"(?<=[.!?…])\s+")
    body = heat_body()
    print("sentencex + guards:", summarize([ReviewText(body)]).text, "\n")
    with pysbd_splitting():
        print("pysbd:", summarize([ReviewText(body)]).text, "\n")
    original = summaries.split_sentences
    summaries.split_sentences = lambda text: [s for s in naive.split(" ".join(text.split())) if s]
    try:
        print(
            "naive regex split:",
            [s for s in naive.split(body) if "Hanna" in s or s.endswith("Lt.")],
        )
        print("naive regex summary:", summarize([ReviewText(body)]).text, "\n")
    finally:
        summaries.split_sentences = original


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="times each set is summarised")
    parser.add_argument("--sets", type=int, default=100, help="review sets per size")
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument("--show-heat", action="store_true", help="print the seed's summaries")
    args = parser.parse_args(argv)
    if not PLOTS.is_file():
        sys.exit(f"real film data not found at {PLOTS}")
    if args.show_heat:
        show_heat()
    rows = measure(args.rounds, args.sets)
    load = load_average()
    result = f"{table(rows)}\n\nLoad average when the run ended (1, 5, 15 min): {load}."
    print(result)
    if args.write:
        command = command_line("bench.bench_summaries")
        write_section(
            SECTION,
            "Time for one `bot.summaries.summarize` call (pure Python, one core of this "
            "2-core machine), on real prose from `../shared/data/plots` (see the bench's "
            "docstring for how review sets are made). Warm = the per-word stem cache filled "
            "as in a running bot; cold = cache cleared before each summary. The baseline is "
            "the same summariser splitting with pysbd.\n\n"
            f"Command: `{command}`\n\n{result}",
        )


if __name__ == "__main__":
    main()
