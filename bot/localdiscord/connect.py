"""Pointing a real discord.py client at a local Discord, in this process or another.

discord.py builds every REST URL from ``Route.BASE`` and opens its gateway at
``DiscordWebSocket.DEFAULT_GATEWAY``; those two class attributes are the only change a bot
needs. ``HandledReporter`` lets a bot in another process say when it is done with an input.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import aiohttp
import discord.gateway
import discord.http
import yarl

log = logging.getLogger(__name__)

#: Environment variable naming a local Discord for ``filmclub run`` (same as --local-discord).
LOCAL_DISCORD_ENV = "FILMCLUB_LOCAL_DISCORD"


def use_local_discord(url: str) -> None:
    """Send this process's discord.py REST calls and gateway connections to ``url``."""
    base = yarl.URL(url)
    if base.host not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError(f"a local Discord must be on this machine, not {base.host}")
    discord.http.Route.BASE = str(base.with_path("/api/v10"))
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = base.with_scheme("ws").with_path("/")


class HandledReporter:
    """Tells a local Discord in another process which inputs the bot has finished with.

    Call it with an input id (it is a ``FilmBot.handled_hooks`` entry). Ids are batched: one
    POST is in flight at a time and carries every id finished meanwhile, so under load the
    report costs far less than one request per command.
    """

    def __init__(self, url: str, token: str) -> None:
        self._url = str(yarl.URL(url).with_path("/_local/handled"))
        self._headers = {"Authorization": f"Bot {token}"}
        self._pending: list[int] = []
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    def __call__(self, input_id: int) -> None:
        self._pending.append(input_id)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._flush())

    async def _flush(self) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        while self._pending:
            ids, self._pending = self._pending, []
            try:
                async with self._session.post(self._url, json=ids, headers=self._headers) as resp:
                    await resp.read()
            except aiohttp.ClientError as error:
                log.warning("could not report finished inputs to the local Discord: %s", error)

    async def close(self) -> None:
        if self._task is not None:
            with contextlib.suppress(Exception):
                await self._task
        if self._session is not None:
            await self._session.close()
