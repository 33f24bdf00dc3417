"""Parsing IMDb's TSV files into rows ready to write: the CPU-heavy half of the IMDb import.

It knows nothing of the store, so for big imports it runs in a worker process (see
:func:`bot.importers.imdb.import_imdb`) while the importer's own process writes what the
previous batch held: parsing and SQLite each get a core. Batches follow the files in the
order the writer needs them: ratings, titles, principals, crew, names.
"""

from __future__ import annotations

import argparse
import json
import pickle
import subprocess
import sys
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


class _Bits:
    """A set of non-negative ints as a bit array: 1 bit per possible id, not 70 bytes per int."""

    def __init__(self) -> None:
        self.bits = bytearray()

    def add(self, n: int) -> None:
        if n >> 3 >= len(self.bits):
            self.bits.extend(bytes((n >> 3) - len(self.bits) + 1 + (1 << 16)))
        self.bits[n >> 3] |= 1 << (n & 7)

    def __contains__(self, n: int) -> bool:
        return n >> 3 < len(self.bits) and bool(self.bits[n >> 3] & (1 << (n & 7)))


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


def batches(files: ImdbFiles, kinds: Collection[str], include_adult: bool) -> Iterator[Batch]:
    """Every file's rows, parsed, in the order the writer takes them."""
    kept = _Bits()  # titles imported: only their credits are worth parsing further
    wanted = frozenset(kinds)
    for stem in FILES:
        path = files.paths.get(stem)
        if path is None:
            continue
        width = WIDTHS[stem]
        local = ImportReport(stem)
        consumed = 0

        def advance(n: int) -> None:
            nonlocal consumed
            consumed += n

        for first, lines in line_blocks(path, local, advance):
            batch = Batch(stem)
            rows = batch.rows
            for offset, line in enumerate(lines):
                if not line:
                    continue
                fields = line.split("\t")
                if len(fields) != width:
                    local.read += 1
                    why = f"{path.name}: {len(fields)} fields, expected {width}"
                    local.reject(first + offset, why, line)
                    continue
                local.read += 1
                try:
                    if stem == "title.principals":
                        tconst = _id(fields[0], "tt")
                        if tconst not in kept:
                            continue
                        role = ROLES.get(fields[3], "other")
                        rows.append(
                            (
                                tconst,
                                _id(fields[2], "nm"),
                                role,
                                character(fields[5]) if role == "actor" else None,
                                _number(fields[1]),
                            )
                        )
                    elif stem == "name.basics":
                        name = fields[1]
                        if not name or name == NULL:
                            raise ValueError("no name")
                        rows.append(
                            (
                                _id(fields[0], "nm"),
                                name,
                                name_key(name),
                                _number(fields[2]),
                                _number(fields[3]),
                            )
                        )
                    elif stem == "title.basics":
                        tconst = _id(fields[0], "tt")
                        if fields[1] not in wanted or (fields[4] == "1" and not include_adult):
                            local.skipped += 1
                            continue
                        kept.add(tconst)
                        rows.append(_title(tconst, fields))
                    elif stem == "title.ratings":
                        votes = _number(fields[2])
                        if votes is not None:
                            rows.append((_id(fields[0], "tt"), votes))
                    else:  # title.crew
                        tconst = _id(fields[0], "tt")
                        if tconst not in kept:
                            continue
                        for role, column in (("director", 1), ("writer", 2)):
                            if fields[column] != NULL:
                                for billing, nm in enumerate(fields[column].split(","), 1):
                                    rows.append((tconst, _id(nm, "nm"), role, None, billing))
                except ValueError as error:
                    local.reject(first + offset, f"{path.name}: {error}", line)
            batch.read, batch.skipped, batch.bad = local.read, local.skipped, local.bad
            batch.examples, batch.progress = local.examples, consumed
            local.read = local.skipped = local.bad = consumed = 0
            local.examples = []
            yield batch


def _title(tconst: int, fields: list[str]) -> tuple[Any, ...]:
    """(tconst, kind, title, key, bare key, year, runtime, genres, original, its keys)."""
    title = fields[2]
    if not title or title == NULL:
        raise ValueError("no title")
    key, bare = title_keys(title)
    year = _number(fields[5])
    if year is not None and not 1870 <= year <= 2100:
        year = None
    runtime = _number(fields[7]) or None
    original: str | None = fields[3]
    original_key = original_bare = None
    if original and original != title and original != NULL:
        original_key, original_bare = title_keys(original)
        if not original_key or original_key == key:
            original = original_key = original_bare = None
    else:
        original = None
    genres = fields[8] if fields[8] != NULL else ""
    return (
        tconst,
        fields[1],
        title,
        key,
        bare,
        year,
        runtime,
        genres,
        original,
        original_key,
        original_bare,
    )


# Running the parser in a worker process ----------------------------------------------------------
# A child ``python -m bot.importers.imdb_parse`` writes pickled batches to its stdout. The pipe's
# small buffer keeps it at most a batch ahead, so memory stays flat; pickle is safe here because
# both ends are this module in processes of the same user.


def batches_in_worker(
    files: ImdbFiles, kinds: Collection[str], include_adult: bool
) -> Iterator[Batch]:
    """:func:`batches`, computed in a worker process a batch ahead of the caller."""
    command = [sys.executable, "-m", "bot.importers.imdb_parse", "--kinds", ",".join(kinds)]
    if not include_adult:
        command.append("--no-adult")
    command += [str(path) for path in files.paths.values()]
    worker = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # noqa: S603
    assert worker.stdout is not None
    try:
        while True:
            try:
                item = pickle.load(worker.stdout)  # noqa: S301 - our own child process
            except EOFError:
                break
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        if worker.poll() is None:
            worker.kill()
        _, errors = worker.communicate()
    if worker.returncode != 0:
        raise RuntimeError(f"the IMDb parser process failed: {errors.decode(errors='replace')}")


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
    try:
        for batch in batches(files, args.kinds.split(","), not args.no_adult):
            pickle.dump(batch, out, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as error:  # handed to the importer, which raises it
        pickle.dump(error, out, protocol=pickle.HIGHEST_PROTOCOL)
    out.flush()


if __name__ == "__main__":
    # Through the module's own name, so the batches pickle as bot.importers.imdb_parse.Batch.
    from bot.importers import imdb_parse

    imdb_parse._main(sys.argv[1:])
