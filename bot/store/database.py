"""The store's connections: one writer that group-commits, and a few readers.

SQLite allows one writer at a time; WAL lets readers carry on beside it. Every write goes
through :class:`GroupWriter`, which gathers whatever writes are waiting into one transaction
(each write inside its own SAVEPOINT, so a failing write never takes its neighbours with it)
and commits once. A caller's future resolves only after that COMMIT returned, so a reply that
follows ``await store.write(...)`` is never sent for data that could still be lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import logging
import random
import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.errors import StoreBusy
from bot.store.schema import migrate

log = logging.getLogger(__name__)

T = TypeVar("T")
Params = Sequence[Any] | dict[str, Any]
WriteFn = Callable[[aiosqlite.Connection], Awaitable[T]]

#: Writes gathered into one transaction at most; bounds how long one commit holds the lock.
MAX_BATCH = 200

#: How long a read or a write keeps retrying while another process (an import, a backup tool,
#: an ``sqlite3`` shell) holds the store's lock, before the member hears the store is busy.
BUSY_WAIT = 5.0
#: SQLite's own wait inside one attempt. Short, so the wait between attempts happens on the
#: event loop (where closing the store can cut it short) rather than inside a blocked thread.
ATTEMPT_BUSY_MS = 200
#: The pause after the first busy attempt; it doubles up to ``_MAX_BACKOFF``.
_FIRST_BACKOFF = 0.02
_MAX_BACKOFF = 0.5


def _is_busy(error: BaseException) -> bool:
    return isinstance(error, sqlite3.OperationalError) and (
        "locked" in str(error) or "busy" in str(error)
    )


async def retry_while_busy(
    attempt: Callable[[], Awaitable[T]],
    *,
    wait: float,
    give_up: Callable[[], bool] = lambda: False,
) -> T:
    """``attempt()`` again with a growing pause while SQLite says the store is locked, for
    ``wait`` seconds at most (or until ``give_up()``); then :class:`StoreBusy`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    pause = _FIRST_BACKOFF
    attempts = 0
    while True:
        attempts += 1
        try:
            return await attempt()
        except sqlite3.OperationalError as error:
            if not _is_busy(error):
                raise
            left = deadline - loop.time()
            if left <= 0 or give_up():
                log.warning("the store stayed locked for %d attempts; giving up", attempts)
                raise StoreBusy() from error
        # Jitter keeps the bot's connections from retrying in lockstep with each other.
        await asyncio.sleep(min(left, pause * random.uniform(0.5, 1.0)))
        pause = min(pause * 2, _MAX_BACKOFF)


async def connect(
    path: Path | str,
    *,
    synchronous: str = "FULL",
    busy_ms: int = ATTEMPT_BUSY_MS,
    readonly: bool = False,
) -> aiosqlite.Connection:
    """One connection with filmclub's pragmas, in autocommit mode (transactions are explicit)."""
    target = f"file:{Path(path)}?mode=ro" if readonly else str(path)
    conn = await aiosqlite.connect(target, uri=readonly, isolation_level=None)
    conn.row_factory = sqlite3.Row
    if not readonly:
        await conn.execute("PRAGMA journal_mode = WAL")
    await conn.execute(f"PRAGMA synchronous = {'FULL' if synchronous == 'FULL' else 'NORMAL'}")
    await conn.execute("PRAGMA foreign_keys = ON")
    await conn.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
    await conn.execute("PRAGMA temp_store = MEMORY")
    await conn.execute("PRAGMA cache_size = -32000")
    return conn


@dataclass
class _Pending:
    run: WriteFn[Any] | None
    statement: tuple[str, Params] | None
    future: asyncio.Future[Any] = field(repr=False)


class GroupWriter:
    """Serialises writes onto one connection and commits them in groups."""

    def __init__(
        self,
        conn: aiosqlite.Connection,
        *,
        max_batch: int = MAX_BATCH,
        busy_wait: float = BUSY_WAIT,
    ) -> None:
        self._conn = conn
        self._max_batch = max_batch
        #: Seconds a commit retries while another process holds the lock.
        self.busy_wait = busy_wait
        self._closing = False
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.commits = 0
        self.writes = 0

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="store-writer")

    async def submit(self, run: WriteFn[T]) -> T:
        """Run ``run(conn)`` inside the next group transaction; return its result once committed."""
        result: T = await self._enqueue(
            _Pending(run, None, asyncio.get_running_loop().create_future())
        )
        return result

    async def submit_statement(self, sql: str, params: Params = ()) -> None:
        """One statement, batched with its neighbours through ``executemany`` when they match."""
        pending = _Pending(None, (sql, params), asyncio.get_running_loop().create_future())
        await self._enqueue(pending)

    async def _enqueue(self, pending: _Pending) -> Any:
        if self._task is None or self._task.done():
            raise RuntimeError("the store's writer is not running")
        self._queue.put_nowait(pending)
        return await pending.future

    async def close(self) -> None:
        """Finish every queued write, then stop."""
        if self._task is None:
            return
        # Writes still waiting for another process's lock get StoreBusy now rather than
        # holding up a shutdown for the whole busy wait.
        self._closing = True
        await self._queue.join()
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                # A failed attempt rolled back everything, so the whole batch can run again.
                await retry_while_busy(
                    functools.partial(self._commit, batch),
                    wait=self.busy_wait,
                    give_up=lambda: self._closing,
                )
            except Exception as error:  # the batch failed as a whole: every caller hears of it
                failure: BaseException = error
                if not isinstance(error, StoreBusy):
                    log.exception("a group commit of %d writes failed", len(batch))
                for pending in batch:
                    if not pending.future.done():
                        pending.future.set_exception(failure)
            finally:
                for _ in batch:
                    self._queue.task_done()

    async def _commit(self, batch: list[_Pending]) -> None:
        conn = self._conn
        live = [p for p in batch if not p.future.cancelled()]
        if not live:
            return
        await conn.execute("BEGIN IMMEDIATE")
        outcomes: list[tuple[_Pending, Any, BaseException | None]] = []
        try:
            for group in _runs_of_same_statement(live):
                outcomes.extend(await self._apply(group))
            await conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                await conn.execute("ROLLBACK")
            raise
        self.commits += 1
        self.writes += len(live)
        for pending, result, error in outcomes:
            if pending.future.done():
                continue
            if error is None:
                pending.future.set_result(result)
            else:
                pending.future.set_exception(error)

    async def _apply(
        self, group: list[_Pending]
    ) -> list[tuple[_Pending, Any, BaseException | None]]:
        conn = self._conn
        first = group[0]
        if first.statement is not None and len(group) > 1:
            sql = first.statement[0]
            await conn.execute("SAVEPOINT grouped")
            try:
                await conn.executemany(sql, [p.statement[1] for p in group if p.statement])
            except sqlite3.Error as error:
                if _is_busy(error):
                    raise
                # One bad row spoils executemany; redo the rows one by one to find it.
                await conn.execute("ROLLBACK TO grouped")
                await conn.execute("RELEASE grouped")
                return [outcome for p in group for outcome in await self._apply([p])]
            await conn.execute("RELEASE grouped")
            return [(p, None, None) for p in group]
        outcomes: list[tuple[_Pending, Any, BaseException | None]] = []
        for pending in group:
            await conn.execute("SAVEPOINT one")
            try:
                if pending.statement is not None:
                    await conn.execute(*pending.statement)
                    result: Any = None
                else:
                    assert pending.run is not None
                    result = await pending.run(conn)
            except Exception as error:
                if _is_busy(error):
                    raise
                await conn.execute("ROLLBACK TO one")
                await conn.execute("RELEASE one")
                outcomes.append((pending, None, error))
                continue
            await conn.execute("RELEASE one")
            outcomes.append((pending, result, None))
        return outcomes


def _runs_of_same_statement(batch: Iterable[_Pending]) -> list[list[_Pending]]:
    """Consecutive statement writes with the same SQL form one run; each callable is its own."""
    runs: list[list[_Pending]] = []
    for key, items in itertools.groupby(
        batch, key=lambda p: p.statement[0] if p.statement is not None else id(p)
    ):
        del key
        runs.append(list(items))
    return runs


class Store:
    """The one door to the SQLite store. Query modules in ``bot.store`` build on its primitives."""

    def __init__(
        self,
        path: Path,
        writer_conn: aiosqlite.Connection,
        readers: list[aiosqlite.Connection],
        *,
        busy_wait: float = BUSY_WAIT,
    ) -> None:
        self.path = path
        self._writer_conn = writer_conn
        self._readers = readers
        self._next_reader = itertools.cycle(range(len(readers)))
        self._closing = False
        self.writer = GroupWriter(writer_conn, busy_wait=busy_wait)
        self.writer.start()

    @classmethod
    async def open(
        cls,
        path: Path | str,
        *,
        readers: int = 2,
        synchronous: str = "FULL",
        busy_ms: int = ATTEMPT_BUSY_MS,
        busy_wait: float = BUSY_WAIT,
    ) -> Store:
        """Open (creating if needed) the store at ``path`` and bring its schema up to date.

        ``busy_wait``: how long reads and writes retry while another process holds the lock
        (each attempt waits ``busy_ms`` inside SQLite) before raising :class:`StoreBusy`.
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        writer_conn = await connect(path, synchronous=synchronous, busy_ms=busy_ms)
        try:
            await migrate(writer_conn)
            reader_conns = [
                await connect(path, synchronous=synchronous, busy_ms=busy_ms)
                for _ in range(max(1, readers))
            ]
        except BaseException:
            await writer_conn.close()
            raise
        return cls(path, writer_conn, reader_conns, busy_wait=busy_wait)

    async def __aenter__(self) -> Store:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Finish queued writes, checkpoint the WAL into the main file, close every connection."""
        self._closing = True
        await self.writer.close()
        for reader in self._readers:
            await reader.close()
        try:
            await self._writer_conn.execute("PRAGMA optimize")
            # The first column is 1 when another connection kept the checkpoint from finishing.
            rows = list(await self._writer_conn.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)"))
            blocked = bool(rows and rows[0][0])
        except sqlite3.OperationalError:
            blocked = True
        if blocked:
            log.warning("could not checkpoint the WAL on close; it will be on next open")
        await self._writer_conn.close()

    @property
    def busy_wait(self) -> float:
        """Seconds reads and writes retry while another process holds the lock."""
        return self.writer.busy_wait

    @busy_wait.setter
    def busy_wait(self, seconds: float) -> None:
        self.writer.busy_wait = seconds

    # Reads ---------------------------------------------------------------------------------
    def _reader(self) -> aiosqlite.Connection:
        return self._readers[next(self._next_reader)]

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        async def attempt() -> list[sqlite3.Row]:
            return list(await self._reader().execute_fetchall(sql, params))

        return await retry_while_busy(attempt, wait=self.busy_wait, give_up=lambda: self._closing)

    async def read(self, run: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``run(conn)`` on a reader connection, in that connection's own thread, inside
        one read transaction (a consistent snapshot). ``run`` must only read.

        For reads made of many small queries and the logic between them (title resolution):
        one hop to the reader's thread instead of one per query, and no CPU work on the loop.
        """
        reader = self._reader()

        def in_snapshot(conn: sqlite3.Connection) -> T:
            conn.execute("BEGIN")
            try:
                return run(conn)
            finally:
                conn.execute("COMMIT")

        try:
            # aiosqlite runs the function on its worker thread with the sqlite3 connection
            # (``_execute``/``_conn``: not public, hence the pinned aiosqlite range).
            result: T = await reader._execute(in_snapshot, reader._conn)  # type: ignore[no-untyped-call]
        except sqlite3.OperationalError as error:
            if _is_busy(error):
                raise StoreBusy() from error
            raise
        return result

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    # Writes --------------------------------------------------------------------------------
    async def write(self, run: WriteFn[T]) -> T:
        """Run ``run(conn)`` atomically in the next group commit; returns once committed."""
        return await self.writer.submit(run)

    async def execute(self, sql: str, params: Params = ()) -> None:
        """One write statement, group-committed (and batched with identical neighbours)."""
        await self.writer.submit_statement(sql, params)

    async def backup(self, target: Path | str) -> None:
        """A consistent copy of the live store through SQLite's online backup API."""
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        async with aiosqlite.connect(str(target)) as dest:
            await self._reader().backup(dest)

    async def integrity_check(self) -> str:
        rows = await self.fetchall("PRAGMA integrity_check")
        return "\n".join(str(row[0]) for row in rows)


def now() -> int:
    """Unix seconds, the store's unit of time."""
    return int(time.time())
