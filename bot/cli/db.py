"""``filmclub db init | migrate | stats | backup PATH | audit``: the store, from the terminal."""

from __future__ import annotations

import argparse
import asyncio
import datetime
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bot.bootstrap import open_store
from bot.settings import Settings, SettingsError
from bot.store import Store, latest_version, migrate
from bot.store.audit import audit_entries
from bot.store.database import connect
from bot.store.schema import StoreTooNew, current_version
from bot.store.stats import store_stats


def register(commands: argparse._SubParsersAction[Any]) -> None:
    db = commands.add_parser("db", help="create, migrate, inspect or back up the store")
    actions = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    for name, handler, help_text in [
        ("init", init, "create the store (loading the bundled catalog) if it is new; show stats"),
        ("migrate", migrate_command, "apply the schema migrations this filmclub has"),
        ("stats", stats, "count films, people, credits, genres, reviews, ratings, servers"),
    ]:
        action = actions.add_parser(name, help=help_text)
        add_db_option(action)
        action.set_defaults(handler=handler)
    backup_parser = actions.add_parser(
        "backup", help="copy the store to PATH, consistent even while the bot runs"
    )
    backup_parser.add_argument("path", type=Path, help="where to write the copy")
    add_db_option(backup_parser)
    backup_parser.set_defaults(handler=backup)
    audit_parser = actions.add_parser(
        "audit", help="list admins' changes to the catalog: when, who, which film, what"
    )
    audit_parser.add_argument("--limit", type=int, default=50, help="how many (newest first)")
    audit_parser.add_argument("--guild", type=int, help="only the changes made in this server")
    add_db_option(audit_parser)
    audit_parser.set_defaults(handler=audit)


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", type=Path, help="the store's file (default: FILMCLUB_DB, else data/filmclub.db)"
    )


def store_path(args: argparse.Namespace) -> tuple[Settings, Path]:
    """The settings and the store's path (``--db`` over ``FILMCLUB_DB``)."""
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        raise SystemExit(f"filmclub: {error}") from None
    return settings, Path(args.db) if args.db else settings.db_path


def existing_store(args: argparse.Namespace) -> Path | None:
    """The store's path when the store is there; otherwise None, after saying so."""
    _, path = store_path(args)
    if path.exists():
        return path
    print(f"filmclub: no store at {path} (create it with `filmclub db init`)", file=sys.stderr)
    return None


def _run(coroutine: Any) -> int:
    try:
        return int(asyncio.run(coroutine))
    except StoreTooNew as error:
        print(f"filmclub: {error}", file=sys.stderr)
        return 1


def init(args: argparse.Namespace) -> int:
    settings, path = store_path(args)

    async def go() -> int:
        async with await open_store(settings, path) as store:
            await print_stats(store)
        return 0

    return _run(go())


def migrate_command(args: argparse.Namespace) -> int:
    _, path = store_path(args)

    async def go() -> int:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = await connect(path)
        try:
            before = await current_version(conn)
            applied = await migrate(conn)
        finally:
            await conn.close()
        if applied:
            print(
                f"{path}: schema {before} -> {applied[-1]} (applied {', '.join(map(str, applied))})"
            )
        else:
            print(f"{path}: schema {before} is the latest ({latest_version()}); nothing to do")
        return 0

    return _run(go())


def stats(args: argparse.Namespace) -> int:
    path = existing_store(args)
    if path is None:
        return 1

    async def go() -> int:
        async with await Store.open(path) as store:
            await print_stats(store)
        return 0

    return _run(go())


async def print_stats(store: Store) -> None:
    counts = await store_stats(store)
    print(f"{store.path} (schema {counts.schema_version})")
    table = Table()
    table.add_column("what")
    table.add_column("count", justify="right")
    for what, count in counts.lines():
        table.add_row(what, f"{count:,}")
    Console().print(table)


def backup(args: argparse.Namespace) -> int:
    path = existing_store(args)
    if path is None:
        return 1
    target = Path(args.path)
    if target.resolve() == path.resolve():
        print("filmclub: the backup must go to another file", file=sys.stderr)
        return 1

    async def go() -> int:
        async with await Store.open(path) as store:
            await store.backup(target)
        print(f"{path} -> {target}")
        return 0

    return _run(go())


def audit(args: argparse.Namespace) -> int:
    """One line per change, newest first: time (UTC), server, member, action, film, what."""
    path = existing_store(args)
    if path is None:
        return 1

    async def go() -> int:
        async with await Store.open(path) as store:
            entries = await audit_entries(store, limit=max(1, args.limit), guild_id=args.guild)
        if not entries:
            print("no changes to the catalog recorded")
        for entry in entries:
            when = datetime.datetime.fromtimestamp(entry.at, datetime.UTC)
            what = "; ".join(change.text for change in entry.changes)
            print(
                f"{when:%Y-%m-%d %H:%M:%S}  guild {entry.guild_id}  "
                f"{entry.member_name} ({entry.member_id})  {entry.action}  {entry.film}"
                + (f"  {what}" if what else "")
            )
        return 0

    return _run(go())
