"""``review`` end to end: prefix and slash, titles as people type them, autocomplete."""

from __future__ import annotations

from bot.localdiscord import Message
from tests.conftest import BotHarness


def fields(message: Message) -> dict[str, str]:
    return {field.name or "": field.value or "" for field in message.embed.fields}


async def test_review_shows_the_card(discord_bot: BotHarness) -> None:
    card = (await discord_bot.send("!review Heat")).one()
    assert card.embed.title == "Heat (1995)"
    assert card.embed.description == "Crime Thriller · Heist Drama · Neo-Noir"
    shown = fields(card)
    assert shown["Director"] == "Michael Mann"
    assert shown["Starring"] == "Al Pacino, Robert De Niro, Val Kilmer, Jon Voight"
    assert shown["Runtime"] == "170 min"
    assert "Heat (1986)" in shown["Other films called Heat"]
    assert "`!review Heat 1986`" in shown["Other films called Heat"]
    assert card.embed.footer.text == "Rate it: !rate Heat 9 · Full cast: !cast Heat"
    assert card.allowed_mentions == {"parse": []} and card.pings == set()


async def test_the_slash_command_gives_the_same_card(discord_bot: BotHarness) -> None:
    prefix = (await discord_bot.send("!review Heat")).one()
    slash = (await discord_bot.slash("review", film="Heat")).one()
    assert slash.embeds == prefix.embeds
    assert not slash.ephemeral


async def test_the_year_picks_between_films_of_one_title(discord_bot: BotHarness) -> None:
    older = (await discord_bot.send("!review heat 1986", who="dave")).one()
    assert older.embed.title == "Heat (1986)"
    assert fields(older)["Director"] == "Dick Richards"
    assert (await discord_bot.send("!review Heat (1995)")).one().embed.title == "Heat (1995)"


async def test_autocomplete_offers_titles_and_passes_the_film(discord_bot: BotHarness) -> None:
    local = discord_bot.discord
    choices = await local.autocomplete(
        discord_bot.guild, discord_bot.member, "review", "film", "hea"
    )
    labels = [choice.name for choice in choices]
    assert "Heat (1995)" in labels and "Heat (1986)" in labels
    assert len(choices) <= 25
    older = next(choice for choice in choices if choice.name == "Heat (1986)")
    card = (await discord_bot.slash("review", film=older.value)).one()
    assert card.embed.title == "Heat (1986)"


async def test_an_unknown_film_gets_a_friendly_reply(discord_bot: BotHarness) -> None:
    reply = (await discord_bot.send("!review Zzyzx Qwfp")).one()
    assert reply.content.startswith("No film matching *Zzyzx Qwfp*.")
    assert reply.embeds == []


async def test_review_without_a_film_shows_how(discord_bot: BotHarness) -> None:
    reply = (await discord_bot.send("!review")).one()
    assert "Usage: `!review <film>`" in reply.content and "Example: `!review Heat`" in reply.content


async def test_hostile_titles_are_only_titles(discord_bot: BotHarness) -> None:
    for text in ["'; DROP TABLE films;--", "@everyone **Heat**", "Heat\u200b"]:
        reply = (await discord_bot.send(f"!review {text}")).one()
        assert reply.pings == set()
    assert (await discord_bot.send("!review Heat")).one().embed.title == "Heat (1995)"
