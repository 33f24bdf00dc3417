"""``review`` end to end: prefix and slash, titles as people type them, autocomplete."""

from __future__ import annotations

from bot.localdiscord import Message
from bot.store.database import now
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
    assert card.content == (
        "Also called *Heat*: Heat (1986). Add the year to pick one: `!review Heat 1986`."
    )
    # No review of Heat (1995) in the test catalog: the card says how to add one.
    assert shown["Summary"] == (
        "No reviews yet. Write the first: `!addreview Heat (1995) <your review>`"
    )
    assert shown["This server"] == "No ratings here yet"
    assert card.embed.footer.text == "Rate it: !rate Heat (1995) 9 · Full cast: !cast Heat (1995)"
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
    assert reply.content == "No film matching *Zzyzx Qwfp*."
    assert reply.embeds == []
    close = (await discord_bot.send("!review Double Indemnityy Dark")).one()
    assert close.content == (
        "No film matching *Double Indemnityy Dark*. Did you mean Double Indemnity (1944)?"
    )
    assert "Traceback" not in close.text


async def test_review_without_a_film_shows_how(discord_bot: BotHarness) -> None:
    reply = (await discord_bot.send("!review")).one()
    assert "Usage: `!review <film>`" in reply.content and "Example: `!review Heat`" in reply.content


async def test_hostile_titles_are_only_titles(discord_bot: BotHarness) -> None:
    for text in ["'; DROP TABLE films;--", "@everyone **Heat**", "Heat\u200b"]:
        reply = (await discord_bot.send(f"!review {text}")).one()
        assert reply.pings == set()
    assert (await discord_bot.send("!review Heat")).one().embed.title == "Heat (1995)"


async def film_id(harness: BotHarness, imdb: int) -> int:
    return int(await harness.store.fetchval("SELECT id FROM films WHERE imdb_id = ?", (imdb,)))


async def test_the_summary_quotes_the_catalogs_review(discord_bot: BotHarness) -> None:
    card = (await discord_bot.send("!review heat 1986")).one()
    assert card.embed.title == "Heat (1986)"
    summary = fields(card)["Summary"]
    assert "Reynolds" in summary and len(summary) <= 350
    assert summary.count(". ") + 1 in (2, 3)


async def test_this_servers_ratings_and_reviews_stay_in_this_server(
    discord_bot: BotHarness,
) -> None:
    heat = await film_id(discord_bot, 113277)
    store = discord_bot.store
    for member, score in [(discord_bot.member.id, 9.0), (discord_bot.admin.id, 8.0)]:
        await store.execute(
            "INSERT INTO ratings VALUES (?, ?, ?, ?, 0)",
            (discord_bot.guild.id, member, heat, score),
        )
    praise = (
        "A masterpiece of the heist film. The downtown shootout is unforgettable. "
        "Pacino and De Niro are superb together."
    )
    await store.execute(
        "INSERT INTO reviews (film_id, guild_id, author_id, author_name, body, created_at, "
        "updated_at) VALUES (?, ?, ?, 'alice', ?, ?, ?)",
        (heat, discord_bot.guild.id, discord_bot.admin.id, praise, now(), now()),
    )
    here = fields((await discord_bot.send("!review Heat (1995)")).one())
    assert here["This server"] == "★★★★½ 8.5/10 from 2 ratings · you rated it 9/10"
    assert "masterpiece" in here["Summary"]
    by_admin = fields((await discord_bot.send("!review Heat (1995)", who=discord_bot.admin)).one())
    assert by_admin["This server"].endswith("you rated it 8/10")
    elsewhere = await discord_bot.send(
        "!review Heat (1995)", who=discord_bot.other_member, where=discord_bot.other_guild
    )
    there = fields(elsewhere.one())
    assert there["This server"] == "No ratings here yet"
    assert there["Summary"].startswith("No reviews yet.")


async def test_in_a_dm_the_card_has_no_server_part(discord_bot: BotHarness) -> None:
    dm = discord_bot.discord.dm(discord_bot.member)
    card = (await discord_bot.discord.send(dm, discord_bot.member, "!review Se7en")).one()
    assert card.embed.title == "Se7en (1995)"
    assert "This server" not in fields(card)
    assert "Freeman" in fields(card)["Summary"]
