"""The console: parsing what is typed, the conversation, and ``filmclub`` itself as a command."""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import sys
from pathlib import Path

import pytest

from bot.cli.run import BAD_TOKEN, NO_TOKEN, console
from bot.localdiscord import LocalDiscord, LocalDiscordError
from bot.localdiscord.console import Console, Transcript, slash_options, split_speaker
from tests.conftest import BotHarness, bot_settings
from tests.test_pages import add_paged_command

REVIEW_SCHEMA = {
    "name": "addreview",
    "options": [
        {"name": "film", "type": 3, "required": True},
        {"name": "text", "type": 3, "required": True},
    ],
}
SETTINGS_SCHEMA = {
    "name": "settings",
    "options": [{"name": "prefix", "type": 1, "options": [{"name": "value", "type": 3}]}],
}


def test_a_speaker_is_a_name_before_an_angle_bracket() -> None:
    assert split_speaker("bob> !rate Heat 7") == ("bob", "!rate Heat 7")
    assert split_speaker("!rate Heat 7") == (None, "!rate Heat 7")
    assert split_speaker("!review Heat > Ronin") == (None, "!review Heat > Ronin")


def test_slash_options_run_to_the_next_option_name() -> None:
    assert slash_options("addreview film:Heat text:Tense, long: great.", REVIEW_SCHEMA) == (
        "addreview",
        {"film": "Heat", "text": "Tense, long: great."},
    )
    assert slash_options('addreview film:"The Dark Knight" text:ok', REVIEW_SCHEMA) == (
        "addreview",
        {"film": "The Dark Knight", "text": "ok"},
    )
    assert slash_options("addreview Heat (1995) text:ok", REVIEW_SCHEMA)[1]["film"] == "Heat (1995)"
    assert slash_options("settings prefix value:?", SETTINGS_SCHEMA) == (
        "settings prefix",
        {"value": "?"},
    )
    with pytest.raises(LocalDiscordError):
        slash_options("settings prefix value:? extra", {"name": "x", "options": []})


async def test_the_console_speaks_clicks_and_reports_what_discord_would_refuse(
    discord_bot: BotHarness,
) -> None:
    add_paged_command(discord_bot)
    out = io.StringIO()
    typed = Console(
        discord_bot.discord,
        discord_bot.guild.channel,
        discord_bot.owner,
        Transcript(out, colour=False),
    )
    for line in ["!pages", "/click Next", "bob> /click Next", "/nope", "bob> /prefix new:?"]:
        assert await typed.handle(line, echo=True)
    assert not await typed.handle("/quit")
    transcript = out.getvalue()
    assert "owner> !pages\nfilmclub> │ Part 1\n" in transcript
    assert "[Previous (disabled)] [Next]" in transcript
    assert "owner> /click Next\nfilmclub (edited)> │ Part 2" in transcript
    assert "bob> /click Next\nfilmclub> Only the member who asked can use these buttons." in (
        transcript
    )
    assert "(there is no slash command /nope; /help lists them)" in transcript
    assert "filmclub> You need the Manage Server permission." in transcript


async def test_the_console_answers_piped_lines_in_order(
    catalog_template: Path, tmp_path: Path
) -> None:
    db_path = tmp_path / "filmclub.db"
    shutil.copyfile(catalog_template, db_path)
    out = io.StringIO()
    lines = io.StringIO("!ping\n\nbob> /ping\n/help command:ping\n!prefix ?\n?ping\n")
    await console(bot_settings(db_path), db=db_path, stdin=lines, stdout=out)
    assert out.getvalue().splitlines()[:6] == [
        "you> !ping",
        "filmclub> Pong.",
        "bob> /ping",
        "filmclub> Pong.",
        "you> /help command:ping",
        "filmclub> │ ping",
    ]
    assert "you> ?ping\nfilmclub> Pong.\n" in out.getvalue()


# The filmclub command itself -----------------------------------------------------------------
def _environment(tmp_path: Path, catalog_template: Path, **extra: str) -> dict[str, str]:
    db_path = tmp_path / "filmclub.db"
    shutil.copyfile(catalog_template, db_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "FILMCLUB_"))}
    return {**env, "FILMCLUB_DB": str(db_path), **extra}


async def _filmclub(
    *args: str, env: dict[str, str], cwd: Path, stdin: bytes = b""
) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
        cwd=cwd,
    )
    out, err = await asyncio.wait_for(process.communicate(stdin), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_filmclub_without_a_token_opens_the_console(
    catalog_template: Path, tmp_path: Path
) -> None:
    env = _environment(tmp_path, catalog_template)
    code, out, err = await _filmclub(env=env, cwd=tmp_path, stdin=b"!ping\nbob> /ping\n")
    assert code == 0
    assert out == "you> !ping\nfilmclub> Pong.\nbob> /ping\nfilmclub> Pong.\n"
    assert err.startswith("filmclub: no DISCORD_TOKEN") and "console" in err
    assert "Traceback" not in err


async def test_run_without_a_token_says_how_to_get_one(
    catalog_template: Path, tmp_path: Path
) -> None:
    code, out, err = await _filmclub(
        "run", env=_environment(tmp_path, catalog_template), cwd=tmp_path
    )
    assert (code, out, err) == (2, "", NO_TOKEN + "\n")


async def test_run_with_a_rejected_token_says_how_to_get_one(
    catalog_template: Path, tmp_path: Path
) -> None:
    async with LocalDiscord(token="the right one") as local:
        env = _environment(tmp_path, catalog_template, DISCORD_TOKEN="a wrong one")
        code, _, err = await _filmclub("run", "--local-discord", local.url, env=env, cwd=tmp_path)
    assert code == 2
    assert err.strip().splitlines()[-1] == BAD_TOKEN
    assert "Traceback" not in err
