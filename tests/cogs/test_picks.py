"""``pick`` and ``similar`` end to end on the test catalog."""

from __future__ import annotations

import random

from bot.errors import NothingToPick
from bot.localdiscord import Message
from bot.pages import NOT_YOURS
from tests.conftest import BotHarness

NEO_NOIR = {"Heat (1995)", "Se7en (1995)", "Blade Runner (1982)"}


def picked(message: Message) -> str:
    title = message.embed.title or ""
    assert title.startswith("Tonight: "), message.text
    return title.removeprefix("Tonight: ")


def why(message: Message) -> str:
    return {f.name: f.value or "" for f in message.embed.fields}["Why"]


async def rate(harness: BotHarness, member: int, imdb: int, score: float, guild: int = 0) -> None:
    film = await harness.store.fetchval("SELECT id FROM films WHERE imdb_id = ?", (imdb,))
    await harness.store.execute(
        "INSERT INTO ratings VALUES (?, ?, ?, ?, 0)",
        (guild or harness.guild.id, member, film, score),
    )


async def test_a_pick_for_tonight_with_its_reason(discord_bot: BotHarness) -> None:
    message = (await discord_bot.send("!pick neo-noir")).one()
    assert picked(message) in NEO_NOIR
    assert why(message) in ("A classic of Neo-Noir", "One of the best-known films of Neo-Noir")
    assert "Neo-Noir" in (message.embed.description or "")
    assert [b.label for b in message.buttons] == ["Pick another"]
    assert message.pings == set()


async def test_pick_another_never_repeats_and_says_when_it_runs_out(
    discord_bot: BotHarness,
) -> None:
    message = (await discord_bot.send("!pick neo-noir")).one()
    seen = [picked(message)]
    for _ in range(2):
        pressed = await discord_bot.discord.click(message, "Pick another", discord_bot.member)
        assert pressed.one() is message  # edited in place
        seen.append(picked(message))
    assert sorted(seen) == sorted(NEO_NOIR)
    done = (await discord_bot.discord.click(message, "Pick another", discord_bot.member)).one()
    assert done.ephemeral and done.content == NothingToPick().user_message
    assert picked(message) == seen[-1]


async def test_only_the_asker_picks_another_and_the_button_times_out(
    discord_bot: BotHarness,
) -> None:
    message = (await discord_bot.send("!pick neo-noir")).one()
    first = picked(message)
    refused = (await discord_bot.discord.click(message, "Pick another", discord_bot.admin)).one()
    assert refused.ephemeral and refused.content == NOT_YOURS
    assert picked(message) == first
    discord_bot.bot.get_cog("Picks").button_timeout = 0.05  # type: ignore[union-attr]
    short = (await discord_bot.send("!pick crime")).one()
    await discord_bot.discord.wait_for_message(lambda m: m is short and bool(m.edits))
    assert all(button.disabled for button in short.buttons)


async def test_never_the_same_film_twice_in_a_row(discord_bot: BotHarness) -> None:
    last = None
    for _ in range(6):
        now = picked((await discord_bot.send("!pick neo-noir")).one())
        assert now != last
        last = now


async def test_a_pick_skips_what_the_asker_rated_and_follows_their_taste(
    discord_bot: BotHarness,
) -> None:
    member = discord_bot.member.id
    await rate(discord_bot, member, 113277, 9.0)  # Heat
    await rate(discord_bot, member, 83658, 5.0)  # Blade Runner
    message = (await discord_bot.send("!pick neo-noir")).one()
    assert picked(message) == "Se7en (1995)"
    assert why(message).startswith("Because you rated Heat (1995) 9/10")
    # Others here have rated nothing: their picks may be any of the three.
    assert picked((await discord_bot.send("!pick neo-noir", who=discord_bot.admin)).one()) in (
        NEO_NOIR
    )


async def test_a_server_favourite_shows_this_servers_rating(discord_bot: BotHarness) -> None:
    # The pick is drawn among the best few, the best far likelier: a seed makes it certain.
    discord_bot.bot.get_cog("Picks").rng = random.Random(0)  # type: ignore[union-attr]
    for member in range(1, 7):
        await rate(discord_bot, member, 83658, 10.0)  # Blade Runner
        await rate(discord_bot, member, 114369, 5.0)  # Se7en
        await rate(discord_bot, member, 113277, 5.0)  # Heat
    message = (await discord_bot.send("!pick neo-noir")).one()
    assert picked(message) == "Blade Runner (1982)"
    assert why(message) == "Popular in this server: 10.0/10 from 6 ratings"
    fields = {f.name: f.value for f in message.embed.fields}
    assert fields["This server"] == "★★★★★ 10.0/10 from 6 ratings"


async def test_genre_and_decade_narrow_the_pick(discord_bot: BotHarness) -> None:
    for text in ["!pick neo-noir 80s", "!pick 1980s neo-noir", "!pick neo noir 1982"]:
        assert picked((await discord_bot.send(text, who="dave")).one()) == "Blade Runner (1982)"
        # dave's next pick may not repeat it: fresh members for each form.
        discord_bot.bot.get_cog("Picks")._last_pick.clear()  # type: ignore[union-attr]
    slash = (await discord_bot.slash("pick", genre="neo-noir", decade="80s")).one()
    assert picked(slash) == "Blade Runner (1982)"
    assert picked((await discord_bot.send("!pick 1940s")).one()) == "Double Indemnity (1944)"


async def test_bad_pick_requests_get_friendly_replies(discord_bot: BotHarness) -> None:
    decade = (await discord_bot.send("!pick neo-noir 85s")).one()
    assert decade.content == (
        "*85s* is not a decade I know. Decades look like `90s`, `1990s` or `1990`."
    )
    genre = (await discord_bot.send("!pick comedi")).one()
    assert genre.content.startswith("No genre matching *comedi*. Try Comedy")
    slash = (await discord_bot.slash("pick", decade="soon")).one()
    assert slash.ephemeral and "not a decade I know" in slash.content
    nothing = (await discord_bot.send("!pick neo-noir 1950s")).one()
    assert nothing.content == NothingToPick().user_message
    dm = discord_bot.discord.dm(discord_bot.member)
    alone = (await discord_bot.discord.send(dm, discord_bot.member, "!pick")).one()
    assert alone.content == "This works inside a server."
    for reply in (decade, genre, slash, nothing, alone):
        assert "Traceback" not in reply.text and reply.pings == set()


async def test_similar_films_each_with_a_reason(discord_bot: BotHarness) -> None:
    message = (await discord_bot.send("!similar Heat")).one()
    assert message.embed.title == "Films like Heat (1995)"
    listed = (message.embed.description or "").splitlines()
    assert listed[0] == "**1.** Se7en (1995) — also Crime Thriller, Neo-Noir"
    assert all(" — " in line for line in listed)
    assert not any("The Heat" in line or "Amélie" in line for line in listed)
    assert message.content == (
        "Also called *Heat*: Heat (1986). Add the year to pick one: `!similar Heat 1986`."
    )


async def test_similar_counts_members_who_liked_both_here_only(discord_bot: BotHarness) -> None:
    for member in (1, 2, 3):
        await rate(discord_bot, member, 113277, 9.0)  # Heat
        await rate(discord_bot, member, 211915, 8.5)  # Amélie
    here = (await discord_bot.send("!similar Heat (1995)")).one().embed.description or ""
    assert "Amélie (2001) — 3 members here liked both" in here
    there = await discord_bot.send("!similar Heat (1995)", "carol", discord_bot.other_guild)
    assert "Amélie" not in (there.one().embed.description or "")


async def test_similar_bad_input_and_slash(discord_bot: BotHarness) -> None:
    missing = (await discord_bot.send("!similar")).one()
    assert "Usage: `!similar <film>`" in missing.content
    unknown = (await discord_bot.send("!similar Double Indemnityy Dark")).one()
    assert unknown.content == (
        "No film matching *Double Indemnityy Dark*. Did you mean Double Indemnity (1944)?"
    )
    choices = await discord_bot.discord.autocomplete(
        discord_bot.guild, discord_bot.member, "similar", "film", "se7"
    )
    assert choices[0].name == "Se7en (1995)"
    slash = (await discord_bot.slash("similar", film=choices[0].value)).one()
    assert slash.embed.title == "Films like Se7en (1995)"
