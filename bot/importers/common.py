"""What every importer shares: the report it returns, and streaming a file line by line."""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

#: Called with how many more bytes of the source were read (drives the CLI's progress bar).
Progress = Callable[[int], None]

#: Bad rows kept as examples in a report; the rest are only counted.
MAX_EXAMPLES = 5

_PROGRESS_EVERY = 1 << 16  # lines between progress callbacks: cheap even at 10M lines


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

    def reject(self, line: int | None, reason: str, text: str = "") -> None:
        self.bad += 1
        if len(self.examples) < MAX_EXAMPLES:
            flat = " ".join(text.split())
            self.examples.append(BadRow(line, reason, flat[:120]))

    def tally(self, outcome: str) -> None:
        """Count one row by its outcome: ``added``, ``updated`` or ``unchanged``/``skipped``."""
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


def _open_binary(path: Path) -> tuple[Iterable[bytes], BinaryIO]:
    """(the file's content as lines, the raw file whose position measures progress)."""
    raw = path.open("rb")
    if path.suffix == ".gz":
        return gzip.GzipFile(fileobj=raw), raw
    return raw, raw


def read_lines(
    path: Path, report: ImportReport, progress: Progress | None = None, *, skip_header: bool = True
) -> Iterator[tuple[int, str]]:
    """``(line number, text)`` of a UTF-8 text file (``.gz`` too), one line in memory at a time.

    A line that is not valid UTF-8 is reported as bad and skipped; line endings are stripped.
    """
    content, raw = _open_binary(path)
    reported = 0
    with raw:
        for number, line in enumerate(content, start=1):
            if progress is not None and number % _PROGRESS_EVERY == 0:
                position = raw.tell()
                progress(position - reported)
                reported = position
            if skip_header and number == 1:
                continue
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError as error:
                report.read += 1
                reason = f"not UTF-8 ({error.reason} at byte {error.start})"
                report.reject(number, reason, line.decode("utf-8", "replace"))
                continue
            yield number, text.rstrip("\r\n")
        if progress is not None:
            progress(path.stat().st_size - reported)


def file_size(paths: list[Path]) -> int:
    return sum(p.stat().st_size for p in paths if p.exists())
