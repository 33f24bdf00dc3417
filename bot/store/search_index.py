"""The search index and every candidate lookup behind title and person resolution.

Exact lookups go through the key indexes of the films, film_aliases and people tables. Typo
tolerance comes from a spelling index over the *words* of titles (symmetric delete): each word
is stored with each of its one-character deletions (short words with their two-character ones
too), so a misspelt word reaches its dictionary words through a handful of indexed lookups of
the query word's own deletions, whatever the catalog's size. Whole titles are then found by
their keys, and people by an index of reversed name keys (a surname is a prefix of a reversed
name). Nothing here scans every title or name.

The lookups are plain functions of a ``sqlite3`` connection: ``bot.search`` runs a whole
resolution on a reader connection through ``Store.read``.

Maintenance: importers call :func:`rebuild` after a bulk load (synchronous, on their own
connection, from a worker thread), and anything that adds or renames a few films runs
:func:`index_films_steps` in the same transaction (``add_film`` does). The index may hold
words of films since deleted or renamed; lookups always go back to the films table, so a stale
word costs a probe, never a wrong answer.
"""

from __future__ import annotations

import json
import random
import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any, NamedTuple

import aiosqlite

from bot.normalize import ARTICLES
from bot.store import steps
from bot.store.models import FILM_COLUMNS, Film, Person
from bot.store.people import PERSON_COLUMNS
from bot.store.steps import Steps

#: How many people (the best-known) the surname index covers. A surname alone or a misspelt
#: name finds them; anyone else is found by their full name (people_name_key). Keeps the
#: rebuild inside a second at IMDb's 2M names.
PEOPLE_INDEXED = 200_000

#: A prefix whose title keys start more films than this is answered by walking the popularity
#: index, where its best known turn up early (typing "s" must not rank 170,000 keys); a
#: narrower one by ranking its two key ranges, read from their covering indexes. Near this
#: size both cost about the same: a few milliseconds at a million films.
PREFIX_SORT_LIMIT = 12_000

_WORD_BATCH = 50_000


# Rows ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TitleCandidate:
    """A film reached through one of its titles (its own or an alias), with that title's keys."""

    film: Film
    title: str
    title_key: str
    bare_key: str

    @property
    def film_id(self) -> int:
        return self.film.id

    @property
    def year(self) -> int | None:
        return self.film.year

    @property
    def popularity(self) -> float:
        return self.film.popularity


@dataclass(frozen=True)
class NameCandidate:
    person_id: int
    name: str
    name_key: str
    popularity: float


class DictionaryWord(NamedTuple):
    """A word of the titles' dictionary, reached from ``variant`` (a deletion of a query word).

    A named tuple: lookups return hundreds of these, made straight from the rows.
    """

    variant: str
    word: str
    films: int


# Maintenance ----------------------------------------------------------------------------------
# Every one-character deletion of the words with id above a bound (0 for all), in key order so
# the B-tree is written sequentially. Words longer than 64 characters keep only the first 64.
_INSERT_DELETES = """
INSERT OR IGNORE INTO search_word_deletes (variant, word, films)
WITH RECURSIVE position(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM position WHERE i < 64)
SELECT substr(w.word, 1, position.i - 1) || substr(w.word, position.i + 1), w.word, w.films
FROM search_words AS w JOIN position ON position.i <= length(w.word)
WHERE w.id > ?1 AND length(w.word) > 1
ORDER BY 1, 2
"""

# The two-character deletions of short words (3 to SHORT_WORD letters), kept apart: they are
# dense (every short word has a few two-letter skeletons), so only a second look uses them.
_INSERT_SHORT_DELETES = """
INSERT OR IGNORE INTO search_short_word_deletes (variant, word, films)
WITH RECURSIVE position(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM position WHERE i < ?2)
SELECT substr(w.word, 1, a.i - 1) || substr(w.word, a.i + 1, b.i - a.i - 1)
       || substr(w.word, b.i + 1), w.word, w.films
FROM search_words AS w JOIN position AS a JOIN position AS b ON a.i < b.i
WHERE w.id > ?1 AND length(w.word) BETWEEN 3 AND ?2 AND b.i <= length(w.word)
ORDER BY 1, 2
"""

#: Words this short also have their two-character deletions in the index.
SHORT_WORD = 5

_IDS = "(SELECT value FROM json_each(?1))"

# The people at or above a popularity, at most ?2 of them (-1: all).
_INSERT_NAME_SUFFIXES = """
INSERT OR IGNORE INTO search_name_suffixes (reversed_key, person_id)
SELECT filmclub_reverse(name_key), id FROM (
    SELECT name_key, id FROM people WHERE popularity >= ?1 LIMIT ?2
) ORDER BY 1, 2
"""


def _reverse(text: str | None) -> str | None:
    return None if text is None else text[::-1]


def rebuild(conn: sqlite3.Connection, *, films: bool = True, people: bool = True) -> None:
    """Recreate the search index from the films and people tables (bulk; a worker thread's job).

    Runs inside the caller's transaction when there is one, else in its own. Idempotent.
    """
    conn.execute("SAVEPOINT search_rebuild")
    try:
        if films:
            _rebuild_words(conn)
        if people:
            _rebuild_name_suffixes(conn)
    except BaseException:
        conn.execute("ROLLBACK TO search_rebuild")
        conn.execute("RELEASE search_rebuild")
        raise
    conn.execute("RELEASE search_rebuild")


def _rebuild_words(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM search_word_deletes")
    conn.execute("DELETE FROM search_short_word_deletes")
    conn.execute("DELETE FROM search_words")
    counts: Counter[str] = Counter()
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples: a million sqlite3.Row objects cost seconds
    cursor.execute("SELECT bare_key FROM films UNION ALL SELECT bare_key FROM film_aliases")
    for rows in iter(lambda: cursor.fetchmany(_WORD_BATCH), []):
        counts.update(chain.from_iterable(key.split() for (key,) in rows))
    # Ids in word order: the rowid table and its UNIQUE index are both written sequentially.
    conn.executemany(
        "INSERT INTO search_words (id, word, reversed, films) VALUES (?, ?, ?, ?)",
        ((i, word, word[::-1], n) for i, (word, n) in enumerate(sorted(counts.items()), start=1)),
    )
    conn.execute(_INSERT_DELETES, (0,))
    conn.execute(_INSERT_SHORT_DELETES, (0, SHORT_WORD))


def _rebuild_name_suffixes(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM search_name_suffixes")
    conn.create_function("filmclub_reverse", 1, _reverse, deterministic=True)
    conn.execute(_INSERT_NAME_SUFFIXES, _people_to_index(conn, PEOPLE_INDEXED))


def _people_to_index(conn: sqlite3.Connection, wanted: int) -> tuple[float, int]:
    """(least popularity, most people) that pick about the ``wanted`` best-known people.

    Estimated from a random sample of rowids, which costs a few thousand lookups instead of
    sorting everyone; an estimate is all the index needs. When popularity tells nobody apart
    (all tied), any ``wanted`` people are as good as others.
    """
    row = conn.execute("SELECT count(*), coalesce(max(id), 0) FROM people").fetchone()
    total, max_id = int(row[0]), int(row[1])
    everyone = (float("-inf"), -1)
    if total <= wanted:
        return everyone
    rng = random.Random(total)  # the same store gives the same index
    sample_ids = json.dumps([rng.randint(1, max_id) for _ in range(5_000)])
    cursor = conn.execute(
        "SELECT popularity FROM people WHERE id IN (SELECT value FROM json_each(?))",
        (sample_ids,),
    )
    sample = sorted((float(p) for (p,) in cursor), reverse=True)
    if not sample:
        return everyone
    threshold = sample[min(len(sample) - 1, len(sample) * wanted // total)]
    share = sum(1 for p in sample if p >= threshold) / len(sample)
    if share * total <= 2 * wanted:
        return threshold, -1
    above = [p for p in sample if p > threshold]  # many tied at the threshold: go above it
    if above:
        return above[-1], -1
    return float("-inf"), wanted


def index_films_steps(film_ids: Iterable[int]) -> Steps[None]:
    """Add these films' title and alias words, and their people, to the index.

    For films added or renamed one at a time (``add_film`` runs it in its own transaction);
    bulk loads call :func:`rebuild` instead.
    """
    ids = json.dumps(sorted(set(film_ids)))
    rows = yield (
        f"SELECT bare_key FROM films WHERE id IN {_IDS} "
        f"UNION SELECT bare_key FROM film_aliases WHERE film_id IN {_IDS}",
        (ids,),
    )
    words = sorted({word for row in rows for word in str(row[0]).split()})
    if words:
        before = yield ("SELECT coalesce(max(id), 0) FROM search_words", ())
        yield (
            "INSERT OR IGNORE INTO search_words (word, reversed, films) "
            "SELECT value ->> 0, value ->> 1, 1 FROM json_each(?)",
            (json.dumps([[word, word[::-1]] for word in words]),),
        )
        yield (_INSERT_DELETES, (before[0][0],))
        yield (_INSERT_SHORT_DELETES, (before[0][0], SHORT_WORD))
    people = yield (f"SELECT DISTINCT person_id FROM credits WHERE film_id IN {_IDS}", (ids,))
    yield from index_people_steps(int(row[0]) for row in people)


def index_films(conn: sqlite3.Connection, film_ids: Iterable[int]) -> None:
    """:func:`index_films_steps` on an importer's connection."""
    steps.run(conn, index_films_steps(film_ids))


async def index_films_async(conn: aiosqlite.Connection, film_ids: Iterable[int]) -> None:
    """:func:`index_films_steps` inside a ``store.write``."""
    await steps.run_async(conn, index_films_steps(film_ids))


def index_people_steps(person_ids: Iterable[int]) -> Steps[None]:
    """Put these people in the surname index (people added one by one are always included)."""
    ids = sorted(set(person_ids))
    if not ids:
        return
    rows = yield (
        "SELECT id, name_key FROM people WHERE id IN (SELECT value FROM json_each(?))",
        (json.dumps(ids),),
    )
    yield (
        "INSERT OR IGNORE INTO search_name_suffixes (reversed_key, person_id) "
        "SELECT value ->> 0, value ->> 1 FROM json_each(?)",
        (json.dumps([[str(row[1])[::-1], int(row[0])] for row in rows]),),
    )


def index_people(conn: sqlite3.Connection, person_ids: Iterable[int]) -> None:
    steps.run(conn, index_people_steps(person_ids))


async def index_people_async(conn: aiosqlite.Connection, person_ids: Iterable[int]) -> None:
    await steps.run_async(conn, index_people_steps(person_ids))


def _rows(conn: sqlite3.Connection, sql: str, params: Sequence[Any] = ()) -> list[Any]:
    """Plain tuples, however the connection makes rows: far cheaper by the hundred."""
    cursor = conn.cursor()
    cursor.row_factory = None
    return cursor.execute(sql, params).fetchall()


def _value(conn: sqlite3.Connection, sql: str, params: Sequence[Any] = ()) -> Any:
    row = conn.execute(sql, params).fetchone()
    return None if row is None else row[0]


# Film lookups ---------------------------------------------------------------------------------
# The film (whole, so no second query is needed to show it) and the keys of the title matched.
_FILM_COLUMNS = (
    "f.id, f.title, f.title_key, f.bare_key, f.year, f.popularity, "
    "f.title AS film_title, f.runtime, f.imdb_id, f.kind"
)
_ALIAS_COLUMNS = (
    "f.id, a.title, a.title_key, a.bare_key, f.year, f.popularity, "
    "f.title, f.runtime, f.imdb_id, f.kind"
)
_KEYS = "(SELECT value FROM json_each(?))"


def _title_candidates(rows: Iterable[sqlite3.Row]) -> list[TitleCandidate]:
    return [
        TitleCandidate(
            Film(int(r[0]), str(r[6]), r[4], r[7], r[8], str(r[9]), float(r[5])),
            str(r[1]),
            str(r[2]),
            str(r[3]),
        )
        for r in rows
    ]


def films_with_keys(
    conn: sqlite3.Connection,
    bare_keys: Sequence[str],
    title_keys: Sequence[str],
    *,
    per_key: int = 1_000_000,
    year: int | None = None,
) -> list[TitleCandidate]:
    """Films whose title or an alias has one of these bare keys or title keys.

    At most ``per_key`` films per key (and kind of key): those within a year of ``year``
    first, then the best known (a title like *Love* may be shared by hundreds of films).
    """
    if not bare_keys and not title_keys:
        return []
    by_alias = "film_aliases AS a JOIN films AS f ON f.id = a.film_id"
    # Per key, the best known films and those near the year, each read from the head of the
    # key's (key, popularity) index: a key like "the" is shared by thousands of films.
    nears = ("",) if year is None else ("", " AND year BETWEEN ?3 - 1 AND ?3 + 1")
    films = " UNION ".join(
        f"SELECT {_FILM_COLUMNS}, k.value AS matched, '{via}' AS via "
        f"FROM json_each({keys}) AS k JOIN films AS f ON f.id IN "
        f"(SELECT id FROM films WHERE {column} = k.value{near} "
        "ORDER BY popularity DESC LIMIT ?4)"
        for via, column, keys in (("bare", "bare_key", "?1"), ("title", "title_key", "?2"))
        for near in nears
    )
    aliases = " UNION ALL ".join(
        f"SELECT {_ALIAS_COLUMNS}, a.{column}, '{via}' FROM {by_alias} "
        f"WHERE a.{column} IN (SELECT value FROM json_each({keys}))"
        for via, column, keys in (("bare", "bare_key", "?1"), ("title", "title_key", "?2"))
    )
    rows = _rows(
        conn,
        "SELECT id, title, title_key, bare_key, year, popularity, film_title, runtime, "
        "imdb_id, kind FROM ("
        "SELECT *, row_number() OVER (PARTITION BY matched, via ORDER BY "
        "abs(year - ?3) <= 1 DESC, popularity DESC, id) AS rank "
        f"FROM ({films} UNION ALL {aliases})) WHERE rank <= ?4",
        (json.dumps(list(bare_keys)), json.dumps(list(title_keys)), year, per_key),
    )
    return _title_candidates(rows)


def existing_prefixes(conn: sqlite3.Connection, prefixes: Iterable[str]) -> set[str]:
    """Which of these prefixes (``"dark "``) begin some film's title key or bare key."""
    # Keys hold only [0-9a-z ], so every key starting with k sorts below k || '~'.
    return _found_in_keys(conn, prefixes, "{column} >= k.value AND {column} < k.value || '~'")


def existing_keys(conn: sqlite3.Connection, keys: Iterable[str]) -> set[str]:
    """Which of these keys are some film's title key or bare key (its own or an alias's)."""
    return _found_in_keys(conn, keys, "{column} = k.value")


def _found_in_keys(conn: sqlite3.Connection, values: Iterable[str], match: str) -> set[str]:
    """The ``values`` for which some film or alias has a key satisfying ``match`` (SQL over
    ``{column}`` and the value ``k.value``).

    A title key is its bare key unless it starts with an article, so only values starting
    with one need the title keys looked at.
    """
    wanted = sorted(set(values))
    if not wanted:
        return set()
    with_article = [k for k in wanted if k.partition(" ")[0] in ARTICLES]

    def tests(column: str) -> str:
        return " OR ".join(
            f"EXISTS (SELECT 1 FROM {table} WHERE {match.format(column=column)})"
            for table in ("films", "film_aliases")
        )

    rows = _rows(
        conn,
        f"SELECT k.value FROM json_each(?1) AS k WHERE {tests('bare_key')} "
        f"UNION SELECT k.value FROM json_each(?2) AS k WHERE {tests('title_key')}",
        (json.dumps(wanted), json.dumps(with_article)),
    )
    return {str(r[0]) for r in rows}


def _prefix_range(prefix: str) -> tuple[str, str]:
    """``key >= lo AND key < hi`` selects exactly the keys starting with ``prefix``."""
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


def films_with_key_prefix(
    conn: sqlite3.Connection,
    prefix: str,
    limit: int,
    *,
    lengths: tuple[int, int] | None = None,
) -> list[TitleCandidate]:
    """Films whose title key or bare key starts with ``prefix``.

    Without ``lengths``: the most popular first (autocomplete); a short prefix shared by
    thousands of titles walks the popularity index and stops at ``limit`` instead of sorting
    the whole range. With ``lengths`` (key lengths to keep): in key order, for candidates that
    are ranked by the caller anyway.
    """
    if not prefix:
        return popular_films(conn, limit)
    lo, hi = _prefix_range(prefix)
    if lengths is not None:
        # Read at most ``limit`` keys of each range: a prefix shared by more films than that
        # does not narrow anything, and the scan must stay bounded.
        rows = _rows(
            conn,
            f"SELECT {_FILM_COLUMNS} FROM films AS f WHERE f.id IN ("
            "SELECT id FROM (SELECT id, bare_key AS k FROM films "
            "WHERE bare_key >= ?1 AND bare_key < ?2 LIMIT ?3) WHERE length(k) BETWEEN ?4 AND ?5 "
            "UNION SELECT id FROM (SELECT id, title_key AS k FROM films "
            "WHERE title_key >= ?1 AND title_key < ?2 LIMIT ?3) WHERE length(k) BETWEEN ?4 AND ?5)",
            (lo, hi, limit, *lengths),
        )
        return _title_candidates(rows)
    # The title keys count for both ranges: they differ only for titles with an article, and
    # a prefix starting with one ("the s") has a narrow bare range but a crowded title range.
    if _keys_in_range(conn, "title_key", lo, hi, PREFIX_SORT_LIMIT) >= PREFIX_SORT_LIMIT:
        sql = (
            f"SELECT {_FILM_COLUMNS} FROM films AS f INDEXED BY films_popularity "
            "WHERE (f.bare_key >= ?1 AND f.bare_key < ?2) "
            "OR (f.title_key >= ?1 AND f.title_key < ?2) "
            "ORDER BY f.popularity DESC, f.id LIMIT ?3"
        )
    else:
        # Ids and popularity straight from the (key, popularity) indexes, the best known of
        # both ranges kept (UNION ALL: a film in both comes twice, so twice the limit is
        # enough), and only those films read whole. A plain UNION would sort every film of
        # both ranges to drop the doubles, ten times slower.
        sql = (
            f"SELECT {_FILM_COLUMNS} FROM films AS f WHERE f.id IN (SELECT id FROM ("
            "SELECT id, popularity FROM films WHERE bare_key >= ?1 AND bare_key < ?2 "
            "UNION ALL SELECT id, popularity FROM films WHERE title_key >= ?1 AND title_key < ?2 "
            "ORDER BY 2 DESC, 1 LIMIT 2 * ?3)) "
            "ORDER BY f.popularity DESC, f.id LIMIT ?3"
        )
    return _title_candidates(_rows(conn, sql, (lo, hi, limit)))


def films_with_key_prefix_count(conn: sqlite3.Connection, prefix: str, most: int) -> int:
    """How many films' bare keys start with ``prefix``, counting no further than ``most``."""
    return _keys_in_range(conn, "bare_key", *_prefix_range(prefix), most)


def _keys_in_range(conn: sqlite3.Connection, column: str, lo: str, hi: str, most: int) -> int:
    """How many films' ``column`` (a key) lies in [lo, hi), counting no further than ``most``."""
    return int(
        _value(
            conn,
            f"SELECT count(*) FROM (SELECT 1 FROM films WHERE {column} >= ?1 AND {column} < ?2 "
            "LIMIT ?3)",
            (lo, hi, most),
        )
    )


def popular_films(conn: sqlite3.Connection, limit: int) -> list[TitleCandidate]:
    rows = _rows(
        conn,
        f"SELECT {_FILM_COLUMNS} FROM films AS f ORDER BY f.popularity DESC, f.id LIMIT ?",
        (limit,),
    )
    return _title_candidates(rows)


def film_by_id(conn: sqlite3.Connection, film_id: int) -> Film | None:
    row = conn.execute(f"SELECT {FILM_COLUMNS} FROM films WHERE id = ?", (film_id,)).fetchone()
    return None if row is None else Film.from_row(row)


def film_by_imdb_id(conn: sqlite3.Connection, imdb_id: int) -> Film | None:
    row = conn.execute(f"SELECT {FILM_COLUMNS} FROM films WHERE imdb_id = ?", (imdb_id,))
    found = row.fetchone()
    return None if found is None else Film.from_row(found)


def people_by_ids(conn: sqlite3.Connection, ids: Sequence[int]) -> list[Person]:
    """These people, in the order given (unknown ids left out)."""
    rows = conn.execute(
        f"SELECT {PERSON_COLUMNS} FROM people WHERE id IN (SELECT value FROM json_each(?))",
        (json.dumps(list(ids)),),
    ).fetchall()
    by_id = {row["id"]: Person.from_row(row) for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def _one_id(conn: sqlite3.Connection, sql: str, value: int) -> int | None:
    found = _value(conn, sql, (value,))
    return None if found is None else int(found)


# The spelling index ---------------------------------------------------------------------------
def deletions(word: str, depth: int) -> set[str]:
    """``word`` and every string made from it by deleting up to ``depth`` characters."""
    found = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier if len(w) > 1 for i in range(len(w))}
        found |= frontier
    return found


def dictionary_neighbours(
    conn: sqlite3.Connection, variants: Iterable[str], *, short: bool = False
) -> list[DictionaryWord]:
    """Dictionary words equal to a variant or one deletion away from one.

    Give the query words with their own deletions (:func:`deletions`): one deep finds every
    word within one edit, two deep most within two. With ``short`` (and the two-deep deletions
    of a short query word) every short word within two edits is found too. The caller checks
    the real distance; this only narrows 100,000s of words to a few dozen.
    """
    packed = json.dumps(sorted(set(variants)))
    if packed == "[]":
        return []
    table = "search_short_word_deletes" if short else "search_word_deletes"
    rows = _rows(
        conn,
        f"SELECT word, word, films FROM search_words WHERE word IN {_KEYS} "
        f"UNION ALL SELECT variant, word, films FROM {table} WHERE variant IN {_KEYS}",
        (packed, packed),
    )
    return list(map(DictionaryWord._make, rows))


def dictionary_words_framing(
    conn: sqlite3.Connection, word: str, third: int, limit: int
) -> list[DictionaryWord]:
    """Dictionary words about as long as ``word`` that share its first or its last ``third``
    letters (``variant`` is ``word``): the candidates of a long word misspelt twice.

    Two typos leave one of a word's first, middle and last thirds intact, so this finds
    what the one-deletion index cannot whenever the intact third is the first or the last.
    """
    lo, hi = _prefix_range(word[:third])
    rlo, rhi = _prefix_range(word[::-1][:third])
    rows = _rows(
        conn,
        "SELECT * FROM (SELECT ?8, word, films FROM search_words "
        "WHERE word >= ?1 AND word < ?2 AND length(word) BETWEEN ?5 AND ?6 LIMIT ?7) "
        "UNION ALL SELECT * FROM (SELECT ?8, word, films FROM search_words "
        "WHERE reversed >= ?3 AND reversed < ?4 AND length(word) BETWEEN ?5 AND ?6 LIMIT ?7)",
        (lo, hi, rlo, rhi, len(word) - 2, len(word) + 2, limit, word),
    )
    return list(map(DictionaryWord._make, rows))


def dictionary_words(conn: sqlite3.Connection, words: Iterable[str]) -> list[DictionaryWord]:
    """Which of ``words`` are in the dictionary."""
    packed = json.dumps(sorted(set(words)))
    if packed == "[]":
        return []
    rows = _rows(
        conn, f"SELECT word, word, films FROM search_words WHERE word IN {_KEYS}", (packed,)
    )
    return list(map(DictionaryWord._make, rows))


# People ---------------------------------------------------------------------------------------
_PERSON_COLUMNS = "p.id, p.name, p.name_key, p.popularity"


def _name_candidates(rows: Iterable[sqlite3.Row]) -> list[NameCandidate]:
    return [NameCandidate(int(r[0]), str(r[1]), str(r[2]), float(r[3])) for r in rows]


def people_with_key(conn: sqlite3.Connection, name_key: str) -> list[NameCandidate]:
    rows = _rows(
        conn,
        f"SELECT {_PERSON_COLUMNS} FROM people AS p WHERE p.name_key = ? "
        "ORDER BY p.popularity DESC, p.id",
        (name_key,),
    )
    return _name_candidates(rows)


def people_with_key_prefix(
    conn: sqlite3.Connection, prefix: str, limit: int
) -> list[NameCandidate]:
    """People whose name key starts with ``prefix`` (first name, or a whole name being typed)."""
    lo, hi = _prefix_range(prefix)
    rows = _rows(
        conn,
        f"SELECT {_PERSON_COLUMNS} FROM people AS p WHERE p.name_key >= ? AND p.name_key < ? "
        "LIMIT ?",
        (lo, hi, limit),
    )
    return _name_candidates(rows)


def people_with_key_suffix(
    conn: sqlite3.Connection, suffix: str, limit: int
) -> list[NameCandidate]:
    """Indexed people whose name key ends with ``suffix`` (a surname: ``deniro``, ``niro``)."""
    lo, hi = _prefix_range(suffix[::-1])
    rows = _rows(
        conn,
        f"SELECT {_PERSON_COLUMNS} FROM search_name_suffixes AS s "
        "JOIN people AS p ON p.id = s.person_id "
        "WHERE s.reversed_key >= ? AND s.reversed_key < ? LIMIT ?",
        (lo, hi, limit),
    )
    return _name_candidates(rows)


def person_with_imdb_id(conn: sqlite3.Connection, imdb_id: int) -> int | None:
    return _one_id(conn, "SELECT id FROM people WHERE imdb_id = ?", imdb_id)


def person_exists(conn: sqlite3.Connection, person_id: int) -> bool:
    return _one_id(conn, "SELECT id FROM people WHERE id = ?", person_id) is not None


def credit_counts(conn: sqlite3.Connection, person_ids: Sequence[int]) -> dict[int, int]:
    """How many films each person is credited in: the tie-breaker among namesakes."""
    rows = _rows(
        conn,
        f"SELECT person_id, count(*) FROM credits WHERE person_id IN {_KEYS} GROUP BY person_id",
        (json.dumps(list(person_ids)),),
    )
    return {int(r[0]): int(r[1]) for r in rows}
