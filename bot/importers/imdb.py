"""IMDb's TSV files: ``title.basics``, ``title.principals``, ``name.basics``, and optionally
``title.ratings`` (vote counts become the popularity prior) and ``title.crew``.

Files may be ``.tsv`` or ``.tsv.gz``; ``\\N`` is null; movies and TV movies by default. Films
merge with the store's by IMDb id, or by title and year for films not yet tied to IMDb; people
by IMDb id, or by name key and a shared film for people not yet tied to IMDb (the catalog's).
Genres go through the taxonomy's names and aliases (``Sci-Fi`` -> Science Fiction). Only the
people the imported films credit are kept. Re-importing the same files changes nothing.

How it stays fast and small (bench/bench_imdb.py measures it): every file is read once, as a
stream; parsing runs in a worker process for big imports (:mod:`bot.importers.imdb_parse`)
while this process writes; writes are ``executemany`` in two big transactions on the
importer's own connection; film and person ids are given out here, so a credit needs no lookup
by IMDb id (a credit may even be written before its person, foreign keys being checked by
construction); on a fresh store the secondary indexes are built once after the load. Memory:
a few bytes per IMDb id in flat arrays, never a dict of millions.
"""

from __future__ import annotations

import itertools
import logging
import sqlite3
import time
from array import array
from collections.abc import Collection
from pathlib import Path
from typing import Any

from bot.importers.common import ImportReport, Progress
from bot.importers.imdb_parse import Batch, ImdbFiles, SortedIds, batches, batches_in_worker
from bot.store import bulk, imdb_bulk
from bot.store.genres import genre_id
from bot.store.steps import run

log = logging.getLogger(__name__)

DEFAULT_KINDS = ("movie", "tvMovie")
#: Imports of more bytes than this parse in a worker process; smaller ones are not worth it.
PARALLEL_ABOVE = 16 << 20
#: Which transaction each file's rows are written in.
_PHASE = {
    "title.ratings": 1,
    "title.basics": 1,
    "title.principals": 2,
    "title.crew": 2,
    "name.basics": 2,
    "unnamed": 2,
}


def _grow(ids: array[int] | bytearray, index: int) -> None:
    """Make ``ids[index]`` addressable (zero-filled), growing in big steps."""
    if index >= len(ids):
        extra = index - len(ids) + 1 + (1 << 20)
        if isinstance(ids, bytearray):
            ids.extend(bytes(extra))
        else:
            ids.frombytes(bytes(ids.itemsize * extra))


class _Writer:
    """Writes the parsed batches; one instance per import.

    Ids: a new film's id is ``film_base + position`` (its place among the imported titles), a
    new person's ``person_base + nconst``, so SQLite adds the base to the parser's rows as they
    are (no Python work per row) and a credit can name its film and person before either is
    known here. Merged films keep their id (``merged``, by position), as do people already
    here with an IMDb id (``person_ids``, by nconst); only the rows naming them are rewritten.
    Both bases are taken inside the phase's ``BEGIN IMMEDIATE`` transaction, so no other
    writer can take those ids meanwhile.
    """

    def __init__(self, conn: sqlite3.Connection, report: ImportReport) -> None:
        self.conn = conn
        self.report = report
        self.genre_ids: dict[str, int | None] = {}
        self.merged = array("q")  # position -> id of the film here it merged with (0: new)
        self.merged_films = 0  # imported titles that were already films here
        self.film_base = 0
        self.person_ids = array("q")  # nconst -> id of people already here (0: none)
        self.person_base = 0
        self.people = dict.fromkeys(("added", "updated", "merged", "credits", "unnamed"), 0)
        self.unnamed: list[int] = []  # nconsts

    def begin(self, phase: int) -> None:
        """Read what this phase merges with, inside its transaction."""
        conn = self.conn
        if phase == 1:
            self.known_films = SortedIds(*imdb_bulk.imdb_ids(conn, "films"))
            self.untied_films = imdb_bulk.films_without_imdb(conn)
            self.film_base = imdb_bulk.next_id(conn, "films")
        else:
            for nconst, person in zip(*imdb_bulk.imdb_ids(conn, "people"), strict=True):
                _grow(self.person_ids, nconst)
                self.person_ids[nconst] = person
            self.person_base = imdb_bulk.next_id(conn, "people")

    def write(self, batch: Batch) -> None:
        report = self.report
        if batch.file == "title.basics":  # the report counts titles; other files' rows only if bad
            report.read += batch.read
        else:
            report.read += batch.bad
        report.skipped += batch.skipped
        report.bad += batch.bad
        room = max(0, 5 - len(report.examples))
        report.examples.extend(batch.examples[:room])
        if batch.file == "title.basics":
            self.write_titles(batch)
        elif batch.file in ("title.principals", "title.crew"):
            self.write_credits(batch.rows)
        elif batch.file == "name.basics":
            self.write_people(batch.rows)
        elif batch.file == "unnamed":  # credited, but not in name.basics
            self.unnamed.extend(nconst for (nconst,) in batch.rows)
        # title.ratings: the parser gave the votes to the title rows

    def genre(self, name: str) -> int | None:
        if name not in self.genre_ids:
            self.genre_ids[name] = run(self.conn, genre_id(name))
        return self.genre_ids[name]

    # Titles ------------------------------------------------------------------------------------
    def write_titles(self, batch: Batch) -> None:
        conn, report, rows = self.conn, self.report, batch.rows
        merged: dict[int, int] = {}  # position -> film id, of this batch's titles already here
        known, untied = self.known_films, self.untied_films
        if known and rows:
            tconsts = {row[6] for row in rows}
            hits = known.between(min(tconsts), max(tconsts)) & tconsts
            if hits:
                merged = {row[0]: known.get(row[6]) or 0 for row in rows if row[6] in hits}
        if untied:
            for row in rows:
                film_id = untied.pop((row[2], row[4]), None) if row[0] not in merged else None
                if film_id is not None:
                    imdb_bulk.tie_film(conn, film_id, row[6])
                    merged[row[0]] = film_id
        if merged:
            for position, film_id in merged.items():
                _grow(self.merged, position)
                self.merged[position] = film_id
            fill_rows = [
                (row[4], row[5], row[8], merged[row[0]]) for row in rows if row[0] in merged
            ]
            rows = [row for row in rows if row[0] not in merged]
            updated = imdb_bulk.fill_films(conn, fill_rows)
            self.merged_films += len(fill_rows)
        else:
            updated = 0
        added = imdb_bulk.insert_films(conn, rows, self.film_base)
        report.added += added
        report.updated += updated
        report.skipped += len(batch.rows) - added - updated  # known and unchanged
        for name in {name for _, name in batch.genres if name not in self.genre_ids}:
            self.genre(name)
        ids = self.genre_ids
        genres = [(p, ids[name]) for p, name in batch.genres if ids[name] is not None]
        imdb_bulk.insert_film_genres(conn, *self.films_of(genres, merged))
        imdb_bulk.insert_aliases(conn, *self.films_of(batch.aliases, merged))

    def films_of(
        self, rows: list[tuple[Any, ...]], merged: Collection[int]
    ) -> tuple[list[tuple[Any, ...]], int]:
        """Rows led by a title's position, and the base that makes it a film id: when some name
        a merged film, they are rewritten to lead with film ids (base 0)."""
        if not merged:
            return rows, self.film_base
        return [(self.film_id(row[0]), *row[1:]) for row in rows], 0

    def film_id(self, position: int) -> int:
        merged = self.merged
        return (merged[position] if position < len(merged) else 0) or self.film_base + position

    # Credits and people --------------------------------------------------------------------------
    def write_credits(self, rows: list[tuple[Any, ...]]) -> None:
        """(position, nconst, role, character, billing) rows; those naming a merged film or a
        person already here are rewritten with their ids, the rest go as they are."""
        conn, merged, known = self.conn, self.merged, self.person_ids
        film_base, person_base = self.film_base, self.person_base
        m, k = len(merged), len(known)
        plain = rows
        if self.merged_films or known:
            plain = [
                row
                for row in rows
                if not (row[0] < m and merged[row[0]]) and not (row[1] < k and known[row[1]])
            ]
        self.people["credits"] += imdb_bulk.insert_credits(conn, plain, film_base, person_base)
        if len(plain) == len(rows):
            return
        rewritten = [
            (
                self.film_id(t),
                (known[n] if n < k else 0) or person_base + n,
                role,
                character,
                billing,
            )
            for t, n, role, character, billing in rows
            if (t < m and merged[t]) or (n < k and known[n])
        ]
        old_films = [c for c in rewritten if c[0] < film_base]
        self.people["credits"] += imdb_bulk.insert_credits(
            conn, [c for c in rewritten if c[0] >= film_base], 0, 0
        )
        self.people["credits"] += imdb_bulk.upsert_credits(conn, old_films)

    def write_people(self, rows: list[tuple[Any, ...]]) -> None:
        """(nconst, name, name key, born, died, popularity) rows."""
        known = self.person_ids
        fill_rows = []
        if known:
            k = len(known)
            fill_rows = [
                (born, died, popularity, known[nconst])
                for nconst, _, _, born, died, popularity in rows
                if nconst < k and known[nconst]
            ]
            if fill_rows:
                rows = [row for row in rows if not (row[0] < k and known[row[0]])]
        self.people["added"] += imdb_bulk.insert_people(self.conn, rows, self.person_base)
        self.people["updated"] += imdb_bulk.fill_people(self.conn, fill_rows)

    def finish(self) -> None:
        """Once the credits indexes are built: credits of people name.basics did not name go,
        and people already here without an IMDb id are merged with the IMDb person they are."""
        known, base = self.person_ids, self.person_base
        unnamed = [base + n for n in self.unnamed if not (n < len(known) and known[n])]
        self.people["unnamed"] = imdb_bulk.delete_credits_of(self.conn, unnamed)
        self.people["credits"] -= self.people["unnamed"]
        self.people["merged"] = imdb_bulk.merge_untied_people(self.conn, self.person_base)


def import_imdb(
    db_path: Path,
    folder: Path,
    progress: Progress | None = None,
    *,
    kinds: Collection[str] = DEFAULT_KINDS,
    include_adult: bool = True,
    parallel: bool | None = None,
) -> ImportReport:
    """Import the IMDb files in ``folder``; the report's rows are title.basics rows.

    ``parallel``: parse in a worker process (default: when the files are big).
    """
    files = ImdbFiles.find(folder)
    if parallel is None:
        parallel = files.size > PARALLEL_ABOVE
    report = ImportReport(f"imdb {folder}")
    source = (batches_in_worker if parallel else batches)(files, kinds, include_adult)
    conn = bulk.connect(db_path, checked=False)
    try:
        writer = _Writer(conn, report)
        for phase, group in itertools.groupby(source, key=lambda batch: _PHASE[batch.file]):
            started = time.perf_counter()
            tables = (
                ["films", "film_genres", "film_aliases"] if phase == 1 else ["people", "credits"]
            )
            with bulk.transaction(conn):
                writer.begin(phase)
                with bulk.deferred_indexes(conn, tables):
                    for batch in group:
                        writer.write(batch)
                        if progress is not None:
                            progress(batch.progress)
                if phase == 2:
                    writer.finish()
                # Meanwhile the parser reads ahead: the films' index is rebuilt while it parses
                # the credits, so only the people's part is left at the end.
                bulk.refresh_search_index(conn, films=phase == 1, people=phase == 2)
            log.info("imdb phase %d written in %.1f s", phase, time.perf_counter() - started)
    finally:
        conn.close()
    people = writer.people
    report.notes.append(
        f"people: {people['added']:,} added, {people['updated']:,} updated, "
        f"{people['merged']:,} matched to people already here; "
        f"credits: {people['credits']:,} added or updated"
        + (
            f", {people['unnamed']:,} left out (person not in name.basics)"
            if people["unnamed"]
            else ""
        )
    )
    return report


def import_size(folder: Path) -> int:
    """Bytes the importer will read: the progress bar's total."""
    return ImdbFiles.find(folder).size
