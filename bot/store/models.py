"""The store's rows as frozen dataclasses: what every query module returns."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, fields
from typing import Any

_IMDB_TITLE = re.compile(r"^\s*(?:tt)?0*(\d{1,10})\s*$", re.IGNORECASE)
_IMDB_NAME = re.compile(r"^\s*(?:nm)?0*(\d{1,10})\s*$", re.IGNORECASE)


def parse_imdb_title(text: str | int | None) -> int | None:
    """``tt0113277`` / ``0113277`` / ``113277`` -> 113277; anything else -> None."""
    if text is None:
        return None
    match = _IMDB_TITLE.match(str(text))
    return int(match[1]) if match and int(match[1]) > 0 else None


def parse_imdb_name(text: str | int | None) -> int | None:
    """``nm0000134`` -> 134; anything else -> None."""
    if text is None:
        return None
    match = _IMDB_NAME.match(str(text))
    return int(match[1]) if match and int(match[1]) > 0 else None


def _columns(cls: type, row: sqlite3.Row) -> dict[str, Any]:
    """The row's columns named like the dataclass's fields."""
    return {f.name: row[f.name] for f in fields(cls)}


def format_imdb_title(imdb_id: int) -> str:
    return f"tt{imdb_id:07d}"


@dataclass(frozen=True, slots=True)
class Film:
    id: int
    title: str
    year: int | None
    runtime: int | None
    imdb_id: int | None
    kind: str
    popularity: float

    @property
    def label(self) -> str:
        """``Heat (1995)``, the form every reply uses; the bare title when the year is unknown."""
        return f"{self.title} ({self.year})" if self.year else self.title

    @property
    def imdb(self) -> str | None:
        return None if self.imdb_id is None else format_imdb_title(self.imdb_id)

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Film:
        return cls(**_columns(cls, row))


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    name: str
    imdb_id: int | None
    birth_year: int | None

    @property
    def imdb(self) -> str | None:
        return None if self.imdb_id is None else f"nm{self.imdb_id:07d}"

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Person:
        return cls(**_columns(cls, row))


@dataclass(frozen=True, slots=True)
class Credit:
    film_id: int
    person_id: int
    name: str
    role: str
    character: str | None
    billing: int | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Credit:
        return cls(**_columns(cls, row))


@dataclass(frozen=True, slots=True)
class Genre:
    id: int
    name: str

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Genre:
        return cls(**_columns(cls, row))


#: Roles a credit may have (the CHECK in 0001), in the order a cast list shows them.
ROLES = (
    "actor",
    "director",
    "writer",
    "producer",
    "composer",
    "cinematographer",
    "editor",
    "other",
)
FILM_COLUMNS = (
    "films.id, films.title, films.year, films.runtime, films.imdb_id, films.kind, films.popularity"
)
