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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bot.errors import BadDecade, NothingToPick
from bot.scores import bayesian_average, format_score
from bot.store import picks
from bot.store.database import Store
from bot.store.models import Film, Genre
from bot.store.picks import CoLiked, Features, Filter, Liked, ServerStat, SharedPerson
from bot.store.pools import ANY
from bot.store.ratings import server_ratings

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
#: Favourites whose fans are asked what else they liked.
CO_LIKED_FROM = 3
#: Candidates read from each source, and weighed in full (the rest are dropped on their
#: first score).
FROM_EACH = 40
SHORTLIST = 40
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
@dataclass
class Candidate:
    film_id: int
    server: ServerStat | None = None
    popularity: float = 0.0
    people: list[SharedPerson] = field(default_factory=list)
    fans: list[CoLiked] = field(default_factory=list)
    features: Features | None = None
    score: float = 0.0
    reason: str = ""


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
class Prior:
    """A server's ratings in all: how many, their mean (C) and the Bayesian weight m."""

    n: int
    mean: float
    m: float


#: C for a server without ratings (it weighs nothing there: no film has a server part).
NO_MEAN = 7.0


async def server_prior(store: Store, guild_id: int | None, m: float) -> Prior:
    """This server's prior (none in a DM); ``m`` is its leaderboard setting."""
    if guild_id is None:
        return Prior(0, NO_MEAN, m)
    stats = await server_ratings(store, guild_id)
    return Prior(stats.n, stats.mean if stats.mean is not None else NO_MEAN, m)


@dataclass(frozen=True)
class Request:
    """What ``pick`` was asked for, and what it must not pick."""

    guild_id: int
    member_id: int
    genre: Genre | None = None
    #: The genre and every genre below it (empty: any genre).
    family: Sequence[int] = ()
    decade: int = ANY
    excluded: Sequence[int] = ()


# pick ---------------------------------------------------------------------------------------------
async def pick(
    store: Store, request: Request, prior: Prior, rng: random.Random | None = None
) -> Pick:
    """One film for tonight (see the module's docstring); ``NothingToPick`` when every film
    that fits is rated or excluded."""
    where = Filter(
        request.guild_id, request.member_id, request.family, request.decade, request.excluded
    )
    liked = await picks.liked_films(store, request.guild_id, request.member_id)
    found: dict[int, Candidate] = {}

    def candidate(film_id: int) -> Candidate:
        return found.setdefault(film_id, Candidate(film_id))

    if prior.n:
        for stat in await picks.server_favourites(store, where, limit=FROM_EACH):
            candidate(stat.film_id).server = stat
    genre_id = request.genre.id if request.genre else ANY
    for film_id in await picks.pooled(store, where, genre_id, limit=FROM_EACH):
        candidate(film_id)
    liked_ids = [like.film_id for like in liked]
    for shared in await picks.shared_people(store, liked_ids, where, limit=FROM_EACH):
        candidate(shared.film_id).people.append(shared)
    if prior.n:
        for co in await picks.co_liked(store, liked_ids[:CO_LIKED_FROM], where, limit=FROM_EACH):
            candidate(co.film_id).fans.append(co)
    if not found:
        for film_id in await picks.popular_beyond_pool(store, where):
            candidate(film_id)
    if not found:
        raise NothingToPick()
    known = await picks.features(store, request.guild_id, liked_ids) if liked_ids else {}
    shortlist = _shortlist(found.values(), prior, liked, known)
    weighed = await picks.features(store, request.guild_id, [c.film_id for c in shortlist])
    for each in shortlist:
        each.features = weighed.get(each.film_id)
    ranked = sorted(
        (c for c in shortlist if c.features is not None),
        key=lambda c: _weigh(c, prior, liked, known, request),
        reverse=True,
    )
    if not ranked:
        raise NothingToPick()
    chosen = _draw(ranked[:DRAW_FROM], rng or random.Random())
    features = chosen.features
    assert features is not None
    return Pick(
        features.film,
        list(features.genres.values()),
        chosen.reason,
        features.n,
        features.total / features.n if features.n else None,
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
    candidates: Iterable[Candidate],
    prior: Prior,
    liked: Sequence[Liked],
    known: dict[int, Features],
) -> list[Candidate]:
    """The :data:`SHORTLIST` best by what is known before reading each film."""
    weights = {like.film_id: _liking(like.score) for like in liked}

    def first_score(c: Candidate) -> float:
        score = 0.0
        if c.server is not None:
            score += SERVER_WEIGHT * _server_part(c.server.n, c.server.total, prior)
        for via, similarity in _similarity_by_via(c, {}).items():
            score = max(score, TASTE_WEIGHT * weights.get(via, 0.5) * similarity)
        return score

    ranked = sorted(candidates, key=first_score, reverse=True)
    # Films found only in a pool carry no evidence yet (they score once read): they keep half
    # the places, in the pool's order of popularity.
    evidenced = [c for c in ranked if c.server or c.people or c.fans][: SHORTLIST // 2]
    pooled = [c for c in ranked if not (c.server or c.people or c.fans)]
    return evidenced + pooled[: SHORTLIST - len(evidenced)]


def _liking(score: float) -> float:
    """How much a favourite's neighbours count: 0.5 for an 8, 1 for a 10."""
    return 0.5 + (score - picks.LIKED) / 4


def _similarity_by_via(
    c: Candidate, genres_of: dict[int, dict[int, str]], likeness: Likeness = PICK_LIKENESS
) -> dict[int, float]:
    """How like each favourite (by id) the candidate is, from the evidence it carries."""
    found: dict[int, float] = {}
    directed: dict[int, float] = {}
    actors: dict[int, int] = {}
    for shared in c.people:
        if shared.role == "director":
            directed[shared.via] = likeness.same_director
        else:
            actors[shared.via] = actors.get(shared.via, 0) + 1
    for via in {*directed, *actors, *(co.via for co in c.fans), *genres_of}:
        actor_part = likeness.shared_actor * min(likeness.most_actors, actors.get(via, 0))
        found[via] = directed.get(via, 0.0) + actor_part
    for co in c.fans:
        found[co.via] += likeness.co_liked * min(1.0, co.fans / FANS_FOR_FULL)
    if c.features is not None:
        own = set(c.features.genres)
        for via, theirs in genres_of.items():
            union = own | set(theirs)
            if union:
                found[via] += likeness.shared_genres * len(own & set(theirs)) / len(union)
    return found


def _weigh(
    c: Candidate,
    prior: Prior,
    liked: Sequence[Liked],
    known: dict[int, Features],
    request: Request,
) -> float:
    """Sets and returns the candidate's score, and the reason that weighed most."""
    features = c.features
    assert features is not None
    parts: dict[str, float] = {}
    parts["server"] = SERVER_WEIGHT * _server_part(features.n, features.total, prior)
    scores = {like.film_id: like.score for like in liked}
    genres_of = {via: known[via].genres for via in scores if via in known}
    taste = {
        via: TASTE_WEIGHT * _liking(scores[via]) * similarity
        for via, similarity in _similarity_by_via(c, genres_of).items()
        if via in scores
    }
    best_via = max(taste, key=taste.__getitem__, default=None)
    if best_via is not None:
        parts["taste"] = taste[best_via]
    parts["popularity"] = _popularity_weight(prior) * _popularity_part(features.film.popularity)
    c.score = sum(parts.values())
    # Personal evidence explains a pick best, then this server's liking, then fame.
    if parts.get("taste", 0.0) >= TELLING and best_via is not None and best_via in known:
        c.reason = _taste_reason(c, known[best_via], scores[best_via])
    elif parts["server"] >= TELLING and features.n:
        c.reason = f"popular in this server: {features.total / features.n:.1f}/10 from " + (
            f"{features.n:,} rating{'s' * (features.n != 1)}"
        )
    else:
        c.reason = _popularity_reason(features.film, request)
    return c.score


def _popularity_part(popularity: float) -> float:
    """0..1 on a log scale: a million votes is 1, a thousand about half."""
    return min(1.0, math.log1p(max(0.0, popularity)) / math.log1p(1_000_000))


def _taste_reason(c: Candidate, liked: Features, score: float) -> str:
    why = f"because you rated {liked.film.label} {format_score(score)}/10"
    directors = [p.name for p in c.people if p.via == liked.film.id and p.role == "director"]
    actors = [p.name for p in c.people if p.via == liked.film.id and p.role == "actor"]
    fans = sum(co.fans for co in c.fans if co.via == liked.film.id)
    shared_genres = [
        name for gid, name in liked.genres.items() if c.features and gid in c.features.genres
    ]
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
    guild = guild_id or 0
    where = Filter(guild, excluded=[film.id])
    found: dict[int, Candidate] = {}
    for shared in await picks.shared_people(store, [film.id], where):
        found.setdefault(shared.film_id, Candidate(shared.film_id)).people.append(shared)
    if guild_id is not None:
        for co in await picks.co_liked(store, [film.id], where):
            found.setdefault(co.film_id, Candidate(co.film_id)).fans.append(co)
    own = (await picks.features(store, guild, [film.id])).get(film.id)
    own_genres = own.genres if own else {}
    for genre_id in own_genres:
        for film_id in await picks.pooled(store, where, genre_id, limit=50):
            found.setdefault(film_id, Candidate(film_id))
    weighed = await picks.features(store, guild, list(found))
    ranked = []
    for c in found.values():
        c.features = weighed.get(c.film_id)
        if c.features is None:
            continue
        alike = _similarity_by_via(c, {film.id: own_genres}, SIMILAR_LIKENESS)
        similarity = alike.get(film.id, 0.0)
        c.score = similarity + 0.1 * _popularity_part(c.features.film.popularity)
        if similarity > 0:
            ranked.append(c)
    ranked.sort(key=lambda c: (-c.score, c.film_id))
    return [
        Similar(c.features.film, _similar_reasons(c, own_genres))
        for c in ranked[:limit]
        if c.features is not None
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
