"""MovieLens: ``movies.csv`` (films and genres), ``links.csv`` (IMDb ids) and, when present,
``ratings.csv`` (how many ratings each film has: its popularity prior, unless a bigger one is
known). ``Heat, The (2013)`` becomes *The Heat* (2013); ``(a.k.a. …)`` and parenthesised
original titles become aliases. Films merge with the store's by IMDb id or by title and year;
each MovieLens id is recorded (``film_sources``) so a re-import finds its films directly and
changes nothing.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from bot.importers.common import ImportReport, Progress, file_size, read_lines
from bot.normalize import display_title
from bot.store import bulk
from bot.store.films import NewFilm, film_for_source, record_source, save_film
from bot.store.models import parse_imdb_title
from bot.store.steps import run

SOURCE = "movielens"
NO_GENRES = "(no genres listed)"
_YEAR = re.compile(r"\s*\((?P<year>\d{4})(?:\s*[-–]\s*(?:\d{4})?)?\)\s*$")
_TRAILING_PARENTHESES = re.compile(r"\s*\((?P<inner>[^()]*)\)\s*$")
_AKA = re.compile(r"^a\.?k\.?a\.?\s+", re.IGNORECASE)


def parse_title(text: str) -> tuple[str, int | None, list[str]]:
    """``City of Lost Children, The (Cité des enfants perdus, La) (1995)`` ->
    (``The City of Lost Children``, 1995, [``La Cité des enfants perdus``])."""
    text = text.strip()
    year = None
    match = _YEAR.search(text)
    if match:
        year = int(match["year"])
        text = text[: match.start()]
    aliases: list[str] = []
    while (match := _TRAILING_PARENTHESES.search(text)) and match.start() > 0:
        aliases.insert(0, display_title(_AKA.sub("", match["inner"].strip())))
        text = text[: match.start()]
    return display_title(text.strip()), year, [a for a in aliases if a]


def find_files(folder: Path) -> dict[str, Path]:
    movies = folder / "movies.csv"
    if not movies.is_file():
        raise FileNotFoundError(f"no movies.csv in {folder}")
    found = {"movies": movies}
    for name in ("links", "ratings"):
        if (folder / f"{name}.csv").is_file():
            found[name] = folder / f"{name}.csv"
    return found


def import_size(folder: Path) -> int:
    return file_size(list(find_files(folder).values()))


def _csv_row(line: str) -> list[str]:
    return next(csv.reader([line]))


def import_movielens(db_path: Path, folder: Path, progress: Progress | None = None) -> ImportReport:
    files = find_files(folder)
    report = ImportReport(f"movielens {folder}")
    side = ImportReport("side files")  # bad rows of links/ratings count, but not as films
    imdb_ids: dict[str, int] = {}
    if "links" in files:
        for line, text in read_lines(files["links"], side, progress):
            fields = text.split(",")
            imdb_id = parse_imdb_title(fields[1]) if len(fields) >= 2 else None
            if imdb_id is None:
                side.reject(line, f"links.csv: no IMDb id in {text!r}")
                continue
            imdb_ids[fields[0]] = imdb_id
    votes: dict[str, int] = {}
    if "ratings" in files:
        for line, text in read_lines(files["ratings"], side, progress):
            fields = text.split(",")
            if len(fields) != 4:
                side.reject(line, f"ratings.csv: {len(fields)} fields, expected 4", text)
                continue
            votes[fields[1]] = votes.get(fields[1], 0) + 1
    conn = bulk.connect(db_path)
    try:
        with bulk.transaction(conn):
            for line, text in read_lines(files["movies"], report, progress):
                report.read += 1
                try:
                    fields = _csv_row(text)
                except csv.Error as error:
                    report.reject(line, f"movies.csv: {error}", text)
                    continue
                if len(fields) != 3 or not fields[0].isdigit() or not fields[1].strip():
                    report.reject(line, "movies.csv: expected movieId,title,genres", text)
                    continue
                movie_id, raw_title, genres = fields
                title, year, aliases = parse_title(raw_title)
                new = NewFilm(
                    title=title,
                    year=year if year is None or 1870 <= year <= 2100 else None,
                    imdb_id=imdb_ids.get(movie_id),
                    popularity=float(votes.get(movie_id, 0)),
                    genres=[g for g in genres.split("|") if g and g != NO_GENRES],
                    aliases=aliases,
                )
                with bulk.savepoint(conn):
                    known = run(conn, film_for_source(SOURCE, movie_id))
                    film_id, outcome = run(conn, save_film(new, authoritative=False, film_id=known))
                    run(conn, record_source(film_id, SOURCE, movie_id))
                report.tally(outcome, film_id)
            bulk.refresh_search_index(conn, report.touched)
    finally:
        conn.close()
    report.bad += side.bad
    report.examples.extend(side.examples[: max(0, 5 - len(report.examples))])
    return report
