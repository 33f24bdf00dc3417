"""What every importer shares: the report it returns, and streaming a file line by line."""

from __future__ import annotations

import contextlib
import queue
import re
import threading
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

#: Called with how many more bytes of the source were read (drives the CLI's progress bar).
Progress = Callable[[int], None]

#: Bad rows kept as examples in a report; the rest are only counted.
MAX_EXAMPLES = 5


@dataclass(frozen=True)
class BadRow:
    line: int | None
    reason: str
    text: str


@dataclass
class ImportReport:
    """What an import did. ``read`` counts source rows; each ends up added, updated, skipped
    (already there and unchanged, or deliberately left out) or bad."""

    source: str
    read: int = 0
    added: int = 0
    updated: int = 0
    skipped: int = 0
    bad: int = 0
    examples: list[BadRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: Films added or changed, for the search index (not shown).
    touched: list[int] = field(default_factory=list, repr=False)

    def reject(self, line: int | None, reason: str, text: str = "") -> None:
        self.bad += 1
        if len(self.examples) < MAX_EXAMPLES:
            flat = " ".join(text.split())
            self.examples.append(BadRow(line, reason, flat[:120]))

    def tally(self, outcome: str, film_id: int | None = None) -> None:
        """Count one row by its outcome: ``added``, ``updated`` or ``unchanged``/``skipped``;
        a film added or changed is remembered for the search index."""
        if film_id is not None and outcome in ("added", "updated"):
            self.touched.append(film_id)
        if outcome == "added":
            self.added += 1
        elif outcome == "updated":
            self.updated += 1
        else:
            self.skipped += 1

    def lines(self) -> list[str]:
        """The report as a person reads it."""
        out = [
            f"{self.source}: {self.read:,} read, {self.added:,} added, {self.updated:,} updated, "
            f"{self.skipped:,} unchanged or skipped, {self.bad:,} bad"
        ]
        out += [f"  note: {note}" for note in self.notes]
        for bad in self.examples:
            where = f"line {bad.line}" if bad.line is not None else "?"
            out.append(f"  bad {where}: {bad.reason}" + (f": {bad.text}" if bad.text else ""))
        if self.bad > len(self.examples):
            out.append(f"  … and {self.bad - len(self.examples):,} more bad rows")
        return out


_BLOCK = 1 << 18  # bytes read (compressed, for .gz) at a time
_BAD_UTF8 = re.compile("[\udc80-\udcff]")  # what surrogateescape leaves of undecodable bytes


def _byte_blocks(
    path: Path, stop: threading.Event, out: queue.Queue[tuple[bytes, int] | None]
) -> None:
    """Producer: the file's content in blocks that end at a line break, with the raw position.

    Runs in its own thread: zlib releases the GIL while it inflates, so decompression overlaps
    the parsing and the SQLite work of the importer's thread.
    """
    try:
        with path.open("rb") as raw:
            inflate = zlib.decompressobj(wbits=31) if path.suffix == ".gz" else None
            carry = b""
            while not stop.is_set():
                chunk = raw.read(_BLOCK)
                if not chunk:
                    break
                if inflate is not None:
                    data = inflate.decompress(chunk)
                    while inflate.unused_data:  # a file of several gzip members
                        rest = inflate.unused_data
                        inflate = zlib.decompressobj(wbits=31)
                        data += inflate.decompress(rest)
                    chunk = data
                chunk = carry + chunk
                cut = chunk.rfind(b"\n") + 1
                carry = chunk[cut:]
                if cut:
                    out.put((chunk[:cut], raw.tell()))
            if carry and not stop.is_set():
                out.put((carry, raw.tell()))
    finally:
        out.put(None)


def line_blocks(
    path: Path, report: ImportReport, progress: Progress | None = None, *, header: bool = True
) -> Iterator[tuple[int, list[str]]]:
    """The lines of a UTF-8 text file (``.gz`` too) in blocks: ``(first line's number, lines)``.

    Constant memory whatever the file's size. Line endings are stripped. A line that is not
    valid UTF-8 is reported as bad and comes through as an empty string, so numbering holds;
    the header line is dropped when ``header``.
    """
    stop = threading.Event()
    blocks: queue.Queue[tuple[bytes, int] | None] = queue.Queue(maxsize=4)
    producer = threading.Thread(target=_byte_blocks, args=(path, stop, blocks), daemon=True)
    producer.start()
    number = 1
    reported = 0
    try:
        while (item := blocks.get()) is not None:
            data, position = item
            try:
                text = data.decode("utf-8")
                bad_utf8 = False
            except UnicodeDecodeError:  # rare: find the lines at fault, keep the others
                text = data.decode("utf-8", "surrogateescape")
                bad_utf8 = True
            lines = text.split("\n")
            if lines[-1] == "":
                lines.pop()
            if "\r" in text:
                lines = [line.rstrip("\r") for line in lines]
            if bad_utf8:
                for i, line in enumerate(lines):
                    if _BAD_UTF8.search(line):
                        report.read += 1
                        report.reject(
                            number + i,
                            f"{path.name}: not UTF-8",
                            line.encode("utf-8", "surrogateescape").decode("utf-8", "replace"),
                        )
                        lines[i] = ""
            first = number
            number += len(lines)
            if header and first == 1 and lines:
                lines = lines[1:]
                first = 2
            if progress is not None:
                progress(position - reported)
                reported = position
            yield first, lines
    finally:
        stop.set()
        while producer.is_alive():  # unblock a producer waiting on a full queue
            with contextlib.suppress(queue.Empty):
                blocks.get(timeout=0.1)
        producer.join()


def read_lines(
    path: Path, report: ImportReport, progress: Progress | None = None, *, header: bool = True
) -> Iterator[tuple[int, str]]:
    """``(line number, text)`` for each line: :func:`line_blocks` one line at a time."""
    for first, lines in line_blocks(path, report, progress, header=header):
        for offset, line in enumerate(lines):
            if line:
                yield first + offset, line


def file_size(paths: list[Path]) -> int:
    return sum(p.stat().st_size for p in paths if p.exists())
