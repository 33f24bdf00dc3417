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
#: Seconds between background checkpoints of the WAL (when anything was written).
CHECKPOINT_EVERY = 0.5

#: Bytes of the store a reader maps into memory: its queries read pages straight from the OS's
#: page cache instead of copying each into SQLite's own cache (a pick, which reads a few
#: hundred scattered index and table pages, costs about a fifth less processor time).
READER_MMAP = 1 << 30

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
    #: A read run right after ``statement`` in the same transaction; its first row is the result.
    read: tuple[str, Params] | None = None


class GroupWriter:
    """Serialises writes onto one connection and commits them in groups."""

    def __init__(
        self,
        conn: aiosqlite.Connection,
        *,
        max_batch: int = MAX_BATCH,
        busy_wait: float = BUSY_WAIT,
        data_version: int | None = None,
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
        #: Changes whenever a committed write may have changed anything beyond single
        #: statements: a ``write()`` callable here, or a commit by another connection (an
        #: import). Caches of catalog lookups compare it to know they are still right.
        self.generation = 0
        #: ``PRAGMA data_version`` when this writer last looked (None: not yet).
        self._data_version = data_version

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="store-writer")

    async def submit(self, run: WriteFn[T]) -> T:
        """Run ``run(conn)`` inside the next group transaction; return its result once committed."""
        result: T = await self._enqueue(
            _Pending(run, None, asyncio.get_running_loop().create_future())
        )
        return result

    async def submit_statement(
        self, sql: str, params: Params = (), read: tuple[str, Params] | None = None
    ) -> sqlite3.Row | None:
        """One statement, batched with its neighbours through ``executemany`` when they match;
        with ``read``, that query's first row, read after the statement in its transaction."""
        future = asyncio.get_running_loop().create_future()
        row: sqlite3.Row | None = await self._enqueue(_Pending(None, (sql, params), future, read))
        return row

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
        segments = _segments(_runs_of_same_statement(live))
        outcomes: list[tuple[_Pending, Any, BaseException | None]] = []
        callables = 0
        try:
            for number, segment in enumerate(segments):
                first, last = number == 0, number == len(segments) - 1
                if isinstance(segment, list):
                    outcomes.extend(await self._statements(segment, begin=first, commit=last))
                    continue
                if first:
                    self._saw_data_version(await _in_thread(conn, _begin))
                outcomes.append(await self._callable(segment))
                callables += 1
                if last:
                    await conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                await conn.execute("ROLLBACK")
            raise
        self.commits += 1
        self.writes += len(live)
        if callables:
            self.generation += 1
        for pending, result, error in outcomes:
            if pending.future.done():
                continue
            if error is None:
                pending.future.set_result(result)
            else:
                pending.future.set_exception(error)

    def _saw_data_version(self, version: int) -> None:
        """Another connection (an import, a shell) committed since this one last looked."""
        if self._data_version is not None and version != self._data_version:
            self.generation += 1
        self._data_version = version

    async def _statements(
        self, runs: list[list[_Pending]], *, begin: bool, commit: bool
    ) -> list[tuple[_Pending, Any, BaseException | None]]:
        """Runs of plain statements in one trip to the connection's thread (with BEGIN before
        them and COMMIT after them when asked): the common case, a batch of ratings, costs one
        trip instead of five."""
        plan = [
            (run[0].statement[0], [(p.statement[1], p.read) for p in run if p.statement])
            for run in runs
            if run[0].statement is not None
        ]
        version, outcomes = await _in_thread(
            self._conn, lambda db: _run_statements(db, plan, begin=begin, commit=commit)
        )
        if version is not None:
            self._saw_data_version(version)
        pendings = [p for run in runs for p in run]
        return [(p, *outcome) for p, outcome in zip(pendings, outcomes, strict=True)]

    async def _callable(self, pending: _Pending) -> tuple[_Pending, Any, BaseException | None]:
        conn = self._conn
        assert pending.run is not None
        await conn.execute("SAVEPOINT one")
        try:
            result = await pending.run(conn)
        except Exception as error:
            if _is_busy(error):
                raise
            await conn.execute("ROLLBACK TO one")
            await conn.execute("RELEASE one")
            return (pending, None, error)
        await conn.execute("RELEASE one")
        return (pending, result, None)


async def _in_thread(conn: aiosqlite.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    """``work(db)`` on the connection's own thread with its sqlite3 connection, in one trip.

    aiosqlite has no public call for this; every one of its methods is built on these two
    names (``_execute`` queues a function for the thread, ``_conn`` is the sqlite3
    connection), stable across the versions pyproject allows.
    """
    result: T = await conn._execute(lambda: work(conn._conn))  # type: ignore[no-untyped-call]
    return result


def _begin(db: sqlite3.Connection) -> int:
    """BEGIN IMMEDIATE; the connection's data_version (it changes when others commit)."""
    db.execute("BEGIN IMMEDIATE")
    return int(db.execute("PRAGMA data_version").fetchone()[0])


def _run_statements(
    db: sqlite3.Connection,
    plan: list[tuple[str, list[tuple[Params, tuple[str, Params] | None]]]],
    *,
    begin: bool,
    commit: bool,
) -> tuple[int | None, list[tuple[Any, BaseException | None]]]:
    """On the writer's thread: each (sql, rows) through executemany in its own savepoint; a
    failing one redone row by row so only the bad rows fail. Busy errors propagate (the
    caller rolls back and retries the whole batch). Each row's (read result, error), in
    order; a row's read runs once its statement succeeded."""
    version = _begin(db) if begin else None
    outcomes: list[tuple[Any, BaseException | None]] = []
    for sql, rows in plan:
        if len(rows) > 1:
            db.execute("SAVEPOINT grouped")
            try:
                db.executemany(sql, [params for params, _ in rows])
            except sqlite3.Error as error:
                if _is_busy(error):
                    raise
                db.execute("ROLLBACK TO grouped")
                db.execute("RELEASE grouped")
            else:
                db.execute("RELEASE grouped")
                outcomes.extend((_read(db, read), None) for _, read in rows)
                continue
        for params, read in rows:
            db.execute("SAVEPOINT one")
            try:
                db.execute(sql, params)
            except sqlite3.Error as error:
                if _is_busy(error):
                    raise
                db.execute("ROLLBACK TO one")
                outcomes.append((None, error))
            else:
                outcomes.append((_read(db, read), None))
            db.execute("RELEASE one")
    if commit:
        db.execute("COMMIT")
    return version, outcomes


def _read(db: sqlite3.Connection, read: tuple[str, Params] | None) -> sqlite3.Row | None:
    if read is None:
        return None
    row: sqlite3.Row | None = db.execute(*read).fetchone()
    return row


def _segments(runs: list[list[_Pending]]) -> list[list[list[_Pending]] | _Pending]:
    """Consecutive statement runs gathered into one segment; each callable its own."""
    segments: list[list[list[_Pending]] | _Pending] = []
    for run in runs:
        if run[0].statement is None:
            segments.append(run[0])
        elif segments and isinstance(segments[-1], list):
            segments[-1].append(run)
        else:
            segments.append([run])
    return segments


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
        checkpointer: aiosqlite.Connection | None = None,
        data_version: int | None = None,
    ) -> None:
        self.path = path
        self._writer_conn = writer_conn
        self._readers = readers
        self._next_reader = itertools.cycle(range(len(readers)))
        self._closing = False
        self.writer = GroupWriter(writer_conn, busy_wait=busy_wait, data_version=data_version)
        self.writer.start()
        self._checkpointer = checkpointer
        self._checkpoints: asyncio.Task[None] | None = None
        if checkpointer is not None:
            self._checkpoints = asyncio.get_running_loop().create_task(
                self._checkpoint_now_and_then(checkpointer), name="store-checkpoints"
            )

    async def _checkpoint_now_and_then(self, conn: aiosqlite.Connection) -> None:
        """Fold the WAL back into the main file every :data:`CHECKPOINT_EVERY` seconds when
        something was written, on a connection of its own: the writer's commits never wait
        for a checkpoint (SQLite would otherwise run one inside every thousandth-page commit,
        fsyncs and all). PASSIVE never blocks the writer or the readers."""
        seen = self.writer.commits
        while True:
            await asyncio.sleep(CHECKPOINT_EVERY)
            if self.writer.commits == seen:
                continue
            seen = self.writer.commits
            try:
                await conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.OperationalError as error:  # busy elsewhere: the next round
                log.debug("a background checkpoint did not run: %s", error)

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
        opened = [writer_conn]
        try:
            await migrate(writer_conn)
            for _ in range(max(1, readers) + 1):
                opened.append(await connect(path, synchronous=synchronous, busy_ms=busy_ms))
            for reader in opened[1:-1]:
                await reader.execute(f"PRAGMA mmap_size = {READER_MMAP}")
            # The store checkpoints on a connection of its own (see _checkpoint_now_and_then).
            await writer_conn.execute("PRAGMA wal_autocheckpoint = 0")
            version = next(iter(await writer_conn.execute_fetchall("PRAGMA data_version")))[0]
        except BaseException:
            for conn in opened:
                await conn.close()
            raise
        *reader_conns, checkpointer = opened[1:]
        return cls(
            path,
            writer_conn,
            reader_conns,
            busy_wait=busy_wait,
            checkpointer=checkpointer,
            data_version=int(version),
        )

    async def __aenter__(self) -> Store:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Finish queued writes, checkpoint the WAL into the main file, close every connection."""
        self._closing = True
        if self._checkpoints is not None:
            self._checkpoints.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._checkpoints
        await self.writer.close()
        for reader in [*self._readers, *([self._checkpointer] if self._checkpointer else [])]:
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

        def in_snapshot(conn: sqlite3.Connection) -> T:
            conn.execute("BEGIN")
            try:
                return run(conn)
            finally:
                conn.execute("COMMIT")

        async def attempt() -> T:
            reader = self._reader()
            # aiosqlite runs the function on its worker thread with the sqlite3 connection
            # (``_execute``/``_conn``: not public, hence the pinned aiosqlite range).
            result: T = await reader._execute(in_snapshot, reader._conn)  # type: ignore[no-untyped-call]
            return result

        return await retry_while_busy(attempt, wait=self.busy_wait, give_up=lambda: self._closing)

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

    async def execute_then_read(
        self, sql: str, params: Params, read_sql: str, read_params: Params = ()
    ) -> sqlite3.Row | None:
        """``execute``, and one query run right after the statement in the same transaction
        (on the writer's thread, in the same trip); its first row once committed. For a
        write whose reply shows what it changed (a rating and the film's new average)."""
        return await self.writer.submit_statement(sql, params, (read_sql, read_params))

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
