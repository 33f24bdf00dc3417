"""``filmclub console``: the bot and a local Discord in one process, talked to from a terminal.

Each line is a message in #general of a local server, and every reply the bot sends is
printed: content, embeds as text, buttons as ``[label]``.

    !review Heat                 a message from you (you own the server and the bot)
    bob> !rate Heat 7            a message from bob (who joins on first use)
    /review film:Heat            the slash command, options as name:value ("quotes" allowed;
                                 text before the first option fills the first one left)
    /click Next                  press the button labelled Next on the latest reply with one
    /quit                        leave (so does the end of input)

Interactive on a terminal (with line editing and history); line by line from a pipe, where
each input is echoed before its replies so the transcript reads on its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import shlex
import sys
import threading
from collections.abc import AsyncIterator
from typing import Any, TextIO

from rich.console import Console as RichConsole
from rich.text import Text

from bot.localdiscord.driver import LocalDiscord, Replies
from bot.localdiscord.errors import LocalDiscordError, UnknownCommand
from bot.localdiscord.model import JSON, Channel, Guild, Member, Message

BOT_NAME = "filmclub"
OWNER_NAME = "you"
QUIT = ("/quit", "/exit")
_SPEAKER = re.compile(r"^(?P<name>[\w.-]{1,32})>\s*(?P<text>.*)$", re.DOTALL)

BANNER = (
    "filmclub console — a local Discord server with the bot in it.\n"
    "Type a message (try !help or /review film:Heat); `name> message` speaks as someone else;\n"
    "/click <label> presses a button; /quit leaves."
)


def split_speaker(line: str) -> tuple[str | None, str]:
    """``bob> !rate Heat 7`` -> (``bob``, ``!rate Heat 7``); other lines have no speaker."""
    match = _SPEAKER.match(line)
    if match is None:
        return None, line
    return match["name"], match["text"]


def slash_options(text: str, schema: JSON) -> tuple[str, dict[str, Any]]:
    """``review film:Heat (1995)`` -> (``review``, {film: ``Heat (1995)``}) for ``schema``.

    Subcommands follow the name (``settings prefix value:?``). An option runs until the next
    ``name:`` of another option; a value in quotes is unquoted. Free text before the first
    option goes to the first option not given.
    """
    words = text.split()
    path = [words[0]]
    rest = text[len(words[0]) :].strip()
    options: list[JSON] = schema.get("options", [])
    while True:
        groups = {o["name"]: o for o in options if o.get("type") in (1, 2)}
        head = rest.split(maxsplit=1)
        if not head or head[0] not in groups:
            break
        path.append(head[0])
        options = groups[head[0]].get("options", [])
        rest = head[1] if len(head) > 1 else ""
    names = [o["name"] for o in options if o.get("type") not in (1, 2)]
    values: dict[str, Any] = {}
    if names:
        marker = re.compile(r"(?:^|\s)(" + "|".join(map(re.escape, names)) + r"):")
        found = list(marker.finditer(rest))
        leading = rest[: found[0].start()] if found else rest
        for index, match in enumerate(found):
            end = found[index + 1].start() if index + 1 < len(found) else len(rest)
            values[match[1]] = _unquoted(rest[match.end() : end])
        if leading.strip():
            free = next((n for n in names if n not in values), None)
            if free is None:
                raise LocalDiscordError(f"/{' '.join(path)}: what is {leading.strip()!r}?")
            values[free] = _unquoted(leading)
    elif rest:
        raise LocalDiscordError(f"/{' '.join(path)} takes no options")
    return " ".join(path), values


def _unquoted(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        with contextlib.suppress(ValueError):
            return shlex.split(value)[0]
    return value


class Transcript:
    """Writes the conversation: plain text, or coloured names on a terminal."""

    def __init__(self, out: TextIO, *, colour: bool) -> None:
        self.out = out
        self._rich = RichConsole(file=out, highlight=False, markup=False) if colour else None

    def line(self, name: str, text: str, *, style: str = "") -> None:
        label = f"{name}> "
        indent = " " * len(label)
        body = text.replace("\n", "\n" + indent)
        if self._rich is None:
            self.out.write(f"{label}{body}\n")
            self.out.flush()
            return
        self._rich.print(Text.assemble((label, style or "bold cyan"), body))

    def note(self, text: str, *, bracketed: bool = True) -> None:
        shown = f"({text})" if bracketed else text
        if self._rich is None:
            self.out.write(f"{shown}\n")
            self.out.flush()
        else:
            self._rich.print(Text(shown, style="dim"))


class Console:
    """Turns typed lines into messages, slash commands and clicks; prints the replies."""

    def __init__(
        self, discord: LocalDiscord, channel: Channel, you: Member, transcript: Transcript
    ) -> None:
        self.discord = discord
        self.channel = channel
        self.you = you
        self.transcript = transcript

    @property
    def guild(self) -> Guild:
        assert self.channel.guild is not None
        return self.channel.guild

    def speaker(self, name: str | None) -> Member:
        if name is None or name == self.you.name:
            return self.you
        return self.discord.member(self.guild, name)

    async def handle(self, line: str, *, echo: bool = False) -> bool:
        """Act on one line; False once the member asked to quit."""
        line = line.rstrip("\r\n")
        if not line.strip():
            return True
        name, text = split_speaker(line)
        text = text.strip()
        if text in QUIT:
            return False
        member = self.speaker(name)
        if echo:
            self.transcript.line(member.name, text, style="bold green")
        known = set(self.discord.messages)
        try:
            replies = await self._act(member, text)
        except UnknownCommand as error:
            self.transcript.note(f"there is no slash command /{error.name}; /help lists them")
            return True
        except LocalDiscordError as error:
            self.transcript.note(str(error))
            return True
        for reply in replies:
            label = BOT_NAME if reply.id not in known else f"{BOT_NAME} (edited)"
            self.transcript.line(label, reply.text or "(empty message)")
        return True

    async def _act(self, member: Member, text: str) -> Replies:
        if text.startswith("/click"):
            label = _unquoted(text.removeprefix("/click"))
            message = self._latest_with_button(label, member)
            return await self.discord.click(message, label, member)
        if text.startswith("/") and len(text) > 1:
            command = text[1:].split(maxsplit=1)[0]
            schema = self.discord.command_schema(self.channel, command)
            path, values = slash_options(text[1:], schema)
            return await self.discord.slash(self.channel, member, path, **values)
        return await self.discord.send(self.channel, member, text)

    def _latest_with_button(self, label: str, member: Member) -> Message:
        for message in sorted(self.discord.messages.values(), key=lambda m: -m.id):
            if message.deleted or message.channel is not self.channel:
                continue
            if (
                message.ephemeral
                and message.interaction
                and message.interaction.user is not member.user
            ):
                continue
            if any(label in (b.label, b.custom_id) and not b.disabled for b in message.buttons):
                return message
        raise LocalDiscordError(f"no reply has a button {label!r} to press")


# Reading lines ------------------------------------------------------------------------------
def read_lines(stream: TextIO, *, prompt: str | None) -> AsyncIterator[str]:
    """Lines from ``stream`` in a daemon thread (so a blocked read never holds up exiting).

    With a ``prompt`` (a terminal) the next prompt shows only after the previous line has been
    answered: the consumer's next ``__anext__`` asks for it.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    wanted = threading.Semaphore(0)

    def read() -> None:
        try:
            while True:
                wanted.acquire()
                if prompt is not None:
                    line = input(prompt)
                else:
                    line = stream.readline()
                    if not line:
                        break
                loop.call_soon_threadsafe(queue.put_nowait, line)
        except (EOFError, KeyboardInterrupt):
            pass
        finally:
            loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=read, name="console-input", daemon=True).start()

    async def lines() -> AsyncIterator[str]:
        while True:
            wanted.release()
            line = await queue.get()
            if line is None:
                return
            yield line

    return lines()


class QuietVoice(logging.Filter):
    """discord.py warns at every start that voice is unavailable; filmclub has no voice."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "voice will NOT be supported" not in record.getMessage()


def quiet_logging(level: int = logging.WARNING, stream: TextIO | None = None) -> None:
    """Logs on stderr (stdout is the conversation), warnings and worse by default."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(QuietVoice())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


async def converse(
    discord: LocalDiscord,
    guild: Guild,
    lines: AsyncIterator[str],
    out: TextIO,
    *,
    interactive: bool,
    colour: bool = False,
) -> None:
    """The conversation loop: one line at a time, each answered before the next."""
    you = guild.members[discord.owner.id]
    console = Console(discord, guild.channel, you, Transcript(out, colour=colour))
    if interactive:
        console.transcript.note(BANNER, bracketed=False)
    async for line in lines:
        if not await console.handle(line, echo=not interactive):
            break


def readline_history() -> Any:
    """Line editing and history for ``input()`` on a terminal (when readline exists)."""
    try:
        import readline
    except ImportError:  # pragma: no cover - Windows without pyreadline
        return None
    return readline
