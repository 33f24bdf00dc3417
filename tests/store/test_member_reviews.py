"""Members' reviews in the store: one per member, film and server; summaries go stale."""

from __future__ import annotations

import asyncio

import pytest

from bot.errors import TooLong
from bot.store import Store
from bot.store.films import NewFilm, add_film
from bot.store.member_reviews import (
    MAX_REVIEW_LENGTH,
    delete_member_review,
    film_member_reviews,
    member_review,
    member_review_count,
    save_member_review,
)
from bot.store.ratings import rate

GUILD, OTHER_GUILD = 1001, 2002
BOB, ALICE = 11, 12


@pytest.fixture
async def heat(store: Store) -> int:
    return await add_film(store, NewFilm("Heat", 1995))


async def summary_guilds(store: Store, film_id: int) -> set[int]:
    rows = await store.fetchall("SELECT guild_id FROM summaries WHERE film_id = ?", (film_id,))
    return {row[0] for row in rows}


async def cache_summaries(store: Store, film_id: int, *guilds: int) -> None:
    for guild in guilds:
        await store.execute(
            "INSERT OR REPLACE INTO summaries (film_id, guild_id, summary, computed_at) "
            "VALUES (?, ?, 'cached', 0)",
            (film_id, guild),
        )


async def test_a_review_is_saved_once_and_read_back(store: Store, heat: int) -> None:
    saved = await save_member_review(store, GUILD, heat, BOB, "bob", "Great ||ending||")
    assert saved == "added"
    review = await member_review(store, GUILD, heat, BOB)
    assert review is not None
    assert (review.author_name, review.body, review.spoiler, review.score) == (
        "bob",
        "Great ||ending||",
        False,
        None,
    )
    await rate(store, GUILD, BOB, heat, 8.5)
    assert [r.score for r in await film_member_reviews(store, GUILD, heat)] == [8.5]


async def test_a_second_review_is_not_saved_without_replace(store: Store, heat: int) -> None:
    await save_member_review(store, GUILD, heat, BOB, "bob", "first")
    assert await save_member_review(store, GUILD, heat, BOB, "bob", "second") == "exists"
    review = await member_review(store, GUILD, heat, BOB)
    assert review is not None and review.body == "first"
    replaced = await save_member_review(
        store, GUILD, heat, BOB, "bob", "second", spoiler=True, replace=True
    )
    assert replaced == "replaced"
    review = await member_review(store, GUILD, heat, BOB)
    assert review is not None and (review.body, review.spoiler) == ("second", True)
    assert await member_review_count(store, GUILD, heat) == 1


async def test_two_saves_at_once_leave_one_review(store: Store, heat: int) -> None:
    outcomes = await asyncio.gather(
        *(save_member_review(store, GUILD, heat, BOB, "bob", f"take {n}") for n in range(5))
    )
    assert sorted(outcomes) == ["added", "exists", "exists", "exists", "exists"]
    assert await member_review_count(store, GUILD, heat) == 1


async def test_newest_first_and_a_replaced_review_counts_as_new(store: Store, heat: int) -> None:
    for author in (1, 2, 3):
        await save_member_review(store, GUILD, heat, author, f"m{author}", f"by {author}")
    assert [r.author_id for r in await film_member_reviews(store, GUILD, heat)] == [3, 2, 1]
    await save_member_review(store, GUILD, heat, 1, "m1", "again", replace=True)
    newest = await film_member_reviews(store, GUILD, heat)
    assert [r.author_id for r in newest] == [1, 3, 2]
    assert [r.author_id for r in await film_member_reviews(store, GUILD, heat, 1, 1)] == [3]


async def test_too_long_a_review_is_refused_and_nothing_saved(store: Store, heat: int) -> None:
    assert await save_member_review(store, GUILD, heat, BOB, "bob", "x" * MAX_REVIEW_LENGTH)
    with pytest.raises(TooLong) as refused:
        await save_member_review(
            store, GUILD, heat, ALICE, "alice", "x" * (MAX_REVIEW_LENGTH + 1), replace=True
        )
    assert "4,000 characters" in refused.value.user_message
    assert await member_review(store, GUILD, heat, ALICE) is None


async def test_a_member_deletes_only_their_own_review(store: Store, heat: int) -> None:
    await save_member_review(store, GUILD, heat, BOB, "bob", "mine")
    assert await delete_member_review(store, GUILD, heat, ALICE) is False
    assert await delete_member_review(store, OTHER_GUILD, heat, BOB) is False
    assert await member_review(store, GUILD, heat, BOB) is not None
    assert await delete_member_review(store, GUILD, heat, BOB) is True
    assert await member_review(store, GUILD, heat, BOB) is None


async def test_reviews_stay_in_their_server(store: Store, heat: int) -> None:
    await save_member_review(store, GUILD, heat, BOB, "bob", "here")
    await rate(store, OTHER_GUILD, BOB, heat, 2)
    assert await film_member_reviews(store, OTHER_GUILD, heat) == []
    assert await member_review(store, OTHER_GUILD, heat, BOB) is None
    # The same member may review the film in another server too.
    assert await save_member_review(store, OTHER_GUILD, heat, BOB, "bob", "there") == "added"
    [there] = await film_member_reviews(store, OTHER_GUILD, heat)
    assert (there.body, there.score) == ("there", 2.0)
    [here] = await film_member_reviews(store, GUILD, heat)
    assert (here.body, here.score) == ("here", None)


async def test_each_change_drops_that_servers_cached_summary_only(store: Store, heat: int) -> None:
    catalog = 0
    await cache_summaries(store, heat, catalog, GUILD, OTHER_GUILD)
    await save_member_review(store, GUILD, heat, BOB, "bob", "new")
    assert await summary_guilds(store, heat) == {catalog, OTHER_GUILD}
    await cache_summaries(store, heat, GUILD)
    await save_member_review(store, GUILD, heat, BOB, "bob", "changed", replace=True)
    assert await summary_guilds(store, heat) == {catalog, OTHER_GUILD}
    await cache_summaries(store, heat, GUILD)
    assert await save_member_review(store, GUILD, heat, BOB, "bob", "unasked") == "exists"
    assert await summary_guilds(store, heat) == {catalog, GUILD, OTHER_GUILD}
    await delete_member_review(store, GUILD, heat, BOB)
    assert await summary_guilds(store, heat) == {catalog, OTHER_GUILD}
