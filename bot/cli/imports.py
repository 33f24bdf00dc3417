"""``filmclub import reviews | catalog | imdb | movielens | letterboxd …``.

The store is opened first (created, migrated and loaded with the bundled catalog when new),
then the importer runs with its own connection while a progress bar follows the bytes read.
The bot may keep running meanwhile: it reads the last committed state throughout.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from bot import DATA_DIR
from bot.bootstrap import open_store
from bot.cli.db import add_db_option, store_path
from bot.importers import catalog, imdb, letterboxd, movielens, reviews
from bot.importers.common import ImportReport
from bot.importers.common import Progress as ProgressFn
from bot.store import StoreTooNew

Importer = Callable[[Path, ProgressFn], ImportReport]


def register(commands: argparse._SubParsersAction[Any]) -> None:
    imports = commands.add_parser("import", help="load review documents, catalogs and ratings")
    sources = imports.add_subparsers(dest="source", metavar="SOURCE", required=True)

    parser = sources.add_parser("reviews", help="review documents (*.txt, the seed format)")
    parser.add_argument("path", type=Path, help="a document, or a folder of *.txt documents")
    parser.set_defaults(handler=import_reviews)

    parser = sources.add_parser("catalog", help="a catalog in the bundled format (TOML)")
    parser.add_argument(
        "path", type=Path, nargs="?", default=DATA_DIR, help="folder or file (default: data/)"
    )
    parser.set_defaults(handler=import_catalog)

    parser = sources.add_parser("imdb", help="IMDb's TSV files (title.basics, …; .tsv or .tsv.gz)")
    parser.add_argument("path", type=Path, help="the folder holding the files")
    parser.add_argument(
        "--kinds",
        default=",".join(imdb.DEFAULT_KINDS),
        help="title types to import, comma separated (default: movie,tvMovie)",
    )
    parser.add_argument("--skip-adult", action="store_true", help="leave out adult titles")
    parser.set_defaults(handler=import_imdb)

    parser = sources.add_parser("movielens", help="MovieLens movies.csv (+ links.csv, ratings.csv)")
    parser.add_argument("path", type=Path, help="the folder holding movies.csv")
    parser.set_defaults(handler=import_movielens)

    parser = sources.add_parser("letterboxd", help="a member's Letterboxd ratings.csv export")
    parser.add_argument("path", type=Path, help="ratings.csv from the Letterboxd export")
    parser.add_argument("--guild", type=int, required=True, help="the server's id")
    parser.add_argument("--member", type=int, required=True, help="the member's id")
    parser.set_defaults(handler=import_letterboxd)

    for source in sources.choices.values():
        add_db_option(source)


def _from_path(
    run: Callable[[Path, Path, ProgressFn], ImportReport], size: Callable[[Path], int]
) -> Callable[[argparse.Namespace], int]:
    """The handler of an import that takes just its source path."""

    def handler(args: argparse.Namespace) -> int:
        return _import(
            args, lambda db, progress: run(db, args.path, progress), lambda: size(args.path)
        )

    return handler


import_reviews = _from_path(reviews.import_reviews, reviews.import_size)
import_catalog = _from_path(catalog.import_catalog, catalog.import_size)
import_movielens = _from_path(movielens.import_movielens, movielens.import_size)


def import_imdb(args: argparse.Namespace) -> int:
    kinds = [kind.strip() for kind in args.kinds.split(",") if kind.strip()]

    def run(db: Path, progress: ProgressFn) -> ImportReport:
        return imdb.import_imdb(
            db, args.path, progress, kinds=kinds, include_adult=not args.skip_adult
        )

    return _import(args, run, lambda: imdb.import_size(args.path))


def import_letterboxd(args: argparse.Namespace) -> int:
    def run(db: Path, progress: ProgressFn) -> ImportReport:
        return letterboxd.import_letterboxd(db, args.path, args.guild, args.member, progress)

    return _import(args, run, lambda: args.path.stat().st_size)


def _import(args: argparse.Namespace, run: Importer, size: Callable[[], int]) -> int:
    """Open (or create) the store, then run the importer with a progress bar over the source's
    ``size()`` bytes; a missing source is a one-line error, bad rows are in the report."""
    settings, path = store_path(args)
    console = Console(stderr=True)

    async def prepare() -> None:
        async with await open_store(settings, path):
            pass

    try:
        total = size()
        asyncio.run(prepare())
        with Progress(
            TextColumn(f"importing {args.source}"),
            BarColumn(),
            DownloadColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task(args.source, total=total or None)
            report = run(path, lambda n: bar.advance(task, n))
    except (FileNotFoundError, NotADirectoryError) as error:
        print(f"filmclub: {error}", file=sys.stderr)
        return 1
    except StoreTooNew as error:
        print(f"filmclub: {error}", file=sys.stderr)
        return 1
    for line in report.lines():
        print(line)
    return 0
