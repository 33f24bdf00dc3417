"""``LocalDiscord``: the emulator's state and the Python API tests, benchmarks and the console use.

See the package docstring (:mod:`bot.localdiscord`) for a tour of the API.
"""
# The API's coroutines take ``timeout=`` as asyncio.wait_for does: tests call them directly.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import logging
import secrets
import socket
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

import discord
import yarl
from aiohttp import web

from bot.localdiscord import gateway, limits, slash
from bot.localdiscord.errors import ApiError, BotDidNotAnswer, LocalDiscordError
from bot.localdiscord.gateway import Session
from bot.localdiscord.model import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    BOT_PERMISSIONS,
    EPHEMERAL,
    EVERYONE_PERMISSIONS,
    JSON,
    LOADING,
    MESSAGE_COMPONENT,
    Channel,
    Choice,
    Guild,
    Interaction,
    Member,
    Message,
    Role,
    Snowflakes,
    User,
    timestamp,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

_SEND_MESSAGES = discord.Permissions(send_messages=True).value

#: The token a local Discord accepts unless told otherwise.
DEFAULT_TOKEN = "local.discord.token"  # noqa: S105 - a fixed local token, not a secret
#: How long Discord waits for the first answer to an interaction before invalidating it.
INTERACTION_DEADLINE = 3.0


class Replies(list[Message]):
    """The bot's messages for one input, in the order it first sent or changed them.

    ``dispatched_at``/``replied_at`` are ``time.perf_counter()`` readings: when the input went
    out on the gateway and when the bot's first reply request arrived.
    """

    dispatched_at: float = 0.0
    replied_at: float | None = None

    def one(self) -> Message:
        """The only reply (fails with the replies' text when there are none or several)."""
        assert len(self) == 1, f"expected one reply, got {len(self)}:\n{self.text}"
        return self[0]

    @property
    def text(self) -> str:
        return "\n\n".join(message.text for message in self)

    @property
    def latency(self) -> float | None:
        """Seconds from dispatching the input to the arrival of the first reply."""
        return None if self.replied_at is None else self.replied_at - self.dispatched_at


class Exchange:
    """One input in flight and the replies attributed to it so far."""

    __slots__ = ("channel", "done", "expected", "replies")

    def __init__(self, channel: Channel, expected: int | None) -> None:
        self.channel = channel
        self.expected = expected
        self.replies = Replies()
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def touch(self, message: Message, arrived: float) -> None:
        if not any(reply is message for reply in self.replies):
            if not self.replies:
                self.replies.replied_at = arrived
            self.replies.append(message)
        if self.expected is not None and len(self.replies) >= self.expected:
            self.finish()

    def finish(self) -> None:
        if not self.done.done():
            self.done.set_result(None)

    def time_out(self) -> None:
        if not self.done.done():
            self.done.set_exception(TimeoutError())


Where = Guild | Channel
Who = Member | User | str


class LocalDiscord:
    """A Discord of one bot, served on 127.0.0.1, that tests and the console talk through.

    ``token`` is what the bot must log in with; ``owner`` names the application's owner (the
    user ``commands.is_owner`` accepts). ``interaction_deadline`` (seconds, ``None`` for none)
    is Discord's 3 s limit for the first answer to an interaction. ``echo_bot_messages``
    delivers the bot's own messages back over the gateway as real Discord does.
    ``message_content_allowed=False`` is an application whose Message Content intent is
    switched off in the Developer Portal: asking for it closes the gateway with 4014.
    """

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        bot_name: str = "filmclub",
        owner: str = "owner",
        interaction_deadline: float | None = INTERACTION_DEADLINE,
        echo_bot_messages: bool = True,
        heartbeat_interval_ms: int = 41_250,
        message_content_allowed: bool = True,
    ) -> None:
        self.token = token
        self.message_content_allowed = message_content_allowed
        self.interaction_deadline = interaction_deadline
        self.echo_bot_messages = echo_bot_messages
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.ids = Snowflakes()
        self.users: dict[int, User] = {}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        self.interactions: dict[int, Interaction] = {}
        self.interactions_by_token: dict[str, Interaction] = {}
        #: Synced application commands as the bot sent them (with ids): key None is global.
        self.commands: dict[int | None, list[JSON]] = {}
        self.sessions: dict[str, Session] = {}
        #: (method, path) of every REST request, in order: what the bot asked of Discord.
        self.requests: list[tuple[str, str]] = []
        #: (method, path, status, error body) of every request answered with an error: what
        #: real Discord would have refused (a message over its limits answers 400 here).
        self.rejected: list[tuple[str, str, int, JSON]] = []
        self.bot_user = self._new_user(bot_name, bot=True)
        self.owner = self._new_user(owner)
        self.application_id = self.bot_user.id
        self._pending: dict[int, Exchange] = {}
        self._live = asyncio.Event()
        self._message_listeners: list[Callable[[Message], None]] = []
        self._runner: web.AppRunner | None = None
        self._site_url: yarl.URL | None = None
        self._bot: Any = None
        self._bot_task: asyncio.Task[None] | None = None
        self._command_ids: dict[tuple[int | None, str], int] = {}

    # Lifecycle -------------------------------------------------------------------------------
    async def start(self, port: int = 0) -> LocalDiscord:
        """Serve on 127.0.0.1 (``port`` 0 picks a free one); see :attr:`url`."""
        from bot.localdiscord.server import build_app

        app = build_app(self)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        await web.SockSite(self._runner, sock).start()
        host, bound = sock.getsockname()[:2]
        self._site_url = yarl.URL.build(scheme="http", host=host, port=bound)
        return self

    async def close(self) -> None:
        await self.stop_bot()
        for session in self.sessions.values():
            if session.connection is not None:
                await session.connection.close(code=1001)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> LocalDiscord:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``: what ``filmclub run --local-discord`` takes."""
        if self._site_url is None:
            raise LocalDiscordError("the local Discord is not started")
        return str(self._site_url)

    # The bot ---------------------------------------------------------------------------------
    async def run_bot(
        self,
        bot: Any,
        *,
        timeout: float = 10.0,
        wait_ready: bool = False,
        token: str | None = None,
    ) -> None:
        """Start ``bot`` (a discord.py client) in this process against this Discord.

        Returns once its gateway session has received READY and every GUILD_CREATE, which is
        all it needs to answer; ``wait_ready`` also waits for discord.py's ``on_ready`` (that
        takes ``guild_ready_timeout`` longer). A bot with ``handled_hooks`` (``FilmBot``) tells
        this Discord when it is done with each input, which :meth:`send` and friends wait for.
        ``token``: log in with another token than the one this Discord accepts.
        """
        from bot.localdiscord.connect import use_local_discord

        use_local_discord(self.url)
        hooks = getattr(bot, "handled_hooks", None)
        if hooks is not None and self.handled not in hooks:
            hooks.append(self.handled)
        self._bot = bot
        self._bot_task = asyncio.create_task(
            bot.start(token or self.token), name="local-discord-bot"
        )
        try:
            await self.wait_for_bot(timeout=timeout, task=self._bot_task)
        except BaseException:
            await self.stop_bot(reraise=False)
            raise
        if wait_ready:
            await asyncio.wait_for(bot.wait_until_ready(), timeout)

    async def stop_bot(self, *, reraise: bool = True) -> None:
        """Close the bot started by :meth:`run_bot` and wait for it to finish (raising what it
        failed with, unless ``reraise`` is false)."""
        bot, task = self._bot, self._bot_task
        self._bot = self._bot_task = None
        if bot is not None:
            await bot.close()
        if task is not None:
            try:
                await task
            except asyncio.CancelledError:
                pass
            except Exception:
                if reraise:
                    raise

    async def wait_for_bot(
        self, *, timeout: float = 10.0, task: asyncio.Future[Any] | None = None
    ) -> None:
        """Wait until a bot (in this process or another) has a live gateway session.

        ``task``: the bot's own task; if it ends first (a rejected token, a crash) its
        exception is raised here instead of waiting out the timeout.
        """
        waiter = asyncio.ensure_future(self._live.wait())
        waited: set[asyncio.Future[Any]] = {waiter} if task is None else {waiter, task}
        try:
            done, _ = await asyncio.wait(waited, timeout=timeout, return_when="FIRST_COMPLETED")
        finally:
            waiter.cancel()
        if task is not None and task in done:
            task.result()
            raise LocalDiscordError("the bot stopped before connecting")
        if not done:
            raise BotDidNotAnswer(f"no bot connected to the local Discord within {timeout} s")

    def handled(self, input_id: int) -> None:
        """The bot is done with message or interaction ``input_id`` (replies all sent)."""
        exchange = self._pending.pop(input_id, None)
        if exchange is not None:
            exchange.finish()

    @property
    def connected(self) -> bool:
        return any(s.connected and s.live.is_set() for s in self.sessions.values())

    async def drop_connection(self, code: int = 4000) -> None:
        """Close the bot's websocket as a network failure would; discord.py resumes, and
        receives what was sent meanwhile. ``wait_for_bot`` waits for it to be back."""
        for session in list(self.sessions.values()):
            connection = session.connection
            if connection is not None:
                await connection.close(code=code)
                self.disconnected(session, connection)

    # Building the world ----------------------------------------------------------------------
    def _new_user(self, name: str, *, bot: bool = False) -> User:
        user = User(self.ids.next(), name, bot=bot)
        self.users[user.id] = user
        return user

    def user(self, name: str) -> User:
        """The user called ``name``, created on first use."""
        for user in self.users.values():
            if user.name == name and not user.bot:
                return user
        return self._new_user(name)

    def add_guild(
        self, name: str, *, channels: Iterable[str] = ("general",), owner: User | None = None
    ) -> Guild:
        """A guild with ``@everyone``, the bot as a member, and text channels (the first is
        where ``send(guild, …)`` speaks). The owner defaults to the application's owner."""
        guild_id = self.ids.next()
        owner = owner or self.owner
        guild = Guild(guild_id, name, owner)
        guild.roles.append(Role(guild_id, guild_id, "@everyone", EVERYONE_PERMISSIONS, 0))
        self.guilds[guild_id] = guild
        bot_role = Role(self.ids.next(), guild_id, self.bot_user.name, BOT_PERMISSIONS, 1, True)
        guild.roles.append(bot_role)
        self._join(guild, self.bot_user, [bot_role])
        self._join(guild, owner, [])
        for position, channel_name in enumerate(channels):
            self._new_channel(guild, channel_name, position)
        self._announce("GUILD_CREATE", guild.payload(), gateway.GUILDS)
        return guild

    def _new_channel(self, guild: Guild, name: str, position: int) -> Channel:
        channel = Channel(self.ids.next(), name.lstrip("#"), guild, position=position)
        guild.channels.append(channel)
        self.channels[channel.id] = channel
        return channel

    def add_channel(self, guild: Guild, name: str) -> Channel:
        channel = self._new_channel(guild, name, len(guild.channels))
        self._announce("CHANNEL_CREATE", channel.payload(), gateway.GUILDS)
        return channel

    def add_role(self, guild: Guild, name: str, permissions: discord.Permissions | int = 0) -> Role:
        value = permissions.value if isinstance(permissions, discord.Permissions) else permissions
        role = Role(self.ids.next(), guild.id, name, int(value), len(guild.roles))
        guild.roles.append(role)
        self._announce(
            "GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": role.payload()}, gateway.GUILDS
        )
        return role

    def set_role_permissions(self, role: Role, permissions: discord.Permissions | int) -> None:
        value = permissions.value if isinstance(permissions, discord.Permissions) else permissions
        role.permissions = int(value)
        self._announce(
            "GUILD_ROLE_UPDATE",
            {"guild_id": str(role.guild_id), "role": role.payload()},
            gateway.GUILDS,
        )

    def add_member(
        self,
        guild: Guild,
        who: str | User,
        *,
        permissions: discord.Permissions | int = 0,
        roles: Iterable[Role] = (),
    ) -> Member:
        """``who`` (a name, created on first use, or a user) joins ``guild``.

        ``permissions`` beyond ``@everyone``'s are granted through a role holding exactly
        those permissions (made once per guild and permission set).
        """
        user = self.user(who) if isinstance(who, str) else who
        member_roles = list(roles)
        value = permissions.value if isinstance(permissions, discord.Permissions) else permissions
        if value:
            role = next(
                (r for r in guild.roles if r.permissions == value and r.name.startswith("perm:")),
                None,
            )
            member_roles.append(role or self.add_role(guild, f"perm:{value}", value))
        existing = guild.members.get(user.id)
        if existing is not None:
            existing.roles.extend(r for r in member_roles if r not in existing.roles)
            return existing
        return self._join(guild, user, member_roles)

    def _join(self, guild: Guild, user: User, roles: list[Role]) -> Member:
        member = Member(user, guild, roles, timestamp(self.ids.next()))
        guild.members[user.id] = member
        self._announce(
            "GUILD_MEMBER_ADD",
            {**member.payload(), "guild_id": str(guild.id)},
            gateway.GUILD_MEMBERS,
        )
        return member

    def member(self, guild: Guild, name: str) -> Member:
        """The member called ``name`` in ``guild``, joining (with no roles) on first use."""
        return guild.member_named(name) or self.add_member(guild, name)

    def dm(self, who: Member | User | str) -> Channel:
        """The DM channel between ``who`` and the bot."""
        user = self._user_of(who)
        for channel in self.channels.values():
            if channel.guild is None and channel.recipient is user:
                return channel
        channel = Channel(self.ids.next(), f"dm-{user.name}", None, recipient=user)
        self.channels[channel.id] = channel
        return channel

    def _user_of(self, who: Who) -> User:
        if isinstance(who, Member):
            return who.user
        if isinstance(who, User):
            return who
        return self.user(who)

    # Gateway events from the world -----------------------------------------------------------
    def _announce(self, event: str, data: JSON, intent: int) -> None:
        """Tell live sessions about a change to the world (a guild, role or channel)."""
        self._dispatch_to_bot(event, data, intent)

    def _dispatch_to_bot(self, event: str, data: JSON | bytes, intent: int | None) -> int:
        """Send an event to every live session that asked for it; returns how many did."""
        delivered = 0
        for session in list(self.sessions.values()):
            if session.live.is_set() and (intent is None or session.wants(intent)):
                session.dispatch(event, data)
                delivered += 1
        return delivered

    # Speaking as members ---------------------------------------------------------------------
    def _resolve(self, where: Where, who: Who) -> tuple[Channel, User, Member | None]:
        channel = where.channel if isinstance(where, Guild) else where
        guild = channel.guild
        if guild is None:
            user = self._user_of(who)
            if channel.recipient is not user:
                raise LocalDiscordError(f"{user.name} cannot write in {channel!r}")
            return channel, user, None
        if isinstance(who, str):
            member = self.member(guild, who)
        elif isinstance(who, User):
            found = guild.members.get(who.id)
            if found is None:
                raise LocalDiscordError(f"{who.name} is not a member of {guild.name}")
            member = found
        else:
            member = who
        if member.guild is not guild:
            raise LocalDiscordError(f"{member!r} is not a member of {guild.name}")
        return channel, member.user, member

    async def send(
        self,
        where: Where,
        who: Who,
        content: str,
        *,
        timeout: float = 10.0,
        replies: int | None = None,
    ) -> Replies:
        """``who`` writes ``content`` in ``where`` (a guild's first channel, or a channel);
        returns the bot's replies once the bot says it is done with the message.

        ``replies=N`` instead returns as soon as N replies arrived (for a bot that cannot say
        when it is done, e.g. a plain discord.py client).
        """
        channel, user, _ = self._resolve(where, who)
        message = Message(self.ids.next(), channel, user, content)
        self.messages[message.id] = message
        exchange = self._open(message.id, channel, replies)
        data = message.payload()
        guild_message = channel.guild is not None
        intent = gateway.GUILD_MESSAGES if guild_message else gateway.DIRECT_MESSAGES
        if guild_message and not self._mentions_bot(content):
            data = self._without_content_unless_intended(data)
        exchange.replies.dispatched_at = time.perf_counter()
        delivered = self._dispatch_to_bot("MESSAGE_CREATE", data, intent)
        return await self._finish(message.id, exchange, delivered, timeout, f"{content!r}")

    def _mentions_bot(self, content: str) -> bool:
        return f"<@{self.bot_user.id}>" in content or f"<@!{self.bot_user.id}>" in content

    def _without_content_unless_intended(self, data: JSON) -> JSON:
        # Sessions without MESSAGE_CONTENT get the message with its content blanked. With one
        # session (the usual case) this is decided once here rather than per session.
        if all(s.wants(gateway.MESSAGE_CONTENT) for s in self.sessions.values() if s.live.is_set()):
            return data
        return {**data, "content": "", "embeds": [], "components": [], "attachments": []}

    def _open(self, input_id: int, channel: Channel, expected: int | None) -> Exchange:
        exchange = Exchange(channel, expected)
        self._pending[input_id] = exchange
        return exchange

    async def _finish(
        self, input_id: int, exchange: Exchange, delivered: int, timeout: float, what: str
    ) -> Replies:
        if not delivered:
            self._pending.pop(input_id, None)
            if not self.connected:
                raise LocalDiscordError(f"no bot is connected to receive {what}")
            raise LocalDiscordError(f"the bot's intents do not let it receive {what}")
        # A timer on the exchange's own future rather than asyncio.wait_for: no task and no
        # second future per input, which a load of thousands of inputs a second notices.
        timer = asyncio.get_running_loop().call_later(timeout, exchange.time_out)
        try:
            await exchange.done
        except TimeoutError:
            raise BotDidNotAnswer(
                f"the bot did not finish with {what} within {timeout} s; "
                f"replies so far: {exchange.replies.text or 'none'}"
            ) from None
        finally:
            timer.cancel()
            # Done (or given up on): later messages are no longer this input's.
            self._pending.pop(input_id, None)
        return exchange.replies

    async def slash(
        self, where: Where, who: Who, command: str, /, *, timeout: float = 10.0, **options: Any
    ) -> Replies:
        """``who`` runs ``/command`` with ``options`` (by option name) as the Discord client
        would: only a synced command, only its options, required ones present, values of the
        declared types and ranges. ``command`` may name a subcommand: ``"settings prefix"``."""
        channel, user, member = self._resolve(where, who)
        data = slash.command_data(self.commands, channel, command, options, focused=None)
        interaction = self._new_interaction(APPLICATION_COMMAND, channel, user, member, data)
        return await self._run_interaction(interaction, timeout, f"/{command}")

    async def autocomplete(
        self,
        where: Where,
        who: Who,
        command: str,
        option: str,
        typed: str,
        /,
        *,
        timeout: float = 10.0,
        **options: Any,
    ) -> list[Choice]:
        """The choices the bot offers while ``who`` types ``typed`` into ``option``."""
        channel, user, member = self._resolve(where, who)
        data = slash.command_data(
            self.commands, channel, command, {**options, option: typed}, focused=option
        )
        interaction = self._new_interaction(AUTOCOMPLETE, channel, user, member, data)
        await self._run_interaction(interaction, timeout, f"autocomplete of /{command} {option}")
        return interaction.choices or []

    async def click(
        self, message: Message, button: str, who: Who, *, timeout: float = 10.0
    ) -> Replies:
        """``who`` presses the button labelled (or with custom id) ``button`` on ``message``."""
        target = message.button(button)
        if target.disabled:
            raise LocalDiscordError(f"button {button!r} is disabled")
        if target.custom_id is None:
            raise LocalDiscordError(f"button {button!r} is a link")
        data = {"custom_id": target.custom_id, "component_type": 2}
        return await self._component(message, who, data, timeout, f"a press of {button!r}")

    async def select(
        self,
        message: Message,
        custom_id: str,
        values: list[str],
        who: Who,
        *,
        timeout: float = 10.0,
    ) -> Replies:
        """``who`` picks ``values`` in the select menu ``custom_id`` on ``message``."""
        component = next(
            (c for c in message.walk_components() if c.get("custom_id") == custom_id), None
        )
        if component is None or component.get("type") not in (3, 5, 6, 7, 8):
            raise LocalDiscordError(f"no select menu {custom_id!r} on {message!r}")
        data = {"custom_id": custom_id, "component_type": component["type"], "values": values}
        return await self._component(message, who, data, timeout, f"a choice in {custom_id!r}")

    async def _component(
        self, message: Message, who: Who, data: JSON, timeout: float, what: str
    ) -> Replies:
        if message.deleted:
            raise LocalDiscordError(f"{message!r} was deleted")
        channel, user, member = self._resolve(message.channel, who)
        if message.ephemeral and message.interaction and message.interaction.user is not user:
            raise LocalDiscordError(f"{user.name} cannot see an ephemeral message meant for others")
        interaction = self._new_interaction(MESSAGE_COMPONENT, channel, user, member, data)
        interaction.message = message
        return await self._run_interaction(interaction, timeout, what)

    def _new_interaction(
        self, kind: int, channel: Channel, user: User, member: Member | None, data: JSON
    ) -> Interaction:
        interaction = Interaction(
            id=self.ids.next(),
            token=secrets.token_urlsafe(48),
            type=kind,
            application_id=self.application_id,
            channel=channel,
            user=user,
            member=member,
            data=data,
            created=time.monotonic(),
        )
        self.interactions[interaction.id] = interaction
        self.interactions_by_token[interaction.token] = interaction
        return interaction

    async def _run_interaction(
        self, interaction: Interaction, timeout: float, what: str
    ) -> Replies:
        exchange = self._open(interaction.id, interaction.channel, None)
        exchange.replies.dispatched_at = time.perf_counter()
        delivered = self._dispatch_to_bot("INTERACTION_CREATE", interaction.payload(), None)
        return await self._finish(interaction.id, exchange, delivered, timeout, what)

    async def react(self, message: Message, who: Who, emoji: str) -> None:
        """``who`` adds the unicode reaction ``emoji`` to ``message``."""
        channel, user, member = self._resolve(message.channel, who)
        data: JSON = {
            "user_id": str(user.id),
            "channel_id": str(channel.id),
            "message_id": str(message.id),
            "message_author_id": str(message.author.id),
            "emoji": {"id": None, "name": emoji},
            "type": 0,
            "burst": False,
            "burst_colors": [],
        }
        intent = gateway.DIRECT_MESSAGE_REACTIONS
        if channel.guild is not None:
            assert member is not None
            data["guild_id"] = str(channel.guild.id)
            data["member"] = member.payload()
            intent = gateway.GUILD_MESSAGE_REACTIONS
        self._dispatch_to_bot("MESSAGE_REACTION_ADD", data, intent)

    # Slash command schemas -------------------------------------------------------------------
    def command_schema(self, channel: Channel, name: str) -> JSON:
        """The synced schema of ``/name`` as the Discord client in ``channel`` would see it."""
        return slash.find_command(self.commands, channel, name)

    # What the bot does (called by the REST handlers) -----------------------------------------
    def check_token(self, authorization: str | None) -> bool:
        return authorization == f"Bot {self.token}"

    def on_message(self, listener: Callable[[Message], None]) -> Callable[[], None]:
        """Call ``listener`` with every message the bot creates or edits; returns an unsubscribe."""
        self._message_listeners.append(listener)
        return lambda: self._message_listeners.remove(listener)

    async def wait_for_message(
        self, predicate: Callable[[Message], bool] = lambda m: True, *, timeout: float = 10.0
    ) -> Message:
        """The next message the bot creates or edits that satisfies ``predicate``."""
        found: asyncio.Future[Message] = asyncio.get_running_loop().create_future()

        def listener(message: Message) -> None:
            if not found.done() and predicate(message):
                found.set_result(message)

        unsubscribe = self.on_message(listener)
        try:
            return await asyncio.wait_for(found, timeout)
        except TimeoutError:
            raise BotDidNotAnswer(f"no matching message within {timeout} s") from None
        finally:
            unsubscribe()

    def _notify(self, message: Message) -> None:
        for listener in list(self._message_listeners):
            listener(message)

    def _attribute(self, message: Message, arrived: float) -> None:
        interaction = message.interaction
        exchange: Exchange | None = None
        if interaction is not None:
            exchange = self._pending.get(interaction.id)
        elif message.reference_id is not None and message.reference_id in self._pending:
            exchange = self._pending[message.reference_id]
        else:
            # A message that names no input belongs to the oldest input still open in its
            # channel: exact when inputs in one channel go one at a time.
            exchange = next(
                (e for e in self._pending.values() if e.channel is message.channel), None
            )
        if exchange is not None:
            exchange.touch(message, arrived)
        self._notify(message)

    async def create_message(
        self,
        channel: Channel,
        body: JSON,
        *,
        arrived: float,
        interaction: Interaction | None = None,
        flags: int = 0,
    ) -> Message:
        """A message from the bot, checked against Discord's limits, recorded, attributed."""
        if limits.is_empty(body) and not flags & LOADING:
            raise ApiError(400, 50006, "Cannot send an empty message")
        problems = limits.message_problems(body)
        if problems:
            raise ApiError(400, 50035, "Invalid Form Body", problems.errors)
        if channel.guild is not None and interaction is None:
            me = channel.guild.members[self.bot_user.id]
            if not me.permissions & _SEND_MESSAGES:
                raise ApiError(403, 50013, "Missing Permissions")
        message = Message(
            self.ids.next(),
            channel,
            self.bot_user,
            content=body.get("content") or "",
            embeds=list(body.get("embeds") or []),
            components=list(body.get("components") or []),
            allowed_mentions=body.get("allowed_mentions"),
            attachments=list(body.get("attachments") or []),
            flags=flags | (int(body.get("flags") or 0) & EPHEMERAL),
            interaction=interaction,
        )
        reference = body.get("message_reference")
        if reference and interaction is None:
            referenced = self.messages.get(int(reference.get("message_id", 0)))
            if referenced is None or referenced.channel is not channel:
                if reference.get("fail_if_not_exists", True):
                    raise ApiError(
                        400,
                        50035,
                        "Invalid Form Body",
                        {
                            "message_reference": {
                                "_errors": [
                                    {
                                        "code": "MESSAGE_REFERENCE_UNKNOWN_MESSAGE",
                                        "message": "Unknown message",
                                    }
                                ]
                            }
                        },
                    )
            else:
                message.reference_id = referenced.id
                message.referenced_author = referenced.author
        self.messages[message.id] = message
        self._attribute(message, arrived)
        if self.echo_bot_messages and not message.ephemeral:
            self._dispatch_to_bot("MESSAGE_CREATE", message.wire(), _message_intent(channel))
        return message

    async def edit_message(
        self, message: Message, body: JSON, *, arrived: float, by: Interaction | None = None
    ) -> Message:
        if message.author is not self.bot_user:
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        if message.deleted:
            raise ApiError(404, 10008, "Unknown Message")
        problems = limits.message_problems(body, editing=True)
        if problems:
            raise ApiError(400, 50035, "Invalid Form Body", problems.errors)
        message.edits.append(message.snapshot())
        for key in ("content", "embeds", "components", "allowed_mentions", "attachments"):
            if key in body:
                value = body[key]
                default: Any = "" if key == "content" else None if key == "allowed_mentions" else []
                setattr(message, key, default if value is None else value)
        if "flags" in body and body["flags"] is not None:
            message.flags = (message.flags & EPHEMERAL) | (int(body["flags"]) & ~EPHEMERAL)
        message.flags &= ~LOADING
        message.changed()
        if by is not None:
            exchange = self._pending.get(by.id)
            if exchange is not None:
                exchange.touch(message, arrived)
            self._notify(message)
        else:
            self._attribute_edit(message, arrived)
        if self.echo_bot_messages and not message.ephemeral:
            self._dispatch_to_bot(
                "MESSAGE_UPDATE", message.wire(), _message_intent(message.channel)
            )
        return message

    def _attribute_edit(self, message: Message, arrived: float) -> None:
        key = message.interaction.id if message.interaction else message.reference_id
        exchange = self._pending.get(key) if key is not None else None
        if exchange is None:
            exchange = next(
                (e for e in self._pending.values() if any(r is message for r in e.replies)), None
            )
        if exchange is not None:
            exchange.touch(message, arrived)
        self._notify(message)

    async def delete_message(self, message: Message) -> None:
        if message.deleted:
            raise ApiError(404, 10008, "Unknown Message")
        message.deleted = True
        if not message.ephemeral:
            data: JSON = {"id": str(message.id), "channel_id": str(message.channel.id)}
            if message.channel.guild is not None:
                data["guild_id"] = str(message.channel.guild.id)
            self._dispatch_to_bot("MESSAGE_DELETE", data, _message_intent(message.channel))

    def interaction_for(self, interaction_id: int, token: str) -> Interaction:
        interaction = self.interactions.get(interaction_id)
        if interaction is None or interaction.token != token:
            raise ApiError(404, 10062, "Unknown interaction")
        return interaction

    async def answer_interaction(
        self, interaction: Interaction, body: JSON, *, arrived: float
    ) -> JSON:
        """The bot's one initial response to an interaction (``/callback``)."""
        if interaction.response_type is not None:
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        late = time.monotonic() - interaction.created
        if self.interaction_deadline is not None and late > self.interaction_deadline:
            raise ApiError(404, 10062, "Unknown interaction")
        kind = int(body["type"])
        data: JSON = body.get("data") or {}
        allowed = {AUTOCOMPLETE: {8}, MESSAGE_COMPONENT: {4, 5, 6, 7, 9}}.get(
            interaction.type, {4, 5, 9}
        )
        if kind not in allowed:
            raise ApiError(400, 40043, f"Interaction callback type {kind} is not valid here")
        message: Message | None = None
        if kind == 8:
            problems = limits.choice_problems(data.get("choices") or [])
            if problems:
                raise ApiError(400, 50035, "Invalid Form Body", problems.errors)
            interaction.response_type = kind
            interaction.choices = [Choice(c["name"], c["value"]) for c in data.get("choices") or []]
            self.handled(interaction.id)
        elif kind in (4, 5):
            flags = int(data.get("flags") or 0) & EPHEMERAL
            interaction.response_type = kind
            try:
                message = await self.create_message(
                    interaction.channel,
                    data,
                    arrived=arrived,
                    interaction=interaction,
                    flags=flags | (LOADING if kind == 5 else 0),
                )
            except ApiError:
                # Refused (e.g. over a limit): as on Discord, it is still unanswered.
                interaction.response_type = None
                raise
            interaction.original = message
        elif kind in (6, 7):
            assert interaction.message is not None
            if kind == 7:
                problems = limits.message_problems(data, editing=True)
                if problems:
                    raise ApiError(400, 50035, "Invalid Form Body", problems.errors)
            interaction.response_type = kind
            interaction.original = message = interaction.message
            if kind == 7:
                await self.edit_message(message, data, arrived=arrived, by=interaction)
        else:
            interaction.response_type = kind
            interaction.modal = data
        response: JSON = {
            "interaction": {
                "id": str(interaction.id),
                "type": interaction.type,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(message and message.ephemeral),
            },
            "resource": {"type": kind},
        }
        if message is not None:
            response["interaction"]["response_message_id"] = str(message.id)
            if kind != 6:
                response["resource"]["message"] = message.payload()
        return response

    def original_response(self, interaction: Interaction) -> Message:
        if interaction.original is None or interaction.original.deleted:
            raise ApiError(404, 10008, "Unknown Message")
        return interaction.original

    async def follow_up(self, interaction: Interaction, body: JSON, *, arrived: float) -> Message:
        """A follow-up message. The first one after a deferred response replaces the
        'thinking' placeholder, as on Discord."""
        if interaction.response_type is None:
            raise ApiError(404, 10015, "Unknown Webhook")
        original = interaction.original
        if interaction.response_type == 5 and original is not None and original.loading:
            return await self.edit_message(original, body, arrived=arrived, by=interaction)
        flags = int(body.get("flags") or 0) & EPHEMERAL
        return await self.create_message(
            interaction.channel, body, arrived=arrived, interaction=interaction, flags=flags
        )

    def overwrite_commands(self, guild_id: int | None, commands: list[JSON]) -> list[JSON]:
        """A bulk overwrite of the global (``guild_id`` None) or a guild's commands."""
        if guild_id is not None and guild_id not in self.guilds:
            raise ApiError(404, 10004, "Unknown Guild")
        problems = limits.command_problems(commands)
        if problems:
            raise ApiError(400, 50035, "Invalid Form Body", problems.errors)
        stored: list[JSON] = []
        for command in commands:
            key = (guild_id, str(command["name"]))
            command_id = self._command_ids.setdefault(key, self.ids.next())
            entry: JSON = {
                "type": 1,
                "description": "",
                "options": [],
                "default_member_permissions": None,
                "nsfw": False,
                **command,
                "id": str(command_id),
                "application_id": str(self.application_id),
                "version": str(self.ids.next()),
            }
            if guild_id is not None:
                entry["guild_id"] = str(guild_id)
            stored.append(entry)
        self.commands[guild_id] = stored
        return stored

    # Gateway sessions ------------------------------------------------------------------------
    async def identify(self, connection: gateway.Connection, data: JSON) -> Session | None:
        if data.get("token") != self.token:
            await connection.close(code=4004, message=b"Authentication failed.")
            return None
        intents = int(data.get("intents") or 0)
        if intents & gateway.MESSAGE_CONTENT and not self.message_content_allowed:
            await connection.close(code=4014, message=b"Disallowed intent(s).")
            return None
        # A client that identifies afresh has given up its old sessions (a restarted bot).
        for old in [s for s in self.sessions.values() if not s.connected]:
            del self.sessions[old.id]
        session = Session(intents, self.bot_user.id)
        self.sessions[session.id] = session
        session.connection = connection
        ready = {
            "v": 10,
            "user": {**self.bot_user.payload(), "verified": True, "mfa_enabled": False},
            "guilds": [{"id": str(g), "unavailable": True} for g in self.guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": str(self._site_url.with_scheme("ws")) if self._site_url else "",
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
            "application": {"id": str(self.application_id), "flags": 0},
            "_trace": ["local-discord"],
        }
        session.dispatch("READY", ready)
        if session.wants(gateway.GUILDS):
            for guild in list(self.guilds.values()):
                session.dispatch("GUILD_CREATE", guild.payload())
        session.live.set()
        self._live.set()
        return session

    async def resume(self, connection: gateway.Connection, data: JSON) -> Session | None:
        session = self.sessions.get(str(data.get("session_id")))
        if session is None or data.get("token") != self.token:
            connection.send_op(gateway.INVALID_SESSION, False)
            return None
        session.connection = connection
        session.resumes += 1
        session.replay_after(int(data.get("seq") or 0))
        session.dispatch("RESUMED", {"_trace": ["local-discord"]})
        self._live.set()
        return session

    def disconnected(self, session: Session, connection: gateway.Connection) -> None:
        session.detach(connection)
        if not self.connected:
            self._live.clear()

    def guild_members_chunk(self, data: JSON) -> JSON:
        guild = self.guilds.get(int(data.get("guild_id") or 0))
        members = list(guild.members.values()) if guild else []
        wanted = data.get("user_ids")
        if wanted is not None:
            ids = {int(u) for u in (wanted if isinstance(wanted, list) else [wanted])}
            members = [m for m in members if m.id in ids]
        elif data.get("query"):
            members = [m for m in members if m.name.lower().startswith(str(data["query"]).lower())]
        limit = int(data.get("limit") or 0)
        if limit:
            members = members[:limit]
        return {
            "guild_id": str(data.get("guild_id")),
            "members": [m.payload() for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
            "nonce": data.get("nonce"),
        }


def _message_intent(channel: Channel) -> int:
    return gateway.GUILD_MESSAGES if channel.guild is not None else gateway.DIRECT_MESSAGES


async def gather_limited(awaitables: Iterable[Awaitable[T]], limit: int) -> list[T]:
    """Await ``awaitables`` with at most ``limit`` in flight; results in the given order.

    For load: ``await gather_limited((discord.send(g, m, "!ping") for _ in range(10_000)), 500)``.
    The iterable is consumed lazily, so a generator creates each coroutine only when a slot is
    free (and a semaphore's O(waiters) bookkeeping is avoided).
    """
    results: dict[int, T] = {}
    numbered = enumerate(awaitables)

    async def worker() -> None:
        for index, awaitable in numbered:
            results[index] = await awaitable

    await asyncio.gather(*(worker() for _ in range(max(1, limit))))
    return [results[index] for index in range(len(results))]
