"""Reads a reader connection keeps until anything is committed.

Every pick reads a few things that change far less often than they are read: the server's
prior and its best-rated films, the genre taxonomy (a genre's family, the genres' names, what
``sci-fi`` means). A reader connection keeps such values under ``PRAGMA data_version``, which
moves whenever another connection commits: a kept value is used only while nothing at all has
been committed since it was read, so it is always what reading again would give. Inside a read
transaction the version stays that of the transaction's snapshot, like the rows read in it.

A connection's own commits leave its ``data_version`` alone, so its ``total_changes`` (the rows
it wrote) is watched too: values stay true on any connection, not only on readers. Each
connection is used by one thread at a time (its aiosqlite worker); only the map of connections
is shared.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

T = TypeVar("T")

#: Values kept per connection, the most recently used (servers' priors and best-rated films,
#: genre families, genre names as typed). A server's best-rated films are the largest, about
#: 200 kB: this bounds a reader's kept values to about 12 MB whatever the number of servers.
KEPT_VALUES = 64
#: Connections whose values are kept: the bot's few readers (and, in tests, the latest).
KEPT_CONNECTIONS = 8


class Kept:
    """One connection's values, all read at one state of the store."""

    def __init__(self) -> None:
        #: The connection's ``data_version`` and ``total_changes`` the values were read at.
        self.version: tuple[int, int] | None = None
        self._values: OrderedDict[Hashable, Any] = OrderedDict()

    def get(self, key: Hashable, read: Callable[[], T]) -> T:
        """The value kept under ``key``, else ``read()``, kept from now on. Values are shared by
        every later caller: ``read`` must return something nobody changes (a tuple, a frozen
        dataclass, or an object only its owner's functions touch)."""
        try:
            value = self._values[key]
        except KeyError:
            value = self._values[key] = read()
            if len(self._values) > KEPT_VALUES:
                self._values.popitem(last=False)
        else:
            self._values.move_to_end(key)
        return cast(T, value)

    def renew(self, version: tuple[int, int]) -> None:
        """Forget every value if the store moved on from the version they were read at."""
        if version != self.version:
            self._values.clear()
            self.version = version


#: id(connection) -> (the connection, its values). sqlite3 connections take no weak
#: references: the connection is held, so its id cannot pass to another while it is here.
_kept: OrderedDict[int, tuple[sqlite3.Connection, Kept]] = OrderedDict()
_kept_lock = threading.Lock()


def kept(conn: sqlite3.Connection) -> Kept:
    """``conn``'s kept values, as of the snapshot it reads now (call it inside the read
    transaction the values are for)."""
    version = (int(conn.execute("PRAGMA data_version").fetchone()[0]), conn.total_changes)
    with _kept_lock:  # the readers' threads share the map of connections
        held = _kept.get(id(conn))
        if held is None or held[0] is not conn:
            held = _kept[id(conn)] = (conn, Kept())
            if len(_kept) > KEPT_CONNECTIONS:
                _kept.popitem(last=False)
        _kept.move_to_end(id(conn))
    values = held[1]
    values.renew(version)
    return values
