"""One structured log line per command: guild, command, source, outcome, latency; never the
token, never what the member typed beyond the command's name."""

from __future__ import annotations

import logging
import re

import pytest

from bot.client import OUTCOMES
from tests.conftest import BotHarness

LINE = re.compile(
    r"^command=(?P<command>\S+) guild=(?P<guild>\d+|dm) source=(?P<source>prefix|slash) "
    r"outcome=(?P<outcome>\S+) latency_ms=(?P<latency>\d+\.\d)$"
)
#: Text no log line may contain: it is only ever typed by the member.
TYPED = "Zyzzyva Quixotic 4471"


def command_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, str]]:
    lines = []
    for record in caplog.records:
        if record.name == "bot.commands":
            match = LINE.match(record.getMessage())
            assert match, record.getMessage()
            assert record.command_event == {  # type: ignore[attr-defined]
                k: (int(v) if k == "guild" and v.isdigit() else v)
                for k, v in match.groupdict().items()
                if k != "latency"
            } | {"latency_ms": match["latency"]}
            lines.append(match.groupdict())
    return lines


async def test_each_command_logs_one_line_with_its_fields(
    discord_bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    guild = str(discord_bot.guild.id)
    with caplog.at_level(logging.INFO):
        await discord_bot.send("!review Heat")
        await discord_bot.slash("review", film="Heat")
        await discord_bot.send(f"!review {TYPED}")
        await discord_bot.send("!prefix ?")  # a member without Manage Server
        await discord_bot.discord.send(discord_bot.discord.dm(discord_bot.member), "bob", "!ping")
        await discord_bot.send("just chatting, no command")
    lines = command_lines(caplog)
    assert [(x["command"], x["guild"], x["source"], x["outcome"]) for x in lines] == [
        ("review", guild, "prefix", "ok"),
        ("review", guild, "slash", "ok"),
        ("review", guild, "prefix", "bad_input"),
        ("prefix", guild, "prefix", "refused"),
        ("ping", "dm", "prefix", "ok"),
    ]
    assert all(x["outcome"] in OUTCOMES for x in lines)
    assert all(0 <= float(x["latency"]) < 10_000 for x in lines)


async def test_an_unexpected_failure_logs_error_outcome_and_its_traceback_apart(
    discord_bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.test_client import add_failing_commands

    add_failing_commands(discord_bot.bot)
    await discord_bot.bot.sync_commands()
    with caplog.at_level(logging.INFO):
        await discord_bot.send("!boom")
        await discord_bot.slash("boom")
    assert [(x["command"], x["outcome"]) for x in command_lines(caplog)] == [
        ("boom", "error"),
        ("boom", "error"),
    ]
    tracebacks = [r for r in caplog.records if r.name == "bot.client" and r.exc_info]
    assert len(tracebacks) == 2


async def test_no_log_record_holds_the_token_or_the_members_text(
    discord_bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    token = discord_bot.discord.token
    with caplog.at_level(logging.DEBUG):
        await discord_bot.send(f"!review {TYPED}")
        await discord_bot.slash("review", film=TYPED)
        await discord_bot.send(f"!help {TYPED}")
    assert len(command_lines(caplog)) == 3
    for record in caplog.records:
        if record.name.startswith("bot") or record.levelno >= logging.INFO:
            text = record.getMessage()
            assert token not in text, record.name
            assert "Zyzzyva" not in text, (record.name, text)


def test_debug_logging_keeps_discord_py_payload_loggers_at_info() -> None:
    from bot.cli.run import CHATTY_LOGGERS, configure_logging

    root = logging.getLogger()
    saved = (root.level, list(root.handlers))
    try:
        configure_logging("DEBUG")
        assert logging.getLogger("bot.commands").getEffectiveLevel() == logging.DEBUG
        # At DEBUG these print whole gateway events and request bodies: members' text.
        assert all(logging.getLogger(n).getEffectiveLevel() == logging.INFO for n in CHATTY_LOGGERS)
        configure_logging("WARNING")
        assert logging.getLogger("discord.gateway").getEffectiveLevel() == logging.WARNING
    finally:
        root.setLevel(saved[0])
        root.handlers[:] = saved[1]
        for name in CHATTY_LOGGERS:
            logging.getLogger(name).setLevel(logging.NOTSET)
