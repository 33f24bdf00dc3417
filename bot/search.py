"""Title and person resolution: what a member typed -> the film (or person) they meant.

The order for films (product.md, "Naming a film"): a film id from autocomplete, an IMDb id or
URL; the normalised title key (case, accents, punctuation, a trailing article moved to the
front), then the bare key (article-insensitive), both with the year when one was given; then
typo tolerance. Ties go to the best-known film and the others sharing the title are reported
so the reply can say how to pick them.

Typo tolerance never scans the catalog. Each word of the query is corrected against the words
of all titles through the symmetric-delete spelling index (``bot.store.search_index``); the
corrected spellings of the whole title are looked up by key; the films found are ranked by
their real edit distance to the query (rapidfuzz's OSA distance, so a swapped pair of letters
is one typo), then year, then popularity. All SQL lives in ``bot.store.search_index``.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from rapidfuzz.distance import OSA

from bot.errors import FilmNotFound, PersonNotFound
from bot.normalize import ARTICLES, bare_key, fold, name_key, title_key
from bot.store import Store
from bot.store import search_index as index
from bot.store.films import get_films
from bot.store.models import Film, Person
from bot.store.people import get_person
from bot.store.search_index import DictionaryWord, NameCandidate, TitleCandidate

# Query forms ----------------------------------------------------------------------------------
_CHOICE = re.compile(r"^\s*id:(?P<id>\d{1,18})\s*$")
_IMDB_TITLE = re.compile(
    r"^\s*(?:(?:https?://)?(?:www\.|m\.)?imdb\.com/title/)?tt(?P<id>\d{5,10})\b[^\s]*\s*$",
    re.IGNORECASE,
)
_IMDB_NAME = re.compile(
    r"^\s*(?:(?:https?://)?(?:www\.|m\.)?imdb\.com/name/)?nm(?P<id>\d{5,10})\b[^\s]*\s*$",
    re.IGNORECASE,
)
_PARENTHESISED_YEAR = re.compile(r"^(?P<title>.*\S)\s*[(\[](?P<year>\d{4})[)\]]\s*$")
_TRAILING_YEAR = re.compile(r"^(?P<title>.*\S)[\s,]+(?P<year>\d{4})\s*$")
_FIRST_YEAR, _LAST_YEAR = 1870, 2100

#: Most corrected spellings of a whole title looked up per query, and most partial ones
#: carried from one word to the next.
MAX_SPELLINGS = 300
MAX_ALIVE = 400
#: Partial spellings are checked against the titles only when more than this many are alive.
PRUNE_ABOVE = 40
#: Most dictionary alternatives kept per query word (nearest and commonest first), and for
#: the words nothing explained in the first round.
MAX_ALTERNATIVES = 100
MAX_ALTERNATIVES_UNSURE = 100
#: Most dictionary words read per prefix or suffix for a long word misspelt twice.
FRAMING_LIMIT = 600
#: Most films read whose key starts with the words typed right.
PREFIX_CANDIDATES = 500
#: Shorter text than this gets no typo-tolerant suggestions (too many films are that close).
MIN_SUGGESTED = 4


def choice_value(item_id: int) -> str:
    """The value an autocomplete choice carries (a film's or a person's id): passed back as the
    query, it resolves to exactly that film or person."""
    return f"id:{item_id}"


# Films ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FilmMatch:
    """The film meant; the other films with the same title (the reply says how to pick them:
    add the year); close titles worth mentioning."""

    film: Film
    same_title: list[Film]
    suggestions: list[Film]


async def resolve_film(store: Store, query: str) -> FilmMatch:
    """The film a member means by ``query`` (product.md, "Naming a film").

    Raises :class:`~bot.errors.FilmNotFound` with up to three ``Title (Year)`` suggestions
    when nothing is close enough.
    """
    found = await resolve_film_ids(store, query)
    if isinstance(found, NoFilm):
        offered = [c.film_id for c in found.suggestions] or await _films_starting_like(store, query)
        labels = [f.label for f in await get_films(store, _unique(offered)[:3])]
        raise FilmNotFound(query, labels)
    films = await get_films(store, [found.film_id, *found.same_title, *found.suggestions])
    by_id = {film.id: film for film in films}
    if found.film_id not in by_id:  # deleted between the lookup and now
        raise FilmNotFound(query)
    return FilmMatch(
        by_id[found.film_id],
        [by_id[i] for i in found.same_title if i in by_id],
        [by_id[i] for i in found.suggestions if i in by_id],
    )


async def _films_starting_like(store: Store, query: str) -> list[int]:
    """Films whose titles start with the query's first words, as many of them as some title
    has (``godfather returns to the moon`` -> *The Godfather*): something to suggest."""
    words = fold(query).split()
    for count in range(len(words), 0, -1):
        start = " ".join(words[:count])
        if len(start) < MIN_SUGGESTED:
            break
        found = await index.films_with_key_prefix(store, start, 3)
        if found:
            return [c.film_id for c in found]
    return []


async def suggest_films(store: Store, text: str, limit: int = 25) -> list[Film]:
    """Films for slash-command autocomplete while ``text`` is being typed: titles starting with
    it (``hea`` -> *Heat*), the best-known first, then typo-tolerant matches."""
    if match := _CHOICE.match(text):
        return await get_films(store, [int(match["id"])])
    if match := _IMDB_TITLE.match(text):
        film_id = await index.film_with_imdb_id(store, int(match["id"]))
        return await get_films(store, [] if film_id is None else [film_id])
    reading = readings(text)[-1]
    prefix = fold(text)
    found = await index.films_with_key_prefix(store, prefix, limit)
    if reading.year is not None:  # "heat 1995": the films of that title, that year first
        found = await index.films_with_key_prefix(store, reading.title_key, limit) + found
        found.sort(key=lambda c: c.year != reading.year)
    ids = _unique(c.film_id for c in found)
    if len(ids) < limit and len(prefix) >= MIN_SUGGESTED:
        fuzzy = await resolve_film_ids(store, text)
        if isinstance(fuzzy, FilmResolution):
            ids += [fuzzy.film_id, *fuzzy.same_title, *fuzzy.suggestions]
        else:
            ids += [c.film_id for c in fuzzy.suggestions]
    return await get_films(store, _unique(ids)[:limit])


@dataclass(frozen=True)
class TitleReading:
    """One way to read a query: a title, and the year when the query ended with one."""

    title: str
    year: int | None
    title_key: str = field(init=False)
    bare_key: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "title_key", title_key(self.title))
        object.__setattr__(self, "bare_key", bare_key(self.title))


def readings(query: str) -> list[TitleReading]:
    """The readings of a film query, most likely first.

    ``Heat (1995)`` is Heat of 1995. ``heat 1995`` is probably too, but ``Blade Runner 2049``
    and ``1917`` are titles, so a bare trailing year gives two readings, the whole text first.
    """
    text = " ".join(query.split())
    match = _PARENTHESISED_YEAR.match(text)
    if match and _FIRST_YEAR <= int(match["year"]) <= _LAST_YEAR:
        return [TitleReading(match["title"], int(match["year"]))]
    match = _TRAILING_YEAR.match(text)
    if match and _FIRST_YEAR <= int(match["year"]) <= _LAST_YEAR and fold(match["title"]):
        return [TitleReading(text, None), TitleReading(match["title"], int(match["year"]))]
    return [TitleReading(text, None)]


# Resolution results (ids; the public layer turns them into films) ------------------------------
@dataclass(frozen=True)
class FilmResolution:
    """The film meant, the others sharing its title, and close alternatives (ids, best first)."""

    film_id: int
    same_title: tuple[int, ...] = ()
    suggestions: tuple[int, ...] = ()


@dataclass(frozen=True)
class NoFilm:
    """Nothing close enough; ``suggestions`` are candidates worth offering (best first)."""

    suggestions: tuple[TitleCandidate, ...] = ()


async def resolve_film_ids(store: Store, query: str) -> FilmResolution | NoFilm:
    """The core of :func:`resolve_film`: ids in, ids out, no film objects built."""
    if match := _CHOICE.match(query):
        film_id = int(match["id"])
        return FilmResolution(film_id) if await index.film_exists(store, film_id) else NoFilm()
    if match := _IMDB_TITLE.match(query):
        found = await index.film_with_imdb_id(store, int(match["id"]))
        return FilmResolution(found) if found is not None else NoFilm()
    options = [r for r in readings(query) if r.bare_key]
    if not options:
        return NoFilm()
    year_misses: list[TitleCandidate] = []
    for reading in options:
        exact = await _exact(store, reading)
        if isinstance(exact, FilmResolution):
            return exact
        year_misses.extend(exact.suggestions)
    if year_misses:
        # The title exists but not in that year: say so rather than guess a different film.
        return NoFilm(tuple(_distinct_films(year_misses)))
    return await _fuzzy(store, options)


async def _exact(store: Store, reading: TitleReading) -> FilmResolution | NoFilm:
    """Normalised exact match: title key first (``Heat`` is not *The Heat*), then bare key."""
    found = await index.films_with_keys(store, [reading.bare_key], [reading.title_key])
    by_title = _by_popularity(c for c in found if c.title_key == reading.title_key)
    by_bare = _by_popularity(c for c in found if c.bare_key == reading.bare_key)
    for tier in (by_title, by_bare):
        if not tier:
            continue
        chosen = _pick_by_year(tier, reading.year)
        if chosen is None:
            continue
        key = chosen.title_key if tier is by_title else chosen.bare_key
        same = [c.film_id for c in tier if _key_of(c, tier is by_title) == key]
        others = [c.film_id for c in by_bare + by_title]
        return FilmResolution(
            chosen.film_id,
            tuple(_unique(f for f in same if f != chosen.film_id)),
            tuple(_unique(f for f in others if f != chosen.film_id and f not in same)),
        )
    return NoFilm(tuple(by_title or by_bare))


def _key_of(candidate: TitleCandidate, titled: bool) -> str:
    return candidate.title_key if titled else candidate.bare_key


def _pick_by_year(tier: list[TitleCandidate], year: int | None) -> TitleCandidate | None:
    """The best-known film of the tier in that year, else the one film within a year of it."""
    if year is None:
        return tier[0]
    for candidate in tier:
        if candidate.year == year:
            return candidate
    near = {c.film_id: c for c in tier if c.year is not None and abs(c.year - year) == 1}
    return next(iter(near.values())) if len(near) == 1 else None


def _by_popularity(candidates: Iterable[TitleCandidate]) -> list[TitleCandidate]:
    return sorted(candidates, key=lambda c: (-c.popularity, c.film_id))


def _unique(ids: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(ids))


def _distinct_films(candidates: Iterable[TitleCandidate]) -> list[TitleCandidate]:
    return list({c.film_id: c for c in candidates}.values())


# Typo tolerance -------------------------------------------------------------------------------
def allowed_edits(key: str) -> int:
    """How many typos a key of this length may carry and still name a film on its own."""
    letters = len(key.replace(" ", ""))
    if letters <= 2:
        return 0
    if letters <= 4:
        return 1
    if letters <= 12:
        return 2
    return 3


def _word_edits(word: str) -> int:
    """Typos looked for in one word as a matter of course (more in the second round)."""
    return 1 if len(word) <= 5 else 2


async def _fuzzy(store: Store, options: Sequence[TitleReading]) -> FilmResolution | NoFilm:
    """Typo-tolerant lookup in two rounds; the second, costlier one only when the first found
    nothing close enough."""
    sequences = _word_sequences(options)
    words = {w for seq in sequences for w in seq}
    speller = _Speller()
    # Round 1: each word, each pair of neighbours joined (a space typed inside a word), and
    # each word's halves as they are (a space missed: ``darkknight``).
    await speller.learn(
        store,
        near=words,
        close={a + b for seq in sequences for a, b in pairwise(seq)},
        exact={half for w in words for cut in _cuts(w) for half in cut}
        | {_NUMERALS[w] for w in words if w in _NUMERALS},
    )
    found = await _candidates(store, speller, sequences)
    result = _choose(options, found)
    if isinstance(result, FilmResolution):
        return result
    # Round 2, for what is left: a space moved (``th eapes``), a missed space next to a typo
    # (``fnalflight``), a word misspelt twice, a word misspelt beyond recognition after words
    # typed right (``the ivory game abiru``).
    unsure = {w for w in words if speller.best_edits(w) >= min(2, _word_edits(w))}
    learning = speller.learn(
        store,
        close={piece for seq in sequences for pair in _shifts(seq) for piece in pair}
        | {half for w in unsure for cut in _cuts(w) for half in cut if len(half) > 1},
        exact=_SINGLE_CHARACTERS if any(len(w) == 1 for w in words) else (),
        expanded={w for w in unsure if 4 <= len(w) <= index.SHORT_WORD},
        framed={w for w in unsure if len(w) > index.SHORT_WORD},
    )
    await learning
    for seq in sequences:
        found += await _after_typed_words(store, speller, seq)
    found += await _candidates(store, speller, sequences, harder=True)
    return _choose(options, found)


async def _candidates(
    store: Store, speller: _Speller, sequences: Sequence[tuple[str, ...]], *, harder: bool = False
) -> list[TitleCandidate]:
    plans = [
        speller.budgeted(seq, allowed_edits(" ".join(seq)), harder=harder) for seq in sequences
    ]
    spelt = await asyncio.gather(*(_spellings(store, plan) for plan in plans))
    keys = {key for keys in spelt for key in keys}
    if not keys:
        return []
    article_keys = [k for k in keys if k.partition(" ")[0] in ARTICLES]
    return await index.films_with_keys(store, sorted(keys), article_keys)


async def _after_typed_words(
    store: Store, speller: _Speller, words: Sequence[str]
) -> list[TitleCandidate]:
    """Films whose key starts with the query's leading words, when those are dictionary words
    and a later word is not: the typo is after them, so they narrow the catalog to a few films
    to rank by edit distance, however badly the rest is misspelt."""
    # The last word may be the slip even when it is a word too (``part 2`` for ``part ii``).
    typed = list(itertools.takewhile(speller.is_word, words[:-1]))
    if all(word in ARTICLES for word in typed):
        return []
    key = " ".join(words)
    slack = allowed_edits(key)
    prefix = " ".join(typed) + " "
    if len(typed) == 1:
        # With the next word's first letter too: one common word ("mr", "true") starts too
        # many titles to read them all, and a typo seldom hits a word's first letter.
        prefix += words[1][0]
    return await index.films_with_key_prefix(
        store, prefix, PREFIX_CANDIDATES, lengths=(len(key) - slack, len(key) + slack)
    )


async def _framing(store: Store, word: str) -> list[DictionaryWord]:
    """Dictionary words keeping this word's first or last third (``variant`` is the word)."""
    third = len(word) // 3
    hits = await index.dictionary_words_framing(
        store, word[:third], word[-third:], (len(word) - 2, len(word) + 2), FRAMING_LIMIT
    )
    return [DictionaryWord(word, hit.word, hit.films) for hit in hits]


def _word_sequences(options: Sequence[TitleReading]) -> list[tuple[str, ...]]:
    """The words of each reading's title key and, when it has an article, of its bare key.

    Both, because a typo can make or unmake an article: ``Les Ganlolu`` may be *Less Ganlolu*,
    ``Teh Heat`` is *The Heat*.
    """
    found = {tuple(key.split()) for r in options for key in (r.title_key, r.bare_key)}
    return sorted(found - {()})


def _cuts(word: str) -> list[tuple[str, str]]:
    """A word cut in two where a space was missed (``darkknight``) or typed as another
    character (``darkxknight``)."""
    cuts = [(word[:i], word[i:]) for i in range(1, len(word))]
    cuts += [(word[:i], word[i + 1 :]) for i in range(1, len(word) - 1)]
    return cuts


def _shifts(words: Sequence[str]) -> list[tuple[str, str]]:
    """Neighbouring words with the space between them moved by one (``th eapes``)."""
    pairs = []
    for a, b in pairwise(words):
        if len(a) > 1:
            pairs.append((a[:-1], a[-1] + b))
        if len(b) > 1:
            pairs.append((a + b[0], b[1:]))
    return pairs


_NEVER = 1 << 20
#: The edits a piece's alternatives may have, by how they were looked up.
_LIMITS: dict[str, Callable[[str], int]] = {
    "exact": lambda piece: 0,
    "near": lambda piece: _word_edits(piece),
    "close": lambda piece: 1,
    "expanded": lambda piece: 2,
    "framed": lambda piece: 2,
}
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
_SINGLE_CHARACTERS = frozenset(_ALPHABET)
_ROMAN = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"]
#: Sequel numbers either way round: 2 <-> ii (not 1 <-> i: "I" is mostly a word).
_NUMERALS = {str(n): r for n, r in enumerate(_ROMAN, start=1) if n > 1}
_NUMERALS |= {r: n for n, r in _NUMERALS.items()}
_Near = tuple[str, int, float]  # (dictionary word, edits from the typed piece, prior)
_Step = tuple[int, tuple[str, ...], int, float]  # (words consumed, words produced, edits, prior)


class _Speller:
    """Corrects titles word by word against the dictionary words near the query's pieces."""

    def __init__(self) -> None:
        self._films: dict[str, int] = {}
        self._near: dict[str, list[_Near]] = {}
        self._limit: dict[str, int] = {}  # the edits a piece's alternatives were looked up for
        self._done: set[tuple[str, str]] = set()  # (piece, how it was looked up)

    async def learn(
        self,
        store: Store,
        *,
        near: Iterable[str] = (),
        close: Iterable[str] = (),
        exact: Iterable[str] = (),
        expanded: Iterable[str] = (),
        framed: Iterable[str] = (),
    ) -> None:
        """Look up the dictionary words close to each piece, all in one go.

        ``near``: every word one edit away (the index holds each word's one-character
        deletions, the piece gives its own); ``close``: the same, for joined and regrouped
        words; ``exact``: the piece itself only; ``expanded``: a short word's neighbours within
        two edits (the index holds two deletions of short words); ``framed``: a long word's
        neighbours within two edits, those two deletions away and those sharing its first or
        last third.
        """
        asked = {
            "exact": set(exact),
            "near": set(near),
            "close": set(close),
            "expanded": set(expanded),
            "framed": set(framed),
        }
        todo = {
            mode: {p for p in pieces if p and (p, mode) not in self._done}
            for mode, pieces in asked.items()
        }
        origin: dict[str, set[str]] = defaultdict(set)
        for piece in todo["near"] | todo["close"]:
            for variant in index.deletions(piece, 1):
                origin[variant].add(piece)
        for piece in todo["framed"]:  # two typos in a long word: most are two deletions away
            for variant in index.deletions(piece, 2):
                origin[variant].add(piece)
        short_origin: dict[str, set[str]] = defaultdict(set)
        for piece in todo["expanded"]:
            for variant in index.deletions(piece, 2):
                short_origin[variant].add(piece)
        as_typed, neighbours, short_neighbours, *framings = await asyncio.gather(
            index.dictionary_words(store, todo["exact"]),
            index.dictionary_neighbours(store, origin),
            index.dictionary_neighbours(store, short_origin, short=True),
            *(_framing(store, piece) for piece in todo["framed"]),
        )
        reached: dict[str, set[str]] = defaultdict(set)
        for hit in [*as_typed, *itertools.chain.from_iterable(framings)]:
            self._films[hit.word] = hit.films
            reached[hit.variant].add(hit.word)
        for hits, origins in ((neighbours, origin), (short_neighbours, short_origin)):
            for hit in hits:
                self._films[hit.word] = hit.films
                for piece in origins[hit.variant]:
                    reached[piece].add(hit.word)
        for mode, pieces in todo.items():
            self._done.update((piece, mode) for piece in pieces)
        for piece in set().union(*todo.values()):
            limit = max(
                self._limit.get(piece, 0), *(_LIMITS[m](piece) for m in todo if piece in todo[m])
            )
            known = {w for w, _, _ in self._near.get(piece, [])}
            self._near[piece] = self._rank(piece, known | reached[piece], limit)
            self._limit[piece] = limit

    def _rank(self, piece: str, words: Iterable[str], limit: int) -> list[_Near]:
        near = []
        for word in words:
            edits = OSA.distance(piece, word, score_cutoff=limit)
            if edits <= limit:
                near.append((word, edits, math.log1p(self._films[word])))
        near.sort(key=lambda n: (n[1], -n[2], n[0]))
        return near[: MAX_ALTERNATIVES if limit < 2 else MAX_ALTERNATIVES_UNSURE]

    def near(self, piece: str) -> list[_Near]:
        return self._near.get(piece, [])

    def is_word(self, piece: str) -> bool:
        return piece in self._films

    def best_edits(self, piece: str) -> int:
        near = self.near(piece)
        return near[0][1] if near else _NEVER

    def _pairs(self, left: str, right: str, extra: int) -> list[tuple[tuple[str, str], int, float]]:
        """Corrections of two pieces together, at ``extra`` edits for how they were split."""
        return [
            ((lw, rw), extra + ld + rd, min(lp, rp))
            for lw, ld, lp in self.near(left)[:3]
            for rw, rd, rp in self.near(right)[:3]
        ]

    def steps(self, words: Sequence[str], i: int, *, harder: bool) -> list[_Step]:
        word = words[i]
        steps: list[_Step] = [(1, (w,), d, prior) for w, d, prior in self.near(word)]
        if i + 1 < len(words):  # a space typed inside a word
            steps += [(2, (w,), d + 1, p) for w, d, p in self.near(word + words[i + 1])]
        for left, right in _cuts(word):  # a space missed, or typed as another character
            steps += [(1, pair, cost, p) for pair, cost, p in self._pairs(left, right, 1)]
        if harder and i + 1 < len(words):  # the space between two words moved by one
            for left, right in _shifts(words[i : i + 2]):
                steps += [(2, pair, cost, p) for pair, cost, p in self._pairs(left, right, 1)]
        if word in _NUMERALS and _NUMERALS[word] in self._films:  # "part 2" is "part ii"
            steps.append((1, (_NUMERALS[word],), 0, math.log1p(self._films[_NUMERALS[word]])))
        if len(word) == 1:  # a stray letter, or the wrong one
            steps.append((1, (), 1, 0.0))
            steps += [
                (1, (c,), 1, math.log1p(self._films[c]))
                for c in _SINGLE_CHARACTERS
                if c != word and c in self._films
            ]
        return steps

    def budgeted(self, words: Sequence[str], budget: int, *, harder: bool) -> _Plan:
        """The steps at each position, the least edits still needed from each, the budget."""
        steps = [self.steps(words, i, harder=harder) for i in range(len(words))]
        to_go = [0] * (len(words) + 1)
        for i in reversed(range(len(words))):
            to_go[i] = min(
                (cost + to_go[i + advance] for advance, _, cost, _ in steps[i]), default=_NEVER
            )
        if not harder:  # the first round: at most one real-word slip beyond what must change
            budget = min(budget, to_go[0] + 1)
        return _Plan(steps, to_go, budget)


@dataclass(frozen=True)
class _Plan:
    steps: list[list[_Step]]
    to_go: list[int]
    budget: int


async def _spellings(store: Store, plan: _Plan) -> list[str]:
    """Corrected spellings of a title within the plan's budget that some film could have.

    Walks the words left to right, keeping the corrections so far only if some title key
    starts with them (one indexed probe each, batched per step): most combinations of
    per-word corrections die after a word or two, so every spelling within the budget is
    considered without enumerating the product of the alternatives.
    """
    steps, to_go, budget = plan.steps, plan.to_go, plan.budget
    n = len(steps)
    if to_go[0] > budget:
        return []
    State = tuple[int, tuple[str, ...]]  # (position, words chosen so far)
    alive: dict[State, tuple[int, float]] = {(0, ()): (0, 0.0)}  # -> (edits, prior)
    complete: dict[str, tuple[int, float]] = {}
    while alive:
        grown: dict[State, tuple[int, float]] = {}
        for (position, chosen), (edits, prior) in alive.items():
            for advance, produced, cost, likely in steps[position]:
                spent = edits + cost
                if spent + to_go[position + advance] > budget:
                    continue
                state = (position + advance, chosen + produced)
                score = (spent, prior + likely)
                if state[0] == n:
                    text = " ".join(state[1])
                    if text and (text not in complete or _better(score, complete[text])):
                        complete[text] = score
                elif state not in grown or _better(score, grown[state]):
                    grown[state] = score
        best = sorted(grown.items(), key=lambda kv: (kv[1][0] + to_go[kv[0][0]], -kv[1][1]))
        best = best[:MAX_ALIVE]
        if len(best) <= PRUNE_ABOVE:  # few enough to carry on unchecked: saves a round trip
            alive = dict(best)
            continue
        started = await index.existing_prefixes(
            store, {" ".join(chosen) + " " for (_, chosen), _ in best if chosen}
        )
        alive = {st: sc for st, sc in best if not st[1] or " ".join(st[1]) + " " in started}
    ranked = sorted(complete.items(), key=lambda kv: (kv[1][0], -kv[1][1]))
    return [text for text, _ in ranked[:MAX_SPELLINGS]]


def _better(score: tuple[int, float], than: tuple[int, float]) -> bool:
    return (score[0], -score[1]) < (than[0], -than[1])


def _choose(
    options: Sequence[TitleReading], found: Sequence[TitleCandidate]
) -> FilmResolution | NoFilm:
    """Rank the films found by edit distance, year, article and popularity; keep the best if
    it is close enough."""
    scored: dict[int, tuple[tuple[float, ...], int, TitleCandidate]] = {}
    for reading in options:
        article = reading.title_key != reading.bare_key
        allowed = allowed_edits(reading.title_key)
        for candidate in found:
            distance = min(
                OSA.distance(reading.bare_key, candidate.bare_key),
                OSA.distance(reading.title_key, candidate.title_key),
            )
            score = (
                float(distance),
                _year_penalty(reading.year, candidate.year),
                float(article != (candidate.title_key != candidate.bare_key)),
                -candidate.popularity,
                float(candidate.film_id),
            )
            best = scored.get(candidate.film_id)
            if best is None or score < best[0]:
                scored[candidate.film_id] = (score, allowed, candidate)
    ranked = sorted(scored.values(), key=lambda entry: entry[0])
    if not ranked:
        return NoFilm()
    (nearest, year_penalty, *_), allowance, chosen = ranked[0]
    if nearest > allowance or year_penalty > 1:
        return NoFilm(tuple(c for _, _, c in ranked[:3]))
    same = [
        c.film_id
        for _, _, c in ranked
        if c.title_key == chosen.title_key and c.film_id != chosen.film_id
    ]
    runners = [c.film_id for _, _, c in ranked if c.title_key != chosen.title_key]
    return FilmResolution(chosen.film_id, tuple(same), tuple(runners[:3]))


def _year_penalty(wanted: int | None, year: int | None) -> float:
    if wanted is None:
        return 0.0
    if year == wanted:
        return 0.0
    if year is not None and abs(year - wanted) == 1:
        return 1.0
    return 2.0


# People ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PersonMatch:
    """The person meant; namesakes (the same name); others the query could mean."""

    person: Person
    same_name: list[Person]
    suggestions: list[Person]


@dataclass(frozen=True)
class PersonResolution:
    person_id: int
    same_name: tuple[int, ...] = ()
    suggestions: tuple[int, ...] = ()


@dataclass(frozen=True)
class NoPerson:
    suggestions: tuple[NameCandidate, ...] = ()


#: Most people read per name prefix or surname when resolving or suggesting.
PEOPLE_CANDIDATES = 200


async def resolve_person(store: Store, query: str) -> PersonMatch:
    """The person a member means: ``Robert De Niro``, ``robert deniro``, ``de niro``,
    ``deniro``, a typo, an IMDb ``nm`` id. The best-known wins a tie.

    Raises :class:`~bot.errors.PersonNotFound` with up to three suggestions.
    """
    found = await resolve_person_ids(store, query)
    if isinstance(found, NoPerson):
        offered = [c.person_id for c in found.suggestions]
        if not offered and len(name_key(query)) >= MIN_SUGGESTED:
            offered = [p.id for p in await suggest_people(store, query, limit=3)]
        raise PersonNotFound(query, [p.name for p in await _people(store, offered[:3])])
    people = {
        p.id: p
        for p in await _people(store, [found.person_id, *found.same_name, *found.suggestions])
    }
    if found.person_id not in people:
        raise PersonNotFound(query)
    return PersonMatch(
        people[found.person_id],
        [people[i] for i in found.same_name if i in people],
        [people[i] for i in found.suggestions if i in people],
    )


async def suggest_people(store: Store, text: str, limit: int = 25) -> list[Person]:
    """People for autocomplete: names starting with ``text`` or ending with it (a surname),
    the best-known first."""
    if match := _CHOICE.match(text):
        return await _people(store, [int(match["id"])])
    key = name_key(text)
    if not key:
        return []
    found = await index.people_with_key_prefix(store, key, PEOPLE_CANDIDATES)
    if len(key) >= 3:
        found += await index.people_with_key_suffix(store, key, PEOPLE_CANDIDATES)
    ranked = await _by_fame(store, found)
    return await _people(store, [c.person_id for c in ranked[:limit]])


async def resolve_person_ids(store: Store, query: str) -> PersonResolution | NoPerson:
    """The core of :func:`resolve_person`, in ids."""
    if match := _CHOICE.match(query):
        person_id = int(match["id"])
        exists = await index.person_exists(store, person_id)
        return PersonResolution(person_id) if exists else NoPerson()
    if match := _IMDB_NAME.match(query):
        found = await index.person_with_imdb_id(store, int(match["id"]))
        return PersonResolution(found) if found is not None else NoPerson()
    key = name_key(query)
    if not key:
        return NoPerson()
    exact = await index.people_with_key(store, key)
    if exact:
        return _pick_person(await _by_fame(store, exact), key)
    if len(key) >= 3:
        # A surname or the end of a name (``de niro``, ``deniro``), then the start of one
        # (``robert de``): only whole words count, so ``iro`` is not De Niro.
        ends = await index.people_with_key_suffix(store, key, PEOPLE_CANDIDATES)
        starts = await index.people_with_key_prefix(store, key, PEOPLE_CANDIDATES)
        for matched in (
            [c for c in ends if key in _word_suffixes(c.name)],
            [c for c in starts if key in _word_prefixes(c.name)],
        ):
            if matched:
                return _pick_person(await _by_fame(store, matched), key)
    return await _fuzzy_person(store, key)


async def _fuzzy_person(store: Store, key: str) -> PersonResolution | NoPerson:
    """A misspelt name: one half of it is likely intact, so read the names starting with its
    first half and those ending with its second, and rank them by edit distance."""
    half = max(3, len(key) // 2)
    found = await index.people_with_key_prefix(store, key[:half], PEOPLE_CANDIDATES)
    found += await index.people_with_key_suffix(store, key[-half:], PEOPLE_CANDIDATES)
    if not found:
        return NoPerson()
    fame = await _fame(store, found)
    allowed = allowed_edits(key)
    scored = sorted(
        (min(OSA.distance(key, k) for k in {c.name_key, *_word_suffixes(c.name)}), fame[c], c)
        for c in {c.person_id: c for c in found}.values()
    )
    best_distance, _, best = scored[0]
    if best_distance > allowed:
        return NoPerson(tuple(c for _, _, c in scored[:3]))
    same = [c.person_id for _, _, c in scored if c.name_key == best.name_key]
    return PersonResolution(
        best.person_id,
        tuple(i for i in same if i != best.person_id),
        tuple(c.person_id for _, _, c in scored[1:4] if c.person_id not in same),
    )


def _pick_person(ranked: Sequence[NameCandidate], key: str) -> PersonResolution:
    chosen = ranked[0]
    same = [c.person_id for c in ranked[1:] if c.name_key == chosen.name_key]
    others = [c.person_id for c in ranked[1:] if c.name_key != chosen.name_key]
    return PersonResolution(chosen.person_id, tuple(same), tuple(others[:3]))


def _word_suffixes(name: str) -> set[str]:
    """The keys of a name's last words: ``Robert De Niro`` -> {``niro``, ``deniro``, …}."""
    words = fold(name).split()
    return {"".join(words[i:]) for i in range(len(words))}


def _word_prefixes(name: str) -> set[str]:
    words = fold(name).split()
    return {"".join(words[:i]) for i in range(1, len(words) + 1)}


async def _fame(
    store: Store, candidates: Sequence[NameCandidate]
) -> dict[NameCandidate, tuple[float, int, int]]:
    """How well known each is, as a sort key (smaller first): popularity, then credits."""
    credits = await index.credit_counts(store, [c.person_id for c in candidates])
    return {c: (-c.popularity, -credits.get(c.person_id, 0), c.person_id) for c in candidates}


async def _by_fame(store: Store, candidates: Sequence[NameCandidate]) -> list[NameCandidate]:
    unique = list({c.person_id: c for c in candidates}.values())
    fame = await _fame(store, unique)
    return sorted(unique, key=fame.__getitem__)


async def _people(store: Store, ids: Sequence[int]) -> list[Person]:
    found = await asyncio.gather(*(get_person(store, i) for i in _unique(ids)))
    return [p for p in found if p is not None]
