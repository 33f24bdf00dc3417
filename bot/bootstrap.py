"""Opening the store the bot and the CLI use: created, migrated, and on first use loaded with
the bundled catalog and review documents."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from bot import DATA_DIR
from bot.importers.catalog import import_catalog
from bot.importers.common import ImportReport
from bot.importers.reviews import import_reviews
from bot.settings import Settings
from bot.store import Store, pools

log = logging.getLogger(__name__)


async def open_store(
    settings: Settings, path: Path | None = None, *, data_dir: Path = DATA_DIR
) -> Store:
    """Open (creating and migrating) the store; a store without films gets the bundled data,
    one from before the candidate pools (migration 0004) gets its pools built."""
    store = await Store.open(path or settings.db_path, synchronous=settings.db_synchronous)
    try:
        if not await store.fetchval("SELECT EXISTS (SELECT 1 FROM films)"):
            for report in await load_bundled(store.path, data_dir):
                for line in report.lines():
                    log.info("%s", line)
        elif not await pools.pools_built(store):
            log.info("building the genre and decade pools of the catalog (once)")
            await asyncio.to_thread(pools.rebuild_at, store.path)
    except BaseException:
        await store.close()
        raise
    return store


async def load_bundled(db_path: Path, data_dir: Path = DATA_DIR) -> list[ImportReport]:
    """The catalog and review documents in ``data_dir``, imported in a worker thread."""
    reports = [await asyncio.to_thread(import_catalog, db_path, data_dir)]
    if (data_dir / "reviews").is_dir():
        reports.append(await asyncio.to_thread(import_reviews, db_path, data_dir / "reviews"))
    return reports
