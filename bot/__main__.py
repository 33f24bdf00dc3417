"""The ``filmclub`` command: ``run | console | db … | import …``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot.cli import db, imports, run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="filmclub",
        description="A Discord bot for film discussion. With no command: `run` when "
        "DISCORD_TOKEN is set, otherwise the local `console`.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    run.register(commands)
    db.register(commands)
    imports.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        return run.run_default(args)
    handler = args.handler
    return int(handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
