"""The command context every filmclub command gets: typed access to the store, and replies
that thread onto the message that asked."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any, cast

import discord
from discord.ext import commands

from bot.store import Store

if TYPE_CHECKING:
    from bot.client import FilmBot  # noqa: F401 - named in the base class below


class FilmContext(commands.Context["FilmBot"]):
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
        deferring = asyncio.Event()

        async def defer_later() -> None:
            await asyncio.sleep(after)
            if not interaction.response.is_done():
                deferring.set()
                await interaction.response.defer()

        timer = asyncio.create_task(defer_later())
        try:
            yield
        finally:
            if deferring.is_set():
                await timer  # the deferral is on its way: let it land before replying
            else:
                timer.cancel()

    # The overloads of Context.send are reproduced by passing everything through unchanged.
    async def send(self, content: str | None = None, **kwargs: Any) -> discord.Message:
        """Send like ``Context.send``; a prefix command's reply is threaded onto the message
        that asked (without pinging its author), so in a busy channel it is clear which
        question each answer belongs to."""
        if self.interaction is None and kwargs.get("reference") is None:
            kwargs["reference"] = self.message.to_reference(fail_if_not_exists=False)
        message: discord.Message = await super().send(content, **kwargs)
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
