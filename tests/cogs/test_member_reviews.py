"""``addreview``, ``reviews`` and ``deletereview`` end to end through the local Discord."""

from __future__ import annotations

import re

from bot.localdiscord import Message
from bot.pages import NOT_YOURS
from bot.store.member_reviews import film_member_reviews, member_review
from tests.conftest import BotHarness


async def film_id(harness: BotHarness, title: str, year: int) -> int:
    found = await harness.store.fetchval(
        "SELECT id FROM films WHERE title = ? AND year = ?", (title, year)
    )
    return int(found)


async def bobs_review(harness: BotHarness, title: str = "Heat", year: int = 1995) -> str | None:
    review = await member_review(
        harness.store, harness.guild.id, await film_id(harness, title, year), harness.member.id
    )
    return None if review is None else review.body


def description(message: Message) -> str:
    return message.embed.description or ""


async def test_a_review_is_saved_and_shown_with_the_authors_score(
    discord_bot: BotHarness,
) -> None:
    saved = (await discord_bot.send("!addreview Heat 1995 Two lonely men, one city.")).one()
    assert saved.content == (
        "Saved your review of **Heat (1995)**. `!reviews Heat` shows this server's reviews."
    )
    await discord_bot.send("!rate Heat 1995 9.5")
    page = (await discord_bot.send("!reviews heat")).one()
    assert page.embed.title == "Reviews of Heat (1995) in this server"
    header, body = description(page).split("\n")
    assert re.fullmatch(r"\*\*bob\*\* · rated it 9\.5/10 · <t:\d+:d>", header)
    assert body == "Two lonely men, one city."
    assert page.embed.footer.text == "1 review, newest first"


async def test_spoilers_stay_in_tags_and_markdown_and_mentions_stay_inert(
    discord_bot: BotHarness,
) -> None:
    alice = discord_bot.admin
    text = (
        f"A **great** _film_ @everyone <@{alice.id}> <@&{discord_bot.guild.id}> # not a heading "
        "||McCauley dies|| and ‖Hanna wins‖ https://example.com/a_b*c"
    )
    await discord_bot.send(f"!addreview Heat {text}")
    assert await bobs_review(discord_bot) == text  # stored as written
    page = (await discord_bot.send("!reviews Heat")).one()
    shown = description(page).split("\n", 1)[1]
    assert "\\*\\*great\\*\\* \\_film\\_" in shown
    assert "@\u200beveryone" in shown and f"<@\u200b{alice.id}>" in shown
    assert "||McCauley dies||" in shown and "||Hanna wins||" in shown
    assert "‖" not in shown
    assert "https://example.com/a\\_b\\*c" in shown  # escaped even inside a link
    assert shown.replace("\\|", "").count("||") == 4
    assert page.allowed_mentions == {"parse": []} and page.pings == set()


async def test_a_spoiler_flag_hides_the_whole_review(discord_bot: BotHarness) -> None:
    reply = (await discord_bot.send("!addreview Se7en --spoiler It is ||her|| head.")).one()
    assert "(marked as a spoiler)" in reply.content
    page = (await discord_bot.send("!reviews Se7en")).one()
    header, body = description(page).split("\n")
    assert header.endswith("· spoilers")
    assert body == "||It is her head.||"
    slash = (
        await discord_bot.slash(
            "addreview", film="Heat", text="Everyone dies", spoiler=True, who=discord_bot.admin
        )
    ).one()
    assert "(marked as a spoiler)" in slash.content
    heat = (await discord_bot.send("!reviews Heat 1995")).one()
    assert description(heat).endswith("||Everyone dies||")


async def test_titles_of_several_words_and_quotes(discord_bot: BotHarness) -> None:
    await discord_bot.send("!addreview The Heat funnier than it had to be")
    await discord_bot.send('!addreview "Double Indemnity" Straight down the line.')
    await discord_bot.send("!addreview Amelie\nWhimsy.\n\nSecond paragraph.")
    heat = await film_member_reviews(
        discord_bot.store, discord_bot.guild.id, await film_id(discord_bot, "The Heat", 2013)
    )
    assert [r.body for r in heat] == ["funnier than it had to be"]
    assert await bobs_review(discord_bot, "Double Indemnity", 1944) == "Straight down the line."
    assert await bobs_review(discord_bot, "Amélie", 2001) == "Whimsy.\n\nSecond paragraph."
    unclear = (await discord_bot.send("!addreview No Such Film Anywhere was bad")).one()
    assert unclear.content.startswith("Which film is that? Put the title in quotes")


async def test_the_length_limit_is_stated_and_nothing_beyond_it_saved(
    discord_bot: BotHarness,
) -> None:
    longest = "word " * 799 + "last!"  # exactly 4,000 characters
    assert len(longest) == 4000
    assert (
        (await discord_bot.send(f"!addreview Heat {longest}"))
        .one()
        .content.startswith("Saved your review")
    )
    assert await bobs_review(discord_bot) == longest
    too_long = (await discord_bot.send(f"!addreview Se7en {longest}x", who="dave")).one()
    assert too_long.content == "A review can be at most 4,000 characters; nothing was saved."
    assert (
        await film_member_reviews(
            discord_bot.store, discord_bot.guild.id, await film_id(discord_bot, "Se7en", 1995)
        )
        == []
    )


async def test_a_missing_review_text_gets_the_usage(discord_bot: BotHarness) -> None:
    reply = (await discord_bot.send('!addreview "Heat"')).one()
    assert "Usage: `!addreview <film> <text>`" in reply.content


async def test_replacing_asks_first_and_only_the_author_can_answer(
    discord_bot: BotHarness,
) -> None:
    await discord_bot.send("!addreview Heat first take")
    question = (await discord_bot.send("!addreview Heat second take")).one()
    assert question.content == (
        "You already reviewed **Heat (1995)** in this server. Replace it with this one?"
    )
    assert [b.label for b in question.buttons] == ["Replace", "Keep the old one"]
    assert await bobs_review(discord_bot) == "first take"  # nothing changes before the answer
    refused = (await discord_bot.discord.click(question, "Replace", discord_bot.admin)).one()
    assert refused.content == NOT_YOURS and refused.ephemeral
    assert await bobs_review(discord_bot) == "first take"
    answered = (await discord_bot.discord.click(question, "Replace", discord_bot.member)).one()
    assert answered.content == "Replaced your review of **Heat (1995)**."
    assert all(button.disabled for button in answered.buttons)
    assert await bobs_review(discord_bot) == "second take"

    kept = (await discord_bot.send("!addreview Heat third take")).one()
    done = (await discord_bot.discord.click(kept, "Keep the old one", discord_bot.member)).one()
    assert done.content == "Kept your earlier review of **Heat (1995)**."
    assert await bobs_review(discord_bot) == "second take"


async def test_the_question_switches_off_on_timeout(discord_bot: BotHarness) -> None:
    cog = discord_bot.bot.get_cog("Reviews")
    assert cog is not None
    cog.confirm_timeout = 0.3  # type: ignore[attr-defined]
    await discord_bot.send("!addreview Heat first take")
    question = (await discord_bot.send("!addreview Heat second take")).one()
    await discord_bot.discord.wait_for_message(lambda m: m is question and bool(m.edits))
    assert question.content == "No answer, so your earlier review of **Heat (1995)** stays."
    assert all(button.disabled for button in question.buttons)
    assert await bobs_review(discord_bot) == "first take"


async def test_members_delete_their_own_review_and_no_one_elses(discord_bot: BotHarness) -> None:
    await discord_bot.send("!addreview Heat mine")
    other = (await discord_bot.send("!deletereview Heat", who=discord_bot.admin)).one()
    assert (
        other.content == "You haven't reviewed **Heat (1995)** in this server; nothing to delete."
    )
    assert await bobs_review(discord_bot) == "mine"
    own = (await discord_bot.send("!deletereview Heat")).one()
    assert own.content == "Deleted your review of **Heat (1995)**."
    assert await bobs_review(discord_bot) is None
    empty = (await discord_bot.send("!reviews Heat")).one()
    assert empty.content.startswith("Nobody in this server has reviewed **Heat (1995)** yet.")


async def test_reviews_are_paged_newest_first(discord_bot: BotHarness) -> None:
    for n in range(7):
        await discord_bot.send(f"!addreview Heat review number {n}", who=f"member{n}")
    first = (await discord_bot.send("!reviews Heat")).one()
    assert first.embed.footer.text == "7 reviews, newest first · Page 1/2"
    authors = re.findall(r"\*\*(member\d)\*\*", description(first))
    assert authors == ["member6", "member5", "member4", "member3", "member2"]
    second = (await discord_bot.discord.click(first, "Next", discord_bot.member)).one()
    assert re.findall(r"\*\*(member\d)\*\*", description(second)) == ["member1", "member0"]


async def test_a_long_review_continues_on_the_next_page_with_spoilers_closed(
    discord_bot: BotHarness,
) -> None:
    body = "plain **words** " * 100 + "||" + "secret plot " * 195 + "||"
    assert len(body) <= 4000
    await discord_bot.send(f"!addreview Heat {body}")
    page = (await discord_bot.send("!reviews Heat")).one()
    texts = [description(page)]  # the buttons edit this one message: keep each page's text
    while not page.buttons[-1].disabled:
        page = (await discord_bot.discord.click(page, "Next", discord_bot.member)).one()
        texts.append(description(page))
    assert len(texts) >= 2
    assert "(continued)" in texts[1].splitlines()[0]
    for text in texts:
        assert len(text) <= 4096
        assert text.replace("\\|", "").count("||") % 2 == 0  # every spoiler closes on its page
    shown = " ".join(t.split("\n", 1)[1] for t in texts)
    assert (
        shown.count("secret") == shown.count("plot") == 195
        and shown.count("plain \\*\\*words\\*\\*") == 100
    )


async def test_two_servers_never_see_each_others_reviews(discord_bot: BotHarness) -> None:
    carol, other = discord_bot.other_member, discord_bot.other_guild
    await discord_bot.send("!addreview Heat only here")
    there = (await discord_bot.send("!reviews Heat", who=carol, where=other)).one()
    assert there.content.startswith("Nobody in this server has reviewed **Heat (1995)** yet.")
    deleted = (await discord_bot.send("!deletereview Heat", who=carol, where=other)).one()
    assert deleted.content.startswith("You haven't reviewed")
    await discord_bot.send("!addreview Heat only there", who=carol, where=other)
    here = (await discord_bot.send("!reviews Heat")).one()
    assert description(here).endswith("only here") and "only there" not in description(here)
    dm = discord_bot.discord.dm(discord_bot.member)
    refused = (await discord_bot.discord.send(dm, discord_bot.member, "!reviews Heat")).one()
    assert refused.content == "This works inside a server."
