"""Genres as members name them, and a genre's films ranked for one server.

``genre <word>`` may name a genre or a film. A genre's own name or alias wins (``!genre crime``
lists crime films even if a film is called *Crime*; the reply then says how to get that film:
add its year, which never reads as a genre). Otherwise the words are read as a film title;
only when no film is close either are loose genre words tried (``noir`` finds Film-Noir and
Neo-Noir), then suggestions of both.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.errors import FilmNotFound, GenreNotFound, GenreOrFilmNotFound
from bot.normalize import fold, title_key
from bot.scores import bayesian_average
from bot.search import FilmMatch, resolve_film
from bot.store import picks, pools
from bot.store.browse import TaxonomyEntry, genre_names, taxonomy
from bot.store.database import Store
from bot.store.films import films_with_server_ratings
from bot.store.genres import find_genre, find_loose_genre, genre_family
from bot.store.models import Film, Genre
from bot.store.picks import Filter, Prior
from bot.store.pools import ANY

#: Genre names offered for a name nothing matched, and how alike they must be (0-100).
SUGGESTED = 3
SUGGEST_SCORE = 60


# Naming a genre ---------------------------------------------------------------------------------
async def resolve_genre(store: Store, text: str) -> Genre:
    """The genre ``text`` names exactly or loosely (``sci-fi``, ``noir``); ``GenreNotFound``
    with close names otherwise."""
    found = await find_loose_genre(store, text)
    if found is not None:
        return found
    raise GenreNotFound(text, await genre_suggestions(store, text))


async def genre_suggestions(store: Store, text: str) -> list[str]:
    """Up to three genres whose names (or aliases) look like ``text``."""
    key = fold(text)
    if not key:
        return []
    names = await genre_names(store)
    scored = process.extract(
        key, [fold(name) for name, _ in names], scorer=fuzz.WRatio, limit=SUGGESTED * 4
    )
    chosen: list[str] = []
    for _, score, index in scored:
        name = names[index][1].name
        if score >= SUGGEST_SCORE and name not in chosen:
            chosen.append(name)
    return chosen[:SUGGESTED]


@dataclass(frozen=True)
class GenreChoice:
    genre: Genre
    #: A film whose title is exactly the genre's name (it is reached by adding its year).
    namesake: Film | None = None


async def genre_or_film(store: Store, text: str) -> GenreChoice | FilmMatch:
    """What ``genre <text>`` is about (see the module's docstring)."""
    genre = await find_genre(store, text)
    if genre is not None:
        return GenreChoice(genre, await _film_titled(store, text))
    try:
        return await resolve_film(store, text)
    except FilmNotFound as missing:
        loose = await find_loose_genre(store, text)
        if loose is not None:
            return GenreChoice(loose)
        films = missing.suggestions
        raise GenreOrFilmNotFound(text, await genre_suggestions(store, text), films) from None


async def _film_titled(store: Store, text: str) -> Film | None:
    try:
        match = await resolve_film(store, text)
    except FilmNotFound:
        return None
    return match.film if title_key(match.film.title) == title_key(text) else None


async def family(store: Store, genre: Genre) -> list[Genre]:
    """The genre and every genre below it, the genre first."""
    return await genre_family(store, genre.id)


# A genre's films --------------------------------------------------------------------------------
#: Films a genre list ranks at most: this server's best rated, then the best known.
RANKED = pools.POOL_SIZE


@dataclass(frozen=True)
class RankedFilm:
    film: Film
    #: This server's ratings of it (0 and None when none).
    n: int
    mean: float | None


async def genre_ranking(
    store: Store, guild_id: int | None, genre: Genre, decade: int = ANY
) -> list[RankedFilm]:
    """The genre's films (sub-genres included) by this server's Bayesian average, then by
    catalog popularity. A film nobody here rated ranks as the server's mean would (its
    Bayesian average with no ratings), so well-liked films come first, then the best-known
    unrated ones, then those rated below the mean."""
    guild = guild_id or 0
    where = Filter(guild, genre_id=genre.id, decade=decade)

    def read(conn: sqlite3.Connection) -> tuple[Prior, list[tuple[Film, int, float]]]:
        prior = picks.server_prior(conn, guild_id)
        rated = []
        if prior.n:
            rated = [s.film_id for s in picks.server_favourites(conn, where, limit=RANKED)]
        ids = list(dict.fromkeys(rated + picks.pooled(conn, where, limit=RANKED)))
        return prior, films_with_server_ratings(conn, guild, ids)

    prior, found = await store.read(read)

    def rank(entry: tuple[Film, int, float]) -> tuple[float, float, int]:
        film, n, total = entry
        bayes = bayesian_average(n, total / n, prior.m, prior.mean) if n and prior.n else prior.mean
        return (-bayes, -film.popularity, film.id)

    return [
        RankedFilm(film, n, total / n if n else None) for film, n, total in sorted(found, key=rank)
    ]


@dataclass(frozen=True)
class GenreCount:
    genre: Genre
    films: int
    #: 0 for a top-level genre, 1 for one below it …
    depth: int


def genre_tree(entries: Sequence[TaxonomyEntry], sizes: dict[int, int]) -> list[GenreCount]:
    """Every genre with its film count, each top-level genre followed by the genres below it
    (a genre with two parents appears under both)."""
    children: dict[int, list[Genre]] = {}
    for entry in entries:
        for parent in entry.parent_ids:
            children.setdefault(parent, []).append(entry.genre)
    lines: list[GenreCount] = []

    def visit(genre: Genre, depth: int, path: frozenset[int]) -> None:
        lines.append(GenreCount(genre, sizes.get(genre.id, 0), depth))
        for child in children.get(genre.id, []):
            if child.id not in path:  # a cycle typed into the taxonomy ends here
                visit(child, depth + 1, path | {child.id})

    for entry in entries:
        if not entry.parent_ids:
            visit(entry.genre, 0, frozenset({entry.genre.id}))
    return lines


async def genre_counts(store: Store) -> list[GenreCount]:
    """The ``genres`` list: the taxonomy as a tree with each genre's number of films."""
    return genre_tree(await taxonomy(store), await pools.genre_sizes(store))
