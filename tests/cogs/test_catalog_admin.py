"""``addfilm``, ``editfilm``, ``addcast`` (and ``prefix``, ``sync``) end to end: what admins
get, what everyone else gets (nothing changed), and the audit of every change."""

from __future__ import annotations

import pytest

from bot.search import choice_value, resolve_film
from bot.store import Store, guilds
from bot.store.audit import audit_entries
from bot.store.films import film_credits, film_genres
from bot.store.genres import find_genre
from tests.conftest import BotHarness

ARRIVAL = (
    "!addfilm Arrival (2016) | genres: sci-fi, Drama | director: Denis Villeneuve | runtime: 116"
)
REFUSED = "You need the Manage Server permission."


async def catalog_state(store: Store) -> tuple[object, ...]:
    """Everything an admin command could change, to compare before and after."""
    return tuple(
        [
            await store.fetchall(f"SELECT * FROM {table} ORDER BY 1, 2")
            for table in ("films", "film_genres", "credits", "people", "film_aliases")
        ]
        + [await store.fetchval("SELECT count(*) FROM catalog_audit")]
    )


async def test_addfilm_adds_a_searchable_film_and_records_who(discord_bot: BotHarness) -> None:
    reply = (await discord_bot.send(ARRIVAL, who=discord_bot.admin)).one()
    assert reply.content.startswith(
        "Added *Arrival (2016)* to the catalog: Science Fiction, Drama; "
        "directed by Denis Villeneuve; 116 min."
    )
    store = discord_bot.store
    film = (await resolve_film(store, "arival")).film  # typo tolerance knows its words at once
    assert (film.title, film.year, film.runtime) == ("Arrival", 2016, 116)
    assert [g.name for g in await film_genres(store, film.id)] == ["Drama", "Science Fiction"]
    assert [c.name for c in await film_credits(store, film.id)] == ["Denis Villeneuve"]
    card = (await discord_bot.send("!review arrival 2016")).one()
    assert card.embed.title == "Arrival (2016)"
    drama = await find_genre(store, "Drama")
    assert drama is not None
    pooled = await store.fetchval(  # in the Drama pool of the 2010s, for genre lists and picks
        "SELECT count(*) FROM film_pool WHERE film_id = ? AND genre_id = ? AND decade = 2010",
        (film.id, drama.id),
    )
    assert pooled == 1
    (entry,) = await audit_entries(store)
    assert (entry.guild_id, entry.member_id, entry.action, entry.film_id, entry.film) == (
        discord_bot.guild.id,
        discord_bot.admin.id,
        "addfilm",
        film.id,
        "Arrival (2016)",
    )
    assert {c.field: c.new for c in entry.changes}["runtime"] == 116


async def test_addfilm_as_a_slash_command(discord_bot: BotHarness) -> None:
    reply = await discord_bot.slash(
        "addfilm",
        who=discord_bot.admin,
        title="Dune (2021)",
        genres="Science Fiction",
        directors="Denis Villeneuve",
        runtime=155,
    )
    assert reply.one().content.startswith("Added *Dune (2021)* to the catalog")
    assert (await resolve_film(discord_bot.store, "dune")).film.year == 2021


async def test_a_film_already_there_is_reported_not_duplicated(discord_bot: BotHarness) -> None:
    before = await catalog_state(discord_bot.store)
    for text in ["!addfilm Heat (1995)", "!addfilm heat | year: 1995 | genres: Drama"]:
        reply = (await discord_bot.send(text, who=discord_bot.admin)).one()
        assert reply.content == "*Heat (1995)* is already in the catalog."
    assert await catalog_state(discord_bot.store) == before


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("!addfilm Foo | genres: Crmie", "No genre matching *Crmie*. Try Crime"),
        ("!addfilm Foo | year: 1800", "That number is out of range: it goes from 1870 to 2100."),
        ("!addfilm Foo | runtime: 0", "That number is out of range: it goes from 1 to 60000."),
        ("!addfilm !!! (2001)", "A title needs letters or digits."),
        ("!addfilm " + "x" * 400, "A title can be at most 300 characters; nothing was saved."),
        ("!addfilm Foo | director: ,,,", "A director needs letters."),
        ("!addfilm", "I need the *film*."),
        ("!editfilm Heat 1995", "Say what to correct, e.g. `!editfilm Heat 1995 | runtime: 171`"),
        ("!editfilm Heat | year:", "*year:* needs a value after it."),
        ("!editfilm Nosuchfilmatall | runtime: 90", "No film matching *Nosuchfilmatall*."),
        ("!editfilm Heat 1995 | year: 1986", "*Heat (1986)* is already in the catalog."),
        ("!addcast Heat 1995 | actor: Al Pacino | billing: 0", "That number is out of range"),
        ("!addcast Heat 1995 | character: Eady", "I need the *actor*."),
    ],
)
async def test_bad_admin_input_says_what_is_accepted_and_changes_nothing(
    discord_bot: BotHarness, text: str, expected: str
) -> None:
    before = await catalog_state(discord_bot.store)
    reply = (await discord_bot.send(text, who=discord_bot.admin)).one()
    assert reply.content.startswith(expected), reply.content
    assert await catalog_state(discord_bot.store) == before


async def test_editfilm_corrects_a_field_and_records_old_and_new(discord_bot: BotHarness) -> None:
    store = discord_bot.store
    heat = (await resolve_film(store, "Heat 1995")).film
    reply = await discord_bot.send("!editfilm Heat 1995 | runtime: 171", who=discord_bot.admin)
    assert reply.one().content == f"Corrected *Heat (1995)*: runtime {heat.runtime} → 171."
    assert (await resolve_film(store, "Heat 1995")).film.runtime == 171
    (entry,) = await audit_entries(store)
    assert (entry.action, entry.film_id, [c.text for c in entry.changes]) == (
        "editfilm",
        heat.id,
        [f"runtime {heat.runtime} → 171"],
    )
    again = await discord_bot.send("!editfilm Heat 1995 | runtime: 171", who=discord_bot.admin)
    assert again.one().content == "*Heat (1995)* already reads like that; nothing changed."
    assert len(await audit_entries(store)) == 1


async def test_a_renamed_film_is_found_by_its_new_title_and_keeps_its_keys(
    discord_bot: BotHarness,
) -> None:
    store = discord_bot.store
    heat = (await resolve_film(store, "Heat 1995")).film
    reply = await discord_bot.send(
        "!editfilm Heat 1995 | title: Zanzibar Nights | genres: Drama, Crime | director: "
        "Michael Mann, Jane Doe",
        who=discord_bot.admin,
    )
    assert reply.one().content.startswith("Corrected *Zanzibar Nights (1995)*: title Heat → ")
    assert (await resolve_film(store, "zanzibar nights")).film.id == heat.id
    assert (await resolve_film(store, "zanzibr nigths")).film.id == heat.id  # index words
    assert (await resolve_film(store, "Heat")).film.id != heat.id
    key = await store.fetchone("SELECT title_key, bare_key FROM films WHERE id = ?", (heat.id,))
    assert key is not None and tuple(key) == ("zanzibar nights", "zanzibar nights")
    assert [g.name for g in await film_genres(store, heat.id)] == ["Crime", "Drama"]
    directors = [c.name for c in await film_credits(store, heat.id) if c.role == "director"]
    assert directors == ["Michael Mann", "Jane Doe"]
    (entry,) = await audit_entries(store)
    assert [c.field for c in entry.changes] == ["title", "genres", "directors"]


async def test_editfilm_as_a_slash_command_with_the_film_autocompleted(
    discord_bot: BotHarness,
) -> None:
    local, admin = discord_bot.discord, discord_bot.admin
    choices = await local.autocomplete(discord_bot.guild, admin, "editfilm", "film", "heat")
    assert choices and choices[0].name == "Heat (1995)"
    reply = await discord_bot.slash("editfilm", who=admin, film=choices[0].value, year=1996)
    assert reply.one().content == "Corrected *Heat (1996)*: year 1995 → 1996."


async def test_addcast_places_an_actor_and_a_second_time_corrects_them(
    discord_bot: BotHarness,
) -> None:
    store, admin = discord_bot.store, discord_bot.admin
    heat = (await resolve_film(store, "Heat 1995")).film
    before = [c.name for c in await film_credits(store, heat.id) if c.role == "actor"]
    reply = await discord_bot.send(
        "!addcast Heat 1995 | actor: Amy Brenneman | character: Eady | billing: 2", who=admin
    )
    assert reply.one().content == (
        "Added Amy Brenneman as Eady in the cast of *Heat (1995)* (billed 2)."
    )
    actors = [c for c in await film_credits(store, heat.id) if c.role == "actor"]
    assert [c.name for c in actors] == [before[0], "Amy Brenneman", *before[1:]]
    assert [c.billing for c in actors] == list(range(1, len(actors) + 1))
    slash = await discord_bot.slash(
        "addcast", who=admin, film=choice_value(heat.id), actor="amy brenneman", billing=9
    )
    assert slash.one().content == (
        "Updated Amy Brenneman as Eady in the cast of *Heat (1995)* (billed 9)."
    )
    cast = (await discord_bot.send("!cast Heat 1995")).one().text
    assert "Amy Brenneman — Eady" in cast
    entries = await audit_entries(store)
    assert [e.changes[0].text for e in entries] == [
        "cast Amy Brenneman as Eady (billed 2) → Amy Brenneman as Eady (billed 9)",
        "cast none → Amy Brenneman as Eady (billed 2)",
    ]


async def test_admin_commands_are_refused_without_manage_server_and_change_nothing(
    discord_bot: BotHarness,
) -> None:
    store = discord_bot.store
    before = await catalog_state(store)
    for replies in [
        await discord_bot.send(ARRIVAL),
        await discord_bot.send("!editfilm Heat 1995 | runtime: 1"),
        await discord_bot.send("!addcast Heat 1995 | actor: Nobody | billing: 1"),
        await discord_bot.send("!prefix ?"),
        await discord_bot.slash("addfilm", title="Arrival (2016)"),
        await discord_bot.slash("editfilm", film="Heat 1995", runtime=1),
        await discord_bot.slash("addcast", film="Heat 1995", actor="Nobody"),
        await discord_bot.slash("prefix", new="?"),
    ]:
        assert replies.one().content == REFUSED
    assert await catalog_state(store) == before
    assert (await guilds.get_guild_settings(store, discord_bot.guild.id)).prefix is None
    # Only the owner syncs; an admin is not the owner.
    refused = (await discord_bot.send("!sync", who=discord_bot.admin)).one()
    assert refused.content == "Only the bot's owner can do that."


async def test_admin_commands_need_a_server(discord_bot: BotHarness) -> None:
    dm = discord_bot.discord.dm(discord_bot.admin)
    reply = await discord_bot.discord.send(dm, discord_bot.admin, ARRIVAL)
    assert reply.one().content == "This works inside a server."


@pytest.mark.parametrize(
    "prefix", ["\u200b", "\x00", "a b", "<@", "@", "#!", "`", "abcdef", "\u202e!", "\n"]
)
async def test_a_prefix_must_be_printable_without_spaces_or_mentions(
    discord_bot: BotHarness, prefix: str
) -> None:
    reply = (await discord_bot.slash("prefix", who=discord_bot.admin, new=prefix)).one()
    assert reply.content.startswith("A prefix is 1 to 5 characters")
    assert (await guilds.get_guild_settings(discord_bot.store, discord_bot.guild.id)).prefix is None


async def test_sync_to_a_server_the_bot_is_not_in_says_so(discord_bot: BotHarness) -> None:
    owner = discord_bot.owner
    assert (await discord_bot.send("!sync 3", who=owner)).one().content == (
        "I am not in a server with the id 3."
    )
    reply = (await discord_bot.send("!sync ²", who=owner)).one()
    assert reply.content.startswith("I couldn't make sense of that.")
    done = (await discord_bot.send(f"!sync {discord_bot.other_guild.id}", who=owner)).one()
    assert done.content.startswith("Synced ")
    assert discord_bot.other_guild.id in discord_bot.discord.commands
