"""IMDb TSV import: the real sample, merging with the catalog, bad rows, idempotency."""

from __future__ import annotations

import asyncio
import gzip
import sqlite3
from array import array
from pathlib import Path

import pytest

from bot.importers.imdb import import_imdb
from bot.importers.imdb_parse import SortedIds
from bot.search import resolve_film
from bot.store import Store
from bot.store.films import NewFilm, add_film, film_credits, film_genres
from bot.store.genres import genre_counts
from tests.importers.test_catalog import counts

N = "\\N"
BASICS = (
    "tconst\ttitleType\tprimaryTitle\toriginalTitle\tisAdult\tstartYear\tendYear"
    "\truntimeMinutes\tgenres"
)
PRINCIPALS = "tconst\tordering\tnconst\tcategory\tjob\tcharacters"
NAMES = "nconst\tprimaryName\tbirthYear\tdeathYear\tprimaryProfession\tknownForTitles"


def write_tsv(path: Path, header: str, rows: list[str]) -> None:
    text = "\n".join([header, *rows]) + "\n"
    if path.suffix == ".gz":
        with gzip.open(path, "wt", encoding="utf-8") as out:
            out.write(text)
    else:
        path.write_text(text, encoding="utf-8")


def heat_files(folder: Path, ext: str = ".tsv") -> Path:
    """IMDb rows for Heat (1995) and friends, in IMDb's own format."""
    folder.mkdir(parents=True, exist_ok=True)
    write_tsv(folder / f"title.basics{ext}", BASICS, [
        f"tt0113277\tmovie\tHeat\tHeat\t0\t1995\t{N}\t170\tAction,Crime,Drama",
        f"tt0091183\tmovie\tHeat\tHeat\t0\t1986\t{N}\t101\tAction,Crime,Thriller",
        f"tt0110912\tmovie\tPulp Fiction\tPulp Fiction\t0\t1994\t{N}\t154\tCrime,Drama",
        f"tt0083658\tmovie\tBlade Runner\tBlade Runner\t0\t1982\t{N}\t117\tAction,Drama,Sci-Fi",
        f"tt0118715\tmovie\tThe Big Lebowski\tThe Big Lebowski\t0\t1998\t{N}\t117\tComedy,Crime",
        "tt0903747\ttvSeries\tBreaking Bad\tBreaking Bad\t0\t2008\t2013\t49\tCrime,Drama",
        f"tt0120586\ttvMovie\tAmerican History X\tAmerican History X\t0\t1998\t{N}\t119\tDrama",
    ])  # fmt: skip
    write_tsv(folder / f"title.principals{ext}", PRINCIPALS, [
        f'tt0083658\t1\tnm0000148\tactor\t{N}\t["Rick Deckard"]',
        f"tt0083658\t2\tnm0000631\tdirector\t{N}\t{N}",
        f'tt0110912\t1\tnm0000237\tactor\t{N}\t["Vincent Vega"]',
        f'tt0110912\t2\tnm0000168\tactor\t{N}\t["Jules Winnfield"]',
        f"tt0110912\t3\tnm0000233\tdirector\t{N}\t{N}",
        f'tt0113277\t1\tnm0000199\tactor\t{N}\t["Lt. Vincent Hanna"]',
        f'tt0113277\t2\tnm0000134\tactor\t{N}\t["Neil McCauley"]',
        f'tt0113277\t3\tnm0000174\tactor\t{N}\t["Chris Shiherlis"]',
        f'tt0113277\t4\tnm0000671\tactor\t{N}\t["Michael Cheritto"]',
        f'tt0113277\t5\tnm0000670\tactress\t{N}\t["Charlene Shiherlis", "Charlene"]',
        f"tt0113277\t6\tnm0000520\tdirector\t{N}\t{N}",
        f'tt0118715\t1\tnm0000313\tactor\t{N}\t["The Dude"]',
        f'tt0903747\t1\tnm0186505\tactor\t{N}\t["Walter White"]',
    ])  # fmt: skip
    write_tsv(folder / f"name.basics{ext}", NAMES, [
        f"nm0000134\tRobert De Niro\t1943\t{N}\tactor\ttt0113277",
        f"nm0000148\tHarrison Ford\t1942\t{N}\tactor\ttt0083658",
        f"nm0000168\tSamuel L. Jackson\t1948\t{N}\tactor\ttt0110912",
        "nm0000174\tVal Kilmer\t1959\t2025\tactor\ttt0113277",
        f"nm0000199\tAl Pacino\t1940\t{N}\tactor\ttt0113277",
        f"nm0000233\tQuentin Tarantino\t1963\t{N}\tdirector\ttt0110912",
        f"nm0000237\tJohn Travolta\t1954\t{N}\tactor\ttt0110912",
        f"nm0000313\tJeff Bridges\t1949\t{N}\tactor\ttt0118715",
        f"nm0000520\tMichael Mann\t1943\t{N}\tdirector\ttt0113277",
        f"nm0000631\tRidley Scott\t1937\t{N}\tdirector\ttt0083658",
        f"nm0000670\tAshley Judd\t1968\t{N}\tactress\ttt0113277",
        "nm0000671\tTom Sizemore\t1961\t2023\tactor\ttt0113277",
        f"nm0186505\tBryan Cranston\t1956\t{N}\tactor\ttt0903747",
        f"nm9999999\tNobody Credited\t{N}\t{N}\tactor\t{N}",
    ])  # fmt: skip
    write_tsv(folder / f"title.ratings{ext}", "tconst\taverageRating\tnumVotes", [
        "tt0083658\t8.1\t800000", "tt0110912\t8.9\t2200000", "tt0113277\t8.3\t760000",
    ])  # fmt: skip
    return folder


def run_import(store: Store, folder: Path, **options: object) -> tuple[int, int, int, int]:
    report = import_imdb(store.path, folder, **options)  # type: ignore[arg-type]
    return report.added, report.updated, report.skipped, report.bad


def test_the_real_sample_gives_2000_films_with_their_cast(
    shared_data: Path, tmp_path: Path
) -> None:
    async def empty_store() -> Path:
        async with await Store.open(tmp_path / "imdb.db") as store:
            return store.path

    path = asyncio.run(empty_store())
    report = import_imdb(path, shared_data / "imdb")
    assert (report.read, report.added, report.bad) == (2000, 2000, 0)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM films").fetchone()[0] == 2000
        assert conn.execute("SELECT count(*) FROM people").fetchone()[0] == 10_177
        with_cast = conn.execute(
            "SELECT count(DISTINCT film_id) FROM credits WHERE role = 'actor'"
        ).fetchone()[0]
        assert with_cast > 1300
        # A credit as IMDb has it: tt9806258's first principal is Maya.
        maya = conn.execute(
            "SELECT people.name, credits.character, credits.billing FROM credits "
            "JOIN films ON films.id = credits.film_id JOIN people ON people.id = person_id "
            "WHERE films.imdb_id = 9806258 AND credits.billing = 1"
        ).fetchone()
        assert maya[1:] == ("Maya", 1)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    before = counts(path)
    again = import_imdb(path, shared_data / "imdb", parallel=True)  # the worker process too
    assert (again.added, again.updated, again.bad) == (0, 0, 0)
    assert counts(path) == before


async def test_imdb_merges_with_the_catalog(catalog_store: Store, tmp_path: Path) -> None:
    folder = heat_files(tmp_path / "imdb", ".tsv.gz")
    films_before = await catalog_store.fetchval("SELECT count(*) FROM films")
    people_before = await catalog_store.fetchval("SELECT count(*) FROM people")
    # New: Pulp Fiction, Lebowski, the TV movie. Heat 1995 gains votes. The series is skipped.
    assert await asyncio.to_thread(run_import, catalog_store, folder) == (3, 1, 3, 0)
    assert await catalog_store.fetchval("SELECT count(*) FROM films") == films_before + 3
    heat = await catalog_store.fetchval("SELECT id FROM films WHERE imdb_id = 113277")
    popularity = await catalog_store.fetchval("SELECT popularity FROM films WHERE id = ?", (heat,))
    assert popularity == 760_000
    credits = await film_credits(catalog_store, heat)
    cast = [(c.name, c.character) for c in credits if c.role == "actor"]
    # The catalog's people, now tied to IMDb: nobody twice, the catalog's characters kept.
    assert cast[:2] == [("Al Pacino", "Lt. Vincent Hanna"), ("Robert De Niro", "Neil McCauley")]
    assert len(cast) == len({name for name, _ in cast}) == 6
    assert ("Ashley Judd", "Charlene Shiherlis") in cast
    assert [c.name for c in credits if c.role == "director"] == ["Michael Mann"]
    tied = await catalog_store.fetchall(
        "SELECT name, imdb_id, birth_year FROM people WHERE imdb_id IS NOT NULL ORDER BY imdb_id"
    )
    assert [tuple(r) for r in tied][:3] == [
        ("Robert De Niro", 134, 1943),
        ("Harrison Ford", 148, 1942),
        ("Samuel L. Jackson", 168, 1948),
    ]
    # Only people the imported films credit are new: Travolta, Jackson, Tarantino, Bridges.
    assert await catalog_store.fetchval("SELECT count(*) FROM people") == people_before + 4
    for nobody in ("Bryan Cranston", "Nobody Credited"):
        sql = "SELECT count(*) FROM people WHERE name = ?"
        assert await catalog_store.fetchval(sql, (nobody,)) == 0
    # IMDb's genre names through the taxonomy: Sci-Fi is the catalog's Science Fiction.
    blade = await catalog_store.fetchval("SELECT id FROM films WHERE imdb_id = 83658")
    names = {g.name for g in await film_genres(catalog_store, blade)}
    assert names == {"Science Fiction", "Neo-Noir", "Action", "Drama"}
    assert "Sci-Fi" not in {g.name for g, _ in await genre_counts(catalog_store)}
    # Importing again changes nothing.
    before = counts(catalog_store.path)
    assert await asyncio.to_thread(run_import, catalog_store, folder) == (0, 0, 7, 0)
    assert counts(catalog_store.path) == before


async def test_a_film_not_yet_tied_to_imdb_is_merged_by_title_and_year(
    store: Store, tmp_path: Path
) -> None:
    film = await add_film(store, NewFilm("Pulp Fiction", 1994, cast=[("John Travolta", "Vince")]))
    await asyncio.to_thread(run_import, store, heat_files(tmp_path / "imdb"))
    assert await store.fetchval("SELECT imdb_id FROM films WHERE id = ?", (film,)) == 110912
    assert await store.fetchval("SELECT count(*) FROM films WHERE title = 'Pulp Fiction'") == 1
    cast = [(c.name, c.character) for c in await film_credits(store, film) if c.role == "actor"]
    assert cast == [("John Travolta", "Vince"), ("Samuel L. Jackson", "Jules Winnfield")]


@pytest.mark.parametrize("parallel", [False, True])
def test_bad_rows_are_reported_and_the_rest_imported(tmp_path: Path, parallel: bool) -> None:
    folder = heat_files(tmp_path / "imdb")
    basics = folder / "title.basics.tsv"
    with basics.open("ab") as out:
        out.write(b"tt0000001\tmovie\tTruncated\n")  # line 9: a cut-off row
        out.write(b"tt0000002\tmovie\tToo\tMany\t0\t1990\t\\N\t90\tDrama\textra\n")
        out.write("tt0000003\tmovie\tCaf\xe9\tCaf\xe9\t0\t1990\t\\N\t90\tDrama\n".encode("latin-1"))
        out.write(b"\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\n")  # line 12
        out.write(b"xx0000005\tmovie\tBad id\tBad id\t0\t1990\t\\N\t90\tDrama\n")
        out.write(b"tt0000006\tmovie\tGood after bad\tGood after bad\t0\t1990\t\\N\t\\N\t\\N")
    with (folder / "title.principals.tsv").open("a") as out:
        out.write("tt0113277\t7\n")
    path = tmp_path / "bad.db"

    async def empty_store() -> None:
        async with await Store.open(path):
            pass

    asyncio.run(empty_store())
    report = import_imdb(path, folder, parallel=parallel)
    assert report.bad == 6
    assert report.added == 7  # the six good films, and "Good after bad" (no final newline)
    lines = sorted((bad.line, bad.reason.split(": ", 1)[1]) for bad in report.examples)
    assert lines == [
        (9, "3 fields, expected 9"),
        (10, "10 fields, expected 9"),
        (11, "not UTF-8"),
        (12, "'\\\\N' is not an IMDb tt id"),
        (13, "'xx0000005' is not an IMDb tt id"),
    ]
    assert report.read == 7 + 6 + 1
    with sqlite3.connect(path) as conn:
        titles = {r[0] for r in conn.execute("SELECT title FROM films")}
    assert "Good after bad" in titles and "Truncated" not in titles


async def test_imported_films_are_found_by_search_at_once(store: Store, tmp_path: Path) -> None:
    await asyncio.to_thread(run_import, store, heat_files(tmp_path / "imdb"))
    lebowski = await resolve_film(store, "the big lebowksi")  # a typo: the word index has it
    assert lebowski.film.label == "The Big Lebowski (1998)"


def test_sorted_ids_find_the_known_ids_in_a_batchs_range() -> None:
    """The writer looks for titles already here only among the known ids in a batch's range."""
    known = SortedIds(array("q", [900, 5, 77, 300]), array("q", [4, 1, 2, 3]))
    assert known.between(6, 300) == {77, 300}
    assert known.between(901, 10_000) == set()
    assert [known.get(key) for key in (5, 77, 300, 900, 6)] == [1, 2, 3, 4, None]
