"""Per-server settings in the store."""

from __future__ import annotations

from bot.store import Store
from bot.store.guilds import (
    DEFAULT_BAYES_M,
    GuildSettings,
    all_guild_settings,
    get_guild_settings,
    set_bayes_m,
    set_cooldown,
    set_prefix,
)


async def test_a_server_that_changed_nothing_has_the_defaults(store: Store) -> None:
    assert await get_guild_settings(store, 42) == GuildSettings(42)
    assert (await get_guild_settings(store, 42)).bayes_m == DEFAULT_BAYES_M
    assert await all_guild_settings(store) == []


async def test_settings_change_one_at_a_time_and_stay_per_server(store: Store) -> None:
    assert (await set_prefix(store, 1, "?")).prefix == "?"
    changed = await set_cooldown(store, 1, 3, 5.0)
    assert (changed.prefix, changed.cooldown_rate, changed.cooldown_per) == ("?", 3, 5.0)
    assert (await set_bayes_m(store, 2, 10)).bayes_m == 10
    assert await get_guild_settings(store, 1) == GuildSettings(1, "?", DEFAULT_BAYES_M, 3, 5.0)
    assert await get_guild_settings(store, 2) == GuildSettings(2, None, 10, None, None)
    assert [s.guild_id for s in await all_guild_settings(store)] == [1, 2]


async def test_a_prefix_goes_back_to_the_default(store: Store) -> None:
    await set_prefix(store, 1, "?")
    assert (await set_prefix(store, 1, None)).prefix is None
