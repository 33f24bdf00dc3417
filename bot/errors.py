"""filmclub's own exceptions. Each carries the sentence a member sees; nothing else ever is."""

from __future__ import annotations

from collections.abc import Sequence

from discord.utils import escape_markdown


def _shown(text: str, limit: int = 100) -> str:
    """A member's text as inert data inside a reply: one line, bounded, Markdown escaped."""
    flat = " ".join(text.split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return escape_markdown(flat)


class FilmclubError(Exception):
    """Base for errors whose ``user_message`` is safe and useful to show in chat."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


class FilmNotFound(FilmclubError):
    def __init__(self, query: str, suggestions: Sequence[str] = ()) -> None:
        self.query = query
        self.suggestions = list(suggestions)[:3]
        message = f"No film matching *{_shown(query)}*."
        if self.suggestions:
            message += " Did you mean " + ", ".join(map(_shown, self.suggestions)) + "?"
        super().__init__(message)


class PersonNotFound(FilmclubError):
    def __init__(self, query: str, suggestions: Sequence[str] = ()) -> None:
        self.query = query
        self.suggestions = list(suggestions)[:3]
        message = f"No one matching *{_shown(query)}*."
        if self.suggestions:
            message += " Did you mean " + ", ".join(map(_shown, self.suggestions)) + "?"
        super().__init__(message)


class GenreNotFound(FilmclubError):
    def __init__(self, query: str, suggestions: Sequence[str] = ()) -> None:
        self.query = query
        self.suggestions = list(suggestions)[:3]
        message = f"No genre matching *{_shown(query)}*."
        if self.suggestions:
            message += " Try " + ", ".join(map(_shown, self.suggestions)) + "."
        super().__init__(message)


class BadScore(FilmclubError):
    def __init__(self) -> None:
        super().__init__(
            "Scores go from 1 to 10 (or 0.5–5 stars). "
            "Try `9`, `9/10`, `4.5/5`, `4.5 stars` or `★★★★½`."
        )


class TooLong(FilmclubError):
    def __init__(self, what: str, limit: int) -> None:
        self.limit = limit
        super().__init__(f"{what} can be at most {limit:,} characters; nothing was saved.")


class StoreBusy(FilmclubError):
    def __init__(self) -> None:
        super().__init__("The film store is busy right now; please try again in a moment.")


class FilmExists(FilmclubError):
    """Adding a film the catalog already has (same IMDb id, or same title and year)."""

    def __init__(self, label: str, film_id: int) -> None:
        self.film_id = film_id
        super().__init__(f"*{_shown(label)}* is already in the catalog.")


class BadPrefix(FilmclubError):
    def __init__(self) -> None:
        super().__init__(
            "A prefix is 1 to 5 characters with no spaces, backticks or slashes, e.g. `?` or `fc!`."
        )


class BadDecade(FilmclubError):
    def __init__(self, text: str) -> None:
        self.text = text
        super().__init__(
            f"*{_shown(text, 20)}* is not a decade I know. "
            "Decades look like `90s`, `1990s` or `1990`."
        )


class NothingToPick(FilmclubError):
    def __init__(self) -> None:
        super().__init__(
            "I have nothing left to suggest: you have rated (or already seen here) every film "
            "I know that fits. Try another genre or decade."
        )


class GenreOrFilmNotFound(FilmclubError):
    """``genre <text>`` where the text names neither a genre nor a film."""

    def __init__(self, query: str, genres: Sequence[str] = (), films: Sequence[str] = ()) -> None:
        self.query = query
        offered = [*genres[:2], *films[:2]][:3]
        message = f"No genre or film matching *{_shown(query)}*."
        if offered:
            message += " Did you mean " + ", ".join(map(_shown, offered)) + "?"
        super().__init__(message)


class BadCount(FilmclubError):
    """A number of items to show outside what the command shows (``top 500``)."""

    def __init__(self, lowest: int, highest: int) -> None:
        super().__init__(f"I can show from {lowest} to {highest:,} films; try `10`.")


class BadSetting(FilmclubError):
    """A server setting named or valued wrongly; the message says what is accepted."""


class CatalogInputError(FilmclubError):
    """An admin's change to the catalog that cannot be made as typed (says what is accepted)."""
