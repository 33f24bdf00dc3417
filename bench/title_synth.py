"""A synthetic catalog for developing and measuring title resolution at IMDb scale.

Titles are made from the words of real titles (``../shared/data``: MovieLens, the cast list's
titles, the Wikipedia plots) by a word-bigram chain, so word frequencies and title shapes look
like a real catalog's; on top come the things that make resolution hard: remakes (the same
title in another year), near-duplicates (plurals, an added article or sequel number), accents,
and made-up words standing for the long tail of foreign-language titles. Popularity follows a
heavy-tailed (log-normal) law like IMDb vote counts. People get names the same way.

Only bench code uses this; ``bench/resolve_queries.py`` falls back to it when it is not given
a store, and ``bench/bench_imdb.py`` builds its store from generated IMDb files instead.

    python -m bench.title_synth /tmp/synth.db --titles 1000000
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import random
import re
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

from bot import ROOT
from bot.normalize import display_title, name_key, title_keys
from bot.store import Store, bulk, pools, search_index

SHARED_DATA = ROOT.parent / "shared" / "data"
_YEAR_SUFFIX = re.compile(r"\s*\(\d{4}\)\s*$")
_PARENTHESISED = re.compile(r"\s*\([^)]*\)")
_ACCENTED = {"e": "é", "a": "á", "o": "ö", "u": "ü", "i": "í", "n": "ñ", "c": "ç"}
_SEQUELS = [" 2", " II", " 3", " Part II", ": The Return", ": Reloaded", " Returns"]


def real_titles(shared_data: Path = SHARED_DATA) -> list[str]:
    """Distinct real titles from the shared data (never copied anywhere, only read)."""
    found: set[str] = set()
    movielens = shared_data / "movielens" / "movies.csv"
    if movielens.exists():
        with movielens.open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                title = _PARENTHESISED.sub("", _YEAR_SUFFIX.sub("", row["title"]))
                found.add(display_title(title))
    for path, column in [
        (shared_data / "cast" / "titles.csv", "title"),
        (shared_data / "plots" / "wiki_movie_plots.csv", "Title"),
    ]:
        if path.exists():
            with path.open(encoding="utf-8") as f:
                found.update(row[column] for row in csv.DictReader(f))
    if not found:
        raise SystemExit(f"no real titles found under {shared_data}")
    return sorted(t.strip() for t in found if t.strip())


class WordMaker:
    """Made-up words that look like real ones: a letter trigram chain over real words.

    The long tail of a real catalog is words of many languages and names; letters chained the
    way real words chain them spread out like those do (a word rarely has dozens of
    neighbours one typo away, as words built from a few syllables would).
    """

    def __init__(self, words: Iterable[str], rng: random.Random, order: int = 3) -> None:
        self.rng = rng
        self.order = order
        self.next: dict[str, list[str]] = defaultdict(list)
        for word in words:
            padded = "^" * order + word + "$"
            for i in range(order, len(padded)):
                self.next[padded[i - order : i]].append(padded[i])

    def word(self) -> str:
        while True:
            state, letters = "^" * self.order, []
            while len(letters) < 14:
                letter = self.rng.choice(self.next[state])
                if letter == "$":
                    break
                letters.append(letter)
                state = state[1:] + letter
            if len(letters) >= 3:
                return "".join(letters).capitalize()


def _real_words(texts: Iterable[str]) -> list[str]:
    return [w for text in texts for w in text.lower().split() if w.isalpha()]


class TitleMaker:
    """Word-bigram chain over real titles plus made-up words for the long tail."""

    def __init__(self, titles: list[str], rng: random.Random) -> None:
        self.rng = rng
        self.follow: dict[str, list[str]] = defaultdict(list)
        self.starts: list[str] = []
        for title in titles:
            words = title.split()
            if not words:
                continue
            self.starts.append(words[0])
            for a, b in zip(words, [*words[1:], ""], strict=True):
                self.follow[a].append(b)
        words = WordMaker(_real_words(titles), rng)
        self.invented: list[str] = [words.word() for _ in range(150_000)]

    def title(self) -> str:
        rng = self.rng
        words = [rng.choice(self.starts)]
        while len(words) < 8:
            following = self.follow.get(words[-1])
            if not following:
                break
            nxt = rng.choice(following)
            if not nxt:
                break
            words.append(nxt)
        if rng.random() < 0.25:
            words[rng.randrange(len(words))] = rng.choice(self.invented)
        if rng.random() < 0.05:
            words.append(rng.choice(self.invented))
        text = " ".join(words)
        if rng.random() < 0.04:
            text = "".join(_ACCENTED.get(c, c) if rng.random() < 0.15 else c for c in text)
        return text

    def near_duplicate(self, title: str) -> str:
        rng = self.rng
        choice = rng.randrange(4)
        if choice == 0:
            return title + rng.choice(_SEQUELS)
        if choice == 1:
            return title + "s" if not title.endswith("s") else title[:-1]
        if choice == 2:
            return ("The " + title) if not title.startswith("The ") else title[4:]
        return title + " " + rng.choice(self.invented)


def synth_films(n: int, seed: int = 1995) -> Iterator[tuple[str, int, float]]:
    """``n`` (title, year, popularity) rows with remakes and near-duplicates mixed in."""
    rng = random.Random(seed)
    reals = real_titles()
    maker = TitleMaker(reals, rng)
    made: list[str] = []
    for _ in range(n):
        roll = rng.random()
        if roll < 0.03:
            title = rng.choice(reals)
        elif roll < 0.10 and made:
            title = rng.choice(made)  # a remake, or another film that happens to share the title
        elif roll < 0.16 and made:
            title = maker.near_duplicate(rng.choice(made))
        else:
            title = maker.title()
        made.append(title)
        year = rng.randint(1910, 2024)
        popularity = float(int(rng.lognormvariate(3.0, 2.0)))
        yield title, year, popularity


def real_names(shared_data: Path = SHARED_DATA) -> list[str]:
    """Distinct real people's names from the shared cast lists (read, never copied)."""
    path = shared_data / "cast" / "credits.csv"
    if not path.exists():
        raise SystemExit(f"no cast list found at {path}")
    with path.open(encoding="utf-8") as f:
        return sorted({" ".join(row["name"].split()) for row in csv.DictReader(f)} - {""})


def synth_names(n: int, seed: int = 1963) -> Iterator[tuple[str, float]]:
    """``n`` (name, popularity) rows: real first names and surnames, recombined, with made-up
    ones in the mix (so many people share a surname, a few share a whole name)."""
    rng = random.Random(seed)
    names = [name.split() for name in real_names()]
    firsts = [parts[0] for parts in names if len(parts) > 1]
    lasts = [" ".join(parts[1:]) for parts in names if len(parts) > 1]
    words = WordMaker((w.lower() for parts in names for w in parts if w.isalpha()), rng)
    invented = [words.word() for _ in range(100_000)]
    for _ in range(n):
        first = rng.choice(firsts) if rng.random() < 0.7 else rng.choice(invented)
        last = rng.choice(lasts) if rng.random() < 0.6 else rng.choice(invented)
        if rng.random() < 0.08:
            first += f" {rng.choice('ABCDEFGHJKLMNPRSTW')}."
        yield f"{first} {last}", float(int(rng.lognormvariate(1.0, 1.5)))


def load(path: Path, n_titles: int, n_names: int = 0) -> dict[str, float]:
    """Create a migrated store at ``path`` with synthetic films (and people); time the index."""

    async def create() -> None:
        async with await Store.open(path):
            pass

    asyncio.run(create())
    conn = bulk.connect(path)
    try:
        with bulk.transaction(conn):
            conn.executemany(
                "INSERT INTO films (title, title_key, bare_key, year, imdb_id, popularity)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    (t, *title_keys(t), y, 10_000_000 + i, p)
                    for i, (t, y, p) in enumerate(synth_films(n_titles))
                ),
            )
            conn.executemany(
                "INSERT INTO people (name, name_key, imdb_id, popularity) VALUES (?, ?, ?, ?)",
                (
                    (nm, name_key(nm), 10_000_000 + i, p)
                    for i, (nm, p) in enumerate(synth_names(n_names))
                ),
            )
        # What bulk.refresh_search_index does after an import, timed part by part.
        started, cpu = time.perf_counter(), time.process_time()
        with bulk.transaction(conn):
            search_index.rebuild(conn)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
        with bulk.transaction(conn):
            pools.rebuild(conn)
    finally:
        conn.close()
    return {"rebuild_s": seconds, "rebuild_cpu_s": cpu_seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--titles", type=int, default=1_000_000)
    parser.add_argument("--names", type=int, default=0)
    args = parser.parse_args()
    if args.path.exists():
        raise SystemExit(f"{args.path} exists; give a new path")
    print(load(args.path, args.titles, args.names))


if __name__ == "__main__":
    main()
