"""The command context every filmclub command gets: typed access to the store, and replies
that thread onto the message that asked.

A slash command has one first answer, and two things may try to give it: the command's reply
and the deferral that keeps Discord's 3 s limit when the command is slow (``FilmBot`` defers
every slash command still unanswered after ``defer_after`` seconds; ``defer_if_slow`` does it
sooner around known slow work). Both go through :func:`reply_lock`, so whichever is second
sees the first one done and follows up instead of answering twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any, cast

import discord
from discord import app_commands
from discord.ext import commands

from bot.store import Store

if TYPE_CHECKING:
    from bot.client import FilmBot  # noqa: F401 - named in the base class below

log = logging.getLogger(__name__)

#: Deferrals started by timers: referenced here until done (asyncio keeps only weak references).
_deferrals: set[asyncio.Task[bool]] = set()


def defer_soon(interaction: discord.Interaction[Any]) -> None:
    """Start :func:`defer_unanswered` now, from a timer callback."""
    task = asyncio.get_running_loop().create_task(defer_unanswered(interaction))
    _deferrals.add(task)
    task.add_done_callback(_deferrals.discard)


def reply_lock(interaction: discord.Interaction[Any]) -> asyncio.Lock:
    """The lock every first answer to ``interaction`` is given under (see the module doc)."""
    lock = interaction.extras.get("reply_lock")
    if lock is None:
        lock = interaction.extras["reply_lock"] = asyncio.Lock()
    assert isinstance(lock, asyncio.Lock)
    return lock


async def defer_unanswered(interaction: discord.Interaction[Any]) -> bool:
    """Defer ("thinking…") unless the interaction already has its first answer; True if it
    deferred now."""
    async with reply_lock(interaction):
        if interaction.response.is_done():
            return False
        try:
            await interaction.response.defer(thinking=True)
        except discord.HTTPException as error:
            log.warning("could not defer interaction %s: %s", interaction.id, error)
            return False
        return True


class FilmContext(commands.Context["FilmBot"]):
    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        #: When the bot got the message or interaction (``time.perf_counter``), for latency.
        self.started: float = (
            float(self.interaction.extras.get("started", time.perf_counter()))
            if self.interaction is not None
            else time.perf_counter()
        )

    @property
    def store(self) -> Store:
        store: Store = self.bot.store
        return store

    @property
    def source_id(self) -> int:
        """The id of what the member did: the interaction for a slash command, else the message."""
        return self.interaction.id if self.interaction is not None else self.message.id

    @property
    def guild_id(self) -> int | None:
        return self.guild.id if self.guild is not None else None

    @property
    def text_prefix(self) -> str:
        """The prefix members type in this server, even when this command came as a slash
        command (for examples and hints in replies)."""
        prefix: str = self.bot.guild_config.prefix(self.guild_id)
        return prefix

    @contextlib.asynccontextmanager
    async def defer_if_slow(self, after: float = 2.0) -> AsyncIterator[None]:
        """Around work that may be slow: a slash command still unanswered ``after`` seconds
        in is deferred ("thinking…"), so Discord's 3 s limit is never missed; fast work costs
        nothing. Send the reply after the block (``ctx.send`` then edits the placeholder)."""
        interaction = self.interaction
        if interaction is None:
            yield
            return
        timer = asyncio.get_running_loop().call_later(after, defer_soon, interaction)
        try:
            yield
        finally:
            timer.cancel()

    async def defer(self, *, ephemeral: bool = False) -> None:
        """``Context.defer``, under the reply lock (a no-op when already answered)."""
        if self.interaction is None:
            await super().defer(ephemeral=ephemeral)
            return
        async with reply_lock(self.interaction):
            if not self.interaction.response.is_done():
                await super().defer(ephemeral=ephemeral)

    # The overloads of Context.send are reproduced by passing everything through unchanged.
    async def send(self, content: str | None = None, **kwargs: Any) -> discord.Message:
        """Send like ``Context.send``; a prefix command's reply is threaded onto the message
        that asked (without pinging its author), so in a busy channel it is clear which
        question each answer belongs to."""
        if self.interaction is None:
            if kwargs.get("reference") is None:
                kwargs["reference"] = self.message.to_reference(fail_if_not_exists=False)
            message: discord.Message = await super().send(content, **kwargs)
            return message
        async with reply_lock(self.interaction):
            message = await super().send(content, **kwargs)
        return message


Callback = Callable[..., Coroutine[Any, Any, None]]


def film_command(
    name: str,
    *,
    help: str,
    usage: str,
    example: str,
    aliases: Sequence[str] = (),
    who: str | None = None,
    **attrs: Any,
) -> Callable[[Callback], commands.HybridCommand[Any, ..., None]]:
    """Declare a command that works with the prefix and as a slash command.

    ``help``: what it does (the first line is the summary in help and the slash description,
    at most 100 characters); ``usage``: its arguments as typed (``<film> <score>``);
    ``example``: arguments for one real use (``Heat 9``); ``who``: who may use it when not
    everyone (``Manage Server``). Help and the error replies are built from these.
    ``with_app_command=False`` makes it a prefix command only (owner tools).
    """
    extras = {"example": example, **({"who": who} if who else {})}
    decorator = commands.hybrid_command(
        name=name, help=help, usage=usage, aliases=list(aliases), extras=extras, **attrs
    )
    # discord.py's annotation of hybrid_command is a union mypy cannot solve; the runtime
    # object is exactly a HybridCommand.
    return cast(Callable[[Callback], commands.HybridCommand[Any, ..., None]], decorator)


def manage_server_only() -> Callable[[Callback], Callback]:
    """For a command's callback, under ``film_command``: only inside a server, only for members
    with Manage Server (checked on the prefix and the slash form alike; Discord also hides the
    slash command from other members by default)."""

    def decorate(callback: Callback) -> Callback:
        checked: Callback = commands.guild_only()(
            commands.has_guild_permissions(manage_guild=True)(
                app_commands.default_permissions(manage_guild=True)(callback)
            )
        )
        return checked

    return decorate
