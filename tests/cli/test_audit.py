"""``filmclub db audit``: the catalog's changes, newest first, one line each."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.store import Store
from bot.store.audit import Editor
from bot.store.catalog_edits import FilmCorrection, add_cast_member, add_film_audited, correct_film
from bot.store.films import NewFilm


async def _changes(path: Path) -> None:
    async with await Store.open(path) as store:
        alice, bob = Editor(10, 20, "alice"), Editor(11, 21, "bob")
        film = await add_film_audited(store, NewFilm("Heat", 1995, runtime=170), alice)
        await correct_film(store, film.id, FilmCorrection(runtime=171), bob)
        await add_cast_member(store, film.id, "Al Pacino", "Vincent Hanna", 1, alice)


def test_db_audit_lists_who_changed_what_newest_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "filmclub.db"
    monkeypatch.setenv("FILMCLUB_DB", str(path))
    monkeypatch.chdir(tmp_path)
    assert main(["db", "audit"]) == 1  # no store yet
    asyncio.run(_changes(path))
    capsys.readouterr()
    assert main(["db", "audit"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert lines[0].endswith(
        "guild 10  alice (20)  addcast  Heat (1995)  cast none → Al Pacino as Vincent Hanna "
        "(billed 1)"
    )
    assert lines[1].endswith("guild 11  bob (21)  editfilm  Heat (1995)  runtime 170 → 171")
    assert "  addfilm  Heat (1995)  " in lines[2]
    assert main(["db", "audit", "--guild", "11", "--db", str(path)]) == 0
    assert [line.split("  ")[2] for line in capsys.readouterr().out.splitlines()] == ["bob (21)"]
    assert main(["db", "audit", "--limit", "1"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1
