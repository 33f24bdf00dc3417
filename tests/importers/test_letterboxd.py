"""A member's Letterboxd export as their ratings in one server."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.importers.letterboxd import import_letterboxd
from bot.store import Store

EXPORT = """Date,Name,Year,Letterboxd URI,Rating
2024-01-05,Heat,1995,https://boxd.it/2bQ8,4.5
2024-01-06,Heat,1986,https://boxd.it/1xYz,2
2024-01-07,"Heat, The",2013,https://boxd.it/5aB1,3
2024-01-08,Se7en,1995,https://boxd.it/29Kc,5
2024-01-09,Amelie,2001,https://boxd.it/2a3f,0.5
2024-01-10,Blade Runner,1983,https://boxd.it/2b0s,4
2024-01-11,Double Indemnity,1944,https://boxd.it/1z9z,
2024-01-12,Not In The Catalog,1999,https://boxd.it/zzzz,3
2024-01-13,Heat,1995,https://boxd.it/2bQ8
2024-01-14,Se7en,1995,https://boxd.it/29Kc,7
"""


async def _ratings(store: Store, guild: int, member: int) -> dict[str, float]:
    rows = await store.fetchall(
        "SELECT films.title || ' ' || films.year AS film, score FROM ratings "
        "JOIN films ON films.id = film_id WHERE guild_id = ? AND member_id = ?",
        (guild, member),
    )
    return {r["film"]: r["score"] for r in rows}


async def test_a_letterboxd_export_rates_films_for_one_member(
    catalog_store: Store, tmp_path: Path
) -> None:
    export = tmp_path / "ratings.csv"
    export.write_text(EXPORT)
    report = await asyncio.to_thread(import_letterboxd, catalog_store.path, export, 10, 20)
    assert await _ratings(catalog_store, 10, 20) == {
        "Heat 1995": 9.0,
        "Heat 1986": 4.0,
        "The Heat 2013": 6.0,
        "Se7en 1995": 10.0,
        "Amélie 2001": 1.0,  # accents folded away, as everywhere
        "Blade Runner 1982": 8.0,  # a year off by one is the same film
    }
    assert (report.read, report.added, report.bad) == (10, 6, 2)
    assert report.skipped == 2  # no stars; not in the store
    assert "Not In The Catalog (1999) [line 9]" in report.notes[0]
    assert sorted(b.line for b in report.examples) == [10, 11]  # 4 fields; 7 stars
    # Another server and another member see nothing of it.
    assert await _ratings(catalog_store, 11, 20) == {}
    assert (
        await catalog_store.fetchval(
            "SELECT n FROM film_stats WHERE guild_id = 10 AND film_id = "
            "(SELECT id FROM films WHERE imdb_id = 113277)"
        )
        == 1
    )
    # Again: nothing changes; a changed rating replaces the old one.
    again = await asyncio.to_thread(import_letterboxd, catalog_store.path, export, 10, 20)
    assert (again.added, again.updated, again.skipped) == (0, 0, 8)
    export.write_text(
        EXPORT.replace("Heat,1995,https://boxd.it/2bQ8,4.5", "Heat,1995,https://boxd.it/2bQ8,3.5")
    )
    changed = await asyncio.to_thread(import_letterboxd, catalog_store.path, export, 10, 20)
    assert (changed.added, changed.updated) == (0, 1)
    assert (await _ratings(catalog_store, 10, 20))["Heat 1995"] == 7.0
    assert await catalog_store.fetchval("SELECT count(*) FROM ratings") == 6
