"""Hostile and odd input to every film command: a friendly reply, never a traceback or a ping."""

from __future__ import annotations

import pytest

from tests.conftest import BotHarness

COMMANDS = ["review", "cast", "similar", "genre", "filmography", "pick"]
INPUTS = [
    "x" * 5_000,  # far longer than any title
    "He\u200bat\u200d",  # zero-width characters inside a word
    "@everyone <@&123456789012345678> **bold** ||spoiler||",
    "'; DROP TABLE films;--",
    "\U0001f3ac\U0001f37f",
]


@pytest.mark.parametrize("command", COMMANDS)
async def test_odd_input_gets_a_plain_friendly_reply(discord_bot: BotHarness, command: str) -> None:
    films = await discord_bot.store.fetchval("SELECT count(*) FROM films")
    for text in INPUTS:
        reply = (await discord_bot.send(f"!{command} {text}")).one()
        assert reply.pings == set() and reply.allowed_mentions == {"parse": []}
        assert "Traceback" not in reply.text and "Sorry, something went wrong" not in reply.text
        assert len(reply.content) <= 2_000
        if text.startswith("@everyone"):
            assert "**bold**" not in reply.content
    assert await discord_bot.store.fetchval("SELECT count(*) FROM films") == films


async def test_zero_width_characters_do_not_hide_a_title(discord_bot: BotHarness) -> None:
    card = (await discord_bot.send("!review Se\u200b7en")).one()
    assert card.embed.title == "Se7en (1995)"
