"""``filmclub db …`` and ``filmclub import …`` as a person runs them."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import aiosqlite
import pytest

from bot.__main__ import main
from bot.store import latest_version, migrate


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "store" / "filmclub.db"
    monkeypatch.setenv("FILMCLUB_DB", str(path))
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    return path


def count(path: Path, sql: str) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute(sql).fetchone()[0])


def test_db_init_creates_the_store_with_the_bundled_catalog(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "init"]) == 0
    films = count(db, "SELECT count(*) FROM films")
    assert films >= 250
    out = capsys.readouterr().out
    assert "films" in out and f"{films:,}" in out
    assert count(db, "SELECT count(*) FROM reviews WHERE guild_id IS NULL") >= 12
    assert main(["db", "init"]) == 0  # a second time changes nothing
    assert count(db, "SELECT count(*) FROM films") == films


def test_import_imdb_then_stats_shows_the_films_with_their_cast(
    db: Path, shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "init"]) == 0
    bundled = count(db, "SELECT count(*) FROM films")
    assert main(["import", "imdb", str(shared_data / "imdb")]) == 0
    out = capsys.readouterr().out
    assert "2,000 read, 2,000 added" in out
    assert count(db, "SELECT count(*) FROM films") == bundled + 2000
    assert main(["db", "stats"]) == 0
    stats = capsys.readouterr().out
    with_cast = count(db, "SELECT count(DISTINCT film_id) FROM credits WHERE role = 'actor'")
    total = count(db, "SELECT count(*) FROM films")
    assert f"{total:,}" in stats and f"{with_cast:,}" in stats and "films with cast" in stats


def test_db_backup_is_a_consistent_copy(db: Path, tmp_path: Path) -> None:
    assert main(["db", "init"]) == 0
    copy = tmp_path / "backup.db"
    assert main(["db", "backup", str(copy)]) == 0
    assert count(copy, "SELECT count(*) FROM films") == count(db, "SELECT count(*) FROM films")
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert main(["db", "backup", str(db)]) == 1  # never over the store itself


def test_db_migrate_brings_an_old_store_up_to_date(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async def version_one() -> None:
        async with aiosqlite.connect(db, isolation_level=None) as conn:
            await migrate(conn, target=1)

    db.parent.mkdir(parents=True)
    asyncio.run(version_one())
    assert main(["db", "migrate"]) == 0
    assert count(db, "PRAGMA user_version") == latest_version()
    assert f"schema 1 -> {latest_version()}" in capsys.readouterr().out
    assert main(["db", "migrate"]) == 0
    assert "nothing to do" in capsys.readouterr().out


def test_import_errors_are_one_line(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "imdb", str(tmp_path / "nowhere")]) == 1
    assert "no title.basics" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # argparse: --guild and --member are required
        main(["import", "letterboxd", str(tmp_path / "ratings.csv")])
    assert main(["db", "stats", "--db", str(tmp_path / "missing.db")]) == 1
    assert "no store at" in capsys.readouterr().err


def test_import_letterboxd_rates_for_the_member(db: Path, tmp_path: Path) -> None:
    export = tmp_path / "ratings.csv"
    export.write_text("Date,Name,Year,Letterboxd URI,Rating\n2024-01-05,Heat,1995,u,4.5\n")
    assert main(["import", "letterboxd", str(export), "--guild", "1", "--member", "2"]) == 0
    assert count(db, "SELECT score FROM ratings WHERE guild_id = 1 AND member_id = 2") == 9
