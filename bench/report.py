"""What every benchmark shares: percentiles, and writing its own section of docs/benchmarks.md.

Each benchmark owns one ``## …`` section of ``docs/benchmarks.md`` and replaces only that one,
so benchmarks run at different times (or on different days) never erase each other's figures.
"""

from __future__ import annotations

import math
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import ROOT

BENCHMARKS_MD = ROOT / "docs" / "benchmarks.md"
SHARED = ROOT.parent / "shared"


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank ``q``-th percentile (``q`` in 0..100) of ``values``."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def load_average() -> str:
    """The machine's load average over 1, 5 and 15 minutes (``1.02, 0.98, 1.10``): every
    section records it, since the machine is shared."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def command_line(module: str) -> str:
    """How this benchmark was invoked, for the section's ``Command:`` line."""
    return " ".join(["python -m", module, *sys.argv[1:]])


def write_section(heading: str, body: str, path: Path = BENCHMARKS_MD) -> None:
    """Replace the ``## heading`` section of docs/benchmarks.md, keeping everyone else's."""
    title = f"## {heading}"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(title)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    section = f"{title}\n\n{body.strip()}\n\n"
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
