"""Discord's limits on what a bot may send, checked the way real Discord rejects a request.

A card that is one character too long or a button label over 80 characters works in a naive
fake and fails in a real server; here it fails with the same 400 ``Invalid Form Body`` discord.py
raises as ``HTTPException``.
"""

from __future__ import annotations

import re
from typing import Any

JSON = dict[str, Any]

CONTENT = 2000
EMBEDS = 10
EMBED_TOTAL = 6000
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
AUTHOR_NAME = 256
ACTION_ROWS = 5
ROW_ITEMS = 5
BUTTON_LABEL = 80
CUSTOM_ID = 100
AUTOCOMPLETE_CHOICES = 25
CHOICE_NAME = 100
COMMAND_DESCRIPTION = 100
COMMAND_OPTIONS = 25
COMMAND_CHARACTERS = 4000

_COMMAND_NAME = re.compile(r"^[-_'\w]{1,32}$")


class Problems:
    """Collects problems as Discord's nested ``errors`` object."""

    def __init__(self) -> None:
        self.errors: JSON = {}

    def add(self, path: tuple[str | int, ...], code: str, message: str) -> None:
        node = self.errors
        for part in path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def too_long(self, path: tuple[str | int, ...], value: object, limit: int) -> None:
        if isinstance(value, str) and len(value) > limit:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

    def __bool__(self) -> bool:
        return bool(self.errors)


def message_problems(body: JSON, *, editing: bool = False) -> Problems:
    """What Discord would reject in a message create/edit body."""
    problems = Problems()
    content = body.get("content")
    if content is not None and not isinstance(content, str):
        problems.add(("content",), "BASE_TYPE_STRING", "Must be a string.")
    problems.too_long(("content",), content, CONTENT)
    embeds = body.get("embeds") or []
    if len(embeds) > EMBEDS:
        problems.add(("embeds",), "BASE_TYPE_MAX_LENGTH", f"Must be {EMBEDS} or fewer in length.")
    total = 0
    for index, embed in enumerate(embeds):
        total += _embed_problems(problems, index, embed)
    if total > EMBED_TOTAL:
        problems.add(
            ("embeds",), "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000"
        )
    _component_problems(problems, body.get("components") or [])
    return problems


def is_empty(body: JSON) -> bool:
    return not (
        body.get("content")
        or body.get("embeds")
        or body.get("components")
        or body.get("attachments")
        or body.get("sticker_ids")
        or body.get("poll")
    )


def _embed_problems(problems: Problems, index: int, embed: JSON) -> int:
    path: tuple[str | int, ...] = ("embeds", index)
    size = 0
    for key, limit in (("title", EMBED_TITLE), ("description", EMBED_DESCRIPTION)):
        value = embed.get(key)
        problems.too_long((*path, key), value, limit)
        size += len(value or "")
    fields = embed.get("fields") or []
    if len(fields) > EMBED_FIELDS:
        problems.add((*path, "fields"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    for number, item in enumerate(fields):
        for key, limit in (("name", FIELD_NAME), ("value", FIELD_VALUE)):
            value = item.get(key)
            if not value or not str(value).strip():
                problems.add(
                    (*path, "fields", number, key), "BASE_TYPE_REQUIRED", "This field is required"
                )
            problems.too_long((*path, "fields", number, key), value, limit)
            size += len(value or "")
    footer = (embed.get("footer") or {}).get("text")
    problems.too_long((*path, "footer", "text"), footer, FOOTER)
    author = (embed.get("author") or {}).get("name")
    problems.too_long((*path, "author", "name"), author, AUTHOR_NAME)
    return size + len(footer or "") + len(author or "")


def _component_problems(problems: Problems, rows: list[JSON]) -> None:
    if len(rows) > ACTION_ROWS:
        problems.add(("components",), "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
    custom_ids: set[str] = set()
    for index, row in enumerate(rows):
        items = row.get("components") or []
        if row.get("type") == 1 and not 1 <= len(items) <= ROW_ITEMS:
            problems.add(
                ("components", index, "components"),
                "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 5 in length.",
            )
        for number, item in enumerate(items):
            path: tuple[str | int, ...] = ("components", index, "components", number)
            problems.too_long((*path, "label"), item.get("label"), BUTTON_LABEL)
            custom_id = item.get("custom_id")
            problems.too_long((*path, "custom_id"), custom_id, CUSTOM_ID)
            if item.get("type") == 2 and item.get("style") == 5:
                if not item.get("url"):
                    problems.add((*path, "url"), "BASE_TYPE_REQUIRED", "This field is required")
            elif custom_id is None:
                problems.add((*path, "custom_id"), "BASE_TYPE_REQUIRED", "This field is required")
            elif custom_id in custom_ids:
                problems.add(
                    (*path, "custom_id"),
                    "COMPONENT_CUSTOM_ID_DUPLICATED",
                    "Component custom id cannot be duplicated",
                )
            else:
                custom_ids.add(custom_id)


def choice_problems(choices: list[JSON]) -> Problems:
    problems = Problems()
    if len(choices) > AUTOCOMPLETE_CHOICES:
        problems.add(("data", "choices"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    for index, choice in enumerate(choices):
        name = choice.get("name")
        if not name:
            problems.add(
                ("data", "choices", index, "name"), "BASE_TYPE_REQUIRED", "This field is required"
            )
        problems.too_long(("data", "choices", index, "name"), name, CHOICE_NAME)
        problems.too_long(("data", "choices", index, "value"), choice.get("value"), CHOICE_NAME)
    return problems


def command_problems(commands: list[JSON]) -> Problems:
    """What Discord would reject in a bulk overwrite of application commands."""
    problems = Problems()
    seen: set[tuple[int, str]] = set()
    for index, command in enumerate(commands):
        kind = command.get("type", 1)
        name = command.get("name", "")
        key = (kind, name)
        if key in seen:
            problems.add(
                (index, "name"), "APPLICATION_COMMANDS_DUPLICATE_NAME", f"Duplicate name {name}"
            )
        seen.add(key)
        if kind == 1:
            _chat_input_problems(problems, (index,), command)
    return problems


def _chat_input_problems(problems: Problems, path: tuple[str | int, ...], item: JSON) -> None:
    name = item.get("name", "")
    if not _COMMAND_NAME.match(name) or name != name.lower():
        problems.add((*path, "name"), "APPLICATION_COMMAND_INVALID_NAME", f"Invalid name {name!r}")
    description = item.get("description", "")
    if not 1 <= len(description) <= COMMAND_DESCRIPTION:
        problems.add(
            (*path, "description"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."
        )
    options = item.get("options") or []
    if len(options) > COMMAND_OPTIONS:
        problems.add((*path, "options"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    optional_seen = False
    names: set[str] = set()
    for number, option in enumerate(options):
        option_path = (*path, "options", number)
        if option.get("name") in names:
            problems.add((*option_path, "name"), "DUPLICATE", "Option names must be unique")
        names.add(option.get("name", ""))
        if option.get("type") in (1, 2):
            _chat_input_problems(problems, option_path, option)
            continue
        _chat_input_problems(problems, option_path, {**option, "options": []})
        if option.get("required"):
            if optional_seen:
                problems.add(
                    (*option_path, "required"),
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
        else:
            optional_seen = True
        if len(option.get("choices") or []) > AUTOCOMPLETE_CHOICES:
            problems.add((*option_path, "choices"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer.")
    if len(path) == 1 and _characters(item) > COMMAND_CHARACTERS:
        problems.add(path, "APPLICATION_COMMAND_TOO_LARGE", "Command exceeds maximum size (4000)")


def _characters(item: JSON) -> int:
    total = len(item.get("name", "")) + len(item.get("description", ""))
    for option in item.get("options") or []:
        total += _characters(option)
        total += sum(
            len(str(c.get("name", ""))) + len(str(c.get("value", "")))
            for c in option.get("choices") or []
        )
    return total
