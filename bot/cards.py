"""What a film's review card shows, gathered from the store: the film, its genres and leading
people, the summary of its reviews (cached, computed on a miss) and this server's ratings."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from bot import summaries
from bot.store import summary_cache
from bot.store.database import Store
from bot.store.films import film_credits, film_genres
from bot.store.models import Film
from bot.store.ratings import FilmRating, film_rating
from bot.summaries import ReviewText

#: Leading actors a card names.
LEADING_CAST = 4
#: Reviews longer than this in all are summarised in a worker thread, not on the event loop
#: (the summariser takes about 2 ms per 4,000 characters).
SUMMARISE_INLINE_CHARS = 4_000


@dataclass(frozen=True)
class FilmCard:
    """What a review card shows (``bot.render.review_card`` draws it)."""

    film: Film
    genres: Sequence[str] = ()
    directors: Sequence[str] = ()
    #: Top-billed actors, in billing order.
    cast: Sequence[str] = ()
    #: The summary of its reviews; "" when the reviews hold nothing to show (all spoilers),
    #: None when the film has no review this server can read.
    summary: str | None = None
    #: This server's ratings (None in a DM).
    rating: FilmRating | None = None


async def film_card(
    store: Store,
    film: Film,
    guild_id: int | None,
    member_id: int,
) -> FilmCard:
    """Everything the card of ``film`` shows to ``member_id`` in this server (None: a DM).

    The four reads go out together: the store's readers answer them side by side."""
    credits, genres, summary, rating = await asyncio.gather(
        film_credits(store, film.id),
        film_genres(store, film.id),
        film_summary(store, film.id, guild_id),
        _rating(store, guild_id, film.id, member_id),
    )
    return FilmCard(
        film=film,
        genres=[genre.name for genre in genres],
        directors=[c.name for c in credits if c.role == "director"],
        cast=[c.name for c in credits if c.role == "actor"][:LEADING_CAST],
        summary=summary,
        rating=rating,
    )


async def _rating(
    store: Store, guild_id: int | None, film_id: int, member_id: int
) -> FilmRating | None:
    return None if guild_id is None else await film_rating(store, guild_id, film_id, member_id)


async def film_summary(store: Store, film_id: int, guild_id: int | None) -> str | None:
    """The film's review summary as this server sees it (catalog documents plus its own
    members' reviews; spoilers never), from the cache or computed and cached. None when the
    film has no review this server can read."""
    version = summaries.ALGORITHM_VERSION
    cached = await summary_cache.cached_summary(store, film_id, guild_id, version)
    if not cached.reviewed:
        return None
    if cached.text is not None:
        return cached.text
    claim = await summary_cache.claim_summary(store, film_id, cached.scope, version)
    sources = await summary_cache.summary_sources(store, film_id, cached.scope)
    reviews = [ReviewText(s.body, spoiler=s.spoiler, source_id=s.id) for s in sources]
    if sum(len(r.body) for r in reviews) > SUMMARISE_INLINE_CHARS:
        summary = await asyncio.to_thread(summaries.summarize, reviews)
    else:
        summary = summaries.summarize(reviews)
    await summary_cache.store_summary(store, film_id, cached.scope, claim, summary.text)
    return summary.text
