"""``rate``, ``unrate``, ``ratings``, ``top`` and ``settings`` end to end through the local
Discord: every score form, the chart, the Bayesian order, and servers that never mix."""

from __future__ import annotations

import pytest

from bot.errors import BadScore
from bot.localdiscord import Member, Message
from bot.store.ratings import film_rating, server_ratings
from tests.conftest import BotHarness

BAD_SCORE = BadScore().user_message


def fields(message: Message) -> dict[str, str]:
    return {field.name or "": field.value or "" for field in message.embed.fields}


async def film_id(harness: BotHarness, title: str, year: int) -> int:
    found = await harness.store.fetchval(
        "SELECT id FROM films WHERE title = ? AND year = ?", (title, year)
    )
    assert found is not None
    return int(found)


async def stored_score(harness: BotHarness, member: Member, title: str, year: int) -> float | None:
    rating = await film_rating(
        harness.store, harness.guild.id, await film_id(harness, title, year), member.id
    )
    return rating.own


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("9", 9.0, "9/10 (★★★★½)"),
        ("9.5", 9.5, "9.5/10 (★★★★★)"),
        ("8,5", 8.5, "8.5/10"),
        ("9/10", 9.0, "9/10"),
        ("10/10", 10.0, "10/10 (★★★★★)"),
        ("9 out of 10", 9.0, "9/10"),
        ("4.5/5", 9.0, "9/10"),
        ("3/5", 6.0, "6/10 (★★★)"),
        ("4.5 stars", 9.0, "9/10"),
        ("1 star", 2.0, "2/10 (★)"),
        ("4.5★", 9.0, "9/10"),
        ("4½ stars", 9.0, "9/10"),
        ("★★★★½", 9.0, "9/10"),
        ("★★★☆☆", 6.0, "6/10"),
        ("½", 1.0, "1/10 (½)"),
        ("1", 1.0, "1/10 (½)"),
        ("4.25/5", 8.5, "8.5/10"),
    ],
)
async def test_every_accepted_score_form_is_stored_on_1_to_10(
    discord_bot: BotHarness, typed: str, stored: float, shown: str
) -> None:
    reply = (await discord_bot.send(f"!rate Se7en {typed}")).one()
    assert reply.content.startswith(f"You rated **Se7en (1995)** {shown}"), reply.content
    assert await stored_score(discord_bot, discord_bot.member, "Se7en", 1995) == stored
    assert reply.allowed_mentions == {"parse": []} and reply.pings == set()


@pytest.mark.parametrize(
    "typed",
    [
        "0",
        "11",
        "-3",
        "NaN",
        "nan",
        "inf",
        "-inf",
        "1e308",
        "4.5/4",
        "10/11",
        "9/0",
        "9.3",
        "0.5",
        "0/10",
        "6 stars",
        "★★★★★★",
        "nine",
        "'; DROP TABLE ratings;--",
        "",
    ],
)
async def test_every_rejected_score_form_stores_nothing(
    discord_bot: BotHarness, typed: str
) -> None:
    reply = (await discord_bot.send(f"!rate Se7en {typed}".rstrip())).one()
    assert reply.content == BAD_SCORE
    assert (await server_ratings(discord_bot.store, discord_bot.guild.id)).n == 0


async def test_slash_rate_takes_the_score_apart_from_the_film(discord_bot: BotHarness) -> None:
    reply = (await discord_bot.slash("rate", film="The Heat", score="4.5 stars")).one()
    assert reply.content.startswith("You rated **The Heat (2013)** 9/10")
    refused = (await discord_bot.slash("rate", film="The Heat", score="11")).one()
    assert refused.content == BAD_SCORE and refused.ephemeral
    assert await stored_score(discord_bot, discord_bot.member, "The Heat", 2013) == 9.0
    schema = discord_bot.discord.command_schema(discord_bot.guild.channel, "rate")
    assert [(o["name"], o["required"]) for o in schema["options"]] == [
        ("film", True),
        ("score", True),
    ]


@pytest.mark.parametrize("command", ["rate", "unrate"])
async def test_the_film_option_is_a_string_with_title_autocomplete(
    discord_bot: BotHarness, command: str
) -> None:
    # The prefix form reads the film through bot.arguments.Line; the slash form must not change.
    local, channel = discord_bot.discord, discord_bot.guild.channel
    (film, *_) = local.command_schema(channel, command)["options"]
    assert (film["name"], film["type"], film.get("autocomplete")) == ("film", 3, True)
    choices = await local.autocomplete(channel, discord_bot.member, command, "film", "the hea")
    assert "The Heat (2013)" in [choice.name for choice in choices]


async def test_titles_with_numbers_and_years_keep_their_score(discord_bot: BotHarness) -> None:
    reply = (await discord_bot.send("!rate heat 1986 3.5/5")).one()
    assert reply.content.startswith("You rated **Heat (1986)** 7/10")
    assert "Also called" not in reply.content  # the year already picked it
    ambiguous = (await discord_bot.send("!rate Heat 8")).one()
    assert ambiguous.content.splitlines()[1] == (
        "Also called *Heat*: Heat (1986). Add the year to pick one: `!rate Heat 1986 8`."
    )


async def test_rerating_replaces_and_the_reply_has_the_new_average(
    discord_bot: BotHarness,
) -> None:
    first = (await discord_bot.send("!rate Se7en 6")).one()
    assert first.content.endswith("This server: 6 average from 1 rating.")
    again = (await discord_bot.send("!rate Se7en 9")).one()
    assert again.content.endswith("This server: 9 average from 1 rating.")
    other = (await discord_bot.send("!rate Se7en 8", who=discord_bot.admin)).one()
    assert other.content.endswith("This server: 8.5 average from 2 ratings.")
    assert await stored_score(discord_bot, discord_bot.member, "Se7en", 1995) == 9.0


async def test_unrate_removes_only_ones_own_rating(discord_bot: BotHarness) -> None:
    await discord_bot.send("!rate Se7en 9")
    await discord_bot.send("!rate Se7en 5", who=discord_bot.admin)
    removed = (await discord_bot.send("!unrate se7en")).one()
    assert removed.content == (
        "Removed your rating of **Se7en (1995)** (it was 9/10). "
        "This server: 5 average from 1 rating."
    )
    again = (await discord_bot.send("!unrate Se7en")).one()
    assert again.content == (
        "You haven't rated **Se7en (1995)** in this server; nothing to remove."
    )
    assert await stored_score(discord_bot, discord_bot.admin, "Se7en", 1995) == 5.0
    assert await stored_score(discord_bot, discord_bot.member, "Se7en", 1995) is None


async def test_an_unknown_film_is_said_and_nothing_stored(discord_bot: BotHarness) -> None:
    reply = (await discord_bot.send("!rate Zzyzx Qwv 9")).one()
    assert reply.content.startswith("No film matching *Zzyzx Qwv*.")
    odd = (await discord_bot.send("!rate @everyone **bold** 9")).one()
    assert odd.content.startswith("No film matching *@")
    assert "\\*\\*bold\\*\\*" in odd.content and odd.pings == set()
    assert (await server_ratings(discord_bot.store, discord_bot.guild.id)).n == 0


async def test_rating_commands_need_a_server(discord_bot: BotHarness) -> None:
    dm = discord_bot.discord.dm(discord_bot.member)
    for line in ("!rate Heat 9", "!ratings", "!top", "!unrate Heat"):
        reply = (await discord_bot.discord.send(dm, discord_bot.member, line)).one()
        assert reply.content == "This works inside a server."


# The distribution chart -------------------------------------------------------------------------
async def test_ratings_of_a_film_draw_one_bar_per_whole_score(discord_bot: BotHarness) -> None:
    for name, score in [("a", 9), ("b", 9), ("c", 9.5), ("d", 4), ("e", 10), ("f", 8.5)]:
        await discord_bot.send(f"!rate Se7en {score}", who=name)
    await discord_bot.send(
        "!rate Se7en 1", who=discord_bot.other_member, where=discord_bot.other_guild
    )
    chart = (await discord_bot.send("!ratings Se7en")).one()
    assert chart.embed.title == "Se7en (1995) — ratings in this server"
    bars = (chart.embed.description or "").strip("`\n").splitlines()
    assert bars == [
        "10 │███████             │ 1",
        " 9 │████████████████████│ 3",  # 9, 9 and 9.5
        " 8 │███████             │ 1",  # 8.5
        " 7 │                    │ 0",
        " 6 │                    │ 0",
        " 5 │                    │ 0",
        " 4 │███████             │ 1",
        " 3 │                    │ 0",
        " 2 │                    │ 0",
        " 1 │                    │ 0",
    ]
    assert fields(chart) == {"Mean": "8.33", "Median": "9", "Ratings": "6"}
    assert "8.5 is in the 8 bar" in (chart.embed.footer.text or "")


async def test_ratings_of_a_film_nobody_rated_says_so(discord_bot: BotHarness) -> None:
    reply = (await discord_bot.send("!ratings Double Indemnity")).one()
    assert reply.content.startswith("Nobody in this server has rated **Double Indemnity (1944)**")


# A member's ratings ------------------------------------------------------------------------------
async def test_own_ratings_best_first(discord_bot: BotHarness) -> None:
    for line in ("!rate Se7en 7", "!rate Heat 1995 9.5", "!rate Amelie 8"):
        await discord_bot.send(line)
    page = (await discord_bot.send("!ratings")).one()
    assert page.embed.title == "bob's ratings in this server"
    assert (page.embed.description or "").splitlines() == [
        "**9.5** · Heat (1995)",
        "**8** · Amélie (2001)",
        "**7** · Se7en (1995)",
    ]
    slash = (await discord_bot.slash("ratings")).one()
    assert slash.embeds == page.embeds


async def test_another_members_ratings_by_mention_id_name_or_option(
    discord_bot: BotHarness,
) -> None:
    alice = discord_bot.admin
    await discord_bot.send("!rate Heat 1986 6", who=alice)
    for line in (
        f"!ratings <@{alice.id}>",
        f"!ratings {alice.id}",
        "!ratings @alice",
        "!ratings alice",
    ):
        page = (await discord_bot.send(line)).one()
        assert page.embed.title == "alice's ratings in this server", line
        assert page.embed.description == "**6** · Heat (1986)"
    slash = (await discord_bot.slash("ratings", member=alice)).one()
    assert slash.embed.description == "**6** · Heat (1986)"
    unknown = (await discord_bot.send("!ratings @nobody_here")).one()
    assert unknown.content == "I can't find the member *@nobody\\_here* in this server."
    too_long = (await discord_bot.send("!ratings @" + "x" * 3000)).one()
    assert too_long.content.startswith("I can't find the member") and len(too_long.content) < 200
    empty = (await discord_bot.send(f"!ratings <@{discord_bot.member.id}>")).one()
    assert empty.content.startswith("You haven't rated anything in this server yet.")


async def test_a_members_ratings_are_paged(discord_bot: BotHarness) -> None:
    titles = await discord_bot.store.fetchall("SELECT id FROM films ORDER BY id")
    for n, row in enumerate(titles):
        await discord_bot.send(f"!rate id:{row[0]} {n + 2}")
    for extra in range(20):  # more films than one page holds
        await discord_bot.store.execute(
            "INSERT INTO films (title, title_key, bare_key, year) VALUES (?, ?, ?, 2000)",
            (f"Extra {extra}", f"extra {extra}", f"extra {extra}"),
        )
        new_id = await discord_bot.store.fetchval("SELECT max(id) FROM films")
        await discord_bot.send(f"!rate id:{new_id} 1")
    first = (await discord_bot.send("!ratings")).one()
    total = len(titles) + 20
    assert first.embed.footer.text == f"{total} ratings, best first · Page 1/2"
    assert (first.embed.description or "").splitlines()[0].startswith(f"**{len(titles) + 1}**")
    second = (await discord_bot.discord.click(first, "Next", discord_bot.member)).one()
    assert second.embed.footer.text == f"{total} ratings, best first · Page 2/2"
    refused = (await discord_bot.discord.click(second, "Previous", discord_bot.admin)).one()
    assert refused.ephemeral


# The leaderboard -------------------------------------------------------------------------------
async def test_top_ranks_by_bayesian_average_with_counts(discord_bot: BotHarness) -> None:
    await discord_bot.send("!rate Amelie 10")  # one enthusiastic 10
    for name in ("a", "b", "c", "d", "e", "f"):
        await discord_bot.send("!rate Se7en 9", who=name)
        await discord_bot.send("!rate The Heat 5", who=name)
    board = (await discord_bot.send("!top")).one()
    lines = (board.embed.description or "").splitlines()
    # C = (10 + 54 + 30)/13 = 7.23; Se7en (54 + 21.7)/9 = 8.41; Amélie (10 + 21.7)/4 = 7.92.
    assert lines == [
        "**1.** Se7en (1995) — **8.41** (6 ratings, average 9)",
        "**2.** Amélie (2001) — **7.92** (1 rating, average 10)",
        "**3.** The Heat (2013) — **5.74** (6 ratings, average 5)",
    ]
    assert "m = 3, C = 7.23" in (board.embed.footer.text or "")
    short = (await discord_bot.send("!top 1")).one()
    assert (short.embed.description or "").splitlines() == lines[:1]
    slash = (await discord_bot.slash("top", n=2)).one()
    assert (slash.embed.description or "").splitlines() == lines[:2]


async def test_top_of_a_genre_includes_its_sub_genres(discord_bot: BotHarness) -> None:
    for line in ("!rate Heat 1995 9", "!rate Double Indemnity 8", "!rate Amelie 10"):
        await discord_bot.send(line)
    crime = (await discord_bot.send("!top crime")).one()
    assert crime.embed.title == "Top Crime films here"
    assert [line.split(" — ")[0] for line in (crime.embed.description or "").splitlines()] == [
        "**1.** Heat (1995)",
        "**2.** Double Indemnity (1944)",
    ]
    noir = (await discord_bot.slash("top", genre="film noir", n=5)).one()
    assert "Double Indemnity (1944)" in (noir.embed.description or "")
    unknown = (await discord_bot.send("!top crme")).one()
    assert unknown.content == "No genre matching *crme*. Try Crime."
    too_many = (await discord_bot.send("!top crime 500")).one()
    assert too_many.content == "I can show from 1 to 100 films; try `10`."
    none_yet = (await discord_bot.send("!top sci-fi")).one()
    assert none_yet.content.startswith("No Science Fiction film has been rated in this server yet.")


async def test_the_servers_m_setting_reorders_the_leaderboard(discord_bot: BotHarness) -> None:
    await discord_bot.send("!rate Amelie 10")
    for name in ("a", "b", "c", "d", "e", "f"):
        await discord_bot.send("!rate Se7en 9", who=name)
    refused = (await discord_bot.send("!settings m 0")).one()
    assert refused.content == "You need the Manage Server permission."
    changed = (await discord_bot.send("!settings m 0", who=discord_bot.admin)).one()
    assert changed.content.startswith("The leaderboard's m is now 0 in this server")
    board = (await discord_bot.send("!top")).one()
    assert (board.embed.description or "").splitlines()[0].startswith("**1.** Amélie (2001)")
    shown = (await discord_bot.send("!settings", who=discord_bot.admin)).one()
    assert "Leaderboard m: 0" in shown.text
    for bad in ("-1", "nan", "inf", "1e9", "x"):
        reply = (await discord_bot.send(f"!settings m {bad}", who=discord_bot.admin)).one()
        assert reply.content.startswith("m is a number from 0 to 1,000"), bad
    other = (
        await discord_bot.send(
            "!settings", who=discord_bot.discord.owner, where=discord_bot.other_guild
        )
    ).one()
    assert "Leaderboard m: 3 (the default)" in other.text


# Two servers -----------------------------------------------------------------------------------
async def test_two_servers_never_see_each_others_ratings(discord_bot: BotHarness) -> None:
    carol, other = discord_bot.other_member, discord_bot.other_guild
    await discord_bot.send("!rate Se7en 10")
    await discord_bot.send("!rate Heat 1986 2")
    there = (await discord_bot.send("!ratings Se7en", who=carol, where=other)).one()
    assert there.content.startswith("Nobody in this server has rated **Se7en (1995)**")
    assert (
        (await discord_bot.send("!top", who=carol, where=other))
        .one()
        .content.startswith("No film has been rated in this server yet.")
    )
    theirs = (
        await discord_bot.send(f"!ratings <@{discord_bot.member.id}>", who=carol, where=other)
    ).one()
    assert theirs.content.startswith("I can't find the member")  # bob is not in that server
    reply = (await discord_bot.send("!rate Se7en 3", who=carol, where=other)).one()
    assert reply.content.endswith("This server: 3 average from 1 rating.")
    here = (await discord_bot.send("!ratings Se7en")).one()
    assert fields(here)["Ratings"] == "1" and fields(here)["Mean"] == "10"
    mine = (await discord_bot.send("!ratings")).one()
    assert (mine.embed.description or "").splitlines() == [
        "**10** · Se7en (1995)",
        "**2** · Heat (1986)",
    ]
