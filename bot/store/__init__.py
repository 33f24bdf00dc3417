"""The SQLite store: connections and migrations here, one query module per table family."""

from bot.store.database import Store, now
from bot.store.schema import StoreTooNew, latest_version, migrate

__all__ = ["Store", "StoreTooNew", "latest_version", "migrate", "now"]
