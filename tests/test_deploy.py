"""docs/deploy.md, step by step, as far as this machine allows: the systemd units verify, the
Dockerfile installs exactly as the README says and keeps the store on a volume, every
``filmclub`` command the guide shows is one the CLI accepts, and the settings it names exist."""

from __future__ import annotations

import configparser
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot import ROOT
from bot.__main__ import build_parser

DEPLOY = ROOT / "deploy"
GUIDE = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
UNITS = ["filmclub.service", "filmclub-backup.service", "filmclub-backup.timer"]
INSTALL_DIR = "/opt/filmclub"


def readme_setup_command() -> str:
    """The README's 'run the bot' command: venv, install, start."""
    match = re.search(r"^python3 -m venv \.venv .*pip install -e \. && filmclub$", README, re.M)
    assert match, "the README's set-up command is missing"
    return match[0]


def shell_blocks(text: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", text, re.S)


def parse_unit(path: Path) -> configparser.ConfigParser:
    """Strict INI reading of a unit file (systemd allows repeated keys; filmclub's do not
    repeat any, which strict mode checks)."""
    parser = configparser.ConfigParser(strict=True, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text(encoding="utf-8"))
    return parser


@pytest.mark.parametrize("name", UNITS)
def test_each_unit_parses_with_the_keys_it_needs(name: str) -> None:
    unit = parse_unit(DEPLOY / name)
    assert unit["Unit"]["Description"]
    if name.endswith(".timer"):
        assert unit["Timer"]["OnCalendar"] and unit["Install"]["WantedBy"] == "timers.target"
        return
    service = unit["Service"]
    assert service["User"] == "filmclub" and service["WorkingDirectory"] == INSTALL_DIR
    assert f"{INSTALL_DIR}/.venv/bin/filmclub" in service["ExecStart"]
    assert "ReadWritePaths" in service and service["NoNewPrivileges"] == "yes"


def test_the_bot_service_stops_cleanly_and_restarts_only_when_it_helps() -> None:
    service = parse_unit(DEPLOY / "filmclub.service")["Service"]
    assert service["ExecStart"] == f"{INSTALL_DIR}/.venv/bin/filmclub run"
    assert service["KillSignal"] == "SIGTERM"
    # filmclub stops within 5 s of SIGTERM (tests/test_shutdown.py); systemd waits longer.
    assert int(service["TimeoutStopSec"]) >= 5
    assert service["Restart"] == "on-failure"
    assert service["RestartPreventExitStatus"] == "2"  # bot.cli.run.USAGE_ERROR
    from bot.cli.run import USAGE_ERROR

    assert USAGE_ERROR == 2
    # The store (FILMCLUB_DB's default, relative to WorkingDirectory) is writable.
    assert service["ReadWritePaths"] == f"{INSTALL_DIR}/data"
    assert parse_unit(DEPLOY / "filmclub.service")["Install"]["WantedBy"] == "multi-user.target"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_verifies_the_units(tmp_path: Path) -> None:
    # The units name /opt/filmclub; here the checkout and this venv's filmclub stand in for it.
    venv_bin = Path(sys.executable).parent
    assert (venv_bin / "filmclub").exists()
    for name in UNITS:
        text = (DEPLOY / name).read_text(encoding="utf-8")
        text = text.replace(f"{INSTALL_DIR}/.venv/bin", str(venv_bin)).replace(
            INSTALL_DIR, str(ROOT)
        )
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / n) for n in UNITS)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr  # not even a warning


def docker_instructions() -> list[tuple[str, str]]:
    """(instruction, arguments), continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    lines = [line for line in joined.splitlines() if line.strip() and not line.startswith("#")]
    return [(line.split(" ", 1)[0], line.split(" ", 1)[1]) for line in lines]


def test_the_dockerfile_installs_as_the_readme_says_and_keeps_the_store_on_a_volume() -> None:
    instructions = docker_instructions()
    runs = [arguments for kind, arguments in instructions if kind == "RUN"]
    assert runs[0] == readme_setup_command().removesuffix(" && filmclub")
    env = dict(
        pair.split("=", 1) for kind, a in instructions if kind == "ENV" for pair in a.split()
    )
    assert env["FILMCLUB_DB"] == "/data/filmclub.db"
    assert ("VOLUME", '["/data"]') in instructions
    assert ("USER", "filmclub") in instructions
    assert instructions[-1] == ("CMD", '["filmclub", "run"]')
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".env", ".venv", "data/*.db"} <= set(ignored)  # no secrets or local store in images


def test_the_guide_installs_with_the_readmes_command() -> None:
    install = readme_setup_command().removesuffix(" && filmclub")
    assert any(install in block for block in shell_blocks(GUIDE))


def filmclub_commands() -> list[list[str]]:
    """Every ``filmclub …`` the guide's shell blocks run (directly, by path, or in docker)."""
    found = []
    for block in shell_blocks(GUIDE):
        for line in block.splitlines():
            line = line.split("#")[0].strip()
            match = re.search(r"(?:^|/bin/|docker exec filmclub )filmclub(?: (.*))?$", line)
            if match:
                found.append(shlex.split(match[1] or ""))
    return found


def test_every_filmclub_command_in_the_guide_is_one_the_cli_accepts() -> None:
    commands = filmclub_commands()
    assert {c[0] + (" " + c[1] if c[0] == "db" else "") for c in commands} >= {
        "db init",
        "db backup",
        "db audit",
        "db migrate",
    }
    parser = build_parser()
    for arguments in commands:
        try:
            parser.parse_args(arguments)
        except SystemExit as refused:
            pytest.fail(f"`filmclub {' '.join(arguments)}` is refused ({refused})")


def test_the_settings_the_guide_names_are_documented_in_env_example() -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:DISCORD|FILMCLUB)_[A-Z_]+)`", GUIDE))
    assert {"DISCORD_TOKEN", "FILMCLUB_DB", "FILMCLUB_LOG_LEVEL"} <= named
    for setting in named:
        assert re.search(rf"^{setting}=", example, re.M), f"{setting} is not in .env.example"


def test_the_guide_points_at_each_deploy_file_and_the_journal() -> None:
    for name in ["deploy/filmclub.service", "deploy/filmclub-backup.service", "Dockerfile"]:
        assert name in GUIDE
    assert "journalctl -u filmclub" in GUIDE
    # The log line it shows is the one the bot writes (tests/test_command_log.py checks those).
    assert re.search(r"command=\w+ guild=\d+ source=slash outcome=ok latency_ms=[\d.]+", GUIDE)


def _docker_engine() -> bool:
    if shutil.which("docker") is None:
        return False
    probe = subprocess.run(["docker", "info"], capture_output=True, timeout=30, check=False)
    return probe.returncode == 0


@pytest.mark.slow
def test_the_image_builds_and_its_filmclub_runs() -> None:
    if not _docker_engine():
        pytest.skip("no Docker engine reachable here (the Dockerfile is checked above)")
    subprocess.run(["docker", "build", "-t", "filmclub-test", str(ROOT)], check=True, timeout=1800)
    result = subprocess.run(
        ["docker", "run", "--rm", "filmclub-test", "filmclub", "db", "init"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "/data/filmclub.db" in result.stdout
