"""A local Discord: the one harness for the console, the tests and the benchmarks.

An aiohttp server on 127.0.0.1 that speaks the part of Discord's REST v10 and Gateway v10 a
discord.py bot uses (login, HELLO/IDENTIFY/READY/GUILD_CREATE, heartbeats, zlib-stream,
RESUME, messages, edits, deletes, reactions, interactions with callbacks and follow-ups,
command sync), checking what the bot sends against Discord's limits. The bot runs its real
discord.py code, pointed here by :func:`use_local_discord` (``Route.BASE`` and
``DEFAULT_GATEWAY``).

The driver API (``LocalDiscord``)::

    async with LocalDiscord() as discord:                  # serves on 127.0.0.1:<free port>
        guild = discord.add_guild("Film Club")              # #general, @everyone, the bot
        alice = discord.add_member(guild, "alice", permissions=Permissions(manage_guild=True))
        bob = discord.add_member(guild, "bob")              # or just name them: "bob"
        await discord.run_bot(bot)                          # a FilmBot in this process
        await bot.sync_commands()                           # slash commands need a sync

        replies = await discord.send(guild, bob, "!review Heat")   # -> Replies
        card = replies.one()                                # a Message; fails unless exactly one
        card.content, card.embeds, card.embed.title, card.buttons, card.allowed_mentions
        card.pings                                          # who it would notify: set()
        card.text                                           # as the console prints it

        await discord.slash(guild, bob, "review", film="Heat")      # options by name
        await discord.autocomplete(guild, bob, "review", "film", "hea")  # -> [Choice]
        await discord.click(card, "Next", bob)              # by label or custom_id
        await discord.send(discord.dm(bob), bob, "!prefix ?")       # a DM

* ``where`` is a guild (its first channel) or a channel; ``who`` a member, a user or a name
  (a name joins the guild on first use).
* ``send``/``slash``/``click``/``select`` return the bot's messages for that input — created,
  or edited, by it — once the bot says it is done with it: ``FilmBot`` reports every finished
  message and interaction through ``handled_hooks`` (command completion, the error handlers,
  the end of ``on_message`` for non-commands, the end of a button press). Nothing sleeps.
  Replies are matched to inputs by interaction token and by the reply's message reference
  (filmclub threads prefix replies onto the question), so concurrent inputs stay apart;
  ``Replies.latency`` is dispatch -> first reply in seconds. ``autocomplete`` ends with the
  bot's choices.
* Many inputs at once: ``await gather_limited((discord.send(g, m, "!ping") for _ in
  range(10_000)), 500)`` keeps 500 in flight; each still gets exactly its own replies.
* A bot in another process (``filmclub run --local-discord URL``) reports the same through
  :class:`HandledReporter` (batched, as one frame on its gateway socket);
  ``await discord.wait_for_bot()`` waits for it to connect. For a bot that cannot report (a
  plain discord.py client), ``send(..., replies=N)`` returns once N replies arrived.
* Inputs are refused as a Discord client would refuse them (``LocalDiscordError``): unsynced
  or unknown slash commands and options, missing required options, out-of-range values,
  disabled buttons, members writing where they are not members. A bot that does not finish
  within ``timeout`` raises ``BotDidNotAnswer`` with the replies so far.
* Inspection: ``discord.messages`` (every message by id; each keeps ``edits``, ``deleted``,
  ``reactions``), ``discord.commands`` (synced schemas; key ``None`` is global),
  ``discord.requests`` (every REST call), ``discord.rejected`` (every call answered with an
  error, with its status and body), ``discord.sessions`` (gateway sessions, their
  intents and resumes), ``wait_for_message(predicate)`` for something the bot does later (a
  view timing out). ``drop_connection()`` makes the bot resume; ``add_guild``/``add_role``/
  ``add_channel`` while it runs are announced on the gateway.
* Discord's rules the emulator keeps: a wrong token gets 401 (``LoginFailure``); the first
  answer to an interaction within 3 s (``interaction_deadline``); message content only with
  the message-content intent (unless the bot is mentioned or it is a DM); guild messages only
  with the guild-messages intent, DMs with the DM intent; message, embed and component limits
  and slash command schema rules answer 400 as Discord does.
"""

from bot.localdiscord.connect import HandledReporter, use_local_discord
from bot.localdiscord.driver import DEFAULT_TOKEN, LocalDiscord, Replies, gather_limited
from bot.localdiscord.errors import BotDidNotAnswer, LocalDiscordError, UnknownCommand
from bot.localdiscord.model import Button, Channel, Choice, Guild, Member, Message, Role, User

__all__ = [
    "DEFAULT_TOKEN",
    "BotDidNotAnswer",
    "Button",
    "Channel",
    "Choice",
    "Guild",
    "HandledReporter",
    "LocalDiscord",
    "LocalDiscordError",
    "Member",
    "Message",
    "Replies",
    "Role",
    "UnknownCommand",
    "User",
    "gather_limited",
    "use_local_discord",
]
