"""Title resolution at catalog scale: latency and rank-1 accuracy per kind of query.

Films are sampled uniformly from a store; for each, a query is made the way members type
(case changed, leading article dropped or moved to the end, the year added, one or two typos)
together with the film the product's rules say it must resolve to. Every query goes through
``bot.search.resolve_film`` on the real async store, one at a time.

Queries without a year are made only from films that own their title (the best-known film
with that title key), since the rules send ``Heat`` to the best-known *Heat*; year queries
are made from any film whose title and year together are unique. A typo that happens to spell
another film's title exactly is drawn again: that query names the other film.

    python -m bench.resolve_queries STORE.db [--queries 1000]
    python -m bench.resolve_queries --synth 1000000 [--names 2000000]  # build a synthetic store
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import string
import time
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bench.report import command_line, load_average, percentile, write_section
from bot.errors import FilmNotFound
from bot.normalize import ARTICLES, bare_key, display_title, title_key
from bot.search import FilmMatch, allowed_edits, find_film, resolve_film
from bot.store import Store

KINDS = ("exact", "case", "article", "year", "typo1", "typo2")
SECTION = "Title resolution"
# The anchors measured on this machine at 1M titles (issue 2): typo accuracy, median, p99.
ANCHORS = {
    "exact key index": ("–", "0.02", "–"),
    "rapidfuzz over all titles": ("0.92", "112", "–"),
    "FTS5 trigram candidates + rapidfuzz rerank": ("0.85", "34", "147"),
}


@dataclass(frozen=True)
class Sample:
    film_id: int
    title: str
    year: int | None


@dataclass(frozen=True)
class Query:
    kind: str
    text: str
    expected: int


def _typo(text: str, rng: random.Random) -> str:
    """One typing slip: a letter substituted, dropped, doubled-in or two letters swapped."""
    position = rng.randrange(len(text))
    letter = rng.choice(string.ascii_lowercase)
    slip = rng.randrange(4)
    if slip == 0:
        return text[:position] + letter + text[position + 1 :]
    if slip == 1 and len(text) > 1:
        return text[:position] + text[position + 1 :]
    if slip == 2:
        return text[:position] + letter + text[position:]
    if position + 1 < len(text):
        return text[:position] + text[position + 1] + text[position] + text[position + 2 :]
    return text + letter


def _recase(text: str, rng: random.Random) -> str:
    style = rng.randrange(3)
    if style == 0:
        return text.lower()
    if style == 1:
        return text.upper()
    return "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in text)


class QueryMaker:
    """Samples films from the store and knows, for each key, which film owns it."""

    def __init__(self, conn: sqlite3.Connection, rng: random.Random) -> None:
        self.conn = conn
        self.rng = rng
        self.max_id = int(conn.execute("SELECT max(id) FROM films").fetchone()[0])

    def sample(self) -> Sample:
        while True:
            row = self.conn.execute(
                "SELECT id, title, year FROM films WHERE id >= ? ORDER BY id LIMIT 1",
                (self.rng.randint(1, self.max_id),),
            ).fetchone()
            if row is not None and title_key(row[1]):
                return Sample(int(row[0]), str(row[1]), row[2])

    def owner(self, column: str, key: str) -> int | None:
        """The film the exact rules give for this key: the best-known with it (films, aliases)."""
        row = self.conn.execute(
            f"SELECT f.id FROM films AS f WHERE f.{column} = ?1 "
            f"UNION SELECT a.film_id FROM film_aliases AS a WHERE a.{column} = ?1",
            (key,),
        ).fetchall()
        if not row:
            return None
        ids = [r[0] for r in row]
        best = self.conn.execute(
            f"SELECT id FROM films WHERE id IN ({','.join('?' * len(ids))}) "
            "ORDER BY popularity DESC, id LIMIT 1",
            ids,
        ).fetchone()
        return int(best[0])

    def expected_for(self, text: str) -> int | None:
        """What an exact lookup of ``text`` gives (title key first, then bare key)."""
        return self.owner("title_key", title_key(text)) or self.owner("bare_key", bare_key(text))

    def unique_in_year(self, sample: Sample) -> bool:
        count = self.conn.execute(
            "SELECT count(*) FROM films WHERE title_key = ? AND year IS ?",
            (title_key(sample.title), sample.year),
        ).fetchone()[0]
        return int(count) == 1

    def make(self, kind: str) -> Query:
        for _ in range(1000):
            sample = self.sample()
            query = self._make(kind, sample)
            if query is not None:
                return query
        raise RuntimeError(f"could not make a {kind!r} query from this store")

    def _make(self, kind: str, sample: Sample) -> Query | None:
        rng = self.rng
        shown = display_title(sample.title)
        if kind == "year":
            if sample.year is None or not self.unique_in_year(sample):
                return None
            text = f"{shown} ({sample.year})" if rng.random() < 0.5 else f"{shown} {sample.year}"
            return Query(kind, _recase(text, rng) if rng.random() < 0.5 else text, sample.film_id)
        if self.expected_for(shown) != sample.film_id:
            return None  # not the owner of its title: the query would name another film
        if kind == "exact":
            return Query(kind, shown, sample.film_id)
        if kind == "case":
            return Query(kind, _recase(shown, rng), sample.film_id)
        if kind == "article":
            first, _, rest = shown.partition(" ")
            if not rest or title_key(first) not in ARTICLES:
                return None
            text = rest if rng.random() < 0.5 else f"{rest}, {first}"
            expected = self.expected_for(text)
            return Query(kind, text, expected) if expected is not None else None
        typos = 1 if kind == "typo1" else 2
        for _ in range(20):
            text = shown.lower() if rng.random() < 0.5 else shown
            for _ in range(typos):
                text = _typo(text, rng)
            if not bare_key(text) or self.expected_for(text) is not None:
                continue  # spells a real title (or nothing): not a typo of this one
            return Query(kind, text, sample.film_id)
        return None


def make_queries(conn: sqlite3.Connection, n_queries: int, seed: int = 2049) -> list[Query]:
    maker = QueryMaker(conn, random.Random(seed))
    return [maker.make(kind) for kind in KINDS for _ in range(n_queries)]


async def _wall_times(store_path: Path, queries: list[Query]) -> tuple[list[float], list[bool]]:
    """Each query through ``resolve_film`` on the real async store: ms, and whether it was right."""
    times: list[float] = []
    right: list[bool] = []
    async with await Store.open(store_path) as store:
        for query in queries[:50]:  # warm the page cache and the statement caches
            await _resolve(store, query.text)
        for query in queries:
            started = time.perf_counter()
            found = await _resolve(store, query.text)
            times.append((time.perf_counter() - started) * 1000)
            right.append(found is not None and found.film.id == query.expected)
    return times, right


def _cpu_times(store_path: Path, queries: list[Query]) -> list[float]:
    """The processor time of each resolution itself (ms), on a plain connection in this thread:
    what a query costs whatever else the machine is doing."""
    conn = sqlite3.connect(f"file:{store_path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        for query in queries[:50]:
            find_film(conn, query.text)
        times = []
        for query in queries:
            started = time.thread_time()
            find_film(conn, query.text)
            times.append((time.thread_time() - started) * 1000)
        return times
    finally:
        conn.close()


async def _resolve(store: Store, text: str) -> FilmMatch | None:
    try:
        return await resolve_film(store, text)
    except FilmNotFound:
        return None


def measure(store_path: Path, n_queries: int = 1000) -> dict[str, dict[str, float]]:
    """Per kind of query: number, median and p99 ms (wall clock through the async store, and
    processor time of the resolution alone), and rank-1 accuracy, on this store.

    ``n_queries`` queries of each kind; the ``typo`` row pools the one- and two-typo kinds.
    """
    conn = sqlite3.connect(f"file:{store_path}?mode=ro", uri=True)
    try:
        queries = make_queries(conn, n_queries)
        films = int(conn.execute("SELECT count(*) FROM films").fetchone()[0])
    finally:
        conn.close()
    wall, right = asyncio.run(_wall_times(store_path, queries))
    cpu = _cpu_times(store_path, queries)
    results: dict[str, dict[str, float]] = {}
    for kind in [*KINDS, "typo"]:
        chosen = [i for i, q in enumerate(queries) if q.kind.startswith(kind)]
        if not chosen:
            continue
        results[kind] = {
            "queries": len(chosen),
            "median_ms": statistics.median(wall[i] for i in chosen),
            "p99_ms": percentile([wall[i] for i in chosen], 99),
            "cpu_median_ms": statistics.median(cpu[i] for i in chosen),
            "cpu_p99_ms": percentile([cpu[i] for i in chosen], 99),
            "accuracy": sum(right[i] for i in chosen) / len(chosen),
        }
    results["store"] = {"films": films}
    return results


def exhaustive_baseline(store_path: Path, n_queries: int) -> dict[str, float]:
    """The typo queries resolved by ranking *every* title the way filmclub ranks candidates
    (OSA distance on title and bare keys, then popularity; the same edit allowance): the
    accuracy any candidate filter can hope for on this catalog, and what a full scan costs."""
    conn = sqlite3.connect(f"file:{store_path}?mode=ro", uri=True)
    try:
        typos = [q for q in make_queries(conn, n_queries) if q.kind.startswith("typo")]
        rows = conn.execute("SELECT id, title_key, bare_key, popularity FROM films").fetchall()
    finally:
        conn.close()
    ids, title_keys, bare_keys, popularity = (list(column) for column in zip(*rows, strict=True))
    times, right = [], 0
    for query in typos[:: max(1, len(typos) // n_queries)][:n_queries]:  # both kinds
        started = time.perf_counter()
        typed_title, typed_bare = title_key(query.text), bare_key(query.text)
        has_article = typed_title != typed_bare
        best: tuple[int, bool, float, int] | None = None
        for keys, typed in ((bare_keys, typed_bare), (title_keys, typed_title)):
            for _, distance, i in process.extract(
                typed, keys, scorer=OSA.distance, score_cutoff=3, limit=None
            ):
                article = (title_keys[i] != bare_keys[i]) != has_article
                score = (int(distance), article, -popularity[i], ids[i])
                if best is None or score < best:
                    best = score
        times.append((time.perf_counter() - started) * 1000)
        allowed = allowed_edits(title_key(query.text))
        right += best is not None and best[0] <= allowed and best[3] == query.expected
    return {
        "queries": len(times),
        "accuracy": right / len(times),
        "median_ms": statistics.median(times),
        "p99_ms": percentile(times, 99),
    }


def table(results: dict[str, dict[str, float]]) -> str:
    """The results as a Markdown table."""
    lines = [
        "| query kind | queries | median ms | p99 ms | CPU median ms | CPU p99 ms "
        "| rank-1 accuracy |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for kind in [*KINDS, "typo"]:
        row = results.get(kind)
        if row:
            lines.append(
                f"| {kind} | {int(row['queries'])} | {row['median_ms']:.2f} | "
                f"{row['p99_ms']:.2f} | {row['cpu_median_ms']:.2f} | {row['cpu_p99_ms']:.2f} | "
                f"{row['accuracy']:.3f} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path, nargs="?", help="a filmclub store to query")
    parser.add_argument("--synth", type=int, help="build a synthetic store of this many titles")
    parser.add_argument(
        "--names", type=int, default=2_000_000, help="people in the synthetic store"
    )
    parser.add_argument("--queries", type=int, default=1000, help="queries of each kind")
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument(
        "--baseline",
        type=int,
        default=0,
        help="also resolve this many typo queries by ranking every title (slow: ~1 s each)",
    )
    args = parser.parse_args(argv)
    build: dict[str, float] = {}
    if args.synth:
        from bench.title_synth import load

        path = args.store or Path(f"/tmp/filmclub-synth-{args.synth}-{args.names}.db")
        if not path.exists():
            build = load(path, args.synth, args.names)
        store_path = path
    elif args.store:
        store_path = args.store
    else:
        parser.error("give a store or --synth N")
    results = measure(store_path, args.queries)
    if args.baseline:
        results["baseline"] = exhaustive_baseline(store_path, args.baseline)
    print(table(results))
    if "baseline" in results:
        print("every title ranked:", results["baseline"])
    print(f"films in the store: {int(results['store']['films']):,}")
    if build:
        print(
            f"search index rebuild: {build['rebuild_s']:.2f} s ({build['rebuild_cpu_s']:.2f} s CPU)"
        )
    if args.write:
        write_section(SECTION, _report(results, command_line("bench.resolve_queries"), build))


def _report(results: dict[str, dict[str, float]], command: str, build: dict[str, float]) -> str:
    films = int(results["store"]["films"])
    typo = results["typo"]
    load = load_average()
    lines = [
        f"Command: `{command}`",
        "",
        f"{films:,} films; each query resolved alone through `bot.search.resolve_film` on the "
        "real async store (wall clock), then again through `bot.search.find_film` on a plain "
        "connection for the processor time of the resolution alone, which other processes on "
        "this shared 2-core machine do not inflate. Films are sampled uniformly; the bench's "
        "docstring says how queries and their right answers are made.",
        "",
        table(results),
        "",
        "Typo queries against the anchors measured at 1M titles on this machine (issue 2):",
        "",
        "| method | typo accuracy | median ms | p99 ms |",
        "|---|---:|---:|---:|",
    ]
    for name, (accuracy, median, p99) in ANCHORS.items():
        lines.append(f"| {name} | {accuracy} | {median} | {p99} |")
    lines += [
        f"| filmclub (this run) | {typo['accuracy']:.3f} | {typo['median_ms']:.2f} "
        f"| {typo['p99_ms']:.2f} |",
    ]
    baseline = results.get("baseline")
    if baseline:
        lines.append(
            f"| every title ranked like filmclub's candidates (this store, "
            f"{int(baseline['queries'])} typo queries) | {baseline['accuracy']:.3f} "
            f"| {baseline['median_ms']:.0f} | {baseline['p99_ms']:.0f} |"
        )
    lines += [
        "",
        f"Median {112 / typo['median_ms']:.0f}× faster than rapidfuzz over all titles, "
        f"p99 {147 / typo['p99_ms']:.0f}× faster than FTS5 trigram candidates"
        + (
            f"; median {baseline['median_ms'] / typo['median_ms']:.0f}× faster than ranking "
            "every title of this store, at "
            f"{typo['accuracy'] / baseline['accuracy']:.0%} of its accuracy."
            if baseline
            else "."
        ),
        f"Target (issue 2): typo accuracy ≥ 0.95 — {typo['accuracy']:.3f}; p99 < 10 ms — "
        f"{typo['cpu_p99_ms']:.1f} ms of processor time, {typo['p99_ms']:.1f} ms of wall clock "
        "in this run (exact lookups, "
        f"{results['exact']['cpu_p99_ms']:.1f} ms of processor time at p99, took "
        f"{results['exact']['p99_ms']:.1f} ms of wall clock: the rest is waiting for a core "
        "while the machine is busy, see the load average below).",
    ]
    if build:
        lines.append(
            "The store comes from `bench/title_synth.py` (the titles the IMDb import bench "
            "generates too): word chains over real titles, remakes sharing a title, sequels and "
            "plurals, articles, accents, made-up words from letter chains over real words; "
            "2,000,000 people from real first names and surnames."
        )
        lines.append(
            f"Search index rebuild for this store (`search_index.rebuild`, films and people): "
            f"{build['rebuild_s']:.2f} s wall, {build['rebuild_cpu_s']:.2f} s CPU."
        )
    lines.append(f"Load average when the run ended (1, 5, 15 min): {load}.")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
