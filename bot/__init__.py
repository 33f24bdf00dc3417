"""filmclub: a Discord bot for film discussion over a local SQLite store."""

from pathlib import Path

__version__ = "0.1.0"

#: The repository's root; the bundled catalog lives in ``ROOT / "data"``.
ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
