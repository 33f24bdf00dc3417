"""The bundled catalog: ``genres.toml`` (the taxonomy) and ``catalog/*.toml`` (films).

The catalog is written by hand and is the authority on what it says: re-importing corrects a
film's title, year and runtime, and adds genres, people and cast it lists; nothing is removed.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.importers.common import ImportReport, Progress, file_size
from bot.store import bulk
from bot.store.films import NewFilm, save_film
from bot.store.genres import save_genre
from bot.store.models import parse_imdb_title
from bot.store.steps import run

_FILM_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*film[ \t]*\]\]", re.MULTILINE)


class BadEntry(ValueError):
    """One ``[[film]]`` or ``[[genre]]`` entry that cannot be used; the message says why."""


@dataclass(frozen=True)
class CatalogFiles:
    genres: Path | None
    films: list[Path]

    @property
    def all(self) -> list[Path]:
        return ([self.genres] if self.genres else []) + self.films


def find_files(source: Path) -> CatalogFiles:
    """``data/`` (genres.toml + catalog/*.toml), ``data/catalog/``, or one ``.toml`` file."""
    if source.is_file():
        if source.name == "genres.toml":
            return CatalogFiles(source, [])
        return CatalogFiles(None, [source])
    genres = source / "genres.toml"
    if not genres.is_file():
        genres = source.parent / "genres.toml" if source.name == "catalog" else genres
    films_dir = source / "catalog" if (source / "catalog").is_dir() else source
    return CatalogFiles(
        genres if genres.is_file() else None,
        sorted(p for p in films_dir.glob("*.toml") if p.name != "genres.toml"),
    )


def import_size(source: Path) -> int:
    return file_size(find_files(source).all)


def import_catalog(db_path: Path, source: Path, progress: Progress | None = None) -> ImportReport:
    """Load the taxonomy and every film of the catalog at ``source`` into the store."""
    files = find_files(source)
    report = ImportReport(f"catalog {source}")
    if not files.all:
        report.notes.append("no genres.toml or catalog/*.toml found")
        return report
    conn = bulk.connect(db_path)
    try:
        with bulk.transaction(conn):
            if files.genres is not None:
                _import_genres(conn, files.genres, report)
                if progress:
                    progress(files.genres.stat().st_size)
            films = []
            for path in files.films:
                films += _read_films(path, report)
                if progress:
                    progress(path.stat().st_size)
            # Best known first: a film of the same title still without a year (made by a review
            # document imported earlier) then merges into the best-known one, as resolution would.
            films.sort(key=lambda film: -film.popularity)
            for film in films:
                film_id, outcome = run(conn, save_film(film, authoritative=True))
                report.tally(outcome, film_id)
            bulk.refresh_search_index(conn, report.touched)
    finally:
        conn.close()
    return report


def _load(path: Path, report: ImportReport) -> tuple[str, dict[str, Any]] | None:
    try:
        text = path.read_text(encoding="utf-8")
        return text, tomllib.loads(text)
    except UnicodeDecodeError as error:
        report.reject(None, f"{path.name}: not UTF-8 ({error.reason})")
    except tomllib.TOMLDecodeError as error:
        line = re.search(r"line (\d+)", str(error))
        report.reject(int(line[1]) if line else None, f"{path.name}: not valid TOML: {error}")
    return None


def _import_genres(conn: Any, path: Path, report: ImportReport) -> None:
    loaded = _load(path, report)
    if loaded is None:
        return
    _, data = loaded
    entries = data.get("genre", [])
    for number, entry in enumerate(entries if isinstance(entries, list) else [], start=1):
        report.read += 1
        try:
            name = _text(entry, "name", required=True)
            parents = _texts(entry, "parents")
            aliases = _texts(entry, "aliases")
        except BadEntry as error:
            report.reject(None, f"{path.name} genre #{number}: {error}", repr(entry)[:120])
            continue
        before = conn.total_changes
        run(conn, save_genre(name, parents, aliases))
        report.tally("updated" if conn.total_changes != before else "unchanged")


def _read_films(path: Path, report: ImportReport) -> list[NewFilm]:
    loaded = _load(path, report)
    if loaded is None:
        return []
    text, data = loaded
    header_lines = [text.count("\n", 0, m.start()) + 1 for m in _FILM_HEADER.finditer(text)]
    entries = data.get("film", [])
    films = []
    for number, entry in enumerate(entries if isinstance(entries, list) else [], start=1):
        report.read += 1
        line = header_lines[number - 1] if number <= len(header_lines) else None
        try:
            films.append(film_from_entry(entry))
        except BadEntry as error:
            title = entry.get("title", "") if isinstance(entry, dict) else ""
            report.reject(line, f"{path.name}: {error}", str(title))
    return films


def film_from_entry(entry: Any) -> NewFilm:
    """One ``[[film]]`` table as a :class:`NewFilm`; BadEntry says what is wrong with it."""
    if not isinstance(entry, dict):
        raise BadEntry("a film must be a table")
    title = _text(entry, "title", required=True)
    year = _int(entry, "year")
    if year is not None and not 1870 <= year <= 2100:
        raise BadEntry(f"year {year} is not a film year")
    runtime = _int(entry, "runtime")
    if runtime is not None and runtime <= 0:
        raise BadEntry(f"runtime {runtime} must be positive")
    imdb_text = entry.get("imdb")
    imdb_id = parse_imdb_title(imdb_text) if imdb_text else None
    if imdb_text and imdb_id is None:
        raise BadEntry(f"imdb {imdb_text!r} is not an IMDb title id like tt0113277")
    votes = entry.get("votes", 0)
    if not isinstance(votes, int | float) or isinstance(votes, bool) or votes < 0:
        raise BadEntry(f"votes {votes!r} must be a number")
    cast = entry.get("cast", {})
    if not isinstance(cast, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in cast.items()
    ):
        raise BadEntry('cast must be a table of "Actor" = "Character"')
    return NewFilm(
        title=title,
        year=year,
        runtime=runtime,
        imdb_id=imdb_id,
        kind=_text(entry, "kind") or "movie",
        popularity=float(votes),
        genres=_texts(entry, "genres"),
        directors=_texts(entry, "directors"),
        writers=_texts(entry, "writers"),
        cast=[(actor, character or None) for actor, character in cast.items()],
        aliases=_texts(entry, "aka"),
        countries=_texts(entry, "countries"),
    )


def _text(entry: dict[str, Any], key: str, *, required: bool = False) -> str:
    value = entry.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise BadEntry(f"{key} must be text" + (" and is required" if required else ""))
    return value.strip()


def _int(entry: dict[str, Any], key: str) -> int | None:
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise BadEntry(f"{key} must be a whole number, not {value!r}")
    return value


def _texts(entry: dict[str, Any], key: str) -> Sequence[str]:
    value = entry.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadEntry(f"{key} must be a list of text")
    return [v.strip() for v in value if v.strip()]
