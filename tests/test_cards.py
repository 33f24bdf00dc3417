"""Review cards and their cached summaries, on a real store with the test catalog."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from bot import cards, summaries
from bot.importers.reviews import import_reviews
from bot.store import Store
from bot.store.database import now
from bot.store.films import get_film
from bot.store.models import Film
from bot.summaries import ReviewText, Summary, split_sentences
from tests import catalog_fixtures

GUILD = 1_000_000_000_000_001
OTHER_GUILD = 1_000_000_000_000_002
MEMBER = 2_000_000_000_000_001

# The shared fixtures, under this module's names.
catalog = catalog_fixtures.catalog_store
seed = catalog_fixtures.seed_review

PRAISE = (
    "Heat is a masterpiece of the crime genre with superb performances throughout. "
    "The bank shootout is the most gripping action scene of its decade. "
    "Pacino and De Niro together are electrifying."
)


async def film_id(store: Store, imdb: int) -> int:
    return int(await store.fetchval("SELECT id FROM films WHERE imdb_id = ?", (imdb,)))


async def add_member_review(
    store: Store, film: int, guild: int, body: str, *, author: int = MEMBER, spoiler: bool = False
) -> None:
    stamp = now()
    await store.execute(
        "INSERT INTO reviews (film_id, guild_id, author_id, author_name, body, spoiler, "
        "created_at, updated_at) VALUES (?, ?, ?, 'bob', ?, ?, ?, ?)",
        (film, guild, author, body, int(spoiler), stamp, stamp),
    )


def counting_summarize(monkeypatch: pytest.MonkeyPatch) -> list[Sequence[ReviewText]]:
    """Record every call of the summariser (still summarising for real)."""
    calls: list[Sequence[ReviewText]] = []
    real: Callable[..., Summary] = summaries.summarize

    def summarize(reviews: Sequence[ReviewText], **kwargs: Any) -> Summary:
        calls.append(reviews)
        return real(reviews, **kwargs)

    monkeypatch.setattr(summaries, "summarize", summarize)
    return calls


async def test_seed_summary_is_two_or_three_of_its_own_sentences(
    catalog: Store, seed: Path
) -> None:
    await asyncio.to_thread(import_reviews, catalog.path, seed)
    heat = await film_id(catalog, 113277)
    text = await cards.film_summary(catalog, heat, GUILD)
    assert text
    prose = (await asyncio.to_thread(seed.read_text, encoding="utf-8")).partition("\n")[2]
    chosen = [s for s in split_sentences(prose) if s in text]
    assert 2 <= len(chosen) <= 3
    assert " ".join(chosen) == text  # whole sentences, nothing else: no "Genre:" header
    assert "Genre" not in text and len(text) <= 350


async def test_a_summary_is_computed_once_and_served_from_the_cache(
    catalog: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = counting_summarize(monkeypatch)
    heat86 = await film_id(catalog, 91183)
    first = await cards.film_summary(catalog, heat86, GUILD)
    assert first and len(calls) == 1
    # Another server without member reviews shares the catalog-only summary.
    assert await cards.film_summary(catalog, heat86, OTHER_GUILD) == first
    assert await cards.film_summary(catalog, heat86, None) == first
    assert len(calls) == 1
    rows = await catalog.fetchall(
        "SELECT guild_id, algorithm_version, claim FROM summaries WHERE film_id = ?", (heat86,)
    )
    assert [tuple(r) for r in rows] == [(0, summaries.ALGORITHM_VERSION, None)]


async def test_a_new_summariser_version_recomputes(
    catalog: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = counting_summarize(monkeypatch)
    heat86 = await film_id(catalog, 91183)
    await cards.film_summary(catalog, heat86, GUILD)
    monkeypatch.setattr(summaries, "ALGORITHM_VERSION", summaries.ALGORITHM_VERSION + 1)
    await cards.film_summary(catalog, heat86, GUILD)
    await cards.film_summary(catalog, heat86, GUILD)
    assert len(calls) == 2


async def test_member_reviews_count_only_in_their_own_server(
    catalog: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    heat = await film_id(catalog, 113277)  # no catalog document in the test catalog
    assert await cards.film_summary(catalog, heat, GUILD) is None
    await add_member_review(catalog, heat, GUILD, PRAISE)
    here = await cards.film_summary(catalog, heat, GUILD)
    assert here and "masterpiece" in here
    # The other server, and a DM, see no review at all.
    assert await cards.film_summary(catalog, heat, OTHER_GUILD) is None
    assert await cards.film_summary(catalog, heat, None) is None


async def test_a_changed_review_drops_the_cached_summary_of_its_server_only(
    catalog: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = counting_summarize(monkeypatch)
    heat86 = await film_id(catalog, 91183)
    await add_member_review(catalog, heat86, GUILD, PRAISE)
    for guild in (GUILD, OTHER_GUILD):
        await cards.film_summary(catalog, heat86, guild)
    assert len(calls) == 2  # the server's own, and the catalog-only one
    await add_member_review(catalog, heat86, GUILD, "Dull and overlong, I was bored.", author=7)
    await cards.film_summary(catalog, heat86, OTHER_GUILD)
    assert len(calls) == 2  # the other server's (catalog) summary stayed cached
    await cards.film_summary(catalog, heat86, GUILD)
    assert len(calls) == 3
    assert "Dull and overlong" in " ".join(r.body for r in calls[-1])
    # A catalog document changing drops every server's summary.
    await catalog.execute(
        "UPDATE reviews SET body = body || ' A fine film.' WHERE film_id = ? AND guild_id IS NULL",
        (heat86,),
    )
    assert await catalog.fetchval("SELECT count(*) FROM summaries") == 0


async def test_spoiler_reviews_and_spoiler_tags_never_reach_the_summary(
    catalog: Store,
) -> None:
    heat = await film_id(catalog, 113277)
    await add_member_review(
        catalog,
        heat,
        GUILD,
        "Neil dies at the airport in the final shootout scene.",
        spoiler=True,
    )
    await add_member_review(
        catalog,
        heat,
        GUILD,
        PRAISE + " ||Waingro is killed by Neil at the hotel.||",
        author=8,
    )
    text = await cards.film_summary(catalog, heat, GUILD)
    assert text and "airport" not in text and "Waingro" not in text and "||" not in text


async def test_only_spoilers_give_an_empty_summary(catalog: Store) -> None:
    heat = await film_id(catalog, 113277)
    await add_member_review(catalog, heat, GUILD, PRAISE, spoiler=True)
    assert await cards.film_summary(catalog, heat, GUILD) == ""


async def test_long_reviews_are_summarised_off_the_event_loop(
    catalog: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[int] = []
    real = summaries.summarize

    def summarize(reviews: Sequence[ReviewText], **kwargs: Any) -> Summary:
        threads.append(threading.get_ident())
        return real(reviews, **kwargs)

    monkeypatch.setattr(summaries, "summarize", summarize)
    heat, heat86 = await film_id(catalog, 113277), await film_id(catalog, 91183)
    await add_member_review(catalog, heat, GUILD, PRAISE)
    await cards.film_summary(catalog, heat, GUILD)  # short: inline
    long_review = " ".join([PRAISE] * (cards.SUMMARISE_INLINE_CHARS // len(PRAISE) + 1))
    await add_member_review(catalog, heat86, GUILD, long_review)
    await cards.film_summary(catalog, heat86, GUILD)
    assert threads[0] == threading.get_ident() != threads[1]


async def test_the_card_gathers_film_people_summary_and_server_ratings(
    catalog: Store,
) -> None:
    heat = await film_id(catalog, 113277)
    for member, score in [(MEMBER, 9.0), (MEMBER + 1, 8.0)]:
        await catalog.execute(
            "INSERT INTO ratings VALUES (?, ?, ?, ?, 0)", (GUILD, member, heat, score)
        )
    card = await cards.film_card(catalog, await _film(catalog, heat), GUILD, MEMBER)
    assert list(card.genres) == ["Crime Thriller", "Heist Drama", "Neo-Noir"]
    assert card.directors == ["Michael Mann"]
    assert list(card.cast)[:2] == ["Al Pacino", "Robert De Niro"]
    assert len(card.cast) <= cards.LEADING_CAST
    assert card.rating is not None
    assert (card.rating.n, card.rating.mean, card.rating.own) == (2, 8.5, 9.0)
    elsewhere = await cards.film_card(catalog, card.film, OTHER_GUILD, MEMBER)
    assert elsewhere.rating is not None and elsewhere.rating.n == 0
    assert (await cards.film_card(catalog, card.film, None, MEMBER)).rating is None


async def _film(store: Store, film: int) -> Film:
    found = await get_film(store, film)
    assert found is not None
    return found
