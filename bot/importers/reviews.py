"""Review documents in the seed format (``../shared/seeds/heat-review.txt``).

A document is an optional header of ``Key: value`` lines (``Genre:`` with `` | `` between
genres; ``Title:``, ``Year:``, ``Director:``, ``Author:``, ``Source:``), then prose. Without a
``Title:`` the film comes from the file name (``heat-review.txt``, ``heat-1995.txt``) or the
opening sentence (``Heat is …``); with several films of that title, the best known one unless a
year says otherwise. The prose yields the director (``Directed … by NAME``) and, for a film the
catalog has no cast for, the cast (``Character (Actor)``, ``Actor as Character``, and the names
listed in a sentence about the cast). The document itself is stored as a catalog review keyed
by film and source, so importing it again changes nothing.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.importers.common import ImportReport, Progress, file_size
from bot.normalize import fold, name_key, title_key
from bot.store import bulk
from bot.store.catalog_reviews import save_catalog_review
from bot.store.films import NewFilm, add_details, find_film_id, has_credits, insert_film
from bot.store.genres import tag_film
from bot.store.people import credit, person_id
from bot.store.steps import Steps, run
from bot.summaries import split_sentences

HEADER_KEYS = {
    "genre": "genres",
    "genres": "genres",
    "title": "title",
    "year": "year",
    "director": "directors",
    "directors": "directors",
    "author": "author",
    "source": "source",
}
_HEADER_LINE = re.compile(r"^\s*(?P<key>[A-Za-z]+)\s*:\s*(?P<value>.*?)\s*$")
_LIST_SPLIT = re.compile(r"\s*[|,;]\s*")
_YEAR = re.compile(r"^(?:18[7-9]\d|19\d\d|20\d\d|2100)$")

# A capitalised word of a name (Unicode capitals included), an initial (G.), or a particle.
_WORD = r"[A-ZÀ-ÖØ-Þ][\w’'-]*[\w]|[A-Z]\."
_PARTICLE = r"(?:de|del|della|der|di|da|du|la|le|van|von|bin|al)"
NAME = rf"(?:{_WORD})(?:\s+(?:{_PARTICLE}\s+)*(?:{_WORD})){{1,3}}"
_TITLE_PREFIX = r"(?:(?:Lt|Dr|Mr|Mrs|Ms|Det|Sgt|Capt|Col|Gen|Prof|Sr|Jr|St)\.\s+)"
_CHARACTER = rf"{_TITLE_PREFIX}?(?:{_WORD})(?:\s+(?:{_PARTICLE}\s+)*(?:{_WORD})){{0,3}}"

_CHARACTER_THEN_ACTOR = re.compile(rf"(?P<character>{_CHARACTER})\s+\((?P<actor>{NAME})\)")
_ACTOR_AS = re.compile(rf"(?P<actor>{NAME})\s+(?:as|plays|played)\s+(?P<rest>{_CHARACTER})?")
_NAME_ONLY = re.compile(NAME)
_CREDITED_BY = re.compile(
    r"\b(?P<what>(?:[Dd]irected|[Ww]ritten|[Cc]o-?(?:directed|written))"
    r"(?:\s+and\s+(?:co-?)?(?:directed|written))?)\s+by\s+"
    rf"(?P<names>{NAME}(?:\s*(?:,|and|&)\s*{NAME})*)"
)
_CASTISH = re.compile(
    r"\b(?:cast|casts|co-?stars?|stars|starring|performances?|play|plays|played|ensemble|"
    r"supporting|actors?|actress(?:es)?|turns? (?:in|from|by))\b",
    re.IGNORECASE,
)
# A name right after these is a place or a thing ("a Las Vegas bodyguard"), not a person.
_NOT_AFTER = {"a", "an", "the", "in", "at", "from", "to", "into", "near", "across", "through"}
# Capitalised words that start sentences or clauses but never start a name.
_NOT_NAME_START = {
    "the", "a", "an", "and", "but", "then", "when", "while", "with", "at", "in", "on", "as", "its",
    "it", "his", "her", "their", "both", "even", "opposite", "meanwhile", "here", "there", "this",
    "that", "so", "yet", "for", "of", "from", "by", "after", "before", "during", "until", "if",
}  # fmt: skip
_FILE_SUFFIX = re.compile(r"[-_ ]+(?:review|reviews|rev)$", re.IGNORECASE)
_FILE_PREFIX = re.compile(r"^(?:review|reviews)[-_ ]+", re.IGNORECASE)
_FILE_YEAR = re.compile(r"[-_ (]+(?P<year>18[7-9]\d|19\d\d|20\d\d)\)?$")
_OPENING = re.compile(
    r"^(?P<title>[^.!?]{1,80}?)\s*(?:\((?P<year>\d{4})\)\s*)?"
    r"\s(?:is|was|isn[’']t|wasn[’']t|remains|feels|works|opens|begins)\b"
)


@dataclass(frozen=True)
class CastMention:
    actor: str
    character: str | None
    position: int


@dataclass
class ReviewDocument:
    """What a document says, before it is matched to a film."""

    source: str
    body: str
    title: str | None = None  # from Title:
    year: int | None = None
    author: str | None = None
    genres: list[str] = field(default_factory=list)
    header_directors: list[str] = field(default_factory=list)
    directors: list[str] = field(default_factory=list)  # from the prose
    writers: list[str] = field(default_factory=list)
    cast: list[tuple[str, str | None]] = field(default_factory=list)
    file_title: str | None = None
    file_year: int | None = None
    opening_title: str | None = None
    opening_year: int | None = None

    def title_candidates(self) -> list[tuple[str, int | None]]:
        """Titles the document may be about, most certain first."""
        if self.title:
            return [(self.title, self.year)]
        found: list[tuple[str, int | None]] = []
        for title, year in [
            (self.file_title, self.file_year),
            (self.opening_title, self.opening_year),
        ]:
            if title and title_key(title) not in {title_key(t) for t, _ in found}:
                found.append((title, self.year or year or self.file_year))
        return found


class NotAReview(ValueError):
    """A document with no prose, or no way to tell which film it is about."""


def parse_document(text: str, file_name: str) -> ReviewDocument:
    """Read one document; NotAReview when it has no prose."""
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    lines = text.split("\n")
    header: dict[str, str] = {}
    start = 0
    for start, line in enumerate(lines):  # noqa: B007 - start is used after the loop
        match = _HEADER_LINE.match(line)
        if not match or match["key"].lower() not in HEADER_KEYS:
            break
        header[HEADER_KEYS[match["key"].lower()]] = match["value"]
    else:
        start = len(lines)
    body = "\n".join(line.strip() for line in lines[start:]).strip()
    body = re.sub(r"\n{3,}", "\n\n", body)
    if not body:
        raise NotAReview("the document has no prose after its header")
    doc = ReviewDocument(source=header.get("source") or file_name, body=body)
    doc.title = header.get("title") or None
    year_text = header.get("year", "")
    if _YEAR.match(year_text):
        doc.year = int(year_text)
    doc.author = header.get("author") or None
    doc.genres = _split_list(header.get("genres", ""))
    doc.header_directors = _split_list(header.get("directors", ""))
    doc.file_title, doc.file_year = _title_from_file_name(file_name, body)
    opening = _OPENING.match(split_sentences(body)[0])
    if opening:
        doc.opening_title = opening["title"].strip(" \"'“”")
        year = opening["year"]
        doc.opening_year = int(year) if year and _YEAR.match(year) else None
    doc.directors, doc.writers = _credited_by(body)
    doc.cast = cast_from_prose(body, exclude=doc.directors + doc.header_directors)
    return doc


def _split_list(value: str) -> list[str]:
    return [part for part in _LIST_SPLIT.split(value.strip()) if part]


def _title_from_file_name(file_name: str, body: str) -> tuple[str | None, int | None]:
    stem = Path(file_name).stem
    stem = _FILE_PREFIX.sub("", _FILE_SUFFIX.sub("", stem))
    year = None
    match = _FILE_YEAR.search(stem)
    if match:
        year = int(match["year"])
        stem = stem[: match.start()]
    words = " ".join(re.split(r"[-_]+", stem)).strip()
    if not title_key(words):
        return None, year
    return _as_written(words, body) or words.title(), year


def _as_written(words: str, body: str) -> str | None:
    """The title as the prose spells it (``heat`` -> ``Heat``), when the prose uses it."""
    wanted = title_key(words)
    tokens = re.findall(r"\S+", body[:2000])
    width = len(wanted.split())
    for i in range(len(tokens)):
        for extra in (0, 1):  # allow one word of punctuation-only difference
            candidate = " ".join(tokens[i : i + width + extra]).strip(",.;:!?\"'“”()")
            if title_key(candidate) == wanted:
                return candidate
    return None


def _names(text: str) -> list[tuple[str, int]]:
    """Capitalised names (two to four words) in ``text`` with their positions."""
    found = []
    for match in _NAME_ONLY.finditer(text):
        name, position = _trim_name(match[0], match.start())
        if name:
            found.append((name, position))
    return found


def _trim_name(name: str, position: int) -> tuple[str | None, int]:
    words = name.split()
    while words and fold(words[0]) in _NOT_NAME_START:
        position += name.index(words[1]) if len(words) > 1 else 0
        name = name[name.index(words[1]) :] if len(words) > 1 else ""
        words = words[1:]
    # A possessive ends the name before it ("Neil’s loyal right hand").
    for i, word in enumerate(words):
        if word.endswith(("’s", "'s")):
            words = words[:i]
            break
    if len(words) < 2:
        return None, position
    return " ".join(words), position


def _credited_by(body: str) -> tuple[list[str], list[str]]:
    directors: list[str] = []
    writers: list[str] = []
    for match in _CREDITED_BY.finditer(body):
        names = [name for name, _ in _names(match["names"])]
        what = match["what"].lower()
        if "direct" in what:
            directors += [n for n in names if n not in directors]
        if "writ" in what:
            writers += [n for n in names if n not in writers]
    return directors, writers


def cast_from_prose(body: str, exclude: Iterable[str] = ()) -> list[tuple[str, str | None]]:
    """(actor, character) pairs the prose names, in order of first mention."""
    excluded = {name_key(n) for n in exclude}
    mentions: dict[str, CastMention] = {}

    def mention(actor: str, character: str | None, position: int) -> None:
        key = name_key(actor)
        if not key or key in excluded:
            return
        if character:
            excluded.add(name_key(character))  # a character is nobody's actor
            mentions.pop(name_key(character), None)
        known = mentions.get(key)
        if known is None:
            mentions[key] = CastMention(actor, character, position)
        elif known.character is None and character:
            mentions[key] = CastMention(known.actor, character, known.position)

    for match in _CHARACTER_THEN_ACTOR.finditer(body):
        character = _trim_character(match["character"])
        if character:
            mention(match["actor"], character, match.start("actor"))
    offset = 0
    for sentence in split_sentences(body):
        at = body.find(sentence[:40], offset)
        at = offset if at < 0 else at
        offset = at
        castish = bool(_CASTISH.search(sentence))
        for match in _ACTOR_AS.finditer(sentence):
            actor, position = _trim_name(match["actor"], at + match.start())
            rest = match["rest"]
            character = _trim_character(rest) if rest else None
            if actor and (character or castish):
                mention(actor, character, position)
        if castish:
            for name, position in _names(sentence):
                before = sentence[:position].split()
                if not before or fold(before[-1]) not in _NOT_AFTER:
                    mention(name, None, at + position)
    ordered = sorted(mentions.values(), key=lambda m: m.position)
    return [(m.actor, m.character) for m in ordered]


def _trim_character(text: str) -> str | None:
    words = text.split()
    while words and fold(words[0]) in _NOT_NAME_START:
        words = words[1:]
    if not words or any(w.endswith(("’s", "'s")) for w in words):
        return None
    return " ".join(words)


# Importing ---------------------------------------------------------------------------------------
def document_paths(source: Path) -> list[Path]:
    if source.is_file():
        return [source]
    return sorted(p for p in source.glob("*.txt") if p.is_file())


def import_size(source: Path) -> int:
    return file_size(document_paths(source))


def import_reviews(db_path: Path, source: Path, progress: Progress | None = None) -> ImportReport:
    """Import one document or every ``*.txt`` in a directory, in one transaction."""
    report = ImportReport(f"reviews {source}")
    paths = document_paths(source)
    if not paths:
        report.notes.append("no review documents (*.txt) found")
        return report
    conn = bulk.connect(db_path)
    try:
        with bulk.transaction(conn):
            for path in paths:
                report.read += 1
                _import_one(conn, path, report)
                if progress:
                    progress(path.stat().st_size)
            bulk.refresh_search_index(conn, report.touched)
    finally:
        conn.close()
    return report


def _import_one(conn: sqlite3.Connection, path: Path, report: ImportReport) -> None:
    try:
        doc = parse_document(path.read_text(encoding="utf-8"), path.name)
    except UnicodeDecodeError as error:
        report.reject(None, f"{path.name}: not UTF-8 ({error.reason} at byte {error.start})")
        return
    except NotAReview as error:
        report.reject(None, f"{path.name}: {error}")
        return
    with bulk.savepoint(conn):
        film_id, outcome = run(conn, attach_document(doc))
    report.tally(outcome, film_id)


def attach_document(doc: ReviewDocument, *, now: int | None = None) -> Steps[tuple[int, str]]:
    """Find (or create) the document's film, add what it says, store the review.

    Returns the film's id and ``added`` (a new review), ``updated`` (the review or the film
    changed) or ``unchanged``.
    """
    candidates = doc.title_candidates()
    if not candidates:
        raise NotAReview("no Title:, file name or opening sentence names the film")
    film_id = None
    for title, year in candidates:
        film_id = yield from find_film_id(title, year)
        if film_id is not None:
            break
    changed = 0
    if film_id is None:
        title, year = candidates[0]
        film_id = yield from insert_film(NewFilm(title=title, year=year))
        changed += 1
    changed += yield from tag_film(film_id, doc.genres)
    changed += yield from add_details(film_id, NewFilm("", None, directors=doc.header_directors))
    for role, names in [("director", doc.directors), ("writer", doc.writers)]:
        rows = yield (
            "SELECT 1 FROM credits WHERE film_id = ? AND role = ? LIMIT 1",
            (film_id, role),
        )
        if rows:
            continue
        for billing, name in enumerate(names, start=1):
            person = yield from person_id(name)
            if person is not None:
                changed += yield from credit(film_id, person, role, None, billing)
    if doc.cast and not (yield from has_credits(film_id, "actor")):
        changed += yield from add_details(film_id, NewFilm("", None, cast=doc.cast))
    review = yield from save_catalog_review(film_id, doc.source, doc.body, doc.author, now=now)
    if review == "added":
        return film_id, "added"
    return film_id, ("updated" if changed or review == "updated" else "unchanged")
