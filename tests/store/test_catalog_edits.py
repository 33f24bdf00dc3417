"""Admins' catalog changes in the store: one transaction with their audit entry, safe to
retry when another process held the lock."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.errors import FilmExists
from bot.store import Store
from bot.store.audit import Editor, audit_entries
from bot.store.catalog_edits import FilmCorrection, add_film_audited, correct_film
from bot.store.films import NewFilm
from tests.faults import store_locked_by_another_process

ALICE = Editor(guild_id=10, member_id=20, member_name="alice")
BOB = Editor(guild_id=11, member_id=21, member_name="bob")


async def test_a_change_and_its_audit_entry_land_together(store: Store) -> None:
    film = await add_film_audited(store, NewFilm("Heat", 1995, runtime=170), ALICE)
    _, changes = await correct_film(store, film.id, FilmCorrection(runtime=171), BOB)
    assert [c.text for c in changes] == ["runtime 170 → 171"]
    newest, first = await audit_entries(store)
    assert (newest.action, newest.member_name, newest.guild_id) == ("editfilm", "bob", 11)
    assert (first.action, first.film, first.film_id) == ("addfilm", "Heat (1995)", film.id)
    assert [e.action for e in await audit_entries(store, guild_id=10)] == ["addfilm"]
    with pytest.raises(FilmExists):
        await add_film_audited(store, NewFilm("heat", 1995), BOB)
    assert len(await audit_entries(store)) == 2  # nothing recorded for what did not happen


async def test_a_change_waits_out_another_processes_lock_and_lands_once(tmp_path: Path) -> None:
    async with await Store.open(tmp_path / "x.db", busy_wait=10) as store:
        async with store_locked_by_another_process(store.path) as holder:
            adding = asyncio.create_task(add_film_audited(store, NewFilm("Heat", 1995), ALICE))
            await asyncio.sleep(0.4)  # a few attempts fail on the lock meanwhile
            await holder.release()
            film = await asyncio.wait_for(adding, 10)
        assert await store.fetchval("SELECT count(*) FROM films") == 1
        assert [e.film_id for e in await audit_entries(store)] == [film.id]
