"""Gateway sessions: one per IDENTIFY, surviving a dropped socket so the client can RESUME."""

from __future__ import annotations

import asyncio
import secrets
import struct
import time
import zlib
from collections import deque
from typing import Any

from aiohttp import web

from bot.localdiscord.model import to_json

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

# Websocket frame opcodes
TEXT = 0x1
BINARY = 0x2

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


def _frame(opcode: int, payload: bytes) -> bytes:
    """One unmasked (server to client) websocket frame, FIN set."""
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", 0x80 | opcode, length)
    elif length < 1 << 16:
        header = struct.pack("!BBH", 0x80 | opcode, 126, length)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 127, length)
    return header + payload


class Connection:
    """One websocket's outgoing frames, zlib-stream compressed when the client asked for it.

    ``send`` is synchronous: frames go out in exactly the order they are sent (which the
    compression stream requires) and a dispatch never waits. The first frame of an event-loop
    step is written at once; frames sent later in the same step are joined into one write at
    the start of the next, so a burst costs one system call rather than one per frame.
    """

    def __init__(
        self, ws: web.WebSocketResponse, transport: asyncio.Transport, *, zlib_stream: bool
    ) -> None:
        self.ws = ws
        self._transport = transport
        # The fastest level: frames are small and local, so the bytes saved do not pay for it.
        self._compressor = zlib.compressobj(zlib.Z_BEST_SPEED) if zlib_stream else None
        self._held: list[bytes] | None = None

    @property
    def open(self) -> bool:
        return not self.ws.closed and not self._transport.is_closing()

    @property
    def compressed(self) -> bool:
        """Frames go out zlib-stream compressed (the client asked for it)."""
        return self._compressor is not None

    def send(self, raw: bytes) -> None:
        """One event (UTF-8 JSON) to the client."""
        if not self.open:
            return
        if self._compressor is None:
            frame = _frame(TEXT, raw)
        else:
            data = self._compressor.compress(raw)
            frame = _frame(BINARY, data + self._compressor.flush(zlib.Z_SYNC_FLUSH))
        if self._held is None:
            self._transport.write(frame)
            self._held = []
            asyncio.get_running_loop().call_soon(self._flush)
        else:
            self._held.append(frame)

    def _flush(self) -> None:
        held, self._held = self._held, None
        if held and not self._transport.is_closing():
            self._transport.write(b"".join(held))

    def send_op(self, op: int, d: Any) -> None:
        self.send(to_json({"op": op, "d": d, "s": None, "t": None}))

    async def close(self, code: int = 1000, message: bytes = b"") -> None:
        self._flush()
        await self.ws.close(code=code, message=message)


class Session:
    """What a client identified as: its intents, sequence, and recent dispatches for RESUME."""

    def __init__(self, intents: int, user_id: int) -> None:
        self.id = secrets.token_hex(16)
        self.intents = intents
        self.user_id = user_id
        self.sequence = 0
        self.connection: Connection | None = None
        self.buffer: deque[tuple[int, bytes]] = deque(maxlen=RESUME_BUFFER)
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

    def dispatch(self, event: str, data: dict[str, Any] | bytes) -> None:
        """Send one event; ``data`` may already be JSON (a payload encoded once for several
        uses)."""
        self.sequence += 1
        encoded = data if isinstance(data, bytes) else to_json(data)
        raw = b'{"op":%d,"t":"%s","s":%d,"d":%s}' % (
            DISPATCH,
            event.encode(),
            self.sequence,
            encoded,
        )
        self.buffer.append((self.sequence, raw))
        if self.connection is not None:
            self.connection.send(raw)

    def replay_after(self, sequence: int) -> None:
        """Send what the client missed since ``sequence`` (RESUME)."""
        assert self.connection is not None
        for seq, raw in list(self.buffer):
            if seq > sequence:
                self.connection.send(raw)

    def detach(self, connection: Connection) -> None:
        if self.connection is connection:
            self.connection = None
            self.disconnected_at = time.monotonic()
