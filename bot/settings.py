"""Typed settings, read once from the environment (and a ``.env`` file when present)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

from bot import DATA_DIR


class SettingsError(ValueError):
    """A setting has a value filmclub cannot use; the message names the variable."""


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, not {raw!r}") from None


def _ids(env: Mapping[str, str], name: str) -> frozenset[int]:
    raw = env.get(name, "")
    try:
        return frozenset(int(part) for part in raw.replace(",", " ").split())
    except ValueError:
        raise SettingsError(f"{name} must be Discord ids separated by commas") from None


@dataclass(frozen=True)
class Settings:
    """Everything filmclub can be configured with. ``.env.example`` documents each one."""

    discord_token: str | None = field(default=None, repr=False)
    db_path: Path = DATA_DIR / "filmclub.db"
    prefix: str = "!"
    owner_ids: frozenset[int] = frozenset()
    dev_guild_id: int | None = None
    log_level: str = "INFO"
    cooldown_rate: int = 5
    cooldown_per: float = 10.0
    #: SQLite's ``synchronous`` in WAL mode: FULL survives power loss, NORMAL only process crashes.
    db_synchronous: str = "FULL"

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, dotenv_path: Path | None = None
    ) -> Settings:
        """Read settings from ``environ`` (default: ``os.environ`` over ``.env``).

        Real environment variables win over ``.env`` so a one-off ``FILMCLUB_DB=… filmclub``
        does what it says.
        """
        if environ is None:
            env_file = dotenv_path if dotenv_path is not None else Path.cwd() / ".env"
            from_file = {k: v for k, v in dotenv_values(env_file).items() if v is not None}
            environ = {**from_file, **os.environ}
        token = environ.get("DISCORD_TOKEN", "").strip() or None
        dev_guild = _int(environ, "FILMCLUB_DEV_GUILD", 0) or None
        synchronous = environ.get("FILMCLUB_DB_SYNCHRONOUS", "FULL").strip().upper() or "FULL"
        if synchronous not in {"FULL", "NORMAL"}:
            raise SettingsError("FILMCLUB_DB_SYNCHRONOUS must be FULL or NORMAL")
        prefix = environ.get("FILMCLUB_PREFIX", "!")
        if not prefix.strip() or len(prefix) > 5 or any(c.isspace() for c in prefix):
            raise SettingsError("FILMCLUB_PREFIX must be 1-5 characters without spaces")
        return cls(
            discord_token=token,
            db_path=Path(environ.get("FILMCLUB_DB", "").strip() or DATA_DIR / "filmclub.db"),
            prefix=prefix,
            owner_ids=_ids(environ, "FILMCLUB_OWNER_IDS"),
            dev_guild_id=dev_guild,
            log_level=environ.get("FILMCLUB_LOG_LEVEL", "INFO").strip().upper() or "INFO",
            cooldown_rate=_int(environ, "FILMCLUB_COOLDOWN_RATE", 5),
            cooldown_per=_float(environ, "FILMCLUB_COOLDOWN_PER", 10.0),
            db_synchronous=synchronous,
        )
