"""``pick`` and ``similar``: gathering candidates from the store and weighing them.

A pick for tonight weighs three things (product.md):

* **this server's ratings** — a film's Bayesian average here against the server's mean;
* **the member's taste** — how like it is to the films they rated 8 or more: the same
  director, shared top-billed cast, shared genres, and members here who liked both;
* **catalog popularity** — what carries a pick while the server has few ratings; its weight
  fades as the server rates more (a brand-new server still gets well-known films).

Candidates come from bounded, indexed reads (:mod:`bot.store.picks`): the server's best-rated
films, the genre's and decade's pool of best-known films, the people and fans of the member's
favourites. The few dozen that score best are weighed in full, and the pick is drawn from the
top few (so asking twice can differ) with the reason that weighed most. ``similar`` ranks
films against one film by the same evidence, every reason kept.
"""

from __future__ import annotations

import datetime
import math
import random
import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from bot.browse import genre_suggestions
from bot.errors import BadDecade, GenreNotFound, NothingToPick
from bot.scores import bayesian_average, format_score
from bot.store import picks
from bot.store.database import Store
from bot.store.films import films_by_id
from bot.store.genres import loose_genre_kept
from bot.store.models import Film, Genre
from bot.store.picks import CoLiked, Features, Filter, Liked, Prior, ServerStat, SharedPerson
from bot.store.pools import ANY

# Weights ------------------------------------------------------------------------------------
SERVER_WEIGHT = 1.0
TASTE_WEIGHT = 1.0
#: Popularity's weight in a server without ratings; it halves by POPULARITY_FADE ratings.
POPULARITY_WEIGHT = 0.6
POPULARITY_FADE = 300
FANS_FOR_FULL = 5


@dataclass(frozen=True)
class Likeness:
    """How much each kind of evidence makes two films alike (each part at most its weight)."""

    same_director: float
    shared_actor: float  # per actor, up to most_actors of them
    most_actors: int
    shared_genres: float  # times the share of their genres in common
    co_liked: float  # at FANS_FOR_FULL members who liked both


#: For a pick, a favourite's director and stars count most; genres only nudge (the genre
#: asked for is shared by every candidate anyway).
PICK_LIKENESS = Likeness(1.0, 0.4, 2, 0.5, 0.6)
#: For ``similar``, sharing genres is what "like this one" mostly means.
SIMILAR_LIKENESS = Likeness(1.0, 0.3, 3, 1.2, 0.8)
#: A taste or server part at least this big explains a pick better than popularity does.
TELLING = 0.15
#: Favourites whose fans are asked what else they liked, and whose people's other films are
#: read.
CO_LIKED_FROM = 2
PEOPLE_FROM = 2
#: Candidates read from each source, and weighed in full (the rest are dropped on their
#: first score).
FROM_EACH = 24
SHORTLIST = 24
#: The pick is drawn from this many of the best, the better ones likelier.
DRAW_FROM = 5
DRAW_SPREAD = 0.15
#: A film this old and this known is "a classic".
CLASSIC_AGE = 25
SIMILAR = 10

_DECADE = re.compile(
    r"^(?:'?(?P<short>\d0)|(?P<long>1[89]\d0|20\d0))s$|^(?P<year>1[89]\d\d|20\d\d)$"
)
_DECADEISH = re.compile(r"^'?\d+s?$")


# Reading what was asked -----------------------------------------------------------------------
def parse_decade(text: str) -> int:
    """``90s``, ``'90s``, ``1990s`` or ``1990`` -> 1990; ``20s`` is the 1920s (``2020s`` for
    now), ``00s`` and ``10s`` the 2000s and 2010s. ``BadDecade`` for anything else."""
    match = _DECADE.match(text.strip().lower())
    if match is None:
        raise BadDecade(text)
    if match["short"]:
        two = int(match["short"])
        return 2000 + two if two < 20 else 1900 + two
    return int(match["long"] or match["year"]) // 10 * 10


def split_request(text: str) -> tuple[str, int]:
    """``neo-noir 90s`` -> (``neo-noir``, 1990): a genre and a decade, each optional (ANY)."""
    words = text.split()
    decade = ANY
    for index in (-1, 0):
        if words and _DECADEISH.match(words[index]):
            decade = parse_decade(words.pop(index))
            break
    return " ".join(words), decade


# What a pick and a similar film carry -----------------------------------------------------------
@dataclass(slots=True)
class Candidate:
    film_id: int
    server: ServerStat | None = None
    people: list[SharedPerson] = field(default_factory=list)
    fans: list[CoLiked] = field(default_factory=list)
    features: Features | None = None
    score: float = 0.0
    parts: _Weighed | None = None


@dataclass(frozen=True)
class Pick:
    film: Film
    genres: list[str]
    reason: str
    #: This server's ratings of it.
    n: int
    mean: float | None


@dataclass(frozen=True)
class Similar:
    film: Film
    reasons: list[str]


@dataclass(frozen=True)
class Request:
    """What ``pick`` was asked for, and what it must not pick."""

    guild_id: int
    member_id: int
    #: Films of this genre or any below it (None: any genre).
    genre: Genre | None = None
    decade: int = ANY
    excluded: Sequence[int] = ()
    #: A genre as the member typed it (``sci-fi``), when ``genre`` is not known yet: it is
    #: named inside the pick's own trip to the reader rather than in a trip of its own.
    genre_text: str = ""


# pick ---------------------------------------------------------------------------------------------
async def pick(store: Store, request: Request, rng: random.Random | None = None) -> Pick:
    """One film for tonight (see the module's docstring); ``NothingToPick`` when every film
    that fits is rated or excluded. All of it in one hop to a reader's thread."""
    chance = rng or random.Random()
    try:
        return await store.read(lambda conn: pick_now(conn, request, chance))
    except GenreNotFound as unknown:  # only a name no genre has pays a second trip
        raise GenreNotFound(unknown.query, await genre_suggestions(store, unknown.query)) from None


def pick_now(conn: sqlite3.Connection, request: Request, rng: random.Random) -> Pick:
    """:func:`pick`, on a reader connection (``GenreNotFound`` without suggestions when
    ``genre_text`` names no genre)."""
    if request.genre is None and request.genre_text:
        genre = loose_genre_kept(conn, request.genre_text)
        if genre is None:
            raise GenreNotFound(request.genre_text, [])
        request = replace(request, genre=genre)
    prior = picks.server_prior(conn, request.guild_id)
    genre_id = request.genre.id if request.genre else None
    family = picks.genre_family(conn, genre_id) if genre_id is not None else ()
    where = Filter(
        request.guild_id, request.member_id, genre_id, request.decade, request.excluded, family
    )
    liked = picks.liked_films(conn, request.guild_id, request.member_id)
    found: dict[int, Candidate] = {}

    def candidate(film_id: int) -> Candidate:
        known = found.get(film_id)
        if known is None:
            known = found[film_id] = Candidate(film_id)
        return known

    if prior.n:
        for stat in picks.server_favourites(conn, where, limit=FROM_EACH):
            candidate(stat.film_id).server = stat
    for film_id in picks.pooled(conn, where, limit=FROM_EACH):
        candidate(film_id)
    liked_ids = [like.film_id for like in liked]
    for shared in picks.shared_people(conn, liked_ids[:PEOPLE_FROM], where, limit=FROM_EACH):
        candidate(shared.film_id).people.append(shared)
    if prior.n:
        for co in picks.co_liked(conn, liked_ids[:CO_LIKED_FROM], where, limit=FROM_EACH):
            candidate(co.film_id).fans.append(co)
    if not found:
        for film_id in picks.popular_beyond_pool(conn, where):
            candidate(film_id)
    if not found:
        raise NothingToPick()
    taste = Taste.of(liked)
    shortlist = _shortlist(found.values(), prior, taste.scores)
    weighed = picks.features(conn, request.guild_id, [c.film_id for c in shortlist])
    popularity_weight = _popularity_weight(prior)
    for each in shortlist:
        each.features = weighed.get(each.film_id)
        if each.features is not None:
            _weigh(each, prior, taste, popularity_weight)
    ranked = sorted(
        (c for c in shortlist if c.features is not None), key=lambda c: c.score, reverse=True
    )
    if not ranked:
        raise NothingToPick()
    chosen = _draw(ranked[:DRAW_FROM], rng)
    features, parts = chosen.features, chosen.parts
    assert features is not None and parts is not None
    # Only the films shown are read whole: the pick, and the favourite its reason names when
    # the member's taste explains it best.
    via = parts.via if parts.taste >= TELLING else None
    shown = films_by_id(conn, [chosen.film_id] if via is None else [chosen.film_id, via])
    film, favourite = shown[chosen.film_id], shown.get(via) if via is not None else None
    names = picks.genre_names(conn, features.genres | taste.genres.get(parts.via or 0, frozenset()))
    return Pick(
        film,
        [name for gid, name in names.items() if gid in features.genres],
        _reason(chosen, film, favourite, taste, request, names),
        features.n,
        features.total / features.n if features.n else None,
    )


@dataclass(frozen=True)
class Taste:
    """The member's favourites, as weighing needs them."""

    scores: dict[int, float]
    #: Each favourite's genres.
    genres: dict[int, frozenset[int]]

    @classmethod
    def of(cls, liked: Sequence[Liked]) -> Taste:
        return cls(
            {like.film_id: like.score for like in liked},
            {like.film_id: like.genres for like in liked},
        )


def _popularity_weight(prior: Prior) -> float:
    return POPULARITY_WEIGHT / (1 + prior.n / POPULARITY_FADE)


def _server_part(n: int, total: float, prior: Prior) -> float:
    """How far above (or below) the server's mean its Bayesian average puts the film, 0..1."""
    if not n or not prior.n:
        return 0.0
    bayes = bayesian_average(n, total / n, prior.m, prior.mean)
    return (bayes - prior.mean) / max(0.5, 10 - prior.mean)


def _shortlist(
    candidates: Iterable[Candidate], prior: Prior, scores: dict[int, float]
) -> list[Candidate]:
    """The :data:`SHORTLIST` best by what is known before reading each film (and the
    member's scores of their favourites, by id)."""

    def first_score(c: Candidate) -> float:
        score = 0.0
        if c.server is not None:
            score += SERVER_WEIGHT * _server_part(c.server.n, c.server.total, prior)
        if c.people or c.fans:
            for via, similarity in _likeness_to(c, {}).items():
                liking = _liking(scores[via]) if via in scores else 0.5
                score = max(score, TASTE_WEIGHT * liking * similarity)
        return score

    # Films found only in a pool carry no evidence yet (they score once read): they keep half
    # the places, in the pool's order of popularity.
    evidenced: list[Candidate] = []
    pooled: list[Candidate] = []
    for c in candidates:
        (evidenced if c.server or c.people or c.fans else pooled).append(c)
    evidenced.sort(key=first_score, reverse=True)
    return evidenced[: SHORTLIST // 2] + pooled[: SHORTLIST - min(len(evidenced), SHORTLIST // 2)]


def _liking(score: float) -> float:
    """How much a favourite's neighbours count: 0.5 for an 8, 1 for a 10."""
    return 0.5 + (score - picks.LIKED) / 4


def _likeness_to(
    c: Candidate, genres_of: dict[int, frozenset[int]], likeness: Likeness = PICK_LIKENESS
) -> dict[int, float]:
    """How like each favourite (by id) the candidate is, from the evidence it carries (and
    its genres against ``genres_of`` each favourite's, once the candidate is read)."""
    found: dict[int, float] = {}
    if c.people:
        actors: dict[int, int] = {}
        for shared in c.people:
            if shared.role == "director":
                found[shared.via] = found.get(shared.via, 0.0) + likeness.same_director
            else:
                actors[shared.via] = actors.get(shared.via, 0) + 1
        for via, count in actors.items():
            part = likeness.shared_actor * min(likeness.most_actors, count)
            found[via] = found.get(via, 0.0) + part
    for co in c.fans:
        part = likeness.co_liked * min(1.0, co.fans / FANS_FOR_FULL)
        found[co.via] = found.get(co.via, 0.0) + part
    if c.features is not None and genres_of:
        own = c.features.genres
        for via, theirs in genres_of.items():
            if own.isdisjoint(theirs):  # most pairs: no set built to find it
                continue
            common = len(own & theirs)
            # Over the size of their union, without building it.
            part = likeness.shared_genres * common / (len(own) + len(theirs) - common)
            found[via] = found.get(via, 0.0) + part
    return found


@dataclass
class _Weighed:
    server: float
    taste: float
    popularity: float
    #: The favourite the candidate is most like, if any.
    via: int | None


def _weigh(c: Candidate, prior: Prior, taste: Taste, popularity_weight: float) -> None:
    """Sets the candidate's score from its parts (kept for the reason); ``popularity_weight``
    is :func:`_popularity_weight`, the same for every candidate of a pick."""
    features = c.features
    assert features is not None
    via, taste_part = None, 0.0  # the favourite it is most like (the first, on a tie)
    for liked, similarity in _likeness_to(c, taste.genres).items():
        score = taste.scores.get(liked)
        if score is not None:
            part = TASTE_WEIGHT * _liking(score) * similarity
            if via is None or part > taste_part:
                via, taste_part = liked, part
    c.parts = _Weighed(
        SERVER_WEIGHT * _server_part(features.n, features.total, prior),
        taste_part,
        popularity_weight * _popularity_part(features.popularity),
        via,
    )
    c.score = c.parts.server + c.parts.taste + c.parts.popularity


def _reason(
    c: Candidate,
    film: Film,
    liked: Film | None,
    taste: Taste,
    request: Request,
    names: dict[int, str],
) -> str:
    """Personal evidence explains a pick best (``liked``: the favourite ``film`` is most like,
    when that part tells), then this server's liking, then fame."""
    parts, features = c.parts, c.features
    assert parts is not None and features is not None
    if liked is not None:
        return _taste_reason(c, liked, taste.genres[liked.id], taste.scores[liked.id], names)
    if parts.server >= TELLING and features.n:
        count = f"{features.n:,} rating{'s' * (features.n != 1)}"
        return f"popular in this server: {features.total / features.n:.1f}/10 from {count}"
    return _popularity_reason(film, request)


_LOG_MILLION = math.log1p(1_000_000)


def _popularity_part(popularity: float) -> float:
    """0..1 on a log scale: a million votes is 1, a thousand about half."""
    return min(1.0, math.log1p(max(0.0, popularity)) / _LOG_MILLION)


def _taste_reason(
    c: Candidate, film: Film, genres: frozenset[int], score: float, names: dict[int, str]
) -> str:
    """Why a film like ``film`` (the member's favourite, with its own ``genres``)."""
    why = f"because you rated {film.label} {format_score(score)}/10"
    directors = [p.name for p in c.people if p.via == film.id and p.role == "director"]
    actors = [p.name for p in c.people if p.via == film.id and p.role == "actor"]
    fans = sum(co.fans for co in c.fans if co.via == film.id)
    own = c.features.genres if c.features else frozenset()
    shared_genres = [name for gid, name in names.items() if gid in genres and gid in own]
    if directors:
        return f"{why}: the same director, {directors[0]}"
    if actors:
        return f"{why}: also with {' and '.join(actors[:2])}"
    if fans:
        return f"{why}: members here who liked it liked this too"
    if shared_genres:
        return f"{why}: also {', '.join(shared_genres[:2])}"
    return why


def _popularity_reason(film: Film, request: Request) -> str:
    classic = film.year is not None and film.year <= _this_year() - CLASSIC_AGE
    if request.genre is not None:
        kind = "a classic of" if classic else "one of the best-known films of"
        where = request.genre.name
        if request.decade != ANY:
            where += f" in the {request.decade}s"
        return f"{kind} {where}"
    if request.decade != ANY:
        return f"one of the best-known films of the {request.decade}s"
    return "a classic everyone should see" if classic else "one of the best-known films around"


def _this_year() -> int:
    return datetime.date.today().year


def _draw(best: Sequence[Candidate], rng: random.Random) -> Candidate:
    """One of the best few, the better ones likelier (weights fall off with the score gap)."""
    top = best[0].score
    weights = [math.exp((c.score - top) / DRAW_SPREAD) for c in best]
    return rng.choices(list(best), weights=weights)[0]


# similar ----------------------------------------------------------------------------------------
async def similar(
    store: Store, film: Film, guild_id: int | None, limit: int = SIMILAR
) -> list[Similar]:
    """Films like ``film``: the same director, shared cast, shared genres, members here who
    liked both; each with every reason that applies, most alike first."""
    return await store.read(lambda conn: similar_now(conn, film, guild_id, limit))


def similar_now(
    conn: sqlite3.Connection, film: Film, guild_id: int | None, limit: int = SIMILAR
) -> list[Similar]:
    """:func:`similar`, on a reader connection."""
    guild = guild_id or 0
    where = Filter(guild, excluded=[film.id])
    found: dict[int, Candidate] = {}
    for shared in picks.shared_people(conn, [film.id], where):
        found.setdefault(shared.film_id, Candidate(shared.film_id)).people.append(shared)
    if guild_id is not None:
        for co in picks.co_liked(conn, [film.id], where):
            found.setdefault(co.film_id, Candidate(co.film_id)).fans.append(co)
    own = (picks.features(conn, guild, [film.id])).get(film.id)
    own_genres = picks.genre_names(conn, own.genres) if own else {}
    for genre_id in own_genres:
        for film_id in picks.pooled(conn, where, genre_id, limit=50):
            found.setdefault(film_id, Candidate(film_id))
    weighed = picks.features(conn, guild, list(found))
    ranked = []
    for c in found.values():
        c.features = weighed.get(c.film_id)
        if c.features is None:
            continue
        alike = _likeness_to(c, {film.id: frozenset(own_genres)}, SIMILAR_LIKENESS)
        similarity = alike.get(film.id, 0.0)
        c.score = similarity + 0.1 * _popularity_part(c.features.popularity)
        if similarity > 0:
            ranked.append(c)
    ranked.sort(key=lambda c: (-c.score, c.film_id))
    shown = films_by_id(conn, [c.film_id for c in ranked[:limit]])
    return [
        Similar(shown[c.film_id], _similar_reasons(c, own_genres))
        for c in ranked[:limit]
        if c.film_id in shown
    ]


def _similar_reasons(c: Candidate, genres: dict[int, str]) -> list[str]:
    reasons = []
    directors = sorted({p.name for p in c.people if p.role == "director"})
    actors = sorted({p.name for p in c.people if p.role == "actor"})
    if directors:
        reasons.append(f"same director ({', '.join(directors)})")
    if actors:
        reasons.append(f"shared cast ({', '.join(actors[:3])})")
    shared = [name for gid, name in genres.items() if c.features and gid in c.features.genres]
    if shared:
        reasons.append(f"also {', '.join(shared)}")
    fans = max((co.fans for co in c.fans), default=0)
    if fans:
        reasons.append(f"{fans} member{'s' * (fans != 1)} here liked both")
    return reasons
