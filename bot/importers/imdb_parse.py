"""Parsing IMDb's TSV files into rows ready to write: the CPU-heavy half of the IMDb import.

It knows nothing of the store, so for big imports it runs in a worker process (see
:func:`bot.importers.imdb.import_imdb`) while the importer's own process writes what the
previous batch held: parsing and SQLite each get a core. Batches follow the files in the
order the writer needs them: ratings, titles, principals, crew, names.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import pickle
import queue
import subprocess
import sys
import tempfile
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from bot.importers.common import BadRow, ImportReport, line_blocks
from bot.normalize import name_key, title_keys

NULL = "\\N"
FILES = ("title.ratings", "title.basics", "title.principals", "title.crew", "name.basics")
#: IMDb's principal categories as filmclub's credit roles; other categories become "other".
ROLES = {
    "actor": "actor",
    "actress": "actor",
    "self": "actor",
    "director": "director",
    "writer": "writer",
    "producer": "producer",
    "composer": "composer",
    "cinematographer": "cinematographer",
    "editor": "editor",
}
WIDTHS = {
    "title.ratings": 3,
    "title.basics": 9,
    "title.principals": 6,
    "title.crew": 3,
    "name.basics": 6,
}


@dataclass(frozen=True)
class ImdbFiles:
    """The files of one IMDb folder, ``.tsv`` or ``.tsv.gz``; only title.basics is required."""

    paths: dict[str, Path]

    @classmethod
    def find(cls, folder: Path) -> ImdbFiles:
        found = {}
        for stem in FILES:
            for ext in (".tsv", ".tsv.gz"):
                if (folder / f"{stem}{ext}").is_file():
                    found[stem] = folder / f"{stem}{ext}"
        if "title.basics" not in found:
            raise FileNotFoundError(f"no title.basics.tsv or title.basics.tsv.gz in {folder}")
        return cls(found)

    @property
    def size(self) -> int:
        return sum(p.stat().st_size for p in self.paths.values())


@dataclass
class Batch:
    """Parsed rows of one file (a block of it), and what went wrong reading them."""

    file: str
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    read: int = 0  # source rows, bad ones included
    skipped: int = 0  # rows deliberately left out (other title types, adult titles)
    bad: int = 0
    examples: list[BadRow] = field(default_factory=list)
    progress: int = 0  # bytes of the source file consumed
    #: title.basics only: (position, genre name) and (position, original title, its keys).
    genres: list[tuple[int, str]] = field(default_factory=list)
    aliases: list[tuple[int, str, str, str]] = field(default_factory=list)


class SortedIds:
    """A read-only map from IMDb ids to ints in two flat arrays (16 bytes an entry, a tenth of a
    dict's). Lookups in ascending order, as IMDb's files are sorted, walk forward; others
    bisect."""

    def __init__(self, keys: array[int], values: array[int] | None = None) -> None:
        if any(keys[i] > keys[i + 1] for i in range(len(keys) - 1)):
            order = sorted(range(len(keys)), key=keys.__getitem__)
            keys = array("q", (keys[i] for i in order))
            values = array("q", (values[i] for i in order) if values is not None else order)
        self.keys = keys
        self.values = values  # None: the value is the key's position
        self._at = 0

    def __len__(self) -> int:
        return len(self.keys)

    def between(self, low: int, high: int) -> set[int]:
        """The keys from ``low`` to ``high`` (both included)."""
        keys = self.keys
        return set(keys[bisect_left(keys, low) : bisect_right(keys, high)])

    def get(self, key: int) -> int | None:
        keys, at = self.keys, self._at
        if not (at < len(keys) and keys[at] == key):
            if (at > 0 and keys[at - 1] >= key) or (at + 8 < len(keys) and keys[at + 8] < key):
                at = bisect_left(keys, key)
            else:
                while at < len(keys) and keys[at] < key:
                    at += 1
            self._at = at
            if not (at < len(keys) and keys[at] == key):
                return None
        return at if self.values is None else self.values[at]


def _id(text: str, prefix: str) -> int:
    if text[:2] != prefix or not text[2:].isdigit():
        raise ValueError(f"{text[:20]!r} is not an IMDb {prefix} id")
    return int(text[2:])


def _number(text: str) -> int | None:
    return int(text) if text != NULL and text.isdigit() else None


def character(text: str) -> str | None:
    """``["Neil McCauley"]`` -> ``Neil McCauley``; several characters joined by `` / ``."""
    if text == NULL or not text:
        return None
    if text[:2] == '["' and text[-2:] == '"]' and "\\" not in text and '","' not in text:
        return text[2:-2] or None
    try:
        names = json.loads(text)
    except ValueError:
        return text.strip('[]"') or None
    if isinstance(names, list):
        return " / ".join(str(n) for n in names if n) or None
    return str(names) or None


class _Parser:
    """Parses the files in order, keeping what later files need: which titles are imported
    (their position, which the writer maps to film ids) and who their credits name.

    The loops are written out per file because they run tens of millions of times; a row that
    fails the fast path is explained by :func:`_problem`, the slow and careful reading.
    """

    def __init__(self, kinds: Collection[str], include_adult: bool) -> None:
        self.kinds = frozenset(kinds)
        self.include_adult = include_adult
        self.kept = array("q")  # tconsts of the imported titles, in file order
        self.titles: SortedIds | None = None
        self.appearances = bytearray()  # nconst -> credits on imported titles (up to 255)
        self.voted, self.votes = array("q"), array("q")  # title.ratings: tconst, numVotes
        self.popularity: SortedIds | None = None
        self.batch = Batch("")  # the batch being parsed

    def block(
        self, stem: str, first: int, lines: list[str], batch: Batch, report: ImportReport
    ) -> None:
        self.batch = batch
        parse = {
            "title.ratings": self._ratings,
            "title.basics": self._titles,
            "title.principals": self._principals,
            "title.crew": self._crew,
            "name.basics": self._names,
        }[stem]
        width = WIDTHS[stem]
        rows = batch.rows
        for offset, line in enumerate(lines):
            if not line:
                continue
            report.read += 1
            fields = line.split("\t")
            if len(fields) != width:
                report.reject(
                    first + offset, f"{stem}: {len(fields)} fields, expected {width}", line
                )
                continue
            try:
                if parse(fields, rows):
                    report.skipped += 1
            except (ValueError, IndexError):
                report.reject(first + offset, f"{stem}: {_problem(stem, fields)}", line)

    def _ratings(self, f: list[str], rows: list[tuple[Any, ...]]) -> bool:
        """Votes are kept here and given to the title rows: nothing to send."""
        if f[0][:2] != "tt":
            raise ValueError
        if f[2] != NULL:
            self.voted.append(int(f[0][2:]))
            self.votes.append(int(f[2]))
        return False

    def _titles(self, f: list[str], rows: list[tuple[Any, ...]]) -> bool:
        if f[0][:2] != "tt":
            raise ValueError
        tconst = int(f[0][2:])
        if f[1] not in self.kinds or (f[4] == "1" and not self.include_adult):
            return True
        if self.popularity is None:
            self.popularity = SortedIds(self.voted, self.votes)
        position = len(self.kept)
        title, key, bare, year, runtime, genres, original = _title(f)
        rows.append(
            (
                position,
                title,
                key,
                bare,
                year,
                runtime,
                tconst,
                f[1],
                float(self.popularity.get(tconst) or 0),
            )
        )
        if genres:
            self.batch.genres.extend((position, name) for name in genres.split(","))
        if original is not None:
            self.batch.aliases.append((position, *original))
        self.kept.append(tconst)
        return False

    def _title_position(self, tconst: int) -> int | None:
        if self.titles is None:
            self.titles = SortedIds(self.kept)
        return self.titles.get(tconst)

    def _principals(self, f: list[str], rows: list[tuple[Any, ...]]) -> bool:
        if f[0][:2] != "tt" or f[2][:2] != "nm":
            raise ValueError
        tconst = int(f[0][2:])
        if tconst != self._last_tconst:  # a title's rows come together: one lookup for all
            self._last_tconst, self._last_title = tconst, self._title_position(tconst)
        title = self._last_title
        if title is None:
            return False
        nconst = int(f[2][2:])
        appearances = self.appearances
        if nconst >= len(appearances):
            appearances.extend(bytes(nconst - len(appearances) + 1 + (1 << 20)))
        if appearances[nconst] < 255:
            appearances[nconst] += 1
        role = ROLES.get(f[3], "other")
        rows.append(
            (
                title,
                nconst,
                role,
                character(f[5]) if role == "actor" else None,
                int(f[1]) if f[1] != NULL else None,
            )
        )
        return False

    _last_tconst = -1
    _last_title: int | None = None

    def _crew(self, f: list[str], rows: list[tuple[Any, ...]]) -> bool:
        if f[0][:2] != "tt":
            raise ValueError
        title = self._title_position(int(f[0][2:]))
        if title is None:
            return False
        for role, column in (("director", 1), ("writer", 2)):
            if f[column] != NULL:
                for billing, text in enumerate(f[column].split(","), 1):
                    if text[:2] != "nm":
                        raise ValueError
                    nconst = int(text[2:])
                    self._appears(nconst)
                    rows.append((title, nconst, role, None, billing))
        return False

    def _names(self, f: list[str], rows: list[tuple[Any, ...]]) -> bool:
        if f[0][:2] != "nm":
            raise ValueError
        nconst = int(f[0][2:])
        appearances = self.appearances
        if nconst >= len(appearances) or not appearances[nconst]:
            return False  # credited on none of the imported titles
        name = f[1]
        if not name or name == NULL:
            raise ValueError
        popularity = float(appearances[nconst])
        appearances[nconst] = 0  # named: whoever is left at the end was never named
        born = int(f[2]) if f[2] != NULL else None
        died = int(f[3]) if f[3] != NULL else None
        rows.append((nconst, name, name_key(name), born, died, popularity))
        return False

    def _appears(self, nconst: int) -> None:
        appearances = self.appearances
        if nconst >= len(appearances):
            appearances.extend(bytes(nconst - len(appearances) + 1 + (1 << 20)))
        if appearances[nconst] < 255:
            appearances[nconst] += 1

    def unnamed(self) -> list[tuple[Any, ...]]:
        """People credited whom name.basics did not name (their credits cannot stay)."""
        return [(n,) for n in itertools.compress(range(len(self.appearances)), self.appearances)]


def _problem(stem: str, fields: list[str]) -> str:
    """What is wrong with a row the fast path refused, in words."""
    try:
        _id(fields[0], "nm" if stem == "name.basics" else "tt")
        if stem == "title.principals":
            _id(fields[2], "nm")
        if stem == "title.crew":
            for text in ",".join(f for f in fields[1:] if f != NULL).split(","):
                if text:
                    _id(text, "nm")
        if stem in ("title.basics", "name.basics") and fields[1] in ("", NULL):
            return "no title" if stem == "title.basics" else "no name"
        for column, value in enumerate(fields):
            if column in WHOLE_NUMBERS.get(stem, ()) and value not in ("", NULL):
                int(value)
    except ValueError as error:
        return str(error) if str(error).startswith("'") else f"not a number: {error}"
    return "unreadable row"


#: Columns that must be whole numbers (or ``\N``), by file.
WHOLE_NUMBERS = {
    "title.ratings": (2,),
    "title.basics": (5, 6, 7),
    "title.principals": (1,),
    "name.basics": (2, 3),
}


def batches(files: ImdbFiles, kinds: Collection[str], include_adult: bool) -> Iterator[Batch]:
    """Every file's rows, parsed, in the order the writer takes them.

    Title rows come in file order, shaped as the films table's rows with their position among
    the imported titles (the writer turns it into a film id) and their votes as popularity;
    their genres and original titles come apart in the same batch; credit rows carry that
    position instead of the tconst; name rows only come for people credited on an
    imported title, with the number of their credits as popularity. A last ``unnamed`` batch
    lists the nconsts credited but absent from name.basics.
    """
    parser = _Parser(kinds, include_adult)
    for stem in FILES:
        path = files.paths.get(stem)
        if path is None:
            continue
        local = ImportReport(stem)
        consumed = 0

        def advance(n: int) -> None:
            nonlocal consumed
            consumed += n

        for first, lines in line_blocks(path, local, advance):
            batch = Batch(stem)
            parser.block(stem, first, lines, batch, local)
            batch.read, batch.skipped, batch.bad = local.read, local.skipped, local.bad
            batch.examples, batch.progress = local.examples, consumed
            local.read = local.skipped = local.bad = consumed = 0
            local.examples = []
            yield batch
    if "name.basics" in files.paths:
        yield Batch("unnamed", rows=parser.unnamed())


def _title(
    fields: list[str],
) -> tuple[str, str, str, int | None, int | None, str, tuple[str, str, str] | None]:
    """(title, key, bare key, year, runtime, genres, (original title, its keys) or None)."""
    title = fields[2]
    if not title or title == NULL:
        raise ValueError
    key, bare = title_keys(title)
    year = int(fields[5]) if fields[5] != NULL else None
    if year is not None and not 1870 <= year <= 2100:
        year = None
    runtime = (int(fields[7]) or None) if fields[7] != NULL else None
    original: tuple[str, str, str] | None = None
    if fields[3] and fields[3] != title and fields[3] != NULL:
        original_key, original_bare = title_keys(fields[3])
        if original_key and original_key != key:
            original = (fields[3], original_key, original_bare)
    genres = fields[8] if fields[8] != NULL else ""
    return title, key, bare, year, runtime, genres, original


# Running the parser in a worker process ----------------------------------------------------------
# A child ``python -m bot.importers.imdb_parse`` writes pickled batches to its stdout, each
# preceded by its length. A thread here reads them ahead into a queue bounded by bytes, so the
# child keeps parsing while the importer does work of its own between batches (rebuilding
# indexes), and memory stays bounded. pickle is safe here: both ends are this module, run by
# the same user.

#: Bytes of pickled batches read ahead of the importer at most.
READ_AHEAD = 48 << 20
_LENGTH = 8
#: Batches unpickled ahead of the importer at most.
_LOADED_AHEAD = 2


def batches_in_worker(
    files: ImdbFiles, kinds: Collection[str], include_adult: bool
) -> Iterator[Batch]:
    """:func:`batches`, computed in a worker process ahead of the caller."""
    command = [sys.executable, "-m", "bot.importers.imdb_parse", "--kinds", ",".join(kinds)]
    if not include_adult:
        command.append("--no-adult")
    command += [str(path) for path in files.paths.values()]
    with tempfile.TemporaryFile() as errors:
        worker = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors)  # noqa: S603
        frames = _ReadAhead(worker.stdout)  # type: ignore[arg-type]
        try:
            for item in frames.loaded():
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            frames.stop()
            if worker.poll() is None:
                worker.kill()
            worker.wait()
        if worker.returncode != 0:
            errors.seek(0)
            message = errors.read().decode(errors="replace")
            raise RuntimeError(f"the IMDb parser process failed: {message}")


class _ReadAhead:
    """Length-prefixed frames of a pipe, read by a thread up to :data:`READ_AHEAD` bytes ahead."""

    def __init__(self, pipe: BinaryIO) -> None:
        self.pipe = pipe
        self.frames: queue.Queue[bytes | None] = queue.Queue()
        self.room = threading.Condition()
        self.ahead = 0
        self.stopped = False
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        try:
            while header := self.pipe.read(_LENGTH):
                frame = self.pipe.read(int.from_bytes(header, "little"))
                with self.room:
                    self.room.wait_for(lambda: self.ahead < READ_AHEAD or self.stopped)
                    if self.stopped:
                        return
                    self.ahead += len(frame)
                self.frames.put(frame)
        finally:
            self.frames.put(None)

    def __iter__(self) -> Iterator[bytes]:
        while (frame := self.frames.get()) is not None:
            with self.room:
                self.ahead -= len(frame)
                self.room.notify()
            yield frame

    def loaded(self) -> Iterator[Batch | BaseException]:
        """The frames unpickled, a few ahead by another thread: while the importer's thread is
        in SQLite (which releases the GIL), unpickling takes the core the parser leaves idle
        whenever it waits for the importer."""
        ready: queue.Queue[tuple[Batch | BaseException] | None]
        ready = queue.Queue(maxsize=_LOADED_AHEAD)

        def load() -> None:
            try:
                for frame in self:
                    item = (pickle.loads(frame),)  # noqa: S301 - our own child process
                    while not self.stopped:
                        with contextlib.suppress(queue.Full):
                            ready.put(item, timeout=0.1)
                            break
            finally:
                with contextlib.suppress(queue.Full):
                    ready.put(None, timeout=0.1 if self.stopped else None)

        loader = threading.Thread(target=load, daemon=True)
        loader.start()
        while (item := ready.get()) is not None:
            yield item[0]
        loader.join()

    def stop(self) -> None:
        with self.room:
            self.stopped = True
            self.room.notify()
        self.pipe.close()


def _main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description="Parse IMDb files into pickled batches on stdout")
    parser.add_argument("--kinds", required=True)
    parser.add_argument("--no-adult", action="store_true")
    parser.add_argument("paths", nargs="+", type=Path)
    args = parser.parse_args(argv)
    files = ImdbFiles(
        {stem: path for path in args.paths for stem in FILES if path.name.startswith(f"{stem}.")}
    )
    out = sys.stdout.buffer

    def send(item: object) -> None:
        frame = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
        out.write(len(frame).to_bytes(_LENGTH, "little"))
        out.write(frame)

    try:
        for batch in batches(files, args.kinds.split(","), not args.no_adult):
            send(batch)
    except Exception as error:  # handed to the importer, which raises it
        send(error)
    out.flush()


if __name__ == "__main__":
    # Through the module's own name, so the batches pickle as bot.importers.imdb_parse.Batch.
    from bot.importers import imdb_parse

    imdb_parse._main(sys.argv[1:])
