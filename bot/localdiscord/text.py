"""A message as readable plain text: what the console prints and what test failures show."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.localdiscord.model import JSON, Message

#: Drawn down the left of an embed, as Discord draws its colour bar.
BAR = "│ "


def embed_lines(embed: JSON) -> list[str]:
    lines: list[str] = []
    author = (embed.get("author") or {}).get("name")
    if author:
        lines.append(author)
    if embed.get("title"):
        lines.append(str(embed["title"]))
    if embed.get("description"):
        lines.extend(str(embed["description"]).splitlines())
    for field in embed.get("fields") or []:
        name = str(field.get("name", "")).strip()
        value_lines = str(field.get("value", "")).splitlines() or [""]
        if len(value_lines) == 1:
            lines.append(f"{name}: {value_lines[0]}")
        else:
            lines.append(name)
            lines.extend(f"  {line}" for line in value_lines)
    footer = (embed.get("footer") or {}).get("text")
    if footer:
        lines.append(f"— {footer}")
    return lines


def components_line(message: Message) -> str:
    labels = []
    for button in message.buttons:
        label = button.label or button.emoji or button.custom_id or "?"
        labels.append(f"[{label}]" if not button.disabled else f"[{label} (disabled)]")
    for item in message.walk_components():
        if item.get("type") in (3, 5, 6, 7, 8):
            labels.append(f"[{item.get('placeholder') or 'choose…'} ▾]")
    return " ".join(labels)


def message_text(message: Message) -> str:
    lines: list[str] = []
    if message.loading:
        lines.append("(thinking…)")
    if message.content:
        lines.extend(message.content.splitlines())
    for embed in message.embeds:
        lines.extend(BAR + line if line else BAR.rstrip() for line in embed_lines(embed))
    buttons = components_line(message)
    if buttons:
        lines.append(buttons)
    for attachment in message.attachments:
        lines.append(f"(attachment: {attachment.get('filename', 'file')})")
    if message.ephemeral:
        lines.append("(only you can see this)")
    return "\n".join(lines)
