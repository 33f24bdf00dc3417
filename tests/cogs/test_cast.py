"""``cast`` end to end: billing order with characters, crew, and pages for a long cast."""

from __future__ import annotations

from bot.store.films import NewFilm, add_film
from tests.conftest import BotHarness


async def test_cast_lists_actors_with_characters_then_crew(discord_bot: BotHarness) -> None:
    reply = (await discord_bot.send("!cast Heat")).one()
    embed = reply.embed
    assert embed.title == "Cast of Heat (1995)"
    assert reply.content.startswith("Also called *Heat*: Heat (1986).")
    assert (embed.description or "").splitlines()[:4] == [
        "Al Pacino — Lt. Vincent Hanna",
        "Robert De Niro — Neil McCauley",
        "Val Kilmer — Chris Shiherlis",
        "Jon Voight — Nate",
    ]
    crew = {field.name: field.value for field in embed.fields}
    assert crew == {"Directed by": "Michael Mann", "Written by": "Michael Mann"}
    slash = (await discord_bot.slash("cast", film="Se7en")).one()
    assert slash.embed.title == "Cast of Se7en (1995)"


async def test_a_long_cast_is_paged(discord_bot: BotHarness) -> None:
    cast = [(f"Actor {n:02d}", f"Character {n:02d}") for n in range(1, 21)]
    film_id = await add_film(
        discord_bot.store,
        NewFilm("Ensemble Piece", 2001, directors=["Ann Director"], cast=cast),
    )
    message = (await discord_bot.send(f"!cast id:{film_id}")).one()
    assert len((message.embed.description or "").splitlines()) == 15
    assert message.embed.footer.text == "Page 1/2"
    await discord_bot.discord.click(message, "Next", discord_bot.member)
    lines = (message.embed.description or "").splitlines()
    assert lines[0] == "Actor 16 — Character 16" and len(lines) == 5
    assert {field.name for field in message.embed.fields} == {"Directed by"}


async def test_filmography_newest_first_with_each_part(discord_bot: BotHarness) -> None:
    reply = (await discord_bot.send("!filmography de niro")).one()
    assert reply.embed.title == "Films of Robert De Niro"
    assert "Heat (1995) — Neil McCauley" in (reply.embed.description or "").splitlines()
    assert reply.embed.footer.text == "1 film in the catalog"
    same = (await discord_bot.send("!filmography Robert DeNiro")).one()
    assert same.embeds == reply.embeds
    crew = (await discord_bot.send("!filmography michael mann")).one()
    assert (crew.embed.description or "").splitlines() == ["Heat (1995) — director, writer"]


async def test_a_long_filmography_is_paged_newest_first(discord_bot: BotHarness) -> None:
    for year in range(1990, 2010):
        await add_film(
            discord_bot.store,
            NewFilm(f"Picture {year}", year, cast=[("Prolific Player", f"Role {year}")]),
        )
    message = (await discord_bot.send("!films prolific player")).one()
    listed = (message.embed.description or "").splitlines()
    assert listed[:2] == ["Picture 2009 (2009) — Role 2009", "Picture 2008 (2008) — Role 2008"]
    assert len(listed) == 15
    assert message.embed.footer.text == "20 films in the catalog · Page 1/2"
    await discord_bot.discord.click(message, "Next", discord_bot.member)
    assert (message.embed.description or "").splitlines()[-1] == "Picture 1990 (1990) — Role 1990"


async def test_filmography_bad_input_and_slash(discord_bot: BotHarness) -> None:
    unknown = (await discord_bot.send("!filmography Zzyzx Qwfpgh")).one()
    assert unknown.content.startswith("No one matching *Zzyzx Qwfpgh*.")
    assert "Traceback" not in unknown.text
    missing = (await discord_bot.send("!filmography")).one()
    assert "Usage: `!filmography <person>`" in missing.content
    assert "Example: `!filmography de niro`" in missing.content
    choices = await discord_bot.discord.autocomplete(
        discord_bot.guild, discord_bot.member, "filmography", "person", "pacino"
    )
    assert choices[0].name == "Al Pacino"
    slash = (await discord_bot.slash("filmography", person=choices[0].value)).one()
    assert slash.embed.title == "Films of Al Pacino"
