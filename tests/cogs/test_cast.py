"""``cast`` end to end: billing order with characters, crew, and pages for a long cast."""

from __future__ import annotations

from bot.store.films import NewFilm, add_film
from tests.conftest import BotHarness


async def test_cast_lists_actors_with_characters_then_crew(discord_bot: BotHarness) -> None:
    embed = (await discord_bot.send("!cast Heat")).one().embed
    assert embed.title == "Cast of Heat (1995)"
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
