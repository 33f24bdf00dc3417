"""Cached summaries: whose summary a server reads, and claims that keep stale ones out."""

from __future__ import annotations

from bot.store import Store, summary_cache
from bot.store.database import now

GUILD = 1_000_000_000_000_001
OTHER_GUILD = 1_000_000_000_000_002


async def _film(store: Store, imdb: int) -> int:
    return int(await store.fetchval("SELECT id FROM films WHERE imdb_id = ?", (imdb,)))


async def test_a_server_reads_the_catalog_summary_until_it_has_member_reviews(
    catalog_store: Store,
) -> None:
    heat86, heat = await _film(catalog_store, 91183), await _film(catalog_store, 113277)
    assert await summary_cache.cached_summary(catalog_store, heat86, GUILD, 1) == (
        summary_cache.CachedSummary(scope=0, reviewed=True, text=None)
    )
    assert not (await summary_cache.cached_summary(catalog_store, heat, GUILD, 1)).reviewed
    await catalog_store.execute(
        "INSERT INTO reviews (film_id, guild_id, author_id, body, created_at, updated_at) "
        "VALUES (?, ?, 1, 'Great.', ?, ?)",
        (heat, OTHER_GUILD, now(), now()),
    )
    assert not (await summary_cache.cached_summary(catalog_store, heat, GUILD, 1)).reviewed
    other = await summary_cache.cached_summary(catalog_store, heat, OTHER_GUILD, 1)
    assert (other.scope, other.reviewed) == (OTHER_GUILD, True)
    sources = await summary_cache.summary_sources(catalog_store, heat86, OTHER_GUILD)
    assert len(sources) == 1 and sources[0].body.startswith("Burt Reynolds plays")


async def test_a_summary_of_reviews_that_changed_meanwhile_is_not_cached(
    catalog_store: Store,
) -> None:
    heat86 = await _film(catalog_store, 91183)
    claim = await summary_cache.claim_summary(catalog_store, heat86, 0, 1)
    await catalog_store.execute(
        "UPDATE reviews SET body = body || ' Later thoughts.' WHERE film_id = ?", (heat86,)
    )
    assert not await summary_cache.store_summary(catalog_store, heat86, 0, claim, "stale")
    assert await catalog_store.fetchval("SELECT count(*) FROM summaries") == 0
    claim = await summary_cache.claim_summary(catalog_store, heat86, 0, 1)
    assert await summary_cache.store_summary(catalog_store, heat86, 0, claim, "fresh")
    cached = await summary_cache.cached_summary(catalog_store, heat86, GUILD, 1)
    assert cached.text == "fresh"
