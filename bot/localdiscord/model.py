"""The local Discord's world: users, guilds, roles, channels, messages and interactions.

Plain objects that know how to show themselves as Discord API v10 payloads. They carry no I/O;
:mod:`bot.localdiscord.driver` changes them and :mod:`bot.localdiscord.server` serves them.
"""

from __future__ import annotations

import datetime
import functools
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import discord
import orjson

JSON = dict[str, Any]


def to_json(data: Any) -> bytes:
    """``data`` as compact UTF-8 JSON. orjson: every request and gateway event of the local
    Discord is encoded here, several times faster than the standard library's encoder."""
    return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)


#: JSON text to Python (orjson's decoder, for the same reason).
from_json = orjson.loads

DISCORD_EPOCH_MS = 1_420_070_400_000

# Channel types, message flags and interaction types as Discord numbers them.
GUILD_TEXT = 0
DM = 1
EPHEMERAL = 1 << 6
LOADING = 1 << 7
PING = 1
APPLICATION_COMMAND = 2
MESSAGE_COMPONENT = 3
AUTOCOMPLETE = 4

#: What ``@everyone`` may do in a new guild: talk, read, react, use slash commands.
EVERYONE_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    read_message_history=True,
    add_reactions=True,
    embed_links=True,
    attach_files=True,
    use_application_commands=True,
    change_nickname=True,
    create_instant_invite=True,
).value

#: What the bot's own role grants it: everything a film bot needs, nothing administrative.
BOT_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    read_message_history=True,
    embed_links=True,
    attach_files=True,
    add_reactions=True,
    use_external_emojis=True,
).value

_ADMINISTRATOR = discord.Permissions(administrator=True).value
_ALL_PERMISSIONS = discord.Permissions.all().value
_MENTION_EVERYONE = discord.Permissions(mention_everyone=True).value
_USER_MENTION = re.compile(r"<@!?(\d{15,21})>")
_ROLE_MENTION = re.compile(r"<@&(\d{15,21})>")


class Snowflakes:
    """Unique, time-ordered ids like Discord's, so ``created_at`` and message ordering work."""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        candidate = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        self._last = max(candidate, self._last + 1)
        return self._last


@functools.lru_cache(maxsize=4096)
def timestamp(snowflake: int) -> str:
    """The ISO 8601 time Discord prints for an id."""
    ms = (snowflake >> 22) + DISCORD_EPOCH_MS
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.UTC).isoformat()


@dataclass(eq=False)
class User:
    id: int
    name: str
    bot: bool = False

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    def payload(self) -> JSON:
        return {
            "id": str(self.id),
            "username": self.name,
            "global_name": None if self.bot else self.name,
            "discriminator": "0",
            "avatar": None,
            "bot": self.bot,
            "flags": 0,
            "public_flags": 0,
        }


@dataclass(eq=False)
class Role:
    id: int
    guild_id: int
    name: str
    permissions: int
    position: int
    managed: bool = False

    @property
    def mention(self) -> str:
        return f"<@&{self.id}>"

    def payload(self) -> JSON:
        return {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "managed": self.managed,
            "mentionable": False,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }


@dataclass(eq=False)
class Channel:
    id: int
    name: str
    guild: Guild | None = None
    #: The other person in a DM channel.
    recipient: User | None = None
    position: int = 0

    @property
    def type(self) -> int:
        return GUILD_TEXT if self.guild is not None else DM

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"

    def payload(self) -> JSON:
        if self.guild is None:
            assert self.recipient is not None
            return {
                "id": str(self.id),
                "type": DM,
                "last_message_id": None,
                "recipients": [self.recipient.payload()],
                "flags": 0,
            }
        return {
            "id": str(self.id),
            "type": GUILD_TEXT,
            "guild_id": str(self.guild.id),
            "name": self.name,
            "position": self.position,
            "permission_overwrites": [],
            "topic": None,
            "nsfw": False,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "parent_id": None,
            "flags": 0,
        }

    def __repr__(self) -> str:
        where = f"guild={self.guild.name!r}" if self.guild else f"dm={self.recipient!r}"
        return f"<Channel #{self.name} {where}>"


@dataclass(eq=False)
class Member:
    user: User
    guild: Guild
    roles: list[Role] = field(default_factory=list)
    joined_at: str = ""

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def name(self) -> str:
        return self.user.name

    @property
    def mention(self) -> str:
        return self.user.mention

    @property
    def permissions(self) -> int:
        """Guild-level permissions: ``@everyone`` plus every role; all for the owner or admins."""
        if self.guild.owner is self.user:
            return _ALL_PERMISSIONS
        value = self.guild.everyone.permissions
        for role in self.roles:
            value |= role.permissions
        return _ALL_PERMISSIONS if value & _ADMINISTRATOR else value

    def payload(self, *, with_user: bool = True, with_permissions: bool = False) -> JSON:
        data: JSON = {
            "roles": [str(role.id) for role in self.roles],
            "joined_at": self.joined_at,
            "nick": None,
            "avatar": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "premium_since": None,
            "communication_disabled_until": None,
            "flags": 0,
        }
        if with_user:
            data["user"] = self.user.payload()
        if with_permissions:
            data["permissions"] = str(self.permissions)
        return data

    def __repr__(self) -> str:
        return f"<Member {self.name!r} of {self.guild.name!r}>"


@dataclass(eq=False)
class Guild:
    id: int
    name: str
    owner: User
    roles: list[Role] = field(default_factory=list)
    channels: list[Channel] = field(default_factory=list)
    members: dict[int, Member] = field(default_factory=dict)

    @property
    def everyone(self) -> Role:
        """The ``@everyone`` role, whose id is the guild's."""
        return self.roles[0]

    @property
    def channel(self) -> Channel:
        """The guild's first text channel: where ``send(guild, …)`` speaks."""
        return self.channels[0]

    def channel_named(self, name: str) -> Channel:
        for channel in self.channels:
            if channel.name == name.lstrip("#"):
                return channel
        raise KeyError(f"{self.name!r} has no channel #{name}")

    def member_named(self, name: str) -> Member | None:
        return next((m for m in self.members.values() if m.name == name), None)

    def payload(self) -> JSON:
        """The full GUILD_CREATE payload, as the gateway sends it to a bot."""
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": str(self.owner.id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "features": [],
            "mfa_level": 0,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "public_updates_channel_id": None,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "large": False,
            "unavailable": False,
            "joined_at": timestamp(self.id),
            "member_count": len(self.members),
            "roles": [role.payload() for role in self.roles],
            "channels": [channel.payload() for channel in self.channels],
            "members": [member.payload() for member in self.members.values()],
            "emojis": [],
            "stickers": [],
            "voice_states": [],
            "presences": [],
            "threads": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    def __repr__(self) -> str:
        return f"<Guild {self.name!r}>"


@dataclass(frozen=True)
class Button:
    """A button as a member sees it under a message."""

    label: str | None
    custom_id: str | None
    style: int
    disabled: bool
    url: str | None = None
    emoji: str | None = None


@dataclass(frozen=True)
class Choice:
    """One autocomplete suggestion: what is shown (``name``) and what is sent (``value``)."""

    name: str
    value: str | int | float


@dataclass(frozen=True)
class MessageVersion:
    """What a message looked like before an edit."""

    content: str
    embeds: list[JSON]
    components: list[JSON]


@dataclass(eq=False)
class Message:
    """A message in a channel: a member's input or one of the bot's replies.

    ``embeds``, ``components`` and ``allowed_mentions`` are exactly the JSON the bot sent, so a
    test sees what real Discord would have received. ``edits`` holds earlier versions.
    """

    id: int
    channel: Channel
    author: User
    content: str = ""
    embeds: list[JSON] = field(default_factory=list)
    components: list[JSON] = field(default_factory=list)
    #: The ``allowed_mentions`` object sent with the message (``None``: none was sent).
    allowed_mentions: JSON | None = None
    attachments: list[JSON] = field(default_factory=list)
    reference_id: int | None = None
    #: Author of the message this one replies to (set when the reference is resolved).
    referenced_author: User | None = None
    flags: int = 0
    #: The interaction whose response or follow-up this message is.
    interaction: Interaction | None = None
    edits: list[MessageVersion] = field(default_factory=list)
    deleted: bool = False
    #: Emoji the bot reacted with, in order.
    reactions: list[str] = field(default_factory=list)
    #: ``payload()`` as JSON, kept until the message changes (see :meth:`changed`).
    _wire: bytes | None = field(default=None, repr=False)

    @property
    def guild(self) -> Guild | None:
        return self.channel.guild

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    @property
    def loading(self) -> bool:
        """A deferred interaction response still 'thinking'."""
        return bool(self.flags & LOADING)

    @property
    def text(self) -> str:
        """Content, embeds and buttons as readable plain text (what the console prints)."""
        from bot.localdiscord.text import message_text

        return message_text(self)

    @property
    def embed(self) -> discord.Embed:
        """The message's one embed, parsed (fails unless there is exactly one)."""
        assert len(self.embeds) == 1, f"expected one embed, found {len(self.embeds)}: {self.text}"
        return discord.Embed.from_dict(self.embeds[0])

    @property
    def buttons(self) -> list[Button]:
        return [
            Button(
                label=item.get("label"),
                custom_id=item.get("custom_id"),
                style=item.get("style", 1),
                disabled=bool(item.get("disabled", False)),
                url=item.get("url"),
                emoji=(item.get("emoji") or {}).get("name"),
            )
            for item in self.walk_components()
            if item.get("type") == 2
        ]

    def button(self, label_or_custom_id: str) -> Button:
        for button in self.buttons:
            if label_or_custom_id in (button.custom_id, button.label):
                return button
        labels = [b.label or b.custom_id for b in self.buttons]
        raise LookupError(f"no button {label_or_custom_id!r} on this message (has {labels})")

    def walk_components(self) -> Iterator[JSON]:
        stack = list(reversed(self.components))
        while stack:
            item = stack.pop()
            yield item
            stack.extend(reversed(item.get("components", [])))

    @property
    def pings(self) -> set[str]:
        """Who this message would notify on real Discord: ``everyone``, ``user:ID``, ``role:ID``.

        Follows Discord's rules for ``allowed_mentions`` (no object: everything in the content
        pings), ignoring whether the author holds the *Mention everyone* permission, so a test
        checks the message itself rather than the channel it happened to land in.
        """
        content = self.content
        allowed = self.allowed_mentions
        parse = {"everyone", "users", "roles"} if allowed is None else set(allowed.get("parse", []))
        users = {int(u) for u in (allowed or {}).get("users", [])}
        roles = {int(r) for r in (allowed or {}).get("roles", [])}
        found: set[str] = set()
        if "everyone" in parse and ("@everyone" in content or "@here" in content):
            found.add("everyone")
        for match in _USER_MENTION.finditer(content):
            if "users" in parse or int(match[1]) in users:
                found.add(f"user:{match[1]}")
        for match in _ROLE_MENTION.finditer(content):
            if "roles" in parse or int(match[1]) in roles:
                found.add(f"role:{match[1]}")
        replied = self.reference_id is not None and (
            allowed is None or allowed.get("replied_user", False)
        )
        if replied and self.referenced_author is not None:
            found.add(f"user:{self.referenced_author.id}")
        return found

    def wire(self) -> bytes:
        """The payload as JSON, encoded once for the REST answer and the gateway echo."""
        if self._wire is None:
            self._wire = to_json(self.payload())
        return self._wire

    def changed(self) -> None:
        self._wire = None

    def snapshot(self) -> MessageVersion:
        return MessageVersion(self.content, list(self.embeds), list(self.components))

    def payload(self) -> JSON:
        data: JSON = {
            "id": str(self.id),
            "type": 19 if self.reference_id is not None else 0,
            "channel_id": str(self.channel.id),
            "author": self.author.payload(),
            "content": self.content,
            "timestamp": timestamp(self.id),
            "edited_timestamp": timestamp(self.id) if self.edits else None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": self.attachments,
            "embeds": self.embeds,
            "components": self.components,
            "reactions": [],
            "pinned": False,
            "flags": self.flags,
        }
        guild = self.channel.guild
        if guild is not None:
            data["guild_id"] = str(guild.id)
            member = guild.members.get(self.author.id)
            if member is not None:
                data["member"] = member.payload(with_user=False)
            if "<@" in self.content:
                data["mentions"] = [
                    {**m.user.payload(), "member": m.payload(with_user=False)}
                    for m in _mentioned_members(guild, self.content)
                ]
                data["mention_roles"] = [
                    match[1]
                    for match in _ROLE_MENTION.finditer(self.content)
                    if any(role.id == int(match[1]) for role in guild.roles)
                ]
            if "@everyone" in self.content and member is not None:
                data["mention_everyone"] = bool(member.permissions & _MENTION_EVERYONE)
        else:
            data["channel_type"] = DM
        if self.reference_id is not None:
            data["message_reference"] = {
                "type": 0,
                "message_id": str(self.reference_id),
                "channel_id": str(self.channel.id),
                **({"guild_id": str(guild.id)} if guild is not None else {}),
            }
        if self.interaction is not None:
            data["interaction_metadata"] = {
                "id": str(self.interaction.id),
                "type": self.interaction.type,
                "user": self.interaction.user.payload(),
                "authorizing_integration_owners": {},
            }
            data["webhook_id"] = str(self.interaction.application_id)
            data["application_id"] = str(self.interaction.application_id)
        return data

    def __repr__(self) -> str:
        return f"<Message {self.id} by {self.author.name!r}: {self.content[:40]!r}>"


def _mentioned_members(guild: Guild, content: str) -> list[Member]:
    seen: dict[int, Member] = {}
    for match in _USER_MENTION.finditer(content):
        member = guild.members.get(int(match[1]))
        if member is not None:
            seen.setdefault(member.id, member)
    return list(seen.values())


@dataclass(eq=False)
class Interaction:
    """A slash command, autocomplete request or button press, and how the bot answered it."""

    id: int
    token: str
    type: int
    application_id: int
    channel: Channel
    user: User
    member: Member | None
    data: JSON
    created: float
    #: The message whose component was used (component interactions only).
    message: Message | None = None
    #: The callback type the bot answered with (4 message, 5 deferred, 6, 7, 8 choices, 9 modal).
    response_type: int | None = None
    #: The response message (``@original``): the reply, the 'thinking' placeholder, or the
    #: component's message for updates.
    original: Message | None = None
    choices: list[Choice] | None = None
    modal: JSON | None = None

    def payload(self, guild_locale: str = "en-US") -> JSON:
        channel = self.channel
        data: JSON = {
            "id": str(self.id),
            "application_id": str(self.application_id),
            "type": self.type,
            "token": self.token,
            "version": 1,
            "data": self.data,
            "channel_id": str(channel.id),
            "channel": channel.payload(),
            "locale": "en-US",
            "app_permissions": str(BOT_PERMISSIONS),
            "attachment_size_limit": 10 * 1024 * 1024,
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(channel.guild.id)}
            if channel.guild
            else {"1": str(self.user.id)},
            "context": 0 if channel.guild else 1,
        }
        if channel.guild is not None:
            assert self.member is not None
            data["guild_id"] = str(channel.guild.id)
            data["guild_locale"] = guild_locale
            data["guild"] = {"id": str(channel.guild.id), "locale": guild_locale, "features": []}
            data["member"] = self.member.payload(with_permissions=True)
        else:
            data["user"] = self.user.payload()
        if self.message is not None:
            data["message"] = self.message.payload()
        return data
