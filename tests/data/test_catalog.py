"""The bundled catalog in ``data/``: its format, its taxonomy, its review documents, its facts.

The format checks read the TOML and text files directly (not through the importer), so a broken
file is reported here with the file and film it is in. The cross-checks compare every film that
the real data in ``../shared/data`` also knows (MovieLens by IMDb id; the Netflix cast lists by
IMDb id) and fail on any disagreement, listing all of them.
"""

from __future__ import annotations

import csv
import re
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from bot import DATA_DIR
from bot.normalize import fold, name_key, title_key

CATALOG_DIR = DATA_DIR / "catalog"
REVIEWS_DIR = DATA_DIR / "reviews"
GENRES_FILE = DATA_DIR / "genres.toml"

DECADES = range(1920, 2030, 10)
REQUIRED_FIELDS = {
    "title": str,
    "year": int,
    "imdb": str,
    "runtime": int,
    "countries": list,
    "genres": list,
    "directors": list,
    "writers": list,
    "votes": int,
    "cast": dict,
}
OPTIONAL_FIELDS = {"aka": list}
IMDB_ID = re.compile(r"tt\d{7,8}")

# Every genre name IMDb's title.basics and MovieLens's movies.csv use.
# fmt: off
IMDB_GENRES = [
    "Action", "Adult", "Adventure", "Animation", "Biography", "Comedy", "Crime", "Documentary",
    "Drama", "Family", "Fantasy", "Film-Noir", "Game-Show", "History", "Horror", "Music",
    "Musical", "Mystery", "News", "Reality-TV", "Romance", "Sci-Fi", "Short", "Sport",
    "Talk-Show", "Thriller", "War", "Western",
]
MOVIELENS_GENRES = [
    "Action", "Adventure", "Animation", "Children", "Comedy", "Crime", "Documentary", "Drama",
    "Fantasy", "Film-Noir", "Horror", "IMAX", "Musical", "Mystery", "Romance", "Sci-Fi",
    "Thriller", "War", "Western",
]
# fmt: on

REVIEW_HEADER_KEYS = {"Genre", "Title", "Year", "Director", "Author", "Source"}
HEADER_LINE = re.compile(r"^(?P<key>[A-Z][A-Za-z]*):\s*(?P<value>.*?)\s*$")
# `heat-1995.txt`, `heat-review.txt`, `the-dark-knight.txt` -> title words and an optional year.
FILE_NAME = re.compile(r"^(?P<title>.+?)(?:-(?P<year>\d{4}))?(?:-review)?$")


# ---------------------------------------------------------------- loading


@dataclass(frozen=True)
class Film:
    source: str
    data: dict[str, Any]

    @property
    def label(self) -> str:
        return f"{self.data.get('title')} ({self.data.get('year')}) [{self.source}]"

    @property
    def titles(self) -> list[str]:
        return [self.data["title"], *self.data.get("aka", [])]


@cache
def catalog() -> tuple[Film, ...]:
    films = []
    for path in sorted(CATALOG_DIR.glob("*.toml")):
        with path.open("rb") as handle:
            document = tomllib.load(handle)
        assert set(document) <= {"film"}, f"{path.name}: unexpected tables {set(document)}"
        films.extend(Film(path.name, entry) for entry in document.get("film", []))
    return tuple(films)


@cache
def genres() -> dict[str, dict[str, Any]]:
    with GENRES_FILE.open("rb") as handle:
        entries = tomllib.load(handle)["genre"]
    by_name: dict[str, dict[str, Any]] = {}
    for entry in entries:
        assert entry["name"] not in by_name, f"genre {entry['name']} defined twice"
        by_name[entry["name"]] = entry
    return by_name


@cache
def genre_lookup() -> dict[str, str]:
    """Folded name or alias -> genre name."""
    lookup: dict[str, str] = {}
    for name, entry in genres().items():
        for spelling in [name, *entry.get("aliases", [])]:
            lookup.setdefault(fold(spelling), name)
    return lookup


@dataclass
class ReviewDocument:
    path: Path
    header: dict[str, str] = field(default_factory=dict)
    body: str = ""

    @property
    def words(self) -> int:
        return len(self.body.split())


def parse_review(path: Path) -> ReviewDocument:
    """Split a seed-format document into its ``Key: value`` header and its prose."""
    document = ReviewDocument(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines) and (match := HEADER_LINE.match(lines[index])):
        # A prose line can start like `Note: …`; only short lines with a header key count.
        if match["key"] not in REVIEW_HEADER_KEYS and len(lines[index]) > 60:
            break
        document.header[match["key"]] = match["value"]
        index += 1
    document.body = "\n".join(lines[index:]).strip()
    return document


def review_paths() -> list[Path]:
    return sorted(REVIEWS_DIR.glob("*.txt"))


def films_named(title: str) -> list[Film]:
    key = title_key(title)
    return [film for film in catalog() if key in {title_key(t) for t in film.titles}]


@dataclass(frozen=True)
class ReviewedFilm:
    named_by: str  # "header", "file name" or "opening sentence"
    named: str
    films: list[Film]

    @property
    def best_known(self) -> Film:
        return max(self.films, key=lambda film: film.data["votes"])


def reviewed_film(document: ReviewDocument) -> ReviewedFilm:
    """The film a document names: its `Title:`, else its file name, else its opening sentence."""
    year = document.header.get("Year")
    if "Title" in document.header:
        named_by, title = "header", document.header["Title"]
    else:
        match = FILE_NAME.match(document.path.stem)
        assert match is not None
        named_by, title = "file name", match["title"].replace("-", " ")
        year = year or match["year"]
        opening = re.match(r"^(?P<title>.+?)\s+(?:is|was)\s", document.body)
        if not films_named(title) and opening:
            named_by, title = "opening sentence", opening["title"]
    found = films_named(title)
    if year:
        found = [film for film in found if film.data["year"] == int(year)]
    return ReviewedFilm(named_by, f"{title} ({year})" if year else title, found)


# ---------------------------------------------------------------- catalog format


def test_catalog_has_enough_films_in_every_decade() -> None:
    per_decade = Counter(film.data["year"] // 10 * 10 for film in catalog())
    assert len(catalog()) >= 250
    missing = [decade for decade in DECADES if per_decade[decade] == 0]
    assert not missing, f"no films from {missing}"


def test_catalog_files_are_one_per_decade() -> None:
    misplaced = [
        film.label for film in catalog() if film.source != f"{film.data['year'] // 10 * 10}s.toml"
    ]
    assert not misplaced, f"films in the wrong decade file: {misplaced}"


def test_every_film_has_the_required_fields_with_sane_values() -> None:
    problems: list[str] = []
    defined = genres()
    for film in catalog():
        data = film.data
        for name, kind in REQUIRED_FIELDS.items():
            if not isinstance(data.get(name), kind) or not data[name]:
                problems.append(f"{film.label}: {name} missing, empty or not a {kind.__name__}")
        unknown = set(data) - set(REQUIRED_FIELDS) - set(OPTIONAL_FIELDS)
        if unknown:
            problems.append(f"{film.label}: unknown fields {sorted(unknown)}")
        if problems and problems[-1].startswith(film.label):
            continue
        if not 1920 <= data["year"] <= 2026:
            problems.append(f"{film.label}: year out of range")
        if not 40 <= data["runtime"] <= 300:
            problems.append(f"{film.label}: runtime {data['runtime']} out of range")
        if not IMDB_ID.fullmatch(data["imdb"]):
            problems.append(f"{film.label}: bad IMDb id {data['imdb']!r}")
        if data["votes"] < 1000:
            problems.append(f"{film.label}: votes {data['votes']} is not a well-known film's")
        if len(data["cast"]) < 4:
            problems.append(f"{film.label}: only {len(data['cast'])} cast")
        for actor, character in data["cast"].items():
            if not actor.strip() or not isinstance(character, str) or not character.strip():
                problems.append(f"{film.label}: cast {actor!r} has no character")
        names = [*data["genres"], *data["directors"], *data["writers"], *data["countries"]]
        names += data.get("aka", [])
        if not all(isinstance(name, str) and name.strip() for name in names):
            problems.append(f"{film.label}: an empty or non-text name in a list")
        if undefined := [genre for genre in data["genres"] if genre not in defined]:
            problems.append(f"{film.label}: genres not in genres.toml: {undefined}")
        if len(set(data["genres"])) != len(data["genres"]):
            problems.append(f"{film.label}: a genre listed twice")
    assert not problems, "\n".join(problems)


def test_imdb_ids_and_title_years_are_unique() -> None:
    ids = Counter(film.data["imdb"] for film in catalog())
    assert [i for i, n in ids.items() if n > 1] == []
    title_years = Counter((title_key(film.data["title"]), film.data["year"]) for film in catalog())
    assert [ty for ty, n in title_years.items() if n > 1] == []


# Same-title pairs whose IMDb vote counts really are close; the prior still ranks them (the
# more-voted first) and the reply names the other. Every other shared title must be clear-cut.
CLOSE_SHARED_TITLES = {
    "solaris": "Tarkovsky's (1972) and Soderbergh's (2002) both have roughly 100k votes",
    "suspiria": "Argento's (1977) and Guadagnino's (2018) are within a fifth of each other",
}


def test_shared_titles_are_told_apart_by_popularity() -> None:
    """When films share a title, the best-known one must have clearly more votes (the prior)."""
    by_title: dict[str, list[Film]] = defaultdict(list)
    for film in catalog():
        by_title[title_key(film.data["title"])].append(film)
    shared = {key: films for key, films in by_title.items() if len(films) > 1}
    assert {"heat", "crash", "solaris", "scarface", "psycho", "dune", "true grit"} <= set(shared)
    unclear = []
    for key, films in shared.items():
        votes = sorted((film.data["votes"] for film in films), reverse=True)
        margin = 1.0 if key in CLOSE_SHARED_TITLES else 1.5
        if votes[0] <= margin * votes[1]:
            unclear.append([film.label for film in films])
    assert not unclear, f"same-title films with close vote counts: {unclear}"
    heat = {film.data["year"]: film.data["votes"] for film in shared["heat"]}
    assert max(heat, key=heat.__getitem__) == 1995


# ---------------------------------------------------------------- taxonomy


def test_genre_parents_exist_and_the_taxonomy_is_acyclic() -> None:
    defined = genres()
    parents = {name: entry.get("parents", []) for name, entry in defined.items()}
    dangling = {name: p for name, ps in parents.items() for p in ps if p not in defined}
    assert not dangling, f"parents that are not genres: {dangling}"

    def ancestors(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, f"genre cycle: {' -> '.join((*path, name))}"
        for parent in parents[name]:
            ancestors(parent, (*path, name))

    for name in defined:
        ancestors(name, ())


def test_genre_names_and_aliases_never_collide() -> None:
    seen: dict[str, str] = {}
    collisions = []
    for name, entry in genres().items():
        for spelling in {fold(s) for s in [name, *entry.get("aliases", [])]}:
            if spelling in seen:
                collisions.append(f"{spelling!r}: {seen[spelling]} and {name}")
            seen[spelling] = name
    assert not collisions, collisions


@pytest.mark.parametrize("source", ["IMDb", "MovieLens"])
def test_every_imdb_and_movielens_genre_resolves(source: str) -> None:
    names = IMDB_GENRES if source == "IMDb" else MOVIELENS_GENRES
    assert [name for name in names if fold(name) not in genre_lookup()] == []


def test_loose_genre_names_resolve_to_the_expected_genre() -> None:
    lookup = genre_lookup()
    expected = {
        "sci-fi": "Science Fiction",
        "scifi": "Science Fiction",
        "Sci Fi": "Science Fiction",
        "science-fiction": "Science Fiction",
        "Children": "Family",
        "noir": "Film-Noir",
        "neo noir": "Neo-Noir",
        "rom-com": "Romantic Comedy",
        "kung fu": "Martial Arts",
        "heist": "Heist Drama",
    }
    assert {typed: lookup.get(fold(typed)) for typed in expected} == expected
    assert "Film-Noir" in genres()["Neo-Noir"]["parents"]


def test_the_catalog_uses_the_taxonomy_broadly() -> None:
    used = Counter(genre for film in catalog() for genre in film.data["genres"])
    sub_genres = [name for name in used if genres()[name].get("parents")]
    assert len(used) >= 60, f"only {len(used)} genres used"
    assert len(sub_genres) >= 40
    heat = next(f for f in catalog() if f.data["imdb"] == "tt0113277")
    assert heat.data["genres"] == ["Crime Thriller", "Heist Drama", "Neo-Noir"]


def test_the_catalog_spans_many_countries() -> None:
    countries = Counter(c for film in catalog() for c in film.data["countries"])
    wanted = {
        "United States", "United Kingdom", "France", "Italy", "Germany", "Japan", "South Korea",
        "Hong Kong", "India", "Mexico", "Brazil", "Iran", "Sweden", "Denmark", "Soviet Union",
    }  # fmt: skip
    assert wanted <= set(countries), f"missing: {wanted - set(countries)}"


# ---------------------------------------------------------------- review documents


def test_there_are_enough_review_documents() -> None:
    assert len(review_paths()) >= 12


@pytest.mark.parametrize("path", review_paths(), ids=lambda path: path.name)
def test_review_document_parses_and_names_a_catalog_film(path: Path) -> None:
    document = parse_review(path)
    assert set(document.header) <= REVIEW_HEADER_KEYS, document.header
    assert 250 <= document.words <= 600, f"{document.words} words"
    assert len([p for p in document.body.split("\n") if p.strip()]) >= 3, "fewer than 3 paragraphs"
    reviewed = reviewed_film(document)
    assert reviewed.films, f"{path.name} names {reviewed.named!r}, which is not in the catalog"
    film = reviewed.best_known
    for genre in document.header.get("Genre", "").split(" | "):
        if genre:
            assert fold(genre) in genre_lookup(), f"unknown genre {genre!r}"
    if "Director" in document.header:
        assert document.header["Director"] in film.data["directors"]


def test_reviews_cover_same_title_films_and_the_required_ones() -> None:
    reviewed = set()
    for path in review_paths():
        reviewed.add(reviewed_film(parse_review(path)).best_known.data["imdb"])
    required = {
        "tt0113277": "Heat (1995)",
        "tt0093164": "Heat (1986)",
        "tt0115964": "Crash (1996)",
        "tt0375679": "Crash (2004)",
        "tt0468569": "The Dark Knight",
        "tt0211915": "Amélie",
        "tt0114369": "Se7en",
        "tt0068646": "The Godfather",
        "tt0047478": "Seven Samurai",
        "tt0245429": "Spirited Away",
        "tt6751668": "Parasite",
    }
    assert {i: t for i, t in required.items() if i not in reviewed} == {}


def test_reviews_use_every_way_of_naming_their_film() -> None:
    documents = [parse_review(path) for path in review_paths()]
    named_by = Counter(reviewed_film(document).named_by for document in documents)
    assert set(named_by) == {"header", "file name", "opening sentence"}, named_by
    assert any(set(document.header) == {"Genre"} for document in documents)
    assert any(not document.header for document in documents)


def test_reviews_contain_text_that_tests_sentence_splitting() -> None:
    text = "\n".join(parse_review(path).body for path in review_paths())
    for needle in ("Lt. ", "Dr. ", "U.S.", "/10", "“"):
        assert needle in text, needle
    assert re.search(r"\(\w[\w .'-]+\)", text), "no `Character (Actor)` mention"
    assert re.search(r"\b[A-Z]\w+ [A-Z]\w+ as [A-Z]", text), "no `Actor as Character` mention"
    assert "Directed by " in text


def test_reviews_are_not_copied_from_the_seed(shared_data: Path) -> None:
    seed = (shared_data.parent / "seeds" / "heat-review.txt").read_text(encoding="utf-8")

    def shingles(text: str) -> set[tuple[str, ...]]:
        words = fold(text).split()
        return {tuple(words[i : i + 8]) for i in range(len(words) - 7)}

    seed_shingles = shingles(seed)
    copied = {
        path.name: len(shingles(path.read_text(encoding="utf-8")) & seed_shingles)
        for path in review_paths()
    }
    assert {name: n for name, n in copied.items() if n} == {}


# ---------------------------------------------------------------- cross-checks with real data

# Where the real data is itself wrong, the one field it gets wrong is skipped for that film, with
# the reason; every other field of that film, and every other film, is still checked. Keys are
# IMDb ids.
MOVIELENS_EXCEPTIONS: dict[str, tuple[str, str]] = {
    "tt0037558": ("year", "Brief Encounter premiered in November 1945; MovieLens has 1946"),
    "tt0060107": (
        "year",
        "Andrei Rublev was completed in 1966; MovieLens has its 1969 Cannes date",
    ),
    "tt0095765": ("year", "Cinema Paradiso opened in Italy in 1988; MovieLens has 1989"),
    "tt0118849": ("title", "MovieLens adds an article: 'Children of Heaven, The'"),
}
NETFLIX_EXCEPTIONS: dict[str, tuple[str, str]] = {}
# Netflix's runtimes are its own cuts'; a few minutes either way is the same film.
RUNTIME_TOLERANCE = 5


def movielens_title_keys(raw: str) -> tuple[set[str], int | None]:
    """``Seven (a.k.a. Se7en) (1995)`` -> ({'seven', 'se7en'}, 1995)."""
    title, year = raw.strip(), None
    if match := re.fullmatch(r"(?P<rest>.*?)\s*\((?P<year>\d{4})(?:[–-]\d{0,4})?\)", title):
        title, year = match["rest"], int(match["year"])
    alternatives = []
    while match := re.fullmatch(r"(?P<rest>.+?)\s*\((?P<alt>[^()]*)\)", title):
        alternatives.append(re.sub(r"^a\.k\.a\.\s*", "", match["alt"]))
        title = match["rest"]
    return {title_key(t) for t in [title, *alternatives]}, year


def read_csv(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


@cache
def movielens_by_imdb(root: Path) -> dict[str, str]:
    titles = {row["movieId"]: row["title"] for row in read_csv(root / "movies.csv")}
    return {
        f"tt{row['imdbId']}": titles[row["movieId"]]
        for row in read_csv(root / "links.csv")
        if row["movieId"] in titles
    }


def movielens_disagreements(shared_data: Path) -> tuple[int, list[str]]:
    known = movielens_by_imdb(shared_data / "movielens")
    covered, problems = 0, []
    for film in catalog():
        raw = known.get(film.data["imdb"])
        if raw is None:
            continue
        covered += 1
        skipped, _reason = MOVIELENS_EXCEPTIONS.get(film.data["imdb"], ("", ""))
        keys, year = movielens_title_keys(raw)
        if skipped != "title" and not keys & {title_key(t) for t in film.titles}:
            problems.append(f"{film.label} {film.data['imdb']}: MovieLens title {raw!r}")
        if skipped != "year" and year is not None and year != film.data["year"]:
            problems.append(f"{film.label} {film.data['imdb']}: MovieLens year {raw!r}")
    return covered, problems


@dataclass(frozen=True)
class NetflixTitle:
    title: str
    year: int | None
    runtime: int | None
    characters: dict[str, list[str]]  # name_key(actor) -> characters played


@cache
def netflix_by_imdb(root: Path) -> dict[str, NetflixTitle]:
    characters: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in read_csv(root / "credits.csv"):
        if row["role"] == "ACTOR" and row["character"].strip():
            characters[row["title_id"]][name_key(row["name"])].append(row["character"])
    return {
        row["imdb_id"]: NetflixTitle(
            title=row["title"],
            year=int(row["release_year"]) if row["release_year"] else None,
            runtime=int(row["runtime"]) if row["runtime"].strip() not in ("", "0") else None,
            characters=dict(characters.get(row["id"], {})),
        )
        for row in read_csv(root / "titles.csv")
        if row["type"] == "MOVIE" and row["imdb_id"]
    }


QUOTED_NICKNAME = re.compile(r"\s*[\"'“‘][^\"'”’]+[\"'”’]\s*")


def same_character(ours: str, theirs: str) -> bool:
    """Case, punctuation and quoted nicknames (`Stanislaus "Kat" Katczinsky`) aside: equal, one
    inside the other (whole words), or sharing a part of a `/` list (`Bruce Wayne / Batman`)."""
    for a_text in {ours, QUOTED_NICKNAME.sub(" ", ours)}:
        for b_text in {theirs, QUOTED_NICKNAME.sub(" ", theirs)}:
            a, b = f" {fold(a_text)} ", f" {fold(b_text)} "
            if not a.strip() or not b.strip() or a in b or b in a:
                return True
    parts_a = {fold(part) for part in ours.split("/")} - {""}
    parts_b = {fold(part) for part in theirs.split("/")} - {""}
    return bool(parts_a & parts_b)


def netflix_disagreements(shared_data: Path) -> tuple[int, int, list[str]]:
    known = netflix_by_imdb(shared_data / "cast")
    films_covered, pairs_covered, problems = 0, 0, []
    for film in catalog():
        entry = known.get(film.data["imdb"])
        if entry is None:
            continue
        films_covered += 1
        skipped, _reason = NETFLIX_EXCEPTIONS.get(film.data["imdb"], ("", ""))
        label = f"{film.label} {film.data['imdb']}"
        if skipped != "year" and entry.year is not None and entry.year != film.data["year"]:
            problems.append(f"{label}: Netflix year {entry.year} ({entry.title})")
        off_by = abs((entry.runtime or film.data["runtime"]) - film.data["runtime"])
        if skipped != "runtime" and off_by > RUNTIME_TOLERANCE:
            problems.append(f"{label}: runtime {film.data['runtime']}, Netflix {entry.runtime}")
        for actor, character in film.data["cast"].items():
            theirs = entry.characters.get(name_key(actor))
            if not theirs or skipped == f"cast:{actor}":
                continue
            pairs_covered += 1
            if not any(same_character(character, other) for other in theirs):
                problems.append(f"{label}: {actor} plays {character!r}, Netflix says {theirs}")
    return films_covered, pairs_covered, problems


def test_catalog_agrees_with_movielens_on_title_and_year(shared_data: Path) -> None:
    _covered, problems = movielens_disagreements(shared_data)
    assert not problems, "disagreements with MovieLens:\n" + "\n".join(problems)


def test_catalog_agrees_with_the_netflix_cast_lists(shared_data: Path) -> None:
    _films, _pairs, problems = netflix_disagreements(shared_data)
    assert not problems, "disagreements with the Netflix cast lists:\n" + "\n".join(problems)


def test_cross_checks_cover_enough_of_the_catalog(
    shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    movielens, _ = movielens_disagreements(shared_data)
    netflix_films, netflix_pairs, _ = netflix_disagreements(shared_data)
    with capsys.disabled():
        print(
            f"\ncatalog cross-checks: {len(catalog())} films; MovieLens covers {movielens}; "
            f"Netflix covers {netflix_films} films and {netflix_pairs} actor-character pairs"
        )
    assert movielens >= 150
    assert netflix_films >= 15
    assert netflix_pairs >= 40


def test_the_title_parser_reads_movielens_forms() -> None:
    assert movielens_title_keys("Godfather, The (1972)") == ({"the godfather"}, 1972)
    assert movielens_title_keys("Seven (a.k.a. Se7en) (1995)") == ({"seven", "se7en"}, 1995)
    keys, year = movielens_title_keys("City of God (Cidade de Deus) (2002)")
    assert keys == {"city of god", "cidade de deus"} and year == 2002
    assert same_character("Lt. Vincent Hanna", "Vincent Hanna")
    assert same_character("Bruce Wayne", "Bruce Wayne / Batman")
    assert same_character("Stanislaus Katczinsky", 'Stanislaus "Kat" Katczinsky')
    assert same_character("Batman / Bruce Wayne", "Bruce Wayne / Batman")
    assert not same_character("Al", "Walter")
    assert not same_character("Neil McCauley", "Vincent Hanna")
