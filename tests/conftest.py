"""Fixtures shared by every test: a real store on a temporary file, and the shared film data."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import ROOT
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
