"""What goes wrong between members, the bot and the local Discord."""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]


class LocalDiscordError(Exception):
    """Something a member could not do on real Discord either, or the bot did not answer."""


class UnknownCommand(LocalDiscordError, LookupError):
    """No synced slash command of that name where the member is."""

    def __init__(self, name: str, synced: list[str]) -> None:
        super().__init__(
            f"/{name} is not a synced slash command here (synced: {', '.join(synced) or 'none'};"
            " sync the bot's command tree first)"
        )
        self.name = name
        self.synced = synced


class BotDidNotAnswer(LocalDiscordError, TimeoutError):
    """The bot did not finish with an input within the timeout."""


class ApiError(Exception):
    """An error response of the REST API, shaped as Discord shapes it."""

    def __init__(self, status: int, code: int, message: str, errors: JSON | None = None) -> None:
        super().__init__(f"{status} {message} (code {code})")
        self.status = status
        self.body: JSON = {"message": message, "code": code}
        if errors:
            self.body["errors"] = errors
