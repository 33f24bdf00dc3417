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
import discord
import discord.gateway
import discord.http
import yarl

from bot.localdiscord.gateway import LOCAL_HANDLED
from bot.localdiscord.model import to_json

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

    Call it with an input id (it is a ``FilmBot.handled_hooks`` entry). The ids go as one
    extra gateway frame (opcode :data:`LOCAL_HANDLED`, which only a local Discord knows) on the
    bot's own websocket, or, while that is reconnecting, as a POST. Ids are batched: one report
    is in flight at a time and carries every id finished meanwhile.
    """

    def __init__(self, url: str, token: str, client: discord.Client | None = None) -> None:
        self._url = str(yarl.URL(url).with_path("/_local/handled"))
        self._headers = {"Authorization": f"Bot {token}"}
        self._client = client
        self._pending: list[int] = []
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    def __call__(self, input_id: int) -> None:
        self._pending.append(input_id)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._flush())

    def _socket(self) -> aiohttp.ClientWebSocketResponse | None:
        ws = getattr(self._client, "ws", None)
        socket = getattr(ws, "socket", None)
        if isinstance(socket, aiohttp.ClientWebSocketResponse) and not socket.closed:
            return socket
        return None

    async def _flush(self) -> None:
        while self._pending:
            ids, self._pending = self._pending, []
            socket = self._socket()
            if socket is not None:
                try:
                    # Around discord.py's gateway rate limiter, as its heartbeats are: this
                    # frame is not Discord traffic.
                    await socket.send_str(to_json({"op": LOCAL_HANDLED, "d": ids}).decode())
                    continue
                except (ConnectionError, RuntimeError):
                    pass
            await self._post(ids)

    async def _post(self, ids: list[int]) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession()
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
