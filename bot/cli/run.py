"""``filmclub run`` (connect to Discord), ``filmclub console`` (try it locally), and what plain
``filmclub`` picks between them."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import discord

from bot.bootstrap import open_store
from bot.client import FilmBot
from bot.localdiscord.connect import LOCAL_DISCORD_ENV, HandledReporter, use_local_discord
from bot.localdiscord.console import (
    BOT_NAME,
    OWNER_NAME,
    QuietVoice,
    converse,
    quiet_logging,
    read_lines,
    readline_history,
)
from bot.localdiscord.driver import DEFAULT_TOKEN, LocalDiscord
from bot.settings import Settings, SettingsError

log = logging.getLogger(__name__)

PORTAL = "https://discord.com/developers/applications"
NO_TOKEN = (
    "filmclub: no DISCORD_TOKEN is set. Create an application at "
    f"{PORTAL} (Bot -> Reset Token), put DISCORD_TOKEN=<token> in .env and run again "
    "(or try the bot locally with `filmclub console`)."
)
BAD_TOKEN = (
    f"filmclub: Discord rejected DISCORD_TOKEN. Get a new one at {PORTAL} "
    "(your application -> Bot -> Reset Token) and put it in .env."
)
NO_INTENT = (
    f"filmclub: Discord refused the Message Content intent. Turn on Message Content Intent at "
    f"{PORTAL} (your application -> Bot -> Privileged Gateway Intents) and run again."
)
#: Exit status for a problem the person running filmclub has to fix (token, settings).
USAGE_ERROR = 2
#: ``FILMCLUB_EVENT_LOOP=asyncio`` runs on asyncio's own event loop even where uvloop is
#: installed (to compare the two, or to rule uvloop out when chasing a problem).
EVENT_LOOP_ENV = "FILMCLUB_EVENT_LOOP"

T = TypeVar("T")


def event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's loop where it is installed (not on Windows) and not turned off; None means
    asyncio's own. uvloop does the socket reads and writes, timers and callbacks in C: on
    this bot's path (a gateway frame in, a REST request out per command) that is a good part
    of each command's processor time."""
    if os.environ.get(EVENT_LOOP_ENV, "").lower() == "asyncio":
        return None
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def run_async(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(main)`` on the event loop :func:`event_loop_factory` picks."""
    with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
        return runner.run(main)


def register(commands: argparse._SubParsersAction[Any]) -> None:
    run = commands.add_parser("run", help="connect to Discord with DISCORD_TOKEN")
    run.add_argument("--db", type=Path, help="the store to use (default: FILMCLUB_DB)")
    run.add_argument(
        "--local-discord",
        metavar="URL",
        default=os.environ.get(LOCAL_DISCORD_ENV) or None,
        help=f"connect to a local Discord at URL instead (also {LOCAL_DISCORD_ENV})",
    )
    run.set_defaults(handler=run_command)
    console = commands.add_parser(
        "console", help="try the bot in this terminal, on a built-in local Discord"
    )
    console.add_argument("--db", type=Path, help="the store to use (default: FILMCLUB_DB)")
    console.set_defaults(handler=console_command)


def _settings() -> Settings | None:
    try:
        return Settings.from_env()
    except SettingsError as error:
        print(f"filmclub: {error}", file=sys.stderr)
        return None


def run_default(args: argparse.Namespace) -> int:
    """``filmclub`` alone: ``run`` with a token, otherwise ``console``; says which on stderr."""
    settings = _settings()
    if settings is None:
        return USAGE_ERROR
    defaults = argparse.Namespace(db=None, local_discord=None)
    if settings.discord_token:
        print(
            "filmclub: DISCORD_TOKEN is set, so connecting to Discord "
            "(`filmclub console` tries the bot locally instead).",
            file=sys.stderr,
        )
        return run_command(defaults)
    print(
        "filmclub: no DISCORD_TOKEN in the environment or .env, so opening the local console "
        "(put a bot token in .env to connect to Discord).",
        file=sys.stderr,
    )
    return console_command(defaults)


# filmclub run ---------------------------------------------------------------------------------
def run_command(args: argparse.Namespace) -> int:
    settings = _settings()
    if settings is None:
        return USAGE_ERROR
    local_url: str | None = args.local_discord
    token = settings.discord_token or (DEFAULT_TOKEN if local_url else None)
    if not token:
        print(NO_TOKEN, file=sys.stderr)
        return USAGE_ERROR
    configure_logging(settings.log_level)
    try:
        run_async(serve(settings, token, db=args.db, local_url=local_url))
    except discord.LoginFailure:
        print(BAD_TOKEN, file=sys.stderr)
        return USAGE_ERROR
    except discord.PrivilegedIntentsRequired:
        print(NO_INTENT, file=sys.stderr)
        return USAGE_ERROR
    except (aiohttp.ClientConnectionError, discord.GatewayNotFound) as error:
        print(f"filmclub: could not reach Discord ({error}).", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


#: discord.py's loggers that at DEBUG print whole gateway events and request bodies, i.e. what
#: members typed and what the bot answered: they never go below INFO (logs hold command
#: names, not members' text).
CHATTY_LOGGERS = ("discord.gateway", "discord.http", "discord.webhook.async_")


def configure_logging(level_name: str) -> None:
    """discord.py's log format on stderr (journald keeps it under systemd) at ``level_name``."""
    level = logging.getLevelName(level_name)
    discord.utils.setup_logging(level=level, root=True)
    for handler in logging.getLogger().handlers:
        handler.addFilter(QuietVoice())
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.INFO, logging.getLogger().level))


def stop_on(signals: Sequence[signal.Signals], stop: Callable[[], object]) -> None:
    """Call ``stop`` (once) when one of ``signals`` arrives, instead of dying on the spot."""
    loop = asyncio.get_running_loop()
    stopping = False

    def handle() -> None:
        nonlocal stopping
        if not stopping:
            stopping = True
            log.info("stopping: closing the gateway and the store")
            stop()

    for signum in signals:
        loop.add_signal_handler(signum, handle)


async def serve(
    settings: Settings, token: str, *, db: Path | None = None, local_url: str | None = None
) -> None:
    """Run the bot until it is closed (SIGINT/SIGTERM close it cleanly)."""
    if local_url:
        use_local_discord(local_url)
    store = await open_store(settings, db)
    try:
        async with FilmBot(store=store, settings=settings) as bot:
            reporter = HandledReporter(local_url, token, bot) if local_url else None
            if reporter is not None:
                bot.handled_hooks.append(reporter)
            closing: list[asyncio.Task[None]] = []
            stop_on(
                (signal.SIGINT, signal.SIGTERM),
                lambda: closing.append(asyncio.get_running_loop().create_task(bot.close())),
            )
            try:
                await bot.start(token)
            finally:
                if reporter is not None:
                    await reporter.close()
    finally:
        await store.close()


# filmclub console -------------------------------------------------------------------------------
def console_command(args: argparse.Namespace) -> int:
    settings = _settings()
    if settings is None:
        return USAGE_ERROR
    quiet_logging(
        logging.getLevelName(settings.log_level)
        if settings.log_level == "DEBUG"
        else logging.WARNING
    )
    interactive = sys.stdin.isatty()
    if interactive:
        readline_history()
    try:
        run_async(console(settings, db=args.db, interactive=interactive))
    except KeyboardInterrupt:
        print(file=sys.stdout)
    return 0


async def console(
    settings: Settings,
    *,
    db: Path | None = None,
    interactive: bool = False,
    stdin: Any = None,
    stdout: Any = None,
) -> None:
    """The bot and a local Discord in this process, talking with the terminal."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    store = await open_store(settings, db)
    try:
        async with (
            LocalDiscord(bot_name=BOT_NAME, owner=OWNER_NAME) as local,
            FilmBot(store=store, settings=settings, guild_ready_timeout=0.01) as bot,
        ):
            guild = local.add_guild("filmclub (local)")
            await local.run_bot(bot)
            await bot.sync_commands()
            lines = read_lines(stdin, prompt="> " if interactive else None)
            talk = asyncio.ensure_future(
                converse(
                    local, guild, lines, stdout, interactive=interactive, colour=stdout.isatty()
                )
            )
            # SIGTERM (a service manager, `kill`) ends the conversation like the end of input.
            stop_on((signal.SIGTERM,), talk.cancel)
            await asyncio.wait({talk})
            if not talk.cancelled():
                talk.result()
            await local.stop_bot()
    finally:
        await store.close()
