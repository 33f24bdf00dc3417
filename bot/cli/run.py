from __future__ import annotations

import argparse
from typing import Any


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Filled in by the client work (issue 3)."""


def run_default(args: argparse.Namespace) -> int:
    """Filled in by the client work (issue 3): ``run`` with a token, else ``console``."""
    raise SystemExit("filmclub: the bot is not built yet")
