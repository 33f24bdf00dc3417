"""Recent film resolutions, for commands members repeat many times (``!rate Heat 9``).

Resolving a title costs a few store reads and some Python; under a rating rush the same few
titles come back again and again. :class:`FilmCache` remembers what each exact query
resolved to, and forgets everything the moment the catalog may have changed: the store's
``generation`` moves with every ``Store.write`` transaction in this process (admin commands,
imports run by the bot) and with every commit another process made (``filmclub import``;
the writer sees it at its next transaction). ``ttl`` bounds how long an answer is trusted
when the bot writes nothing at all. Unknown films are never cached: a film added a moment
later is found at once.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass

from bot.search import FilmMatch, resolve_film
from bot.store import Store

#: Queries remembered at most (least recently used go first).
CACHE_SIZE = 4096
#: Seconds an answer is trusted while nothing is written.
CACHE_TTL = 30.0


@dataclass(frozen=True, slots=True)
class _Entry:
    match: FilmMatch
    expires: float


class FilmCache:
    """``resolve_film`` with a memory; the same answers, without the work for repeats."""

    def __init__(self, store: Store, *, size: int = CACHE_SIZE, ttl: float = CACHE_TTL) -> None:
        self._store = store
        self._size = size
        self._ttl = ttl
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        #: The store's generation the entries were resolved in.
        self._generation = store.writer.generation
        self.hits = 0
        self.misses = 0

    async def resolve(self, query: str) -> FilmMatch:
        """The film ``query`` names (``FilmNotFound`` as :func:`bot.search.resolve_film`)."""
        key = " ".join(query.split())
        generation = self._store.writer.generation
        if generation != self._generation:
            self._entries.clear()
            self._generation = generation
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is not None and entry.expires > now:
            self._entries.move_to_end(key)
            self.hits += 1
            return entry.match
        self.misses += 1
        match = await resolve_film(self._store, key)
        if self._store.writer.generation != generation:
            return match  # the catalog may have moved while resolving: keep nothing old
        self._entries[key] = _Entry(match, now + self._ttl)
        self._entries.move_to_end(key)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)
        return match
