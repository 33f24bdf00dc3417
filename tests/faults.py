"""Faults the tests inflict from outside the bot: another process holding the store's lock.

The lock is taken by a separate Python process (as an import or an ``sqlite3`` shell would
hold it), not by a connection of the test's own, so the bot meets it exactly as in production.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

# Takes the write lock, says so, and keeps it until its stdin closes or says "release".
_HOLD_LOCK = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("ROLLBACK")
conn.close()
print("released", flush=True)
"""


class LockHolder:
    """A process holding the store's write lock (``BEGIN EXCLUSIVE``) until :meth:`release`."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    async def release(self) -> None:
        if self.process.returncode is not None:
            return
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(b"release\n")
        await self.process.stdin.drain()
        line = await asyncio.wait_for(self.process.stdout.readline(), 10)
        assert line.strip() == b"released", line
        await asyncio.wait_for(self.process.wait(), 10)


@asynccontextmanager
async def store_locked_by_another_process(path: Path) -> AsyncIterator[LockHolder]:
    """Another process holds the write lock of the store at ``path`` inside the block (or
    until the holder is released)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _HOLD_LOCK,
        str(path),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    holder = LockHolder(process)
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), 10)
        assert line.strip() == b"locked", line
        yield holder
    finally:
        await holder.release()
