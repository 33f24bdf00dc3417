"""Paged replies, pressed through the local Discord: only the asker turns the pages, and the
buttons switch off when the view times out."""

from __future__ import annotations

import discord

from bot.context import FilmContext, film_command
from bot.localdiscord import Message
from bot.pages import NOT_YOURS, Pages
from tests.conftest import BotHarness


def add_paged_command(harness: BotHarness, *, timeout: float = 60.0) -> None:
    @film_command("pages", help="Three pages.", usage="", example="")
    async def pages(ctx: FilmContext) -> None:
        embeds = [discord.Embed(title=f"Part {n}").set_footer(text="Heat") for n in (1, 2, 3)]
        await Pages(embeds, ctx.author.id, timeout=timeout).show(ctx)

    harness.bot.add_command(pages)


def enabled(message: Message) -> dict[str | None, bool]:
    return {button.label: not button.disabled for button in message.buttons}


async def test_next_and_previous_turn_the_pages(discord_bot: BotHarness) -> None:
    add_paged_command(discord_bot)
    message = (await discord_bot.send("!pages")).one()
    assert message.embed.title == "Part 1"
    assert message.embed.footer.text == "Heat · Page 1/3"
    assert enabled(message) == {"Previous": False, "Next": True}

    pressed = await discord_bot.discord.click(message, "Next", discord_bot.member)
    assert pressed.one() is message  # the same message, edited in place
    assert message.embed.footer.text == "Heat · Page 2/3"
    assert enabled(message) == {"Previous": True, "Next": True}

    await discord_bot.discord.click(message, "Next", discord_bot.member)
    assert message.embed.title == "Part 3"
    assert enabled(message) == {"Previous": True, "Next": False}
    await discord_bot.discord.click(message, "Previous", discord_bot.member)
    assert message.embed.title == "Part 2"


async def test_only_the_asker_turns_the_pages(discord_bot: BotHarness) -> None:
    add_paged_command(discord_bot)
    message = (await discord_bot.send("!pages")).one()
    refused = (await discord_bot.discord.click(message, "Next", discord_bot.admin)).one()
    assert refused.content == NOT_YOURS
    assert refused.ephemeral
    assert message.embed.title == "Part 1" and not message.edits


async def test_buttons_switch_off_on_timeout(discord_bot: BotHarness) -> None:
    add_paged_command(discord_bot, timeout=0.05)
    message = (await discord_bot.send("!pages")).one()
    await discord_bot.discord.wait_for_message(lambda m: m is message and bool(m.edits))
    assert all(button.disabled for button in message.buttons)


async def test_one_page_has_no_buttons(discord_bot: BotHarness) -> None:
    @film_command("page", help="One page.", usage="", example="")
    async def page(ctx: FilmContext) -> None:
        await Pages([discord.Embed(title="Only")], ctx.author.id).show(ctx)

    discord_bot.bot.add_command(page)
    message = (await discord_bot.send("!page")).one()
    assert message.buttons == [] and message.embed.footer.text is None


async def test_pages_work_as_a_slash_reply(discord_bot: BotHarness) -> None:
    add_paged_command(discord_bot)
    await discord_bot.bot.sync_commands()
    message = (await discord_bot.slash("pages")).one()
    await discord_bot.discord.click(message, "Next", discord_bot.member)
    assert message.embed.title == "Part 2"
