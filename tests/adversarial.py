"""The adversarial harness: every command, driven through the local Discord with hostile input.

Shared by the CI property suite (``tests/test_adversarial.py``) and the long run
(``bench/bench_adversarial.py``). The commands are found at run time — in the extension
modules before a bot exists (for pytest's parametrisation) and in the running bot's synced
slash schemas — so commands added later are covered without touching this file.

One *case* is one member (a plain member, a Manage Server admin or the bot's owner, in the
server or in a DM) using one command twice: as a prefix command with generated arguments
(built per parameter from its converter) and as a slash command with generated options
(built per option from its synced schema: text, numbers at their edges, members, roles,
channels, choices, subcommands), then perhaps typing into an autocompleted option and
pressing a button on a reply. Every reply is checked (:meth:`Fuzzer.problems_with`):

* nothing unexpected happened: no error logged, no apology, no traceback or exception text;
* nobody can be pinged: ``allowed_mentions`` parses nothing, so ``@everyone``, roles and
  members stay inert;
* Discord would have accepted it: the local Discord answers 400 to anything over its limits
  (content 2,000; embed title 256, description 4,096, 25 fields, field name 256 and value
  1,024, footer 2,048, 6,000 in all; components, choices) and every such answer is a failure;
* a slash command always gets an answer; the store's integrity check still says ``ok``.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import inspect
import logging
import threading
import time
import typing
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from discord.ext import commands
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bot.client import APOLOGY, extension_names
from bot.localdiscord import BotDidNotAnswer, LocalDiscordError, Member, Message, Replies
from bot.localdiscord.errors import UnknownCommand
from bot.settings import Settings
from bot.store import guilds
from bot.store.guilds import GuildSettings
from tests.conftest import BotHarness, bot_settings, running_bot

T = TypeVar("T")

# What hostile input is made of ------------------------------------------------------------------
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e", "\u034f"]
RTL = ["\u202e", "\u202b", "\u202a", "\u200f", "\u061c", "\u2067", "\u2069", "שלום", "مرحبا"]
MARKDOWN = [
    "**", "__", "*", "_", "~~", "||", "`", "```", "```py\n", "> ", ">>> ", "# ", "-# ", "\\",
    "[Heat](https://example.com)", "<https://example.com>", ":popcorn:", "<:emoji:123456>",
    "<t:0:R>", "- ", "1. ", "\n", "\r\n", "\t",
]  # fmt: skip
SQL = [
    "'; DROP TABLE films;--", '" OR 1=1 --', "' OR ''='", "%", "_", "%_%", "NULL", "\x00",
    "1; DELETE FROM ratings", "') UNION SELECT name FROM sqlite_master --", "/*", "*/",
    "PRAGMA writable_schema=1", "json_each", "?", ":film", "@p", "$1",
]  # fmt: skip
FORMAT = ["{}", "{0}", "{film}", "{.__class__}", "{0.__globals__}", "%s", "%d", "%(x)s",
          "${x}", "{{", "}}", "%n", "%%", "{!r}", "{:>9999}"]  # fmt: skip
NUMBERS = [
    "0", "-0", "1", "-1", "2", "5", "9", "10", "11", "0.5", "0.25", "9.5", "9.75", "4.5/5",
    "9/10", "10/10", "11/10", "4.5/4", "5/0", "0/0", "1/0", "-3", "NaN", "nan", "inf", "-inf",
    "Infinity", "1e308", "1e-308", "1e999", "-1e999", "9" * 40, str(2**31), str(2**31 - 1),
    str(2**53 + 1), str(2**63), str(-(2**63) - 1), str(2**64), "0x10", "1_000", "1,5", "½",
    "٣", "１０", "⑩", "Ⅻ", "★★★★½", "★" * 20, "☆", "4.5 stars", "3 stars", "00000000007",
    "1e3", ".5", "5.", "+7", "1900", "1870", "1869", "2100", "2101", "90s", "1990s", "'90s",
]  # fmt: skip
FILMS = [
    "Heat", "heat 1995", "Heat (1995)", "tt0113277", "se7en", "id:1", "id:0", "id:99999999999",
    "The", "a", "Heat, The", "godfahter", "amelie", "sci-fi", "noir",
]  # fmt: skip
TRACEBACK_MARKERS = [
    "Traceback", 'File "', "Error:", "Exception", "sqlite3", "discord.ext", "aiosqlite",
    "OperationalError", "IntegrityError", "TypeError", "ValueError", "KeyError",
    "AttributeError", "NoneType", "site-packages", "Command raised",
]  # fmt: skip
#: Logged warnings that are not the bot's doing: discord.py's notes about optional packages,
#: and its heartbeat latency, which its keep-alive thread measures from a send time it records
#: after the send: with hypothesis busy in the main thread the ACK can come first and be
#: measured against the previous heartbeat, 41 s earlier. (A loop really blocked still fails:
#: "heartbeat blocked", late interactions and timeouts are all caught.)
BENIGN_WARNINGS = ("is not installed, voice will NOT be supported", "Can't keep up, shard ID")


@dataclass(frozen=True)
class World:
    """What generated input can point at: the harness's members, a role, channels."""

    member_ids: tuple[int, ...]
    role_id: int
    channel_id: int
    bot_id: int

    def mentions(self) -> list[str]:
        member = self.member_ids[0]
        return [
            "@everyone", "@here", f"<@&{self.role_id}>", f"<@{member}>", f"<@!{member}>",
            f"<#{self.channel_id}>", f"<@{self.bot_id}>", "<@0>", "<@&0>", f"<@{2**64}>",
            "@ everyone", "@\u200beveryone", "<@&everyone>",
        ]  # fmt: skip


def fragments(world: World) -> st.SearchStrategy[str]:
    """One piece of hostile text: a known-nasty fragment or any characters at all."""
    return st.one_of(
        st.sampled_from(
            ZERO_WIDTH + RTL + MARKDOWN + SQL + FORMAT + NUMBERS + FILMS + world.mentions()
        ),
        st.text(st.characters(codec="utf-8"), max_size=12),
        st.text(st.characters(categories=["Mn", "Me", "Cf", "Zs", "Co", "So"]), max_size=6),
    )


def hostile_text(
    world: World, *, max_size: int = 6000, min_size: int = 0
) -> st.SearchStrategy[str]:
    """Text from 0 to ``max_size`` characters: a few fragments, or one repeated to length."""
    short = st.lists(fragments(world), max_size=8).flatmap(
        lambda parts: st.sampled_from([" ", "", "\n", " | ", ", "]).map(lambda sep: sep.join(parts))
    )
    long = st.tuples(
        st.lists(fragments(world), min_size=1, max_size=3), st.integers(1, max_size)
    ).map(lambda item: _repeat(" ".join(item[0]) or "x", item[1]))
    edge = st.sampled_from([0, 1, 99, 100, 101, 255, 256, 257, 1024, 1025, 2000, 2001, 4000,
                            4001, 4096, 4097, 6000]).map(lambda n: _repeat("é*", n))  # fmt: skip
    text = st.one_of(short, short, short, long, edge)
    return text.map(lambda s: s[:max_size]).filter(lambda s: len(s) >= min_size)


def _repeat(text: str, length: int) -> str:
    return (text * (length // max(1, len(text)) + 1))[:length]


def number_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NUMBERS),
        st.integers().map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
    )


# Prefix commands: arguments per parameter ---------------------------------------------------------
def _unwrap(annotation: Any) -> list[Any]:
    """The types an annotation allows (``Optional[int]`` -> ``[int]``)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        return [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin is typing.Literal:
        return [str(a) for a in typing.get_args(annotation)]
    return [annotation]


def argument_text(parameter: commands.Parameter, world: World) -> st.SearchStrategy[str]:
    """Text a member might type for one parameter: what fits it, what almost does, garbage."""
    kinds = _unwrap(parameter.converter)
    options: list[st.SearchStrategy[str]] = [hostile_text(world, max_size=300)]
    for kind in kinds:
        if isinstance(kind, str):  # a Literal's value
            options.append(st.just(kind))
        elif isinstance(kind, type) and issubclass(kind, commands.FlagConverter):
            options.append(flags_text(kind, world))
        elif kind in (int, float) or isinstance(kind, commands.Range):
            options.append(number_text())
        elif kind is bool:
            options.append(st.sampled_from(["yes", "no", "true", "false", "on", "off", "2"]))
        elif getattr(kind, "__name__", "") in ("Member", "User"):
            options.append(st.sampled_from(world.mentions()))
    return st.one_of(*options)


def flags_text(flags: type[commands.FlagConverter], world: World) -> st.SearchStrategy[str]:
    """``Heat (1995) genres: Crime director: …`` with flags in any order, some missing or twice."""
    found = flags.get_flags()
    names = sorted({name for flag in found.values() for name in (flag.name, *flag.aliases)})
    delimiter = getattr(flags, "__commands_flag_delimiter__", ":")
    prefix = getattr(flags, "__commands_flag_prefix__", "")
    piece = st.tuples(st.sampled_from(names), hostile_text(world, max_size=200)).map(
        lambda item: f"{prefix}{item[0]}{delimiter} {item[1]}"
    )
    return st.tuples(hostile_text(world, max_size=200), st.lists(piece, max_size=6)).map(
        lambda item: " | ".join([item[0], *item[1]])
    )


def prefix_message(
    command: commands.Command[Any, ..., Any], world: World
) -> st.SearchStrategy[str]:
    """A whole message using ``command``: its name or an alias (any case), arguments per
    parameter (some left out), maybe trailing junk; sometimes a subcommand of a group."""
    names = [command.name, *command.aliases]
    name = st.sampled_from(names).flatmap(lambda n: st.sampled_from([n, n.upper(), n.title()]))
    parameters = list(command.clean_params.values())
    arguments = (
        st.tuples(*(argument_text(p, world) for p in parameters)) if parameters else st.just(())
    )
    body = st.tuples(
        arguments,
        st.integers(0, len(parameters)),
        st.one_of(st.just(""), hostile_text(world, max_size=100)),
    )
    message = st.tuples(name, body).map(
        lambda item: " ".join(
            part
            for part in (item[0], *item[1][0][: item[1][1] or len(parameters)], item[1][2])
            if part
        )
    )
    if isinstance(command, commands.Group) and command.commands:
        sub = st.sampled_from(sorted(command.commands, key=lambda c: c.name)).flatmap(
            lambda c: prefix_message(c, world)
        )
        message = st.one_of(message, st.tuples(name, sub).map(lambda item: f"{item[0]} {item[1]}"))
    return message


# Slash commands: options per synced schema --------------------------------------------------------
@dataclass(frozen=True)
class Targets:
    """Objects a slash option of type user, channel or role is filled with."""

    members: tuple[Member, ...]
    channels: tuple[Any, ...]
    roles: tuple[Any, ...]


def option_value(spec: dict[str, Any], world: World, targets: Targets) -> st.SearchStrategy[Any]:
    kind = spec["type"]
    if spec.get("choices"):
        return st.sampled_from([choice["value"] for choice in spec["choices"]])
    if kind == 3:
        low, high = int(spec.get("min_length", 0)), int(spec.get("max_length", 6000))
        # The Discord client sends no empty value for a required option.
        low = max(low, 1 if spec.get("required") else 0)
        return hostile_text(world, max_size=high, min_size=low).map(lambda s: _pad(s, low))
    if kind in (4, 10):
        # Discord's own bounds for numbers are ±2^53.
        low = spec.get("min_value", -(2**53) + 1)
        high = spec.get("max_value", 2**53 - 1)
        edges = sorted(e for e in {low, high, 0, 1, -1, low + 1, high - 1} if low <= e <= high)
        if kind == 4:
            return st.one_of(st.sampled_from(edges), st.integers(int(low), int(high)))
        return st.one_of(
            st.sampled_from(edges),
            st.floats(float(low), float(high), allow_nan=False, allow_infinity=False),
        )
    if kind == 5:
        return st.booleans()
    if kind == 6:
        return st.sampled_from(targets.members)
    if kind == 7:
        return st.sampled_from(targets.channels)
    if kind == 8:
        return st.sampled_from(targets.roles)
    if kind == 9:
        return st.sampled_from(targets.members + targets.roles)
    raise NotImplementedError(f"no strategy for option type {kind}")


def _pad(text: str, length: int) -> str:
    return text if len(text) >= length else text + "x" * (length - len(text))


def slash_call(
    schema: dict[str, Any], world: World, targets: Targets
) -> st.SearchStrategy[tuple[str, dict[str, Any]]]:
    """(``"name"`` or ``"name sub"``, options) for one synced command."""
    options = schema.get("options") or []
    subs = [o for o in options if o["type"] in (1, 2)]
    if subs:
        return st.sampled_from(subs).flatmap(
            lambda sub: slash_call(sub, world, targets).map(
                lambda call: (f"{schema['name']} {call[0]}", call[1])
            )
        )
    required = [o for o in options if o.get("required")]
    optional = [o for o in options if not o.get("required")]
    values = st.fixed_dictionaries(
        {o["name"]: option_value(o, world, targets) for o in required},
        optional={o["name"]: option_value(o, world, targets) for o in optional},
    )
    return values.map(lambda given: (schema["name"], given))


def autocompleted(schema: dict[str, Any], path: str = "") -> list[tuple[str, str]]:
    """(command path, option) of every autocompleted option of a synced command."""
    name = f"{path} {schema['name']}".strip()
    found = []
    for option in schema.get("options") or []:
        if option["type"] in (1, 2):
            found += autocompleted(option, name)
        elif option.get("autocomplete"):
            found.append((name, option["name"]))
    return found


# One case -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    who: str  # "member" | "admin" | "owner"
    in_dm: bool
    message: str
    slash: tuple[str, dict[str, Any]] | None
    typed: tuple[str, str, str] | None  # (command path, option, text) for autocomplete
    press: int | None  # which button of the replies to press, if any
    presser: str  # "asker" | "stranger"

    def __repr__(self) -> str:
        slash = (
            None
            if self.slash is None
            else (self.slash[0], {k: _short(v) for k, v in self.slash[1].items()})
        )
        return (
            f"Case(who={self.who!r}, in_dm={self.in_dm}, message={_short(self.message)}, "
            f"slash={slash}, typed={self.typed and (*self.typed[:2], _short(self.typed[2]))}, "
            f"press={self.press}, presser={self.presser!r})"
        )


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 300 else f"{text[:200]}…({len(text)} chars)…{text[-60:]}"


@dataclass
class Result:
    command: str
    cases: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0


class LogWatch(logging.Handler):
    """Collects what the bot logs at WARNING and above while a case runs."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []
        self._lock_records = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        if any(text in record.getMessage() for text in BENIGN_WARNINGS):
            return
        with self._lock_records:
            self.records.append(record)

    def take(self) -> list[logging.LogRecord]:
        with self._lock_records:
            taken, self.records = self.records, []
        return taken


class Fuzzer:
    """Runs cases against a running :class:`BotHarness` and reports what went wrong."""

    def __init__(self, harness: BotHarness, *, integrity_every: int = 1) -> None:
        self.harness = harness
        self.integrity_every = integrity_every
        self.cases_run = 0
        local = harness.discord
        self.role = local.add_role(harness.guild, "regulars")
        self.world = World(
            member_ids=(harness.member.id, harness.admin.id, harness.other_member.id),
            role_id=self.role.id,
            channel_id=harness.guild.channel.id,
            bot_id=local.bot_user.id,
        )
        self.targets = Targets(
            members=(harness.member, harness.admin, harness.owner),
            channels=(harness.guild.channel,),
            roles=(self.role,),
        )
        self.stranger = local.add_member(harness.guild, "stranger")
        self.watch = LogWatch()
        self.defaults = GuildSettings(harness.guild.id)

    # What to generate ---------------------------------------------------------------------
    def schema(self, name: str) -> dict[str, Any] | None:
        return next(
            (c for c in self.harness.discord.commands.get(None, []) if c["name"] == name), None
        )

    def cases(self, name: str) -> st.SearchStrategy[Case]:
        command = self.harness.bot.get_command(name)
        assert command is not None, f"no command {name}"
        schema = self.schema(name)
        slash = st.none() if schema is None else slash_call(schema, self.world, self.targets)
        completions = [] if schema is None else autocompleted(schema)
        typed = st.none()
        if completions:
            typed = st.one_of(
                st.none(),
                st.tuples(st.sampled_from(completions), hostile_text(self.world, max_size=200)).map(
                    lambda item: (item[0][0], item[0][1], item[1])
                ),
            )
        return st.builds(
            Case,
            who=st.sampled_from(["member", "member", "admin", "admin", "owner"]),
            in_dm=st.sampled_from([False] * 9 + [True]),
            message=prefix_message(command, self.world),
            slash=slash,
            typed=typed,
            press=st.one_of(st.none(), st.integers(0, 4)),
            presser=st.sampled_from(["asker", "stranger"]),
        )

    # Running one --------------------------------------------------------------------------
    def _member(self, who: str) -> Member:
        return {
            "member": self.harness.member,
            "admin": self.harness.admin,
            "owner": self.harness.owner,
        }[who]

    async def run(self, case: Case) -> list[str]:
        """Run one case; the problems found (empty: all well)."""
        local, harness = self.harness.discord, self.harness
        self.watch.take()
        rejected_before = len(local.rejected)
        member = self._member(case.who)
        where = local.dm(member) if case.in_dm else harness.guild
        problems: list[str] = []
        inputs = [case.message]
        replies = await self._attempt(
            problems, "prefix", local.send(where, member, "!" + case.message, timeout=30)
        )
        if case.slash is not None:
            path, options = case.slash
            inputs += [str(v) for v in options.values()]
            answered = await self._attempt(
                problems, "slash", local.slash(where, member, path, timeout=30, **options)
            )
            if answered is not None and not case.in_dm and not list(answered):
                problems.append(f"/{path} got no answer at all")
            replies = (replies or Replies()) + (answered or Replies())
        if case.typed is not None:
            path, option, text = case.typed
            inputs.append(text)
            choices = await self._attempt(
                problems,
                "autocomplete",
                local.autocomplete(where, member, path, option, text, timeout=30),
            )
            if choices is not None and len(choices) > 25:
                problems.append(f"{len(choices)} autocomplete choices")
        pressed = Replies()
        if case.press is not None and replies:
            buttons = [
                (m, b)
                for m in replies
                for b in m.buttons
                if not b.disabled and b.custom_id and not m.deleted
            ]
            if buttons:
                message, button = buttons[case.press % len(buttons)]
                presser = member if case.presser == "asker" else self.stranger
                if presser.guild is not None and message.channel.guild is None:
                    presser = member
                got = await self._attempt(
                    problems,
                    "click",
                    local.click(message, button.custom_id or "", presser, timeout=30),
                )
                pressed = got or Replies()
        for message in [*(replies or []), *pressed]:
            problems += self.problems_with(message, inputs)
        for method, path, status, body in local.rejected[rejected_before:]:
            # A lookup of a member or message that does not exist is an answer, not a refusal.
            if not (method == "GET" and status == 404):
                problems.append(f"Discord would refuse {method} {path}: {status} {body}")
        for record in self.watch.take():
            problems.append(f"logged {record.levelname} {record.name}: {record.getMessage()[:500]}")
        self.cases_run += 1
        if self.cases_run % self.integrity_every == 0:
            check = await harness.store.integrity_check()
            if check != "ok":
                problems.append(f"integrity check: {check[:500]}")
        await self.reset()
        return problems

    async def _attempt(self, problems: list[str], what: str, action: Awaitable[T]) -> T | None:
        try:
            return await action
        except BotDidNotAnswer as error:
            problems.append(f"{what}: the bot did not answer ({error})"[:1000])
        except (UnknownCommand, LocalDiscordError):
            pass  # a Discord client would not have let the member send it
        return None

    def problems_with(self, message: Message, inputs: Sequence[str]) -> list[str]:
        """What is wrong with one of the bot's messages, given what the member typed."""
        found: list[str] = []
        text = message.text
        typed = "\n".join(inputs)
        if APOLOGY in message.content:
            found.append(f"an unexpected error (the apology): {_short(text)}")
        for marker in TRACEBACK_MARKERS:
            if marker in text and marker not in typed:
                found.append(f"{marker!r} in a reply: {_short(text)}")
        allowed = message.allowed_mentions
        if allowed is None or allowed.get("parse") or allowed.get("users") or allowed.get("roles"):
            found.append(f"allowed_mentions {allowed!r} lets the reply ping")
        if message.pings:
            found.append(f"the reply pings {sorted(message.pings)}")
        return found

    async def reset(self) -> None:
        """Undo what admins' commands change for everyone: the prefix, the cooldown, the
        leaderboard's m; and the members' cooldown buckets."""
        bot, store, guild_id = self.harness.bot, self.harness.store, self.harness.guild.id
        if bot.guild_config.get(guild_id) != self.defaults:
            bot.guild_config.changed(await guilds.set_prefix(store, guild_id, None))
            bot.guild_config.changed(await guilds.set_cooldown(store, guild_id, None, None))
            bot.guild_config.changed(
                await guilds.set_bayes_m(store, guild_id, self.defaults.bayes_m)
            )
            self.defaults = bot.guild_config.get(guild_id)
        bot.cooldowns._buckets.clear()


# Commands, found at run time ----------------------------------------------------------------------
def command_names() -> list[str]:
    """Every top-level command the extensions define, without starting a bot: read from the
    cog classes (``__cog_commands__``) of every module ``FilmBot`` loads."""
    names: set[str] = set()
    for module_name in extension_names():
        module = importlib.import_module(module_name)
        for _, cog in inspect.getmembers(module, inspect.isclass):
            if issubclass(cog, commands.Cog) and cog.__module__ == module.__name__:
                names.update(c.name for c in cog.__cog_commands__ if c.parent is None)
    return sorted(names)


# Running a bot for a synchronous caller (hypothesis) -----------------------------------------
class BotThread:
    """A local Discord and a FilmBot running on an event loop in a thread of their own, so a
    synchronous hypothesis test can drive them case after case."""

    def __init__(self, db_path: Path, settings: Settings | None = None) -> None:
        self.db_path = db_path
        self.settings = settings or bot_settings(db_path)
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self.loop.run_forever, name="fuzzed-bot", daemon=True
        )
        self._stack = contextlib.AsyncExitStack()
        self.harness: BotHarness | None = None

    def call(self, coroutine: Awaitable[T], timeout: float = 120) -> T:
        future: Future[T] = asyncio.run_coroutine_threadsafe(_awaited(coroutine), self.loop)
        return future.result(timeout)

    def __enter__(self) -> Fuzzer:
        self._thread.start()
        self.harness = self.call(
            self._stack.enter_async_context(running_bot(self.db_path, self.settings))
        )
        fuzzer = self.call(_make_fuzzer(self.harness))
        logging.getLogger().addHandler(fuzzer.watch)
        self._fuzzer = fuzzer
        return fuzzer

    def __exit__(self, *exc_info: object) -> None:
        logging.getLogger().removeHandler(self._fuzzer.watch)
        try:
            self.call(self._stack.aclose())
            self.call(_cancel_the_rest())  # views still waiting for their timeouts
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(10)
            self.loop.close()


async def _cancel_the_rest() -> None:
    others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in others:
        task.cancel()
    await asyncio.gather(*others, return_exceptions=True)


async def _awaited(awaitable: Awaitable[T]) -> T:
    return await awaitable


async def _make_fuzzer(harness: BotHarness) -> Fuzzer:
    return Fuzzer(harness)


def fuzz_command(
    runner: BotThread,
    fuzzer: Fuzzer,
    name: str,
    *,
    examples: int,
    derandomize: bool = True,
    stop_at_first: bool = True,
    seed: int | None = None,
) -> Result:
    """Run ``examples`` generated cases of command ``name``. ``stop_at_first``: fail the way
    hypothesis does (shrinking to a minimal case); otherwise run them all and count failures."""
    result = Result(name)
    strategy = runner.call(_build(lambda: fuzzer.cases(name)))

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=derandomize and seed is None,
        database=None,
        phases=[Phase.generate, Phase.shrink] if stop_at_first else [Phase.generate],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(strategy)
    def property_holds(case: Case) -> None:
        problems = runner.call(fuzzer.run(case))
        result.cases += 1
        if problems:
            report = f"{name}: {case!r}\n  " + "\n  ".join(problems)
            if stop_at_first:
                raise AssertionError(report)
            result.failures.append(report)

    if seed is not None:
        from hypothesis import seed as fixed_seed

        property_holds = fixed_seed(seed)(property_holds)
    started = time.perf_counter()
    try:
        property_holds()
    finally:
        result.seconds = time.perf_counter() - started
    return result


async def _build(make: Callable[[], T]) -> T:
    return make()


__all__ = ["BotThread", "Case", "Fuzzer", "Result", "command_names", "fuzz_command"]
