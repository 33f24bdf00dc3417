"""Gateway sessions: one per IDENTIFY, surviving a dropped socket so the client can RESUME."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
import zlib
from collections import deque
from typing import Any

from aiohttp import web

# Opcodes
DISPATCH = 0
HEARTBEAT = 1
IDENTIFY = 2
PRESENCE_UPDATE = 3
VOICE_STATE_UPDATE = 4
RESUME = 6
RECONNECT = 7
REQUEST_GUILD_MEMBERS = 8
INVALID_SESSION = 9
HELLO = 10
HEARTBEAT_ACK = 11
#: Not Discord's: a bot run against a local Discord reports the inputs it finished with
#: (``d``: their ids). See ``bot.localdiscord.connect.HandledReporter``.
LOCAL_HANDLED = 1000

# Intents the emulator honours when deciding what a session receives.
GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_MESSAGES = 1 << 9
GUILD_MESSAGE_REACTIONS = 1 << 10
DIRECT_MESSAGES = 1 << 12
DIRECT_MESSAGE_REACTIONS = 1 << 13
MESSAGE_CONTENT = 1 << 15

#: Dispatches kept per session for RESUME.
RESUME_BUFFER = 2000
_SYNC_FLUSH_TAIL = b"\x00\x00\xff\xff"


def encode(payload: dict[str, Any]) -> str:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


class Connection:
    """One websocket: frames out, zlib-stream compressed when the client asked for it."""

    def __init__(self, ws: web.WebSocketResponse, *, zlib_stream: bool) -> None:
        self.ws = ws
        self._compressor = zlib.compressobj() if zlib_stream else None
        # Compressed frames must reach the socket in the order they were compressed.
        self._lock = asyncio.Lock()

    @property
    def open(self) -> bool:
        return not self.ws.closed

    @property
    def compressed(self) -> bool:
        """Frames go out zlib-stream compressed (the client asked for it)."""
        return self._compressor is not None

    async def send(self, raw: str) -> None:
        async with self._lock:
            if self.ws.closed:
                return
            if self._compressor is None:
                await self.ws.send_str(raw)
                return
            data = self._compressor.compress(raw.encode()) + self._compressor.flush(
                zlib.Z_SYNC_FLUSH
            )
            assert data.endswith(_SYNC_FLUSH_TAIL)
            await self.ws.send_bytes(data)

    async def send_op(self, op: int, d: Any) -> None:
        await self.send(encode({"op": op, "d": d, "s": None, "t": None}))

    async def close(self, code: int = 1000, message: bytes = b"") -> None:
        await self.ws.close(code=code, message=message)


class Session:
    """What a client identified as: its intents, sequence, and recent dispatches for RESUME."""

    def __init__(self, intents: int, user_id: int) -> None:
        self.id = secrets.token_hex(16)
        self.intents = intents
        self.user_id = user_id
        self.sequence = 0
        self.connection: Connection | None = None
        self.buffer: deque[tuple[int, str]] = deque(maxlen=RESUME_BUFFER)
        self.disconnected_at: float | None = None
        #: How many times the client resumed this session after losing its socket.
        self.resumes = 0
        #: Set once READY and every GUILD_CREATE have gone out.
        self.live = asyncio.Event()

    def wants(self, intent: int) -> bool:
        return bool(self.intents & intent)

    @property
    def connected(self) -> bool:
        return self.connection is not None and self.connection.open

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        self.sequence += 1
        raw = encode({"op": DISPATCH, "t": event, "s": self.sequence, "d": data})
        self.buffer.append((self.sequence, raw))
        if self.connection is not None:
            await self.connection.send(raw)

    async def replay_after(self, sequence: int) -> None:
        """Send what the client missed since ``sequence`` (RESUME)."""
        assert self.connection is not None
        for seq, raw in list(self.buffer):
            if seq > sequence:
                await self.connection.send(raw)

    def detach(self, connection: Connection) -> None:
        if self.connection is connection:
            self.connection = None
            self.disconnected_at = time.monotonic()
