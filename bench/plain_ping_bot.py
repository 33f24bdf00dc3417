"""An unmodified discord.py bot answering ``!ping``: the floor ``bench_roundtrip`` compares to.

Like filmclub under the bench, it reports each finished command to the local Discord (that is
the harness, not the bot), and it runs on the same kind of event loop as ``filmclub run``
(uvloop where installed), so both are measured the same way.

    python -m bench.plain_ping_bot URL TOKEN
"""

from __future__ import annotations

import logging
import sys

import discord
from discord.ext import commands

from bot.cli.run import run_async
from bot.localdiscord.connect import HandledReporter, use_local_discord


async def main(url: str, token: str) -> None:
    use_local_discord(url)
    discord.utils.setup_logging(level=logging.WARNING)
    intents = discord.Intents.none()
    intents.guilds = intents.guild_messages = intents.message_content = True
    bot = commands.Bot(command_prefix="!", intents=intents, help_command=None)
    reporter = HandledReporter(url, token, bot)

    @bot.command()
    async def ping(ctx: commands.Context[commands.Bot]) -> None:
        await ctx.send("Pong.")

    @bot.listen()
    async def on_command_completion(ctx: commands.Context[commands.Bot]) -> None:
        reporter(ctx.message.id)

    async with bot:
        await bot.start(token)


if __name__ == "__main__":
    run_async(main(sys.argv[1], sys.argv[2]))
