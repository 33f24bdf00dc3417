"""Fixtures shared by every test: a real store on a temporary file, and the shared film data."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from discord import Permissions

from bot import ROOT
from bot.bootstrap import open_store
from bot.client import FilmBot
from bot.localdiscord import Channel, Guild, LocalDiscord, Member, Replies
from bot.settings import Settings
from bot.store import Store

SHARED_DATA = Path(os.environ.get("FILMCLUB_SHARED_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    """An empty store with every migration applied, on a real SQLite file."""
    async with await Store.open(tmp_path / "filmclub.db") as opened:
        yield opened


@pytest.fixture
def shared_data() -> Path:
    """``../shared/data`` (real MovieLens, IMDb, cast and plot files), or skip with the reason."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real film data not found at {SHARED_DATA} (set FILMCLUB_SHARED_DATA)")
    return SHARED_DATA


# End to end: the real FilmBot against the local Discord ---------------------------------------
@dataclass
class BotHarness:
    """A FilmBot running in this process against a local Discord with two servers.

    *Film Club* has ``admin`` (Manage Server) and ``member``; *Cinema Society* has
    ``other_member``. ``owner`` owns the bot's application (and both servers). ``send`` and
    ``slash`` speak as ``member`` in *Film Club* unless told otherwise.
    """

    discord: LocalDiscord
    bot: FilmBot
    store: Store
    guild: Guild
    other_guild: Guild
    owner: Member
    admin: Member
    member: Member
    other_member: Member

    async def send(
        self, content: str, who: Member | str | None = None, where: Guild | Channel | None = None
    ) -> Replies:
        return await self.discord.send(where or self.guild, who or self.member, content)

    async def slash(
        self,
        command: str,
        /,
        who: Member | str | None = None,
        where: Guild | Channel | None = None,
        **options: Any,
    ) -> Replies:
        return await self.discord.slash(where or self.guild, who or self.member, command, **options)


def bot_settings(db_path: Path, **changes: Any) -> Settings:
    """Settings for tests: the default prefix, and a cooldown no test trips by accident."""
    return replace(Settings(db_path=db_path, cooldown_rate=10_000, cooldown_per=1.0), **changes)


@pytest.fixture(scope="session")
def catalog_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store opened as the bot opens one (``open_store``), loaded with the test catalog in
    tests/fixtures/data (two films called Heat, The Heat, Se7en …), built once per session;
    each e2e test works on its own copy of the file."""
    from tests.catalog_fixtures import FIXTURE_DATA

    path = tmp_path_factory.mktemp("template") / "filmclub.db"

    async def build() -> None:
        store = await open_store(bot_settings(path), path, data_dir=FIXTURE_DATA)
        await store.close()

    asyncio.run(build())
    return path


@asynccontextmanager
async def running_bot(db_path: Path, settings: Settings | None = None) -> AsyncIterator[BotHarness]:
    """Start a local Discord with two servers and a FilmBot on the store at ``db_path``."""
    settings = settings or bot_settings(db_path)
    async with LocalDiscord() as discord, await Store.open(db_path) as store:
        guild = discord.add_guild("Film Club")
        other_guild = discord.add_guild("Cinema Society")
        harness_parts = {
            "owner": guild.members[discord.owner.id],
            "admin": discord.add_member(guild, "alice", permissions=Permissions(manage_guild=True)),
            "member": discord.add_member(guild, "bob"),
            "other_member": discord.add_member(other_guild, "carol"),
        }
        async with FilmBot(store=store, settings=settings, guild_ready_timeout=0.01) as bot:
            await discord.run_bot(bot)
            await bot.sync_commands()
            yield BotHarness(discord, bot, store, guild, other_guild, **harness_parts)
            await discord.stop_bot()


@pytest.fixture
async def discord_bot(catalog_template: Path, tmp_path: Path) -> AsyncIterator[BotHarness]:
    """The real FilmBot, in this process, on a copy of the test catalog, through a local
    Discord (see :class:`BotHarness`)."""
    db_path = tmp_path / "filmclub.db"
    shutil.copyfile(catalog_template, db_path)
    async with running_bot(db_path) as harness:
        yield harness
