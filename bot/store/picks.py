"""Candidates for ``pick`` and ``similar``: bounded sets read through indexes, never a scan.

Plain ``sqlite3`` functions: a pick runs them all, with the weighing between them, in one hop
to a reader's thread (``Store.read``) rather than one hop per query.

Each query returns at most ``limit`` films with the evidence it found them by (a server's
ratings, a shared person, members who liked both, popularity); :mod:`bot.recommend` weighs
them. A :class:`Filter` narrows any of them to a genre family and decade, keeps out films the
member rated, and films already shown.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import orjson

from bot.store import snapshot
from bot.store.genres import FAMILY
from bot.store.pools import ANY
from bot.store.ratings import RANK_ORDER, SERVER_PRIOR, prior_params

#: A score this high is a film the member (or a fellow member) liked.
LIKED = 8.0
#: Films at most read from a server's ratings in the fixed-prior order of ``film_stats_rank``
#: before narrowing them to a genre or decade.
SERVER_SCAN = 400
#: Actors billed this high count as a film's cast for "shared cast".
TOP_BILLING = 2
#: Films read per person (the best known); fellow members read per liked film, and the
#: favourites read of each (a bound on the work, whatever the server's size).
PER_PERSON = 12
#: Credits read per person at most (in index order) to find their best known: prolific
#: people's long lists are sampled, not read whole.
CREDITS_READ = 80
FANS = 6
FAN_FAVOURITES = 12


def _id_list(ids: Iterable[int]) -> str:
    """Ids as the JSON array ``json_each`` reads (orjson: a pick sends several per request)."""
    return orjson.dumps(list(ids)).decode()


@dataclass(frozen=True)
class Filter:
    """Which films a candidate query may return."""

    guild_id: int
    #: The member whose rated films are left out (None: none are).
    member_id: int | None = None
    #: A genre: films of it or of any genre below it (None: any genre).
    genre_id: int | None = None
    #: A decade (``1990``); ANY: any year.
    decade: int = ANY
    excluded: Sequence[int] = field(default=())
    #: ``genre_id`` and every genre below it, when already read (:func:`genre_family`): each
    #: query then tests films against this list rather than walking the family per film.
    family: Sequence[int] = field(default=())

    @cached_property
    def _lists(self) -> tuple[str, str]:
        # A pick asks several queries under one filter: its lists go to JSON once.
        return _id_list(self.excluded), _id_list(self.family)

    def sql(self, film: str) -> tuple[str, dict[str, Any]]:
        """``AND …`` conditions on the film id column ``film``, and their parameters."""
        clauses = []
        excluded, family_json = self._lists
        params: dict[str, Any] = {"guild": self.guild_id, "member": self.member_id}
        if self.excluded:
            clauses.append(f"{film} NOT IN (SELECT value FROM json_each(:excluded))")
            params["excluded"] = excluded
        # The decade first: one lookup, and it rules out most films before the genre test.
        if self.decade != ANY:
            clauses.append(
                f"(SELECT year FROM films WHERE id = {film}) BETWEEN :decade AND :decade + 9"
            )
            params["decade"] = self.decade
        if self.genre_id is not None:
            # The film's own few genres are read and looked up in the family (the unary plus
            # keeps SQLite from instead probing the film once per genre of a big family).
            # Inside this correlated EXISTS a recursive family is walked again for every film.
            if self.family:
                family = "SELECT value FROM json_each(:family)"
                params["family"] = family_json
            else:
                family = f"{FAMILY} SELECT id FROM family"
                params["genre"] = self.genre_id
            clauses.append(
                f"EXISTS (SELECT 1 FROM film_genres WHERE film_id = {film} "
                f"AND +genre_id IN ({family}))"
            )
        # The member's own ratings last: few candidates are films the member rated, so this
        # lookup rules out little, and the decade and genre tests leave it fewer films to test.
        if self.member_id is not None:
            clauses.append(
                "NOT EXISTS (SELECT 1 FROM ratings WHERE guild_id = :guild "
                f"AND member_id = :member AND film_id = {film})"
            )
        return "".join(f" AND {clause}" for clause in clauses), params


def genre_family(conn: sqlite3.Connection, genre_id: int) -> tuple[int, ...]:
    """The genre and every genre below it, for :attr:`Filter.family` (kept until the next
    commit: members ask for the same few genres)."""

    def read() -> tuple[int, ...]:
        rows = conn.execute(f"{FAMILY} SELECT id FROM family", {"genre": genre_id})
        return tuple(int(r[0]) for r in rows)

    return snapshot.kept(conn).get(("genre family", genre_id), read)


@dataclass(frozen=True)
class Prior:
    """A server's ratings in all: how many, their mean (C) and its Bayesian weight m."""

    n: int
    mean: float
    m: float


#: C for a server without ratings (it weighs nothing there: no film has a server part).
NO_MEAN = 7.0


def server_prior(conn: sqlite3.Connection, guild_id: int | None) -> Prior:
    """This server's prior, by ``ratings.SERVER_PRIOR`` (none in a DM); kept until the next
    commit."""
    return snapshot.kept(conn).get(("server prior", guild_id), lambda: _read_prior(conn, guild_id))


def _read_prior(conn: sqlite3.Connection, guild_id: int | None) -> Prior:
    params = prior_params(guild_id or 0)
    row = conn.execute(
        f"WITH {SERVER_PRIOR} SELECT prior.m, prior.c, "
        "(SELECT n FROM guild_stats WHERE guild_id = :guild_id) FROM prior",
        params,
    ).fetchone()
    if guild_id is None or not row[2]:
        return Prior(0, NO_MEAN, float(row[0]))
    return Prior(int(row[2]), float(row[1]), float(row[0]))


# The evidence below is built by the hundred for every pick and never changed after: plain
# slotted classes, as a frozen dataclass's __init__ costs about five times as much.
@dataclass(slots=True)
class Liked:
    film_id: int
    score: float
    #: The film's own genres.
    genres: frozenset[int]


@dataclass(slots=True)
class ServerStat:
    film_id: int
    n: int
    total: float


@dataclass(slots=True)
class SharedPerson:
    """``film_id`` shares ``name`` (a director or a top-billed actor) with ``via``."""

    film_id: int
    via: int
    person_id: int
    name: str
    role: str


@dataclass(slots=True)
class CoLiked:
    """``fans`` members who liked ``via`` also liked ``film_id`` (both rated 8 or more)."""

    film_id: int
    via: int
    fans: int


@dataclass(slots=True)
class Features:
    """What weighing a candidate needs to know about it. Its :class:`Film` row is read only
    for the few films shown (``films.films_by_id``), not for every film weighed."""

    film_id: int
    popularity: float
    #: Its own genres (not their parents).
    genres: frozenset[int]
    #: This server's ratings of it (0 and 0 when none).
    n: int
    total: float


def liked_films(
    conn: sqlite3.Connection, guild_id: int, member_id: int, *, limit: int = 10
) -> list[Liked]:
    """The member's favourites here: rated 8 or more, best and most recent first."""
    rows = _tuples(
        conn,
        "SELECT film_id, score, "
        "(SELECT group_concat(genre_id) FROM film_genres WHERE film_id = ratings.film_id) "
        "FROM ratings WHERE guild_id = ? AND member_id = ? AND score >= ? "
        "ORDER BY score DESC, rated_at DESC, film_id LIMIT ?",
        (guild_id, member_id, LIKED, limit),
    )
    return [Liked(r[0], float(r[1]), _ids(r[2])) for r in rows]


def _tuples(conn: sqlite3.Connection, sql: str, params: Any) -> list[Any]:
    """Rows as plain tuples: the readers' ``sqlite3.Row`` costs more to build and to index,
    and these functions read each column by position once."""
    cursor = conn.execute(sql, params)
    cursor.row_factory = None  # rows are made as they are fetched
    return cursor.fetchall()


@dataclass(slots=True)
class _Ranked:
    """One of a server's best-rated films, with what a :class:`Filter` tests."""

    stat: ServerStat
    year: int | None
    genres: frozenset[int]


@dataclass(slots=True)
class _ServerBest:
    """A server's best-rated films, and the ones passing each genre family and decade asked
    for since (members ask for the same few)."""

    ranked: list[_Ranked]
    narrowed: dict[tuple[int, frozenset[int] | None], list[ServerStat]] = field(
        default_factory=dict
    )

    def narrow(self, decade: int, family: frozenset[int] | None) -> list[ServerStat]:
        key = (decade, family)
        found = self.narrowed.get(key)
        if found is None:
            found = self.narrowed[key] = [
                r.stat
                for r in self.ranked
                if (decade == ANY or (r.year is not None and decade <= r.year <= decade + 9))
                and (family is None or not family.isdisjoint(r.genres))
            ]
        return found


def server_favourites(
    conn: sqlite3.Connection, where: Filter, *, limit: int = 100
) -> list[ServerStat]:
    """This server's best-rated films that pass ``where``: the first :data:`SERVER_SCAN` in
    the index's fixed-prior order, narrowed (the caller ranks them with the server's own
    prior)."""
    family = None
    if where.genre_id is not None:
        family = frozenset(where.family or genre_family(conn, where.genre_id))
    excluded = set(where.excluded)
    passing = [
        stat
        for stat in _best_rated(conn, where.guild_id).narrow(where.decade, family)
        if stat.film_id not in excluded
    ]
    if where.member_id is None:
        return passing[:limit]
    # The member's own ratings of these, a few at a time: most members rated few of them.
    found: list[ServerStat] = []
    for start in range(0, len(passing), max(1, limit)):
        chunk = passing[start : start + max(1, limit)]
        rated = {
            int(r[0])
            for r in conn.execute(
                "SELECT film_id FROM ratings WHERE guild_id = ? AND member_id = ? "
                "AND film_id IN (SELECT value FROM json_each(?))",
                (where.guild_id, where.member_id, _id_list(s.film_id for s in chunk)),
            ).fetchall()
        }
        found.extend(s for s in chunk if s.film_id not in rated)
        if len(found) >= limit:
            break
    return found[:limit]


def _best_rated(conn: sqlite3.Connection, guild_id: int) -> _ServerBest:
    """The server's first :data:`SERVER_SCAN` films in ``film_stats_rank`` order, with their
    years and genres. Every pick narrows the same few hundred films, so they are kept until
    the next commit (:mod:`bot.store.snapshot`)."""
    return snapshot.kept(conn).get(("best rated", guild_id), lambda: _read_best(conn, guild_id))


def _read_best(conn: sqlite3.Connection, guild_id: int) -> _ServerBest:
    rows = conn.execute(
        f"""
        SELECT best.film_id, best.n, best.total, (SELECT year FROM films WHERE id = best.film_id),
               (SELECT group_concat(genre_id) FROM film_genres WHERE film_id = best.film_id)
        FROM (
            SELECT film_id, n, total FROM film_stats WHERE guild_id = :guild
            ORDER BY {RANK_ORDER} LIMIT :scan
        ) AS best
        """,
        {"guild": guild_id, "scan": SERVER_SCAN},
    ).fetchall()
    return _ServerBest(
        [
            _Ranked(
                ServerStat(int(r[0]), int(r[1]), float(r[2])),
                None if r[3] is None else int(r[3]),
                _ids(r[4]),
            )
            for r in rows
        ],
    )


@functools.lru_cache(maxsize=4096)
def _ids(joined: str | None) -> frozenset[int]:
    """``group_concat`` of ids -> the ids. Films share sets of genres (800 picks on the bench
    store read 27,594 films' genres: 3,462 different sets), so each set is built once."""
    return frozenset(map(int, joined.split(","))) if joined else frozenset()


def pooled(
    conn: sqlite3.Connection, where: Filter, genre_id: int | None = None, *, limit: int = 100
) -> list[int]:
    """The best-known films of a pool that pass ``where``: ``genre_id``'s (else ``where``'s
    genre's, else every genre's) in ``where``'s decade."""
    # The pool holds only the genre family and the decade already.
    conditions, params = replace(where, genre_id=None, decade=ANY).sql("film_pool.film_id")
    rows = conn.execute(
        f"""
        SELECT film_id FROM film_pool WHERE genre_id = :pool_genre AND decade = :pool_decade
        {conditions} ORDER BY popularity DESC, film_id LIMIT :limit
        """,
        {
            **params,
            "pool_genre": next((g for g in (genre_id, where.genre_id) if g is not None), ANY),
            "pool_decade": where.decade,
            "limit": limit,
        },
    ).fetchall()
    return [int(r[0]) for r in rows]


def popular_beyond_pool(
    conn: sqlite3.Connection, where: Filter, *, limit: int = 20, scan: int = 20_000
) -> list[int]:
    """Films that pass ``where`` among the ``scan`` best known of the catalog: for a member who
    has rated every film of a pool."""
    conditions, params = where.sql("top.id")
    rows = conn.execute(
        f"""
        SELECT top.id FROM (SELECT id FROM films ORDER BY popularity DESC LIMIT :scan) AS top
        WHERE 1 {conditions} LIMIT :limit
        """,
        {**params, "scan": scan, "limit": limit},
    ).fetchall()
    return [int(r[0]) for r in rows]


def shared_people(
    conn: sqlite3.Connection, film_ids: Sequence[int], where: Filter, *, limit: int = 150
) -> list[SharedPerson]:
    """Other films of the directors and top-billed actors of ``film_ids`` (the best-known
    :data:`PER_PERSON` of each person's first :data:`CREDITS_READ`) that pass ``where``."""
    if not film_ids:
        return []
    conditions, params = where.sql("other.film_id")
    rows = conn.execute(
        f"""
        WITH known(film_id) AS (SELECT value FROM json_each(:known)),
        chosen AS (
            SELECT film_id AS via, person_id, role FROM credits
            WHERE film_id IN known
              AND (role = 'director' OR (role = 'actor' AND coalesce(billing, 99) <= :billing))
        ),
        other AS (  -- each person's best known, among the first of their films the index holds
            SELECT chosen.via, chosen.person_id, chosen.role, best.value AS film_id
            FROM chosen, json_each((
                SELECT json_group_array(film_id) FROM (
                    SELECT theirs.film_id FROM (
                        SELECT film_id FROM credits
                        WHERE person_id = chosen.person_id AND role = chosen.role LIMIT :read
                    ) AS theirs JOIN films ON films.id = theirs.film_id
                    ORDER BY films.popularity DESC LIMIT :per_person)
            )) AS best
            WHERE best.value NOT IN known
        )
        SELECT other.film_id, other.via, other.person_id, people.name, other.role
        FROM other JOIN people ON people.id = other.person_id
        WHERE 1 {conditions}
        LIMIT :limit
        """,
        {
            **params,
            "known": _id_list(film_ids),
            "billing": TOP_BILLING,
            "per_person": PER_PERSON,
            "read": CREDITS_READ,
            "limit": limit,
        },
    ).fetchall()
    return [SharedPerson(int(r[0]), int(r[1]), int(r[2]), str(r[3]), str(r[4])) for r in rows]


def co_liked(
    conn: sqlite3.Connection, film_ids: Sequence[int], where: Filter, *, limit: int = 100
) -> list[CoLiked]:
    """Films that members of this server who liked one of ``film_ids`` also liked (both 8 or
    more; up to :data:`FANS` members per film), most shared first; never ``where``'s member."""
    if not film_ids:
        return []
    conditions, params = where.sql("liked.film_id")
    rows = conn.execute(
        f"""
        WITH known(film_id) AS (SELECT value FROM json_each(:known)),
        fans AS (  -- each liked film's keenest fans, read in index order and no further
            SELECT known.film_id AS via, fan.value AS member_id FROM known, json_each((
                SELECT json_group_array(member_id) FROM (
                    SELECT member_id FROM ratings
                    WHERE guild_id = :guild AND film_id = known.film_id AND score >= :liked
                    AND member_id IS NOT :member ORDER BY score DESC LIMIT :fans)
            )) AS fan
        ),
        favourites AS (  -- each fan's best-rated films, read in index order and no further
            SELECT fans.via, (
                SELECT json_group_array(film_id) FROM (
                    SELECT film_id FROM ratings
                    WHERE guild_id = :guild AND member_id = fans.member_id AND score >= :liked
                    ORDER BY score DESC LIMIT :per_fan)
            ) AS films FROM fans
        ),
        liked AS (
            SELECT film.value AS film_id, favourites.via, count(*) AS fans
            FROM favourites, json_each(favourites.films) AS film
            WHERE film.value NOT IN known GROUP BY film.value, favourites.via
        )
        SELECT liked.film_id, liked.via, liked.fans FROM liked WHERE 1 {conditions}
        ORDER BY liked.fans DESC, liked.film_id LIMIT :limit
        """,
        {
            **params,
            "known": _id_list(film_ids),
            "liked": LIKED,
            "fans": FANS,
            "per_fan": FAN_FAVOURITES,
            "limit": limit,
        },
    ).fetchall()
    return [CoLiked(int(r[0]), int(r[1]), int(r[2])) for r in rows]


def features(
    conn: sqlite3.Connection, guild_id: int, film_ids: Sequence[int]
) -> dict[int, Features]:
    """Each film's popularity, its own genres and this server's ratings of it."""
    if not film_ids:
        return {}
    rows = _tuples(
        conn,
        """
        SELECT films.id, films.popularity, coalesce(film_stats.n, 0),
               coalesce(film_stats.total, 0),
               (SELECT group_concat(genre_id) FROM film_genres WHERE film_id = films.id)
        FROM films LEFT JOIN film_stats
             ON film_stats.guild_id = :guild AND film_stats.film_id = films.id
        WHERE films.id IN (SELECT value FROM json_each(:ids))
        """,
        {"guild": guild_id, "ids": _id_list(film_ids)},
    )
    return {r[0]: Features(r[0], float(r[1]), _ids(r[4]), r[2], float(r[3])) for r in rows}


def genre_names(conn: sqlite3.Connection, genre_ids: Iterable[int]) -> dict[int, str]:
    """The names of these genres, by name."""
    wanted = set(genre_ids)
    return {gid: name for gid, name in _all_genre_names(conn).items() if gid in wanted}


def _all_genre_names(conn: sqlite3.Connection) -> dict[int, str]:
    """Every genre's name, by name: a hundred or so, kept until the next commit."""

    def read() -> dict[int, str]:
        rows = conn.execute("SELECT id, name FROM genres ORDER BY name").fetchall()
        return {int(r[0]): str(r[1]) for r in rows}

    return snapshot.kept(conn).get("genre names", read)
