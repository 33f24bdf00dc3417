"""Admins' changes to the shared catalog: add a film, correct one, add a cast member.

Each is one transaction that also keeps the derived data in step (the search index, the genre
and decade pools) and writes its audit entry (:mod:`bot.store.audit`). Values arrive already
checked (:mod:`bot.catalog_admin`); genres are names the taxonomy knows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import aiosqlite

from bot.errors import FilmExists, FilmNotFound
from bot.normalize import bare_key, title_key
from bot.store import pools, steps
from bot.store.audit import Change, Editor, record
from bot.store.database import Store
from bot.store.films import NewFilm, add_film_steps
from bot.store.genres import tag_film
from bot.store.models import FILM_COLUMNS, Film
from bot.store.people import credit, person_id
from bot.store.search_index import index_films_steps, index_people_steps
from bot.store.steps import Steps

T = TypeVar("T")


@dataclass(frozen=True)
class FilmCorrection:
    """The fields to set; None leaves a field as it is. ``genres`` and ``directors`` replace
    the film's whole list."""

    title: str | None = None
    year: int | None = None
    runtime: int | None = None
    genres: Sequence[str] | None = None
    directors: Sequence[str] | None = None

    @property
    def empty(self) -> bool:
        return all(
            value is None
            for value in (self.title, self.year, self.runtime, self.genres, self.directors)
        )


@dataclass(frozen=True)
class CastChange:
    film: Film
    actor: str
    character: str | None
    billing: int
    #: The credit as it was, when the actor was already in the cast: (character, billing).
    before: tuple[str | None, int | None] | None


def _film(film_id: int) -> Steps[Film]:
    rows = yield (f"SELECT {FILM_COLUMNS} FROM films WHERE id = ?", (film_id,))
    if not rows:
        raise FilmNotFound(f"id:{film_id}")
    return Film.from_row(rows[0])


def _names(film_id: int, sql: str) -> Steps[list[str]]:
    rows = yield (sql, (film_id,))
    return [str(row[0]) for row in rows]


_GENRE_NAMES = (
    "SELECT genres.name FROM film_genres JOIN genres ON genres.id = genre_id "
    "WHERE film_id = ? ORDER BY genres.name"
)
_DIRECTOR_NAMES = (
    "SELECT people.name FROM credits JOIN people ON people.id = person_id "
    "WHERE film_id = ? AND role = 'director' ORDER BY billing IS NULL, billing, people.name"
)


def _credit_all(film_id: int, role: str, names: Sequence[str]) -> Steps[list[int]]:
    people = []
    for billing, name in enumerate(names, start=1):
        person = yield from person_id(name)
        if person is not None:
            yield from credit(film_id, person, role, None, billing)
            people.append(person)
    return people


# Adding a film -----------------------------------------------------------------------------------
def add_film_audited_steps(new: NewFilm, editor: Editor) -> Steps[Film]:
    try:
        film_id = yield from add_film_steps(new)
    except FilmExists as exists:  # named as the catalog has it, not as it was typed
        there = yield from _film(exists.film_id)
        raise FilmExists(there.label, there.id) from None
    film = yield from _film(film_id)
    changes = [
        Change(name, None, value)
        for name, value in (
            ("title", film.title),
            ("year", film.year),
            ("runtime", film.runtime),
            ("genres", list(new.genres) or None),
            ("directors", list(new.directors) or None),
        )
        if value is not None
    ]
    yield from record(editor, "addfilm", film_id, film.label, changes)
    return film


async def add_film_audited(store: Store, new: NewFilm, editor: Editor) -> Film:
    """Add a film (``FilmExists`` when the catalog has it), recording who did."""
    return await _write(store, lambda: add_film_audited_steps(new, editor))


# Correcting a film -------------------------------------------------------------------------------
def correct_film_steps(
    film_id: int, fix: FilmCorrection, editor: Editor
) -> Steps[tuple[Film, list[Change]]]:
    old = yield from _film(film_id)
    title = old.title if fix.title is None else fix.title
    year = old.year if fix.year is None else fix.year
    if (title_key(title), year) != (title_key(old.title), old.year):
        rows = yield (
            "SELECT id FROM films WHERE title_key = ? AND year IS ? AND id <> ? LIMIT 1",
            (title_key(title), year, film_id),
        )
        if rows:
            label = f"{title} ({year})" if year else title
            raise FilmExists(label, int(rows[0][0]))
    # Out of the genre and decade pools while its year and genres change; back in after.
    yield from pools.unpool_film(film_id)
    changes: list[Change] = []
    if title != old.title:
        yield (
            "UPDATE films SET title = ?, title_key = ?, bare_key = ? WHERE id = ?",
            (title, title_key(title), bare_key(title), film_id),
        )
        # An alias is another name; the film's own title is never one of its aliases too.
        yield (
            "DELETE FROM film_aliases WHERE film_id = ? AND title_key = ?",
            (film_id, title_key(title)),
        )
        changes.append(Change("title", old.title, title))
    if year != old.year:
        yield ("UPDATE films SET year = ? WHERE id = ?", (year, film_id))
        changes.append(Change("year", old.year, year))
    if fix.runtime is not None and fix.runtime != old.runtime:
        yield ("UPDATE films SET runtime = ? WHERE id = ?", (fix.runtime, film_id))
        changes.append(Change("runtime", old.runtime, fix.runtime))
    if fix.genres is not None:
        before = yield from _names(film_id, _GENRE_NAMES)
        yield ("DELETE FROM film_genres WHERE film_id = ?", (film_id,))
        yield from tag_film(film_id, fix.genres)
        after = yield from _names(film_id, _GENRE_NAMES)
        if after != before:
            changes.append(Change("genres", before, after))
    reindex = bool(changes) and changes[0].field == "title"
    if fix.directors is not None:
        before = yield from _names(film_id, _DIRECTOR_NAMES)
        yield ("DELETE FROM credits WHERE film_id = ? AND role = 'director'", (film_id,))
        yield from _credit_all(film_id, "director", fix.directors)
        after = yield from _names(film_id, _DIRECTOR_NAMES)
        if after != before:
            changes.append(Change("directors", before, after))
            reindex = True
    yield from pools.pool_film(film_id)
    if reindex:  # findable by its new title's words and its people at once
        yield from index_films_steps([film_id])
    film = yield from _film(film_id)
    if changes:
        yield from record(editor, "editfilm", film_id, film.label, changes)
    return film, changes


async def correct_film(
    store: Store, film_id: int, fix: FilmCorrection, editor: Editor
) -> tuple[Film, list[Change]]:
    """Correct a film; the film as it is now and what changed (nothing recorded when nothing
    did). ``FilmExists`` when the new title and year are another film's."""
    return await _write(store, lambda: correct_film_steps(film_id, fix, editor))


# Adding to the cast ------------------------------------------------------------------------------
def add_cast_steps(
    film_id: int, actor: str, character: str | None, billing: int | None, editor: Editor
) -> Steps[CastChange]:
    film = yield from _film(film_id)
    person = yield from person_id(actor)
    if person is None:
        raise ValueError("an actor needs a name")
    rows = yield ("SELECT name FROM people WHERE id = ?", (person,))
    name = str(rows[0][0])
    rows = yield (
        "SELECT character, billing FROM credits "
        "WHERE film_id = ? AND person_id = ? AND role = 'actor'",
        (film_id, person),
    )
    before: tuple[str | None, int | None] | None = (rows[0][0], rows[0][1]) if rows else None
    old_billing = None if before is None else before[1]
    if billing is None:
        if old_billing is not None:
            billing = int(old_billing)
        else:
            last = yield (
                "SELECT coalesce(max(billing), 0) FROM credits "
                "WHERE film_id = ? AND role = 'actor'",
                (film_id,),
            )
            billing = int(last[0][0]) + 1
    elif billing != old_billing:
        # Taking a billed place moves everyone from there on down one.
        yield (
            "UPDATE credits SET billing = billing + 1 WHERE film_id = ? AND role = 'actor' "
            "AND billing >= ? AND person_id <> ? "
            "AND EXISTS (SELECT 1 FROM credits WHERE film_id = ? AND role = 'actor' "
            "AND billing = ? AND person_id <> ?)",
            (film_id, billing, person, film_id, billing, person),
        )
    yield (
        "INSERT INTO credits (film_id, person_id, role, character, billing) "
        "VALUES (?, ?, 'actor', ?, ?) ON CONFLICT (film_id, role, person_id) DO UPDATE SET "
        "character = coalesce(excluded.character, character), billing = excluded.billing",
        (film_id, person, character, billing),
    )
    yield from index_people_steps([person])
    if character is None and before is not None:
        character = before[0]
    old = None if before is None else _cast_text(name, *before)
    changes = [Change("cast", old, _cast_text(name, character, billing))]
    yield from record(editor, "addcast", film_id, film.label, changes)
    return CastChange(film, name, character, billing, before)


def _cast_text(name: str, character: str | None, billing: int | None) -> str:
    role = f" as {character}" if character else ""
    place = f" (billed {billing})" if billing is not None else ""
    return f"{name}{role}{place}"


async def add_cast_member(
    store: Store,
    film_id: int,
    actor: str,
    character: str | None,
    billing: int | None,
    editor: Editor,
) -> CastChange:
    """Credit ``actor`` (as ``character``) in the film's cast at ``billing`` (default: their
    place if already credited, else last); a second time corrects the character or place."""
    return await _write(store, lambda: add_cast_steps(film_id, actor, character, billing, editor))


async def _write(store: Store, work: Callable[[], Steps[T]]) -> T:
    # A fresh generator for every attempt: a commit retried after a busy store runs it again.
    async def write(conn: aiosqlite.Connection) -> T:
        return await steps.run_async(conn, work())

    return await store.write(write)
