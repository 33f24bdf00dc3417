"""A member's Letterboxd export (``ratings.csv``: ``Date,Name,Year,Letterboxd URI,Rating``),
as their ratings in one server. Stars (0.5–5) become scores (1–10). Films are matched by title
and year through the same keys as everywhere (a year off by one is tolerated: release years
differ between sources); rows whose film is not in the store are reported, never guessed.
Importing the same export again changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from bot.errors import BadScore
from bot.importers.common import ImportReport, Progress, read_lines
from bot.scores import parse_score
from bot.store import bulk
from bot.store.database import now
from bot.store.films import film_for_source, find_film_id, record_source
from bot.store.steps import run

SOURCE = "letterboxd"
HEADER = ["Date", "Name", "Year", "Letterboxd URI", "Rating"]


def _when(text: str) -> int:
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        return now()
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


def import_letterboxd(
    db_path: Path, path: Path, guild_id: int, member_id: int, progress: Progress | None = None
) -> ImportReport:
    """Rate, for ``member_id`` in ``guild_id``, every film of the export the store has."""
    report = ImportReport(f"letterboxd {path} (member {member_id} in server {guild_id})")
    unmatched: list[str] = []
    conn = bulk.connect(db_path)
    try:
        with bulk.transaction(conn):
            for line, text in read_lines(path, report, progress, header=False):
                try:
                    fields = next(csv.reader([text]))
                except csv.Error as error:
                    report.read += 1
                    report.reject(line, f"not CSV: {error}", text)
                    continue
                if line == 1 and fields[:2] == HEADER[:2]:
                    continue
                report.read += 1
                if len(fields) != len(HEADER):
                    report.reject(line, f"{len(fields)} fields, expected {len(HEADER)}", text)
                    continue
                date, name, year_text, uri, rating = (f.strip() for f in fields)
                if not rating:
                    report.skipped += 1  # watched or liked without stars: nothing to rate
                    continue
                try:
                    score = parse_score(f"{rating}/5")
                except BadScore:
                    report.reject(line, f"rating {rating!r} is not 0.5 to 5 stars", text)
                    continue
                year = int(year_text) if year_text.isdigit() else None
                film_id = run(conn, film_for_source(SOURCE, uri)) if uri else None
                if film_id is None:
                    film_id = run(conn, find_film_id(name, year, year_slack=1))
                if film_id is None:
                    report.skipped += 1
                    unmatched.append(f"{name} ({year_text}) [line {line}]" if year else name)
                    continue
                if uri:
                    run(conn, record_source(film_id, SOURCE, uri))
                report.tally(
                    bulk.import_rating(conn, guild_id, member_id, film_id, score, _when(date))
                )
    finally:
        conn.close()
    if unmatched:
        shown = "; ".join(unmatched[:5]) + ("; …" if len(unmatched) > 5 else "")
        report.notes.append(f"{len(unmatched):,} films not in the store, not rated: {shown}")
    return report
