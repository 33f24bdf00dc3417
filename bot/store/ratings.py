"""Members' ratings, per server: rating and unrating, and everything read from them.

Every function takes the server (``guild_id``) and touches only that server's rows, so nothing
rated in one server is ever visible from another. Scores are on 1–10 in half steps
(:func:`bot.scores.parse_score` makes them; the table's CHECK refuses anything else).

``film_stats`` (n and total per server and film) and ``guild_stats`` (per server) are kept by
the triggers of migration 0001 inside the rating's own transaction, so averages, counts and the
leaderboard never scan ``ratings``.

A server's prior for its Bayesian averages (m and C) is read through :data:`SERVER_PRIOR`,
bound with ``{"guild_id": …, "default_m": DEFAULT_BAYES_M}`` (:func:`prior_params`); the
leaderboard ranks with :func:`bayesian`, picks and genre lists with
:func:`bot.scores.bayesian_average`.
"""

from __future__ import annotations

import heapq
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import aiosqlite

from bot.scores import MAX_SCORE
from bot.store.database import Store, now
from bot.store.films import films_by_id
from bot.store.guilds import DEFAULT_BAYES_M
from bot.store.models import FILM_COLUMNS, Film

#: A CTE ``prior(m, c)``: the server's ``m`` (its setting, else ``:default_m``) and ``C``, its
#: mean rating (NULL while it has none). Binds ``:guild_id`` and ``:default_m``.
SERVER_PRIOR = """prior(m, c) AS (
    SELECT coalesce((SELECT bayes_m FROM guild_settings WHERE guild_id = :guild_id), :default_m),
           (SELECT total / n FROM guild_stats WHERE guild_id = :guild_id)
)"""


def bayesian(n: int, total: float, m: float, c: float) -> float:
    """A film's Bayesian average ``(v·R + m·C)/(v + m)`` from its ``film_stats`` row: ``v·R``
    is its stored ``total``, not ``n`` times the mean (which can lose the last bit, and with it
    a tie between films that the leaderboard must order by their counts)."""
    return (total + m * c) / (n + m)


#: The fixed prior of the ``film_stats_rank`` index (migration 0004): m = 3, and m·C = 21
#: (C = 7). An ORDER BY must be exactly :data:`RANK_ORDER` for SQLite to walk the index.
_INDEX_M, _INDEX_MC = 3, 21.0
RANK_ORDER = f"(total + {_INDEX_MC}) / (n + {_INDEX_M}) DESC"


def prior_params(guild_id: int) -> dict[str, object]:
    """The parameters :data:`SERVER_PRIOR` binds."""
    return {"guild_id": guild_id, "default_m": DEFAULT_BAYES_M}


@dataclass(frozen=True, slots=True)
class FilmRating:
    """A film's ratings in one server: how many, their sum, and one member's own score."""

    film_id: int
    n: int
    total: float
    #: The asking member's score (when a member was given and has rated it).
    own: float | None = None

    @property
    def mean(self) -> float | None:
        return self.total / self.n if self.n else None


# Writes -------------------------------------------------------------------------------------
# One statement, so consecutive rates batch through executemany in one group commit (the
# film's new totals read on the writer's thread in the same trip). The triggers keep
# film_stats and guild_stats in step; re-rating replaces the score.
_RATE = """
INSERT INTO ratings (guild_id, member_id, film_id, score, rated_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (guild_id, member_id, film_id) DO UPDATE SET
    score = excluded.score, rated_at = excluded.rated_at
"""


_FILM_STATS = "SELECT n, total FROM film_stats WHERE guild_id = ? AND film_id = ?"


async def rate(
    store: Store, guild_id: int, member_id: int, film_id: int, score: float
) -> FilmRating:
    """Store the member's score for the film in this server (replacing an earlier one); the
    film's count and mean here with it, read in the rating's own transaction.

    Returns once the rating is committed. ``score`` must be a valid score (the table's CHECK
    rejects anything else with ``sqlite3.IntegrityError``, as it does an unknown film)."""
    row = await store.execute_then_read(
        _RATE, (guild_id, member_id, film_id, float(score), now()), _FILM_STATS, (guild_id, film_id)
    )
    assert row is not None  # the rating just written is counted
    return FilmRating(film_id, int(row["n"]), float(row["total"]), float(score))


async def rate_many(store: Store, guild_id: int, scores: Iterable[tuple[int, int, float]]) -> int:
    """Many members' scores in this server at once, each as :func:`rate` stores it, in one
    transaction: (member, film, score) rows, e.g. a replay of another site's ratings. Returns
    how many were stored."""
    stamp = now()
    rows = [(guild_id, member, film, float(score), stamp) for member, film, score in scores]

    async def write(conn: aiosqlite.Connection) -> int:
        await conn.executemany(_RATE, rows)
        return len(rows)

    return await store.write(write)


async def unrate(store: Store, guild_id: int, member_id: int, film_id: int) -> float | None:
    """Remove the member's rating of the film in this server; the score removed, or None when
    there was none. Returns once committed."""

    async def delete(conn: aiosqlite.Connection) -> float | None:
        cursor = await conn.execute(
            "DELETE FROM ratings WHERE guild_id = ? AND member_id = ? AND film_id = ? "
            "RETURNING score",
            (guild_id, member_id, film_id),
        )
        row = await cursor.fetchone()
        await cursor.close()
        return None if row is None else float(row[0])

    return await store.write(delete)


# One film --------------------------------------------------------------------------------------
async def film_rating(
    store: Store, guild_id: int, film_id: int, member_id: int | None = None
) -> FilmRating:
    """The film's count and average in this server, and ``member_id``'s own score (for the
    review card and the reply to ``rate``); n = 0 when nobody here rated it."""
    row = await store.fetchone(
        """
        SELECT coalesce(film_stats.n, 0) AS n, coalesce(film_stats.total, 0) AS total,
               (SELECT score FROM ratings
                WHERE guild_id = :guild_id AND member_id = :member_id AND film_id = :film_id)
                   AS own
        FROM (SELECT 1) LEFT JOIN film_stats
             ON film_stats.guild_id = :guild_id AND film_stats.film_id = :film_id
        """,
        {"guild_id": guild_id, "film_id": film_id, "member_id": member_id},
    )
    assert row is not None
    return FilmRating(film_id, int(row["n"]), float(row["total"]), row["own"])


async def member_score(store: Store, guild_id: int, member_id: int, film_id: int) -> float | None:
    """The member's score for the film in this server, or None."""
    value = await store.fetchval(
        "SELECT score FROM ratings WHERE guild_id = ? AND member_id = ? AND film_id = ?",
        (guild_id, member_id, film_id),
    )
    return None if value is None else float(value)


async def member_scores(
    store: Store, guild_id: int, member_id: int, film_ids: Sequence[int]
) -> dict[int, float]:
    """The member's scores in this server for those of ``film_ids`` they rated."""
    rows = await store.fetchall(
        "SELECT film_id, score FROM ratings WHERE guild_id = ? AND member_id = ? "
        "AND film_id IN (SELECT value FROM json_each(?))",
        (guild_id, member_id, json.dumps(list(film_ids))),
    )
    return {int(row[0]): float(row[1]) for row in rows}


@dataclass(frozen=True, slots=True)
class Distribution:
    """A film's scores in one server: how many members gave each score (half steps)."""

    film_id: int
    #: score -> number of members who gave it, for the scores given, lowest first.
    counts: dict[float, int]

    @property
    def n(self) -> int:
        return sum(self.counts.values())

    @property
    def mean(self) -> float | None:
        return sum(s * c for s, c in self.counts.items()) / self.n if self.n else None

    @property
    def median(self) -> float | None:
        """The middle score (the mean of the two middle ones for an even count)."""
        n = self.n
        if not n:
            return None
        middle = [(n - 1) // 2, n // 2]
        found: list[float] = []
        seen = 0
        for score, count in sorted(self.counts.items()):
            found.extend(score for rank in middle if seen <= rank < seen + count)
            seen += count
        return sum(found) / 2

    def bars(self) -> list[tuple[int, int]]:
        """(whole score, count) for 1..10: a half score counts with the whole score below it
        (8.5 in the 8 bar), so the bar for 8 holds everyone who gave at least 8 and under 9."""
        totals = dict.fromkeys(range(1, 11), 0)
        for score, count in self.counts.items():
            totals[int(score)] += count
        return list(totals.items())


async def distribution(store: Store, guild_id: int, film_id: int) -> Distribution:
    """How this server's members scored the film (the ``ratings_film`` index covers it)."""
    rows = await store.fetchall(
        "SELECT score, count(*) FROM ratings WHERE guild_id = ? AND film_id = ? "
        "GROUP BY score ORDER BY score",
        (guild_id, film_id),
    )
    return Distribution(film_id, {float(row[0]): int(row[1]) for row in rows})


# One member --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class MemberRating:
    film: Film
    score: float
    rated_at: int


async def member_ratings(
    store: Store, guild_id: int, member_id: int, limit: int | None = None, offset: int = 0
) -> list[MemberRating]:
    """The member's ratings in this server, best first (then most recent, then by title)."""
    rows = await store.fetchall(
        f"""
        SELECT {FILM_COLUMNS}, ratings.score, ratings.rated_at
        FROM ratings JOIN films ON films.id = ratings.film_id
        WHERE ratings.guild_id = ? AND ratings.member_id = ?
        ORDER BY ratings.score DESC, ratings.rated_at DESC, films.title, films.id
        LIMIT ? OFFSET ?
        """,
        (guild_id, member_id, -1 if limit is None else limit, offset),
    )
    return [MemberRating(Film.from_row(row), float(row["score"]), row["rated_at"]) for row in rows]


async def member_rating_count(store: Store, guild_id: int, member_id: int) -> int:
    count = await store.fetchval(
        "SELECT count(*) FROM ratings WHERE guild_id = ? AND member_id = ?",
        (guild_id, member_id),
    )
    return int(count)


# The server --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ServerRatings:
    """All ratings in one server: how many, and their mean (the leaderboard's C)."""

    guild_id: int
    n: int
    mean: float | None


async def server_ratings(store: Store, guild_id: int) -> ServerRatings:
    row = await store.fetchone("SELECT n, total FROM guild_stats WHERE guild_id = ?", (guild_id,))
    if row is None or not row["n"]:
        return ServerRatings(guild_id, 0, None)
    return ServerRatings(guild_id, int(row["n"]), float(row["total"]) / int(row["n"]))


@dataclass(frozen=True, slots=True)
class RankedFilm:
    film: Film
    #: Its number of ratings here (v) and their mean (R).
    n: int
    mean: float
    #: ``(v·R + m·C)/(v + m)``
    bayesian: float


@dataclass(frozen=True, slots=True)
class Leaderboard:
    """A page of the server's films ranked by Bayesian average, and what the ranking used."""

    guild_id: int
    #: The prior's weight (the server's setting) and C (the server's mean; None: no ratings).
    m: float
    c: float | None
    #: Rank of ``entries[0]`` (1 on the first page).
    first_rank: int
    entries: list[RankedFilm]


# A genre and everything below it in the taxonomy, from several starting genres.
_GENRE_FAMILY = """
WITH RECURSIVE family(id) AS (
    SELECT value FROM json_each(:genres)
    UNION SELECT genre_parents.genre_id FROM genre_parents
          JOIN family ON genre_parents.parent_id = family.id
)
SELECT id FROM family"""
#: Slack for the rounding of the bound below (scores are halves; averages differ by far more).
_ROUNDING = 1e-9


async def leaderboard(
    store: Store,
    guild_id: int,
    *,
    genre_ids: Sequence[int] = (),
    limit: int = 10,
    offset: int = 0,
) -> Leaderboard:
    """This server's rated films ranked by Bayesian average, best first (ties: more ratings,
    then the better-known film, then the lower id). ``genre_ids``: only films of those genres
    or any genre below them in the taxonomy."""
    return await store.read(lambda conn: _leaderboard(conn, guild_id, genre_ids, limit, offset))


def _leaderboard(
    conn: sqlite3.Connection, guild_id: int, genre_ids: Sequence[int], limit: int, offset: int
) -> Leaderboard:
    """:func:`leaderboard` on a reader connection.

    Ranking every rated film would read them all (38 ms for a server that rated 24,000
    films). The ``film_stats_rank`` index gives them in the order of a fixed prior instead,
    and a film's place there bounds its Bayesian average under any m and C
    (:func:`_best_possible`): the walk stops once no film further down can reach the page.
    Only the films it read are ranked exactly, and only the page's are read whole."""
    m, c = conn.execute(
        f"WITH {SERVER_PRIOR} SELECT m, c FROM prior", prior_params(guild_id)
    ).fetchone()
    m = float(m)
    if c is None:
        return Leaderboard(guild_id, m, None, offset + 1, [])
    c = float(c)
    wanted = offset + limit
    in_genres = ""
    params: dict[str, object] = {"guild": guild_id}
    if genre_ids:
        family = [
            r[0] for r in conn.execute(_GENRE_FAMILY, {"genres": json.dumps(list(genre_ids))})
        ]
        # Each film's own few genres are looked up in the family (the unary plus keeps SQLite
        # from probing the film once per genre of a big family instead).
        in_genres = (
            "AND EXISTS (SELECT 1 FROM film_genres WHERE film_id = film_stats.film_id "
            "AND +genre_id IN (SELECT value FROM json_each(:family)))"
        )
        params["family"] = json.dumps(family)
    rows = conn.execute(
        f"SELECT film_id, n, total FROM film_stats WHERE guild_id = :guild {in_genres} "
        f"ORDER BY {RANK_ORDER}",
        params,
    )
    best: list[float] = []  # the ``wanted`` best averages so far, the lowest first
    read: list[tuple[float, int, float, int]] = []
    try:
        for film_id, n, total in rows:
            if len(best) == wanted and _best_possible(n, total, m, c) < best[0] - _ROUNDING:
                break  # this film's place in the index, and every later one's, is too low
            average = bayesian(n, total, m, c)
            read.append((average, n, total, film_id))
            if len(best) < wanted:
                heapq.heappush(best, average)
            elif average > best[0]:
                heapq.heapreplace(best, average)
    finally:
        rows.close()  # the walk stops early: end its statement before the read transaction
    lowest = best[0] if len(best) == wanted else float("-inf")
    reaching = [entry for entry in read if entry[0] >= lowest]
    films = films_by_id(conn, [entry[3] for entry in reaching])
    ranked = sorted(reaching, key=lambda e: (-e[0], -e[1], -films[e[3]].popularity, e[3]))
    entries = [
        RankedFilm(films[film_id], n, total / n, average)
        for average, n, total, film_id in ranked[offset:wanted]
    ]
    return Leaderboard(guild_id, m, c, offset + 1, entries)


def _best_possible(n: int, total: float, m: float, c: float) -> float:
    """The highest Bayesian average, under ``m`` and ``c``, of any film at or below this one in
    ``film_stats_rank`` order.

    A film's place there is F = (total + 21)/(n + 3). Given F, its average under m and C is
    (F·(n + 3) - 21 + m·C)/(n + m): monotonic in n, so at most its value at n = 1 or its limit
    F as n grows; and it grows with F, so films further down (lower F) can only do worse.
    No average passes the highest score."""
    place = (total + _INDEX_MC) / (n + _INDEX_M)
    at_one = ((1 + _INDEX_M) * place - _INDEX_MC + m * c) / (1 + m)
    return min(MAX_SCORE, max(place, at_one))


# Checks -----------------------------------------------------------------------------------------
_RECOUNT = """
SELECT (SELECT count(*) FROM film_stats FULL JOIN (
            SELECT guild_id, film_id, count(*) AS n, sum(score) AS total
            FROM ratings GROUP BY guild_id, film_id) AS truth USING (guild_id, film_id)
        WHERE film_stats.n IS NOT truth.n OR film_stats.total IS NOT truth.total)
     + (SELECT count(*) FROM guild_stats FULL JOIN (
            SELECT guild_id, count(*) AS n, sum(score) AS total
            FROM ratings GROUP BY guild_id) AS truth USING (guild_id)
        WHERE guild_stats.n IS NOT truth.n OR guild_stats.total IS NOT truth.total)
"""


def totals_off(conn: sqlite3.Connection) -> int:
    """How many ``film_stats``/``guild_stats`` rows disagree with a recount of ``ratings``
    (0 in a healthy store). A full scan, for checks after a crash or a load test; takes a
    plain sqlite3 connection so it runs with the bot stopped."""
    return int(conn.execute(_RECOUNT).fetchone()[0])
