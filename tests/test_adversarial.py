"""Hostile input for every command, prefix and slash (hypothesis; see tests/adversarial.py).

Each command gets ``CASES_PER_COMMAND`` generated cases (derandomized: CI sees the same ones
every run) against one bot kept running for the whole module. ``bench/bench_adversarial.py``
runs the same property for tens of thousands of cases.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import discord
import pytest

from tests.adversarial import BotThread, Case, Fuzzer, command_names, fuzz_command

CASES_PER_COMMAND = int(os.environ.get("FILMCLUB_ADVERSARIAL_CASES", "300"))
COMMANDS = command_names()


@pytest.fixture(scope="module")
def fuzzed(
    catalog_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[BotThread, Fuzzer]]:
    db_path = tmp_path_factory.mktemp("adversarial") / "filmclub.db"
    shutil.copyfile(catalog_template, db_path)
    runner = BotThread(db_path)
    with runner as fuzzer:
        yield runner, fuzzer


def test_every_command_of_the_running_bot_is_fuzzed(fuzzed: tuple[BotThread, Fuzzer]) -> None:
    _, fuzzer = fuzzed
    running = {c.name for c in fuzzer.harness.bot.commands}
    assert running == set(COMMANDS)
    assert {"help", "ping", "prefix", "review"} <= running


@pytest.mark.parametrize("name", COMMANDS)
def test_hostile_input_gets_safe_replies(name: str, fuzzed: tuple[BotThread, Fuzzer]) -> None:
    runner, fuzzer = fuzzed
    result = fuzz_command(runner, fuzzer, name, examples=CASES_PER_COMMAND)
    assert result.cases >= CASES_PER_COMMAND
    assert result.failures == []


# The checker itself must catch what it is there to catch ------------------------------------------
def _plain_case(message: str, who: str = "member") -> Case:
    return Case(who, False, message, None, None, None, "asker")


def test_a_reply_over_discords_limits_fails_the_case(fuzzed: tuple[BotThread, Fuzzer]) -> None:
    runner, fuzzer = fuzzed
    bot = fuzzer.harness.bot
    from bot.context import FilmContext, film_command

    @film_command("overlong", help="Sends too much.", usage="", example="")
    async def overlong(ctx: FilmContext) -> None:
        await ctx.send("x" * 2001)

    @film_command("pinger", help="Pings everyone.", usage="", example="")
    async def pinger(ctx: FilmContext) -> None:
        await ctx.send("@everyone look", allowed_mentions=discord.AllowedMentions.all())

    bot.add_command(overlong)
    bot.add_command(pinger)
    try:
        too_long = runner.call(fuzzer.run(_plain_case("overlong")))
        pinging = runner.call(fuzzer.run(_plain_case("pinger")))
    finally:
        bot.remove_command("overlong")
        bot.remove_command("pinger")
    assert any("400" in problem for problem in too_long), too_long
    assert any("lets the reply ping" in p for p in pinging)
    assert any(p.startswith("the reply pings ['everyone'") for p in pinging)


def test_an_unexpected_error_fails_the_case(fuzzed: tuple[BotThread, Fuzzer]) -> None:
    runner, fuzzer = fuzzed
    bot = fuzzer.harness.bot
    from bot.context import FilmContext, film_command

    @film_command("explode", help="Fails.", usage="", example="")
    async def explode(ctx: FilmContext) -> None:
        raise KeyError("sqlite3 secret")

    bot.add_command(explode)
    try:
        problems = runner.call(fuzzer.run(_plain_case("explode")))
    finally:
        bot.remove_command("explode")
    assert any("apology" in p for p in problems)
    assert any(p.startswith("logged ERROR bot.client") for p in problems)
