"""IMDb-format TSV files at full scale, for ``bench/bench_imdb.py``.

Writes ``title.basics``, ``name.basics``, ``title.principals`` and ``title.ratings`` as
``.tsv.gz`` (IMDb's own names, so ``imdb-sqlite`` reads them too) into a directory, once.
Titles and names come from ``bench.title_synth`` (word chains over real titles, remakes, sequels,
shared titles across years, articles, accents); this module adds IMDb's columns: a mix of title
types (most are movies, as the benchmark is about films; shorts, series, episodes and videos are
there for the importer to skip), ``\\N`` nulls, runtimes, genres, original titles, principals
with ordering, categories and ``["Character"]`` JSON, and ratings whose vote counts are
heavy-tailed like IMDb's. Ids are sparse like IMDb's (tt/nm numbers with gaps). Deterministic.

    python -m bench.imdb_synth bench/.work/imdb --titles 1000000
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import time
from collections.abc import Iterable
from pathlib import Path

from bench.title_synth import synth_films, synth_names

TITLE_TYPES = [
    ("movie", 0.70),
    ("tvMovie", 0.08),
    ("short", 0.08),
    ("tvSeries", 0.05),
    ("tvEpisode", 0.05),
    ("video", 0.04),
]
GENRES = [
    "Action",
    "Adventure",
    "Animation",
    "Biography",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Family",
    "Fantasy",
    "Film-Noir",
    "History",
    "Horror",
    "Music",
    "Musical",
    "Mystery",
    "Romance",
    "Sci-Fi",
    "Sport",
    "Thriller",
    "War",
    "Western",
]
CREW = ["director", "writer", "producer", "composer", "cinematographer", "editor"]
HEADERS = {
    "title.basics": "tconst\ttitleType\tprimaryTitle\toriginalTitle\tisAdult\tstartYear\tendYear"
    "\truntimeMinutes\tgenres",
    "name.basics": "nconst\tprimaryName\tbirthYear\tdeathYear\tprimaryProfession\tknownForTitles",
    "title.principals": "tconst\tordering\tnconst\tcategory\tjob\tcharacters",
    "title.ratings": "tconst\taverageRating\tnumVotes",
}
N = "\\N"


def _write(path: Path, header: str, rows: Iterable[str]) -> int:
    count = 0
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=4, newline="\n") as out:
        out.write(header + "\n")
        batch: list[str] = []
        for row in rows:
            batch.append(row)
            if len(batch) == 10_000:
                out.write("\n".join(batch) + "\n")
                count += len(batch)
                batch.clear()
        if batch:
            out.write("\n".join(batch) + "\n")
            count += len(batch)
    return count


def _sparse_ids(n: int, rng: random.Random) -> list[int]:
    ids, current = [], 0
    for _ in range(n):
        current += rng.choice((1, 1, 1, 2, 3, 5, 8, 13))
        ids.append(current)
    return ids


def generate(
    out: Path,
    titles: int = 1_000_000,
    names: int = 2_000_000,
    principals: int = 5_000_000,
    seed: int = 2024,
) -> dict[str, int]:
    """Write the four files into ``out`` (skipped when they are there); rows per file."""
    out.mkdir(parents=True, exist_ok=True)
    done = out / "DONE.json"
    wanted = {"titles": titles, "names": names, "principals": principals, "seed": seed}
    if done.exists():
        recorded = json.loads(done.read_text())
        if recorded.get("wanted") == wanted:
            return dict(recorded["rows"])
    rng = random.Random(seed)
    tconsts = _sparse_ids(titles, rng)
    nconsts = _sparse_ids(names, rng)
    kinds = rng.choices([k for k, _ in TITLE_TYPES], [w for _, w in TITLE_TYPES], k=titles)
    votes: list[float] = []

    def basics() -> Iterable[str]:
        for tconst, kind, (title, year, popularity) in zip(
            tconsts, kinds, synth_films(titles), strict=True
        ):
            votes.append(popularity)
            original = title
            if rng.random() < 0.1:
                original = (
                    title.replace("a", "á").replace("e", "è")
                    if rng.random() < 0.5
                    else (
                        title + " " + rng.choice(["Der Film", "La Película", "Le Film", "Il Film"])
                    )
                )
            runtime = str(rng.randint(5 if kind == "short" else 60, 40 if kind == "short" else 200))
            genres = ",".join(sorted(rng.sample(GENRES, rng.choice((1, 1, 2, 2, 3)))))
            yield "\t".join(
                [
                    f"tt{tconst:07d}",
                    kind,
                    title,
                    original,
                    "1" if rng.random() < 0.01 else "0",
                    str(year) if rng.random() < 0.97 else N,
                    str(year + rng.randint(1, 8)) if kind == "tvSeries" else N,
                    runtime if rng.random() < 0.8 else N,
                    genres if rng.random() < 0.95 else N,
                ]
            )

    def people() -> Iterable[str]:
        for nconst, (name, _) in zip(nconsts, synth_names(names), strict=True):
            born = rng.randint(1880, 2010) if rng.random() < 0.45 else None
            died = (
                born + rng.randint(30, 95) if born and born < 1950 and rng.random() < 0.5 else None
            )
            known = ",".join(f"tt{rng.choice(tconsts):07d}" for _ in range(rng.randint(0, 4)))
            yield "\t".join(
                [
                    f"nm{nconst:07d}",
                    name,
                    str(born) if born else N,
                    str(died) if died else N,
                    rng.choice(
                        [
                            "actor",
                            "actress",
                            "actor,producer",
                            "director,writer",
                            "writer",
                            "composer",
                            "cinematographer",
                            "editor",
                            "actress,soundtrack",
                        ]
                    ),
                    known or N,
                ]
            )

    def principal_rows() -> Iterable[str]:
        characters = (name for name, _ in synth_names(principals, seed=7))
        left = principals
        for i, tconst in enumerate(tconsts):
            # About five a title, varying, summing to exactly ``principals``.
            share = left / (titles - i)
            k = left if i == titles - 1 else max(0, min(left, round(share + rng.uniform(-3, 3))))
            for ordering in range(1, k + 1):
                person = nconsts[int(names * rng.random() ** 2.5)]  # a few people in many films
                if ordering <= 2 and rng.random() < 0.6:
                    category = rng.choice(CREW[:2])
                elif rng.random() < 0.8:
                    category = rng.choice(("actor", "actress"))
                else:
                    category = rng.choice([*CREW, "self", "archive_footage"])
                acting = category in ("actor", "actress", "self")
                character = next(characters)
                yield "\t".join(
                    [
                        f"tt{tconst:07d}",
                        str(ordering),
                        f"nm{person:07d}",
                        category,
                        "screenplay" if category == "writer" and rng.random() < 0.3 else N,
                        json.dumps([character], ensure_ascii=False)
                        if acting and rng.random() < 0.85
                        else N,
                    ]
                )
            left -= k
            if left == 0:
                break

    def ratings() -> Iterable[str]:
        for tconst, popularity in zip(tconsts, votes, strict=True):
            if rng.random() < 0.7:
                yield f"tt{tconst:07d}\t{rng.randint(10, 99) / 10:.1f}\t{int(popularity) + 5}"

    rows = {}
    for stem, make in [
        ("title.basics", basics),
        ("name.basics", people),
        ("title.principals", principal_rows),
        ("title.ratings", ratings),
    ]:
        started = time.perf_counter()
        rows[stem] = _write(out / f"{stem}.tsv.gz", HEADERS[stem], make())
        print(f"  {stem}: {rows[stem]:,} rows in {time.perf_counter() - started:.0f} s")
    done.write_text(json.dumps({"wanted": wanted, "rows": rows}))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--titles", type=int, default=1_000_000)
    parser.add_argument("--names", type=int, default=2_000_000)
    parser.add_argument("--principals", type=int, default=5_000_000)
    args = parser.parse_args()
    print(generate(args.out, args.titles, args.names, args.principals))


if __name__ == "__main__":
    main()
