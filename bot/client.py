"""``FilmBot``: the discord.py bot, with its store and settings handed in.

    store = await open_store(settings)
    async with FilmBot(store=store, settings=settings) as bot:
        await bot.start(token)

``setup_hook`` runs in a fixed order: check the store's schema and load the per-server settings,
load every extension in ``cogs/`` (one that fails is logged with its traceback and skipped),
then sync slash commands to ``FILMCLUB_DEV_GUILD`` when one is set (otherwise only the owner's
``sync`` command ever syncs). Errors from prefix commands (``on_command_error``) and from slash
commands (``FilmTree.on_error``) become the friendly replies of product.md; anything unexpected
is logged with its traceback and the member sees a short apology with nothing from the error.
"""

from __future__ import annotations

import asyncio
import logging
import math
import pkgutil
import time
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands
from discord.state import ConnectionState

import cogs
from bot.context import FilmContext, defer_soon, reply_lock
from bot.errors import FilmclubError, StoreBusy
from bot.settings import Settings
from bot.store import Store, latest_version
from bot.store.guilds import GuildSettings, all_guild_settings

if TYPE_CHECKING:  # discord.types is for type checkers (it fails to import on its own)
    from discord.types.gateway import MessageCreateEvent

log = logging.getLogger(__name__)
#: One line per command (see :func:`log_command`); a logger of its own so operators can route
#: or silence it apart from everything else.
command_log = logging.getLogger("bot.commands")

#: A slash command still unanswered this long after it arrived is deferred ("thinking…"):
#: Discord drops interactions not answered within 3 s, and a command waiting on a busy store
#: (``Store.busy_wait``) or heavy work may take longer.
DEFER_AFTER = 2.0
#: On shutdown, how long commands already running may take to finish before the connection
#: closes under them (well inside the 5 s a service manager waits before killing).
DRAIN_TIMEOUT = 3.0

APOLOGY = "Sorry, something went wrong on my side. It has been logged; please try again later."

#: Discord permission flags as the Discord client names them.
PERMISSION_NAMES = {
    "manage_guild": "Manage Server",
    "manage_messages": "Manage Messages",
    "manage_channels": "Manage Channels",
    "manage_roles": "Manage Roles",
    "administrator": "Administrator",
    "send_messages": "Send Messages",
    "embed_links": "Embed Links",
    "read_message_history": "Read Message History",
    "add_reactions": "Add Reactions",
}


def extension_names() -> list[str]:
    """Every extension in ``cogs/`` (modules and packages whose name has no leading ``_``)."""
    return sorted(
        f"{cogs.__name__}.{module.name}"
        for module in pkgutil.iter_modules(cogs.__path__)
        if not module.name.startswith("_")
    )


def intents() -> discord.Intents:
    """Servers and their channels, messages in servers and DMs, and the text of messages
    (privileged: enable *Message Content Intent* in the Developer Portal)."""
    chosen = discord.Intents.none()
    chosen.guilds = True
    chosen.guild_messages = True
    chosen.dm_messages = True
    chosen.message_content = True
    return chosen


class GuildConfig:
    """Per-server settings kept in memory: the prefix is needed for every message.

    Loaded whole at start (only servers that changed something have a row) and updated by
    :meth:`changed` whenever a command changes a setting.
    """

    def __init__(self, settings: Settings) -> None:
        self._defaults = settings
        self._by_guild: dict[int, GuildSettings] = {}

    async def load(self, store: Store) -> None:
        self._by_guild = {row.guild_id: row for row in await all_guild_settings(store)}

    def changed(self, settings: GuildSettings) -> None:
        self._by_guild[settings.guild_id] = settings

    def get(self, guild_id: int | None) -> GuildSettings:
        found = self._by_guild.get(guild_id) if guild_id is not None else None
        return found if found is not None else GuildSettings(guild_id or 0)

    def prefix(self, guild_id: int | None) -> str:
        return self.get(guild_id).prefix or self._defaults.prefix

    def cooldown(self, guild_id: int | None) -> tuple[int, float]:
        """(commands, seconds): the server's own cooldown, else the default."""
        found = self.get(guild_id)
        if found.cooldown_rate is not None and found.cooldown_per is not None:
            return found.cooldown_rate, found.cooldown_per
        return self._defaults.cooldown_rate, self._defaults.cooldown_per


class MemberCooldowns:
    """At most *rate* commands per *per* seconds for each member in each server.

    discord.py's ``CooldownMapping`` scans every bucket on every call; this prunes idle
    buckets once a minute instead, and applies a changed server cooldown at once.
    """

    def __init__(self, limits: Callable[[int | None], tuple[int, float]]) -> None:
        self._limits = limits
        self._buckets: dict[tuple[int | None, int], commands.Cooldown] = {}
        self._next_prune = 0.0

    def hit(self, guild_id: int | None, member_id: int) -> commands.CommandOnCooldown | None:
        """Count one command; the error to raise when the member is over their limit."""
        now = time.time()
        if now >= self._next_prune:
            self._buckets = {
                key: bucket
                for key, bucket in self._buckets.items()
                if now <= bucket._last + bucket.per
            }
            self._next_prune = now + 60
        rate, per = self._limits(guild_id)
        key = (guild_id, member_id)
        bucket = self._buckets.get(key)
        if bucket is None or bucket.rate != rate or bucket.per != per:
            bucket = self._buckets[key] = commands.Cooldown(rate, per)
        retry_after = bucket.update_rate_limit(now)
        if retry_after:
            return commands.CommandOnCooldown(bucket, retry_after, commands.BucketType.member)
        return None


def _prefixes(bot: FilmBot, message: discord.Message) -> list[str]:
    guild_id = message.guild.id if message.guild is not None else None
    return [*commands.when_mentioned(bot, message), bot.guild_config.prefix(guild_id)]


class FilmConnectionState(ConnectionState["FilmBot"]):
    """discord.py's connection state, minus the bot's own messages.

    Discord sends MESSAGE_CREATE for every message the bot sends, too. discord.py would build
    a whole ``Message`` for each (author, member, channel, mentions), cache it, and schedule an
    ``on_message`` task, only for ``FilmBot.on_message`` to drop it because its author is a
    bot: about a sixth of the bot's CPU for a ``!ping`` (bench.bench_ratings_load). Nothing
    in filmclub listens for its own messages (no ``wait_for("message")``, no other
    ``on_message``, nothing reads the message cache for them), and sending needs none of it:
    the REST reply already is the ``Message``.
    Messages of other bots and of members are parsed as before.

    Private discord.py API: ``Client._get_state`` and the ``parse_<event>`` methods that
    ``ConnectionState`` collects into its parsers (pyproject pins discord.py to 2.7.x).
    """

    def parse_message_create(self, data: MessageCreateEvent) -> None:
        if int(data["author"]["id"]) == self.self_id:
            return
        super().parse_message_create(data)


class FilmBot(commands.Bot):
    """The filmclub bot. ``store`` is open and migrated; the caller closes it after the bot."""

    def __init__(
        self,
        *,
        store: Store,
        settings: Settings,
        extensions: Sequence[str] | None = None,
        **options: Any,
    ) -> None:
        self.store = store
        self.settings = settings
        self.guild_config = GuildConfig(settings)
        self.cooldowns = MemberCooldowns(self.guild_config.cooldown)
        #: Called with a message's or interaction's id once the bot is done with it: every
        #: reply sent, or nothing to do. The local Discord waits on this instead of sleeping.
        self.handled_hooks: list[Callable[[int], None]] = []
        self.extension_names = list(extensions) if extensions is not None else extension_names()
        #: Seconds before an unanswered slash command is deferred (see ``DEFER_AFTER``).
        self.defer_after = DEFER_AFTER
        self._deferral_timers: dict[int, asyncio.TimerHandle] = {}
        #: Commands started and not finished (message or interaction ids); ``close`` lets
        #: them finish first, so a shutdown never cuts a reply off after its write committed.
        self._in_flight: set[int] = set()
        self._idle = asyncio.Event()
        self._idle.set()
        #: Set by ``close``: new input is ignored from then on.
        self.stopping = False
        #: Extensions that failed to load, with the error (the rest of the bot still runs).
        self.failed_extensions: dict[str, BaseException] = {}
        options.setdefault("owner_ids", set(settings.owner_ids))
        super().__init__(
            command_prefix=_prefixes,
            intents=intents(),
            help_command=None,
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=FilmTree,
            case_insensitive=True,
            strip_after_prefix=True,
            chunk_guilds_at_startup=False,
            **options,
        )
        self.add_check(self._within_cooldown)

    def _get_state(self, **options: Any) -> FilmConnectionState:
        # As discord.py's own, with the state class above.
        return FilmConnectionState(
            dispatch=self.dispatch,
            handlers=self._handlers,
            hooks=self._hooks,
            http=self.http,
            **options,
        )

    # Start-up ----------------------------------------------------------------------------------
    async def setup_hook(self) -> None:
        version = await current_version_of(self.store)
        if version != latest_version():
            raise RuntimeError(
                f"the store is at schema version {version}, expected {latest_version()}; "
                "open it with Store.open, which migrates it"
            )
        await self.guild_config.load(self.store)
        for name in self.extension_names:
            try:
                await self.load_extension(name)
            except Exception as error:
                self.failed_extensions[name] = error
                log.exception("could not load extension %s; the bot runs without it", name)
        if self.settings.dev_guild_id is not None:
            await self.sync_commands(discord.Object(self.settings.dev_guild_id))

    async def sync_commands(self, guild: discord.abc.Snowflake | None = None) -> int:
        """Register the slash commands with Discord, for one guild (at once) or globally."""
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        try:
            synced = await self.tree.sync(guild=guild)
        except discord.HTTPException:
            log.exception("syncing slash commands to %s failed", guild.id if guild else "all")
            raise
        log.info("synced %d slash commands to %s", len(synced), guild.id if guild else "all")
        return len(synced)

    async def get_context(
        self,
        origin: discord.Message | discord.Interaction,
        /,
        *,
        cls: type[commands.Context[Any]] = FilmContext,
    ) -> Any:
        return await super().get_context(origin, cls=cls)

    async def close(self) -> None:
        """Stop taking input, let running commands finish (``DRAIN_TIMEOUT`` at most), then
        close the gateway and the HTTP session."""
        if not self.stopping:
            self.stopping = True
            try:
                await asyncio.wait_for(self._idle.wait(), DRAIN_TIMEOUT)
            except TimeoutError:
                log.warning("closing with %d commands still running", len(self._in_flight))
        await super().close()

    # Knowing when an input is finished ----------------------------------------------------------
    def _begin(self, source_id: int) -> None:
        self._in_flight.add(source_id)
        self._idle.clear()

    def mark_handled(self, source_id: int) -> None:
        timer = self._deferral_timers.pop(source_id, None)
        if timer is not None:
            timer.cancel()
        self._in_flight.discard(source_id)
        if not self._in_flight:
            self._idle.set()
        for hook in self.handled_hooks:
            try:
                hook(source_id)
            except Exception:
                log.exception("a handled hook failed")

    # Messages and prefix commands ------------------------------------------------------------
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot:
            return
        if self.stopping:
            self.mark_handled(message.id)
            return
        try:
            ctx: FilmContext = await self.get_context(message)
            if ctx.command is None:
                # Plain chat, or an unknown command: filmclub stays quiet.
                self.mark_handled(message.id)
                return
            # Success and failure both end in an event below, which marks it handled.
            self._begin(message.id)
            await self.invoke(ctx)
        except Exception as error:
            _log_failure(message.guild, None, error)
            try:
                await message.reply(APOLOGY, mention_author=False)
            except discord.HTTPException:
                log.warning("could not send an apology in %s", _where(message.guild))
            self.mark_handled(message.id)

    async def _within_cooldown(self, ctx: commands.Context[Any]) -> bool:
        # The bot's owner is never held back (the console's piped tours are the owner typing).
        if await self.is_owner(ctx.author):
            return True
        over = self.cooldowns.hit(ctx.guild.id if ctx.guild else None, ctx.author.id)
        if over is not None:
            raise over
        return True

    def begin_interaction(self, interaction: discord.Interaction[Any]) -> bool:
        """A slash command starts: counted as running, and deferred if it is still unanswered
        after :attr:`defer_after` seconds. False when the bot is shutting down."""
        if self.stopping:
            self.mark_handled(interaction.id)
            return False
        self._begin(interaction.id)
        self._deferral_timers[interaction.id] = asyncio.get_running_loop().call_later(
            self.defer_after, self._defer_now, interaction
        )
        return True

    def _defer_now(self, interaction: discord.Interaction[Any]) -> None:
        self._deferral_timers.pop(interaction.id, None)
        defer_soon(interaction)

    async def on_command_completion(self, ctx: FilmContext) -> None:
        log_context(ctx, "ok")
        self.mark_handled(ctx.source_id)

    async def on_app_command_completion(
        self, interaction: discord.Interaction, command: app_commands.Command[Any, ..., Any]
    ) -> None:
        # Hybrid commands were logged through their context already.
        if not interaction.extras.get("logged"):
            log_command(interaction.guild_id, command.qualified_name, "slash", interaction, "ok")
        self.mark_handled(interaction.id)

    async def on_command_error(  # type: ignore[override]
        self, ctx: FilmContext, error: commands.CommandError
    ) -> None:
        if not isinstance(error, commands.CommandNotFound):
            log_context(ctx, outcome_of(error))
        try:
            text = reply_for_error(error, ctx)
            if text is None and not isinstance(error, commands.CommandNotFound):
                _log_failure(ctx.guild, ctx.command.qualified_name if ctx.command else None, error)
                text = APOLOGY
            if text is not None:
                await ctx.send(text, ephemeral=True)
        except discord.HTTPException as failed:
            log.warning("could not send the error reply in %s: %s", _where(ctx.guild), failed)
        finally:
            self.mark_handled(ctx.source_id)


class FilmTree(app_commands.CommandTree[FilmBot]):
    """The one error handler for slash commands that are not hybrid (hybrid commands report to
    ``on_command_error``), and for interactions no command matches. Every slash command starts
    its deferral timer here (autocomplete cannot be deferred)."""

    async def interaction_check(self, interaction: discord.Interaction[FilmBot]) -> bool:
        if interaction.type is discord.InteractionType.application_command:
            interaction.extras["started"] = time.perf_counter()
            return self.client.begin_interaction(interaction)
        return True

    async def on_error(
        self, interaction: discord.Interaction[FilmBot], error: app_commands.AppCommandError
    ) -> None:
        command = interaction.command.qualified_name if interaction.command else None
        if not interaction.extras.get("logged"):
            data: dict[str, Any] = dict(interaction.data or {})
            name = command or str(data.get("name", "?"))
            log_command(interaction.guild_id, name, "slash", interaction, outcome_of(error))
        try:
            text = reply_for_error(error)
            if text is None:
                _log_failure(interaction.guild, command, error)
                text = APOLOGY
            async with reply_lock(interaction):
                if interaction.response.is_done():
                    await interaction.followup.send(text, ephemeral=True)
                else:
                    await interaction.response.send_message(text, ephemeral=True)
        except discord.HTTPException as failed:
            log.warning(
                "could not send the error reply in %s: %s", _where(interaction.guild), failed
            )
        finally:
            self.client.mark_handled(interaction.id)


async def current_version_of(store: Store) -> int:
    rows = await store.fetchall("PRAGMA user_version")
    return int(rows[0][0])


# One log line per command ------------------------------------------------------------------------
#: What became of a command, as its log line says: ``ok``; ``bad_input`` (the member's input
#: did not fit: unknown film, bad score, missing argument); ``refused`` (permissions, owner
#: only, not in DMs); ``cooldown``; ``busy`` (the store stayed locked); ``error`` (unexpected:
#: its traceback is logged separately).
OUTCOMES = ("ok", "bad_input", "refused", "cooldown", "busy", "error")


def outcome_of(error: BaseException) -> str:
    if isinstance(error, commands.HybridCommandError):
        error = error.original
    ours = _filmclub_error(error)
    if isinstance(ours, StoreBusy):
        return "busy"
    if ours is not None:
        return "bad_input"
    if isinstance(error, commands.CommandOnCooldown | app_commands.CommandOnCooldown):
        return "cooldown"
    if isinstance(
        error,
        commands.UserInputError | app_commands.TransformerError | commands.MaxConcurrencyReached,
    ):
        return "bad_input"
    if isinstance(error, commands.CheckFailure | app_commands.CheckFailure):
        return "refused"
    if isinstance(error, commands.DisabledCommand | app_commands.CommandNotFound):
        return "refused"
    return "error"


def log_context(ctx: commands.Context[Any], outcome: str) -> None:
    """The command's log line, from its context (prefix or hybrid slash)."""
    name = ctx.command.qualified_name if ctx.command is not None else "?"
    source = "slash" if ctx.interaction is not None else "prefix"
    started = getattr(ctx, "started", None)
    where = ctx.interaction if ctx.interaction is not None else started
    log_command(ctx.guild.id if ctx.guild else None, name, source, where, outcome)


def log_command(
    guild_id: int | None,
    command: str,
    source: str,
    started: discord.Interaction[Any] | float | None,
    outcome: str,
) -> None:
    """``command=review guild=81… source=slash outcome=ok latency_ms=12.4``: one line, in
    logfmt, naming the command and never its arguments (members' text stays out of logs)."""
    if isinstance(started, discord.Interaction):
        started.extras["logged"] = True
        started = started.extras.get("started")
    if not command_log.isEnabledFor(logging.INFO):
        return  # nothing to build: the line would be dropped (a run at WARNING)
    latency = None if started is None else (time.perf_counter() - float(started)) * 1000
    fields = {
        "command": command,
        "guild": guild_id if guild_id is not None else "dm",
        "source": source,
        "outcome": outcome,
        "latency_ms": "?" if latency is None else f"{latency:.1f}",
    }
    command_log.info(
        " ".join(f"{key}={value}" for key, value in fields.items()), extra={"command_event": fields}
    )


# Turning errors into replies ----------------------------------------------------------------------
def command_usage(command: commands.Command[Any, ..., Any], prefix: str) -> str:
    """``!review <film>``: the command as typed, with its arguments."""
    arguments = command.usage if command.usage is not None else command.signature
    return f"{prefix}{command.qualified_name} {arguments}".rstrip()


def command_example(command: commands.Command[Any, ..., Any], prefix: str) -> str:
    """``!review Heat``: one way to use the command (``extras["example"]`` holds the arguments)."""
    arguments = str(command.extras.get("example", "")).strip()
    return f"{prefix}{command.qualified_name} {arguments}".rstrip()


def usage_reply(ctx: commands.Context[Any] | None, lead: str = "") -> str:
    command = ctx.command if ctx is not None else None
    if ctx is None or command is None:
        return lead or "That command needs something else."
    prefix = ctx.clean_prefix
    lines = [lead] if lead else []
    lines.append(f"Usage: `{command_usage(command, prefix)}`")
    lines.append(f"Example: `{command_example(command, prefix)}`")
    return "\n".join(lines)


def permission_names(names: Iterable[str]) -> str:
    shown = [PERMISSION_NAMES.get(n, n.replace("_", " ").title()) for n in names]
    return " and ".join(shown) if len(shown) <= 2 else ", ".join(shown[:-1]) + f" and {shown[-1]}"


def _causes(error: BaseException) -> Iterable[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = getattr(current, "original", None) or current.__cause__


def _filmclub_error(error: BaseException) -> FilmclubError | None:
    return next((e for e in _causes(error) if isinstance(e, FilmclubError)), None)


def reply_for_error(error: BaseException, ctx: commands.Context[Any] | None = None) -> str | None:
    """What the member sees for a failed command (prefix, hybrid or slash: ``ctx`` when there
    is one); None: log and apologise (or, for an unknown prefix command, say nothing)."""
    if isinstance(error, commands.HybridCommandError):
        error = error.original
    ours = _filmclub_error(error)
    if ours is not None:
        return ours.user_message
    if isinstance(error, commands.CommandNotFound):
        return None
    if isinstance(error, commands.MissingRequiredArgument | commands.MissingRequiredAttachment):
        return usage_reply(ctx, f"I need the *{error.param.name}*.")
    if isinstance(error, commands.TooManyArguments):
        return usage_reply(ctx, "That is more than this command takes.")
    if isinstance(error, commands.RangeError):
        low, high = error.minimum, error.maximum
        return usage_reply(ctx, f"That number is out of range: it goes from {low} to {high}.")
    if isinstance(error, commands.BadFlagArgument):
        return usage_reply(ctx, f"I couldn't make sense of *{error.flag.name}*.")
    if isinstance(error, commands.MissingRequiredFlag):
        return usage_reply(ctx, f"I need the *{error.flag.name}*.")
    if isinstance(error, commands.MissingFlagArgument):
        return usage_reply(ctx, f"*{error.flag.name}:* needs a value after it.")
    if isinstance(error, commands.TooManyFlags):
        return usage_reply(ctx, f"*{error.flag.name}* is given more than once.")
    if isinstance(error, commands.BadArgument | commands.BadUnionArgument):
        return usage_reply(ctx, "I couldn't make sense of that.")
    if isinstance(error, commands.UserInputError):
        return usage_reply(ctx)
    if isinstance(error, app_commands.TransformerError):
        return "I couldn't make sense of one of the options."
    if isinstance(error, commands.NoPrivateMessage | app_commands.NoPrivateMessage):
        return "This works inside a server."
    if isinstance(error, commands.MissingPermissions | app_commands.MissingPermissions):
        return f"You need the {permission_names(error.missing_permissions)} permission."
    if isinstance(error, commands.BotMissingPermissions | app_commands.BotMissingPermissions):
        return f"I need the {permission_names(error.missing_permissions)} permission here."
    if isinstance(error, commands.NotOwner):
        return "Only the bot's owner can do that."
    if isinstance(error, commands.CommandOnCooldown | app_commands.CommandOnCooldown):
        seconds = max(1, math.ceil(error.retry_after))
        return f"You're going a bit fast — try again in {seconds} second{'s' * (seconds != 1)}."
    if isinstance(error, commands.MaxConcurrencyReached):
        return "That command is busy right now; please try again in a moment."
    if isinstance(error, commands.DisabledCommand):
        return "That command is switched off."
    if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
        return "That command has changed since Discord last heard of it; try again in a minute."
    if isinstance(error, commands.CheckFailure | app_commands.CheckFailure):
        return "You can't use that command here."
    return None


def _where(guild: discord.Guild | None) -> str:
    return f"guild {guild.id} ({guild.name})" if guild is not None else "a DM"


def _log_failure(guild: discord.Guild | None, command: str | None, error: BaseException) -> None:
    original = list(_causes(error))[-1]
    log.error("command %s failed in %s", command or "(none)", _where(guild), exc_info=original)
