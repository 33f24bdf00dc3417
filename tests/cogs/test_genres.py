"""``genre`` and ``genres`` end to end: a film's genres, a genre's films paged, every genre."""

from __future__ import annotations

from bot.localdiscord import Message
from bot.store.films import NewFilm, add_film
from tests.conftest import BotHarness


def lines(message: Message) -> list[str]:
    return (message.embed.description or "").splitlines()


async def test_a_films_genres_with_what_they_belong_to(discord_bot: BotHarness) -> None:
    reply = (await discord_bot.send("!genre Heat")).one()
    assert reply.embed.title == "Genres of Heat (1995)"
    assert lines(reply) == [
        "**Crime Thriller** — part of Crime, Thriller",
        "**Heist Drama** — part of Crime, Drama",
        "**Neo-Noir** — part of Crime, Film-Noir",
    ]
    assert reply.content == (
        "Also called *Heat*: Heat (1986). Add the year to pick one: `!genre Heat 1986`."
    )
    assert (await discord_bot.send("!genre Heat (1995)")).one().content == ""
    assert reply.pings == set()


async def test_a_genre_lists_its_films_and_its_sub_genres(discord_bot: BotHarness) -> None:
    reply = (await discord_bot.send("!genre crime")).one()
    assert reply.embed.title == "Crime films"
    listed = lines(reply)
    assert listed[0] == "**1.** Se7en (1995)"  # the best known, nobody has rated yet
    assert "**" in listed[0] and any("Heat (1995)" in line for line in listed)
    assert not any("Amélie" in line for line in listed)
    footer = reply.embed.footer.text or ""
    assert footer.startswith("Includes ") and "Crime Thriller" in footer
    assert reply.buttons == []  # one page


async def test_a_genre_is_ranked_by_this_servers_ratings(discord_bot: BotHarness) -> None:
    store, guild = discord_bot.store, discord_bot.guild.id
    indemnity = await store.fetchval("SELECT id FROM films WHERE imdb_id = 36775")
    se7en = await store.fetchval("SELECT id FROM films WHERE imdb_id = 114369")
    for member in range(1, 5):
        for film, score in [(indemnity, 9.5), (se7en, 4.0)]:
            await store.execute(
                "INSERT INTO ratings VALUES (?, ?, ?, ?, 0)", (guild, member, film, score)
            )
    here = lines((await discord_bot.send("!genre crime")).one())
    assert here[0] == "**1.** Double Indemnity (1944) — 9.5/10 here (4)"
    assert here[-1] == "**6.** Se7en (1995) — 4.0/10 here (4)"  # below the server's mean
    there = (await discord_bot.send("!genre crime", "carol", discord_bot.other_guild)).one()
    assert lines(there)[0] == "**1.** Se7en (1995)"


async def test_a_long_genre_is_paged(discord_bot: BotHarness) -> None:
    for n in range(1, 36):
        await add_film(discord_bot.store, NewFilm(f"Caper {n:02d}", 2000, genres=["Heist Drama"]))
    message = (await discord_bot.send("!genre heist drama")).one()
    assert len(lines(message)) == 30
    assert (message.embed.footer.text or "").endswith("Page 1/2")
    await discord_bot.discord.click(message, "Next", discord_bot.member)
    assert lines(message)[0].startswith("**31.** ")
    assert (message.embed.footer.text or "").endswith("Page 2/2")
    refused = await discord_bot.discord.click(message, "Previous", discord_bot.admin)
    assert refused.one().ephemeral and (message.embed.footer.text or "").endswith("Page 2/2")


async def test_loose_genre_names(discord_bot: BotHarness) -> None:
    for text, title in [
        ("sci-fi", "Science Fiction"),
        ("noir", "Film-Noir"),
        ("romcom", "Romantic Comedy"),
    ]:
        assert (await discord_bot.send(f"!genre {text}")).one().embed.title == f"{title} films"
    noir = lines((await discord_bot.send("!genre noir")).one())
    assert any("Double Indemnity" in line for line in noir)
    assert any("Blade Runner" in line for line in noir)  # Neo-Noir, below Film-Noir


async def test_a_genre_wins_over_a_film_of_that_name(discord_bot: BotHarness) -> None:
    await add_film(discord_bot.store, NewFilm("Crime", 2005, genres=["Drama"]))
    reply = (await discord_bot.send("!genre crime")).one()
    assert reply.embed.title == "Crime films"
    fields = {f.name: f.value for f in reply.embed.fields}
    assert fields["The film Crime (2005)"] == "For its genres, add the year: `!genre Crime (2005)`"
    film = (await discord_bot.send("!genre Crime (2005)")).one()
    assert film.embed.title == "Genres of Crime (2005)"


async def test_bad_input_gets_a_friendly_reply(discord_bot: BotHarness) -> None:
    unknown = (await discord_bot.send("!genre thriler")).one()
    assert unknown.content.startswith("No genre or film matching *thriler*. Did you mean Thriller")
    assert "Traceback" not in unknown.text
    missing = (await discord_bot.send("!genre")).one()
    assert "Usage: `!genre <film or genre>`" in missing.content
    assert "Example: `!genre crime`" in missing.content
    hostile = (await discord_bot.send("!genre @everyone '; DROP TABLE genres;--")).one()
    assert hostile.pings == set() and hostile.content.startswith("No genre or film matching")
    assert await discord_bot.store.fetchval("SELECT count(*) FROM genres") > 0


async def test_every_genre_with_its_count(discord_bot: BotHarness) -> None:
    reply = (await discord_bot.send("!genres")).one()
    assert reply.embed.title == "Genres"
    listed = lines(reply)
    assert "Crime — 6" in listed
    crime = listed.index("Crime — 6")
    assert listed[crime + 1 : crime + 4] == [
        "\u2003↳ Crime Thriller — 3",
        "\u2003↳ Film-Noir — 4",
        "\u2003\u2003↳ Neo-Noir — 3",
    ]
    slash = (await discord_bot.slash("genres")).one()
    assert slash.embeds == reply.embeds


async def test_slash_genre_autocompletes_genres(discord_bot: BotHarness) -> None:
    choices = await discord_bot.discord.autocomplete(
        discord_bot.guild, discord_bot.member, "genre", "name", "cri"
    )
    assert [c.name for c in choices] == ["Crime", "Crime Thriller"]
    reply = (await discord_bot.slash("genre", name=choices[1].value)).one()
    assert reply.embed.title == "Crime Thriller films"
