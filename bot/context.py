"""The command context every filmclub command gets: typed access to the store, and replies
that thread onto the message that asked."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
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
