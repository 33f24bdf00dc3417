"""Title and person resolution: what a member typed -> the film (or person) they meant.

The order for films (product.md, "Naming a film"): a film id from autocomplete, an IMDb id or
URL; the normalised title key (case, accents, punctuation, a trailing article moved to the
front), then the bare key (article-insensitive), both with the year when one was given; then
typo tolerance. Ties go to the best-known film and the others sharing the title are reported
so the reply can say how to pick them.

Typo tolerance never scans the catalog. Each word of the query is corrected against the words
of all titles through the symmetric-delete spelling index (``bot.store.search_index``); the
corrected spellings of the whole title are walked word by word, kept only while some title
starts that way, and looked up by key; the films found are ranked by their real edit distance
to the query (rapidfuzz's OSA distance, so a swapped pair of letters is one typo), then year,
article and popularity. What one cheap round cannot explain (a moved space, two typos in one
word, a word mangled beyond recognition) gets a second, costlier one.

A resolution is a few dozen small lookups: it runs whole on a reader connection in that
connection's thread (``Store.read``), one hop from the event loop. All SQL lives in
``bot.store.search_index``.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import math
import re
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.errors import FilmNotFound, PersonNotFound
from bot.normalize import ARTICLES, bare_key, fold, name_key, title_key
from bot.store import Store
from bot.store import search_index as index
from bot.store.models import Film, Person
from bot.store.search_index import NameCandidate, TitleCandidate

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
MAX_ALIVE = 100
#: Most partial or whole spellings checked against the titles in one lookup: checked before
#: the cut to MAX_ALIVE or MAX_SPELLINGS, so rare titles are not crowded out by common words
#: that start no title.
MAX_CHECKED = 400
#: Partial spellings are checked against the titles only when more than this many are alive.
PRUNE_ABOVE = 16
#: Most dictionary alternatives kept per query word (nearest and commonest first).
MAX_ALTERNATIVES = 30
#: ... and for a word looked up again within two edits (second round): a short word has
#: hundreds of neighbours that close, and only the titles tell which is meant.
MAX_WIDE_ALTERNATIVES = 200
#: Most dictionary words read per prefix or suffix for a long word misspelt twice.
FRAMING_LIMIT = 300
#: Most films read whose key starts with the words typed right.
PREFIX_CANDIDATES = 500
#: Most films reported as sharing the title of the one chosen (the best known).
MAX_SAME_TITLE = 10
#: Longer queries are only looked up as typed: no title is that long, and correcting every
#: word of a paragraph costs seconds.
MAX_FUZZY_LENGTH = 150
MAX_FUZZY_WORDS = 15
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
    found = await store.read(functools.partial(_resolve_film, query=query))
    if isinstance(found, FilmNotFound):
        raise found
    return found


async def suggest_films(store: Store, text: str, limit: int = 25) -> list[Film]:
    """Films for slash-command autocomplete while ``text`` is being typed: titles starting with
    it (``hea`` -> *Heat*), the best-known first; typo-tolerant matches when no title starts
    with it (``casablanka``)."""
    return await store.read(functools.partial(_suggest_films, text=text, limit=limit))


# The work runs on a reader connection in its own thread (``Store.read``): one hop for the few
# dozen small lookups a misspelt title takes, and no CPU work on the event loop.
def _resolve_film(db: sqlite3.Connection, query: str) -> FilmMatch | FilmNotFound:
    found = find_film(db, query)
    if isinstance(found, NoFilm):
        offered = [c.film for c in found.suggestions] or _films_starting_like(db, query)
        return FilmNotFound(query, [film.label for film in _distinct(offered)[:3]])
    return found


def _films_starting_like(db: sqlite3.Connection, query: str) -> list[Film]:
    """Films whose titles start with the query's first words, as many of them as some title
    has (``godfather returns to the moon`` -> *The Godfather*): something to suggest."""
    words = fold(query).split()
    for count in range(len(words), 0, -1):
        start = " ".join(words[:count])
        if len(start) < MIN_SUGGESTED:
            break
        found = index.films_with_key_prefix(db, start, 3)
        if found:
            return [c.film for c in found]
    return []


def _suggest_films(db: sqlite3.Connection, text: str, limit: int) -> list[Film]:
    if _CHOICE.match(text) or _IMDB_TITLE.match(text):
        found = find_film(db, text)
        return [] if isinstance(found, NoFilm) else [found.film]
    reading = readings(text)[-1]
    prefix = fold(text)
    candidates = index.films_with_key_prefix(db, prefix, limit)
    if reading.year is not None:  # "heat 1995": the films of that title, that year first
        candidates = index.films_with_key_prefix(db, reading.title_key, limit) + candidates
        candidates.sort(key=lambda c: c.year != reading.year)
    films = [c.film for c in candidates]
    # Text that starts some title is being typed right: correcting it would cost a typo search
    # on every keystroke (tens of milliseconds at a million films) for choices that are not
    # what is being typed.
    if not films and len(prefix) >= MIN_SUGGESTED:
        fuzzy = find_film(db, text)
        if isinstance(fuzzy, FilmMatch):
            films += [fuzzy.film, *fuzzy.same_title, *fuzzy.suggestions]
        else:
            films += [c.film for c in fuzzy.suggestions]
    return _distinct(films)[:limit]


def _distinct(films: Iterable[Film]) -> list[Film]:
    return list({film.id: film for film in films}.values())


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
class NoFilm:
    """Nothing close enough; ``suggestions`` are candidates worth offering (best first)."""

    suggestions: tuple[TitleCandidate, ...] = ()


def find_film(db: sqlite3.Connection, query: str) -> FilmMatch | NoFilm:
    """The core of :func:`resolve_film`, on a reader connection (see ``Store.read``)."""
    if match := _CHOICE.match(query):
        film = index.film_by_id(db, int(match["id"]))
        return NoFilm() if film is None else FilmMatch(film, [], [])
    if match := _IMDB_TITLE.match(query):
        film = index.film_by_imdb_id(db, int(match["id"]))
        return NoFilm() if film is None else FilmMatch(film, [], [])
    options = [r for r in readings(query) if r.bare_key]
    if not options:
        return NoFilm()
    exact = _exact(db, options)
    if isinstance(exact, FilmMatch) or exact.suggestions:
        # Found, or the title exists but not in that year: say so rather than guess another.
        return exact
    if len(options[0].title_key) > MAX_FUZZY_LENGTH or len(options[0].title_key.split()) > (
        MAX_FUZZY_WORDS
    ):
        return NoFilm()  # longer than any title: not worth correcting (and costly to)
    return _fuzzy(db, options)


def _exact(db: sqlite3.Connection, options: Sequence[TitleReading]) -> FilmMatch | NoFilm:
    """Normalised exact match: title key first (``Heat`` is not *The Heat*), then bare key,
    each reading of the query in turn (one lookup for all of them)."""
    found = index.films_with_keys(
        db,
        [r.bare_key for r in options],
        [r.title_key for r in options],
        per_key=MAX_SAME_TITLE,
        year=next((r.year for r in options if r.year is not None), None),
    )
    year_misses: list[TitleCandidate] = []
    for reading in options:
        by_title = _by_popularity(c for c in found if c.title_key == reading.title_key)
        by_bare = _by_popularity(c for c in found if c.bare_key == reading.bare_key)
        for tier, titled in ((by_title, True), (by_bare, False)):
            chosen = _pick_by_year(tier, reading.year) if tier else None
            if chosen is None:
                continue
            key = _key_of(chosen, titled)
            same = [c for c in tier if _key_of(c, titled) == key]
            return _match(chosen, same, by_bare + by_title)
        year_misses += by_title or by_bare
    return NoFilm(tuple({c.film_id: c for c in year_misses}.values()))


def _match(
    chosen: TitleCandidate, same: Iterable[TitleCandidate], others: Iterable[TitleCandidate]
) -> FilmMatch:
    """The chosen film, the others with its title, and up to three other close films."""
    same_title = [f for f in _distinct(c.film for c in same) if f.id != chosen.film_id]
    taken = {chosen.film_id, *(f.id for f in same_title)}
    suggestions = [f for f in _distinct(c.film for c in others) if f.id not in taken]
    return FilmMatch(chosen.film, same_title[:MAX_SAME_TITLE], suggestions[:3])


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


def _fuzzy(db: sqlite3.Connection, options: Sequence[TitleReading]) -> FilmMatch | NoFilm:
    """Typo-tolerant lookup in two rounds; the second, costlier one only when the first found
    nothing close enough."""
    sequences = _word_sequences(options)
    words = {w for seq in sequences for w in seq}
    speller = _Speller()
    # Round 1: each word, each pair of neighbours joined (a space typed inside a word), and
    # each word's halves as they are (a space missed: ``darkknight``).
    speller.learn(
        db,
        near=words,
        close={a + b for seq in sequences for a, b in pairwise(seq)},
        exact={half for w in words for cut in _cuts(w) for half in cut}
        | {_NUMERALS[w] for w in words if w in _NUMERALS},
    )
    year = next((r.year for r in options if r.year is not None), None)
    # Only what must change first (a word that is no word), then one real-word slip more.
    found: list[TitleCandidate] = []
    fetched: set[str] = set()  # spellings whose films are in ``found`` already
    for slips in (0, 1):
        found += _candidates(db, speller, sequences, year, slips=slips, fetched=fetched)
        result = _choose(options, found)
        if isinstance(result, FilmMatch):
            return result
    # Round 2, for what is left: a space moved (``th eapes``), a missed space next to a typo
    # (``fnalflight``), a word misspelt twice, a word misspelt beyond recognition after words
    # typed right (``the ivory game abiru``).
    unsure = {w for w in words if speller.best_edits(w) >= min(2, _word_edits(w))}
    speller.learn(
        db,
        close={
            piece
            for seq in sequences
            for a, b in pairwise(seq)
            if not (speller.is_word(a) and speller.is_word(b))  # a moved space unmakes words
            for pair in _shifts((a, b))
            for piece in pair
        }
        | {half for w in unsure for cut in _cuts(w) for half in cut if len(half) > 1},
        # A wrong single letter (``its h duffel bag`` for ``a``), when there are few: every
        # letter word could be any other.
        exact=_SINGLE_CHARACTERS if 0 < sum(len(w) == 1 for w in words) <= 2 else (),
        expanded={w for w in unsure if 4 <= len(w) <= index.SHORT_WORD},
        framed={w for w in unsure if len(w) > index.SHORT_WORD},
    )
    read: set[str] = set()  # title prefixes whose films are in ``found`` already
    for seq in sequences:
        found += _after_typed_words(db, speller, seq, read, broad=False)
    for slips in (1, 2):
        found += _candidates(
            db, speller, sequences, year, slips=slips, harder=True, fetched=fetched
        )
        result = _choose(options, found)
        if isinstance(result, FilmMatch):
            return result
    # Last, for a word misspelt beyond the spelling index's reach after words typed right
    # (``spring orwrd``): every title starting with those words, when few do.
    for seq in sequences:
        found += _after_typed_words(db, speller, seq, read, broad=True)
    return _choose(options, found)


def _candidates(
    db: sqlite3.Connection,
    speller: _Speller,
    sequences: Sequence[tuple[str, ...]],
    year: int | None,
    *,
    slips: int,
    harder: bool = False,
    fetched: set[str],
) -> list[TitleCandidate]:
    """Films spelt like the query within its edit allowance, with ``slips`` edits beyond what
    its non-words force (a misspelling that is another word: ``live`` for ``love``)."""
    plans = [
        speller.budgeted(seq, allowed_edits(" ".join(seq)), slips, harder=harder)
        for seq in sequences
    ]
    spelt = [_spellings(db, plan) for plan in plans]
    keys = {key for keys in spelt for key in keys} - fetched
    fetched |= keys
    if not keys:
        return []
    article_keys = [k for k in keys if k.partition(" ")[0] in ARTICLES]
    return index.films_with_keys(db, sorted(keys), article_keys, per_key=MAX_SAME_TITLE, year=year)


def _after_typed_words(
    db: sqlite3.Connection,
    speller: _Speller,
    words: Sequence[str],
    read: set[str],
    *,
    broad: bool,
) -> list[TitleCandidate]:
    """Films whose key starts with the query's leading words, when those are dictionary words
    and a later word is not: the typo is after them, so they narrow the catalog to a few films
    to rank by edit distance, however badly the rest is misspelt.

    Not ``broad``: all those words, and the next word's first letter after a single one (one
    common word, ``mr`` or ``true``, starts too many titles to read them all, and a typo
    seldom hits a word's first letter). ``broad``: without that letter when few enough titles
    start that way, and the first word alone too (a slip can make another word: ``in`` for
    ``iron``). Prefixes in ``read`` are skipped, and those read are added to it.
    """
    # The last word may be the slip even when it is a word too (``part 2`` for ``part ii``).
    typed = list(itertools.takewhile(speller.is_word, words[:-1]))
    if all(word in ARTICLES for word in typed):
        return []
    key = " ".join(words)
    slack = allowed_edits(key)
    lengths = (len(key) - slack, len(key) + slack)
    counts = [len(typed)]
    if broad and len(typed) > 1 and typed[0] not in ARTICLES:
        counts.append(1)
    found: list[TitleCandidate] = []
    for count in counts:
        prefix = " ".join(typed[:count]) + " "
        if count == 1 and (
            not broad
            or index.films_with_key_prefix_count(db, prefix, PREFIX_CANDIDATES) >= PREFIX_CANDIDATES
        ):
            prefix += words[1][0]
        if prefix not in read:
            read.add(prefix)
            found += index.films_with_key_prefix(db, prefix, PREFIX_CANDIDATES, lengths=lengths)
    return found


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

    def learn(
        self,
        db: sqlite3.Connection,
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
        # Two typos in a word, one of them an extra letter: two deletions of the piece are one
        # deletion of the word (``hvace`` -> ``hae`` <- ``have``).
        for piece in todo["framed"] | todo["expanded"]:
            for variant in index.deletions(piece, 2):
                origin[variant].add(piece)
        short_origin: dict[str, set[str]] = defaultdict(set)
        for piece in todo["expanded"]:
            for variant in index.deletions(piece, 2):
                short_origin[variant].add(piece)
        as_typed = index.dictionary_words(db, todo["exact"])
        neighbours = index.dictionary_neighbours(db, origin)
        short_neighbours = index.dictionary_neighbours(db, short_origin, short=True)
        framings = [
            index.dictionary_words_framing(db, piece, len(piece) // 3, FRAMING_LIMIT)
            for piece in todo["framed"]
        ]
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
            self._limit[piece] = limit
            if limit == 0:  # looked up as it is: a word or not
                found = piece in self._films
                self._near[piece] = [(piece, 0, math.log1p(self._films[piece]))] if found else []
                continue
            known = {w for w, _, _ in self._near.get(piece, [])}
            # Many alternatives for a word misspelt twice only when it is the one such word:
            # the rest of the title then narrows them down; for two, their product would not.
            wide = limit >= 2 and len(todo["expanded"]) + len(todo["framed"]) == 1
            most = MAX_WIDE_ALTERNATIVES if wide else MAX_ALTERNATIVES
            self._near[piece] = self._rank(piece, known | reached[piece], limit, most)

    def _rank(self, piece: str, words: Iterable[str], limit: int, most: int) -> list[_Near]:
        # One call over all the words (a long word's framing brings thousands).
        close = process.extract(
            piece, list(words), scorer=OSA.distance, score_cutoff=limit, limit=None
        )
        near = [(word, int(edits), math.log1p(self._films[word])) for word, edits, _ in close]
        near.sort(key=lambda n: (n[1], -n[2], n[0]))
        return near[:most]

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

    def budgeted(self, words: Sequence[str], budget: int, slips: int, *, harder: bool) -> _Plan:
        """The steps at each position, the least edits still needed from each, the budget."""
        steps = [self.steps(words, i, harder=harder) for i in range(len(words))]
        to_go = [0] * (len(words) + 1)
        for i in reversed(range(len(words))):
            to_go[i] = min(
                (cost + to_go[i + advance] for advance, _, cost, _ in steps[i]), default=_NEVER
            )
        budget = min(budget, to_go[0] + slips)
        return _Plan(steps, to_go, budget)


@dataclass(frozen=True)
class _Plan:
    steps: list[list[_Step]]
    to_go: list[int]
    budget: int


def _spellings(db: sqlite3.Connection, plan: _Plan) -> list[str]:
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

    def promise(kv: tuple[State, tuple[int, float]]) -> tuple[int, float]:
        """Fewest edits the whole title would need, then the likeliest words so far."""
        (position, _), (edits, prior) = kv
        return edits + to_go[position], -prior

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
        best = list(grown.items())
        if len(best) > MAX_CHECKED:
            best = heapq.nsmallest(MAX_CHECKED, best, key=promise)
        if len(best) > PRUNE_ABOVE:  # fewer are carried on unchecked: saves a lookup
            started = index.existing_prefixes(
                db, {" ".join(chosen) + " " for (_, chosen), _ in best if chosen}
            )
            best = [(st, sc) for st, sc in best if not st[1] or " ".join(st[1]) + " " in started]
        if len(best) > MAX_ALIVE:
            best = heapq.nsmallest(MAX_ALIVE, best, key=promise)
        alive = dict(best)
    ranked = sorted(complete.items(), key=lambda kv: (kv[1][0], -kv[1][1]))
    if len(ranked) > MAX_SPELLINGS:
        # Too many to read every film: keep the spellings some title has, nearest first, so
        # a rare title two edits away is not crowded out by common words that name nothing.
        titled = index.existing_keys(db, [text for text, _ in ranked[:MAX_CHECKED]])
        ranked = [kv for kv in ranked[:MAX_CHECKED] if kv[0] in titled]
    return [text for text, _ in ranked[:MAX_SPELLINGS]]


def _better(score: tuple[int, float], than: tuple[int, float]) -> bool:
    return (score[0], -score[1]) < (than[0], -than[1])


def _choose(options: Sequence[TitleReading], found: Sequence[TitleCandidate]) -> FilmMatch | NoFilm:
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
    same = [c for _, _, c in ranked if c.title_key == chosen.title_key]
    return _match(chosen, same, [c for _, _, c in ranked if c.title_key != chosen.title_key])


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
    found = await store.read(functools.partial(_resolve_person, query=query))
    if isinstance(found, PersonNotFound):
        raise found
    return found


async def suggest_people(store: Store, text: str, limit: int = 25) -> list[Person]:
    """People for autocomplete: names starting with ``text`` or ending with it (a surname),
    the best-known first."""
    return await store.read(functools.partial(_suggest_people, text=text, limit=limit))


def _resolve_person(db: sqlite3.Connection, query: str) -> PersonMatch | PersonNotFound:
    found = find_person(db, query)
    if isinstance(found, NoPerson):
        offered = [c.person_id for c in found.suggestions]
        if not offered and len(name_key(query)) >= MIN_SUGGESTED:
            offered = [p.id for p in _suggest_people(db, query, limit=3)]
        return PersonNotFound(query, [p.name for p in index.people_by_ids(db, offered[:3])])
    ids = [found.person_id, *found.same_name, *found.suggestions]
    people = {p.id: p for p in index.people_by_ids(db, _unique(ids))}
    if found.person_id not in people:
        return PersonNotFound(query)
    return PersonMatch(
        people[found.person_id],
        [people[i] for i in found.same_name if i in people],
        [people[i] for i in found.suggestions if i in people],
    )


def _suggest_people(db: sqlite3.Connection, text: str, limit: int) -> list[Person]:
    if match := _CHOICE.match(text):
        return index.people_by_ids(db, [int(match["id"])])
    key = name_key(text)
    if not key:
        return []
    found = index.people_with_key_prefix(db, key, PEOPLE_CANDIDATES)
    if len(key) >= 3:
        found += index.people_with_key_suffix(db, key, PEOPLE_CANDIDATES)
    ranked = _by_fame(db, found)
    return index.people_by_ids(db, [c.person_id for c in ranked[:limit]])


def find_person(db: sqlite3.Connection, query: str) -> PersonResolution | NoPerson:
    """The core of :func:`resolve_person`, in ids, on a reader connection."""
    if match := _CHOICE.match(query):
        person_id = int(match["id"])
        exists = index.person_exists(db, person_id)
        return PersonResolution(person_id) if exists else NoPerson()
    if match := _IMDB_NAME.match(query):
        found = index.person_with_imdb_id(db, int(match["id"]))
        return PersonResolution(found) if found is not None else NoPerson()
    key = name_key(query)
    if not key or len(key) > MAX_FUZZY_LENGTH:
        return NoPerson()
    exact = index.people_with_key(db, key)
    if exact:
        return _pick_person(_by_fame(db, exact))
    if len(key) >= 3:
        # A surname or the end of a name (``de niro``, ``deniro``), then the start of one
        # (``robert de``): only whole words count, so ``iro`` is not De Niro.
        ends = index.people_with_key_suffix(db, key, PEOPLE_CANDIDATES)
        starts = index.people_with_key_prefix(db, key, PEOPLE_CANDIDATES)
        for matched in (
            [c for c in ends if key in _word_suffixes(c.name)],
            [c for c in starts if key in _word_prefixes(c.name)],
        ):
            if matched:
                return _pick_person(_by_fame(db, matched))
    return _fuzzy_person(db, key)


def _fuzzy_person(db: sqlite3.Connection, key: str) -> PersonResolution | NoPerson:
    """A misspelt name: one half of it is likely intact, so read the names starting with its
    first half and those ending with its second, and rank them by edit distance."""
    half = max(3, len(key) // 2)
    found = index.people_with_key_prefix(db, key[:half], PEOPLE_CANDIDATES)
    found += index.people_with_key_suffix(db, key[-half:], PEOPLE_CANDIDATES)
    if not found:
        return NoPerson()
    fame = _fame(db, found)
    allowed = allowed_edits(key)
    scored = sorted(
        (min(OSA.distance(key, k) for k in {c.name_key, *_word_suffixes(c.name)}), fame[c], c)
        for c in {c.person_id: c for c in found}.values()
    )
    best_distance, _, best = scored[0]
    if best_distance > allowed:
        # Offer only names a typo or two further off than accepted: past that, noise.
        return NoPerson(tuple(c for d, _, c in scored[:3] if d <= allowed + 1))
    same = [c.person_id for _, _, c in scored if c.name_key == best.name_key]
    return PersonResolution(
        best.person_id,
        tuple(i for i in same if i != best.person_id),
        tuple(c.person_id for _, _, c in scored[1:4] if c.person_id not in same),
    )


def _pick_person(ranked: Sequence[NameCandidate]) -> PersonResolution:
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


def _fame(
    db: sqlite3.Connection, candidates: Sequence[NameCandidate]
) -> dict[NameCandidate, tuple[float, int, int]]:
    """How well known each is, as a sort key (smaller first): popularity, then credits."""
    credits = index.credit_counts(db, [c.person_id for c in candidates])
    return {c: (-c.popularity, -credits.get(c.person_id, 0), c.person_id) for c in candidates}


def _by_fame(db: sqlite3.Connection, candidates: Sequence[NameCandidate]) -> list[NameCandidate]:
    unique = list({c.person_id: c for c in candidates}.values())
    fame = _fame(db, unique)
    return sorted(unique, key=fame.__getitem__)
