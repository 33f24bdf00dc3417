"""A small catalog in the bundled format (tests/fixtures/data) and a store loaded with it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.bootstrap import load_bundled
from bot.store import Store
from tests.conftest import SHARED_DATA

FIXTURE_DATA = Path(__file__).parent / "fixtures" / "data"


@pytest.fixture
async def catalog_store(tmp_path: Path) -> AsyncIterator[Store]:
    """A store loaded with the test catalog: two films called Heat, The Heat, Se7en …"""
    async with await Store.open(tmp_path / "filmclub.db") as opened:
        await load_bundled(opened.path, FIXTURE_DATA)
        yield opened


@pytest.fixture
def seed_review() -> Path:
    """The user's own example review document, ``../shared/seeds/heat-review.txt``."""
    path = SHARED_DATA.parent / "seeds" / "heat-review.txt"
    if not path.is_file():
        pytest.skip(f"the seed review document is not at {path}")
    return path
