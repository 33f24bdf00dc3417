"""The film commands as a newcomer first meets them: ``filmclub console`` on the bundled
catalog, fed the tour of issue 4 through a pipe."""

from __future__ import annotations

import os
import re
from pathlib import Path

from tests.localdiscord.test_console import _filmclub

TOUR = (
    "!review Heat\n!cast Heat\n!genre crime\n!pick neo-noir\n!similar Heat\n!filmography de niro\n"
)


def answers(transcript: str) -> dict[str, str]:
    """Each command typed, with everything the bot printed after it."""
    found: dict[str, str] = {}
    command = None
    for line in transcript.splitlines():
        if line.startswith("you> "):
            command = line.removeprefix("you> ")
            found[command] = ""
        elif command is not None:
            found[command] += line.removeprefix("filmclub> ").strip() + "\n"
    return found


async def test_the_tour_on_the_bundled_catalog(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "FILMCLUB_"))}
    env["FILMCLUB_DB"] = str(tmp_path / "filmclub.db")  # new: the bundled catalog is loaded
    code, out, err = await _filmclub("console", env=env, cwd=tmp_path, stdin=TOUR.encode())
    assert code == 0, err
    assert "Traceback" not in out + err
    said = answers(out)
    assert list(said) == TOUR.splitlines()

    card = said["!review Heat"]
    assert "│ Heat (1995)" in card
    for fact in ["Crime Thriller", "Heist Drama", "Neo-Noir", "Michael Mann", "Al Pacino"]:
        assert fact in card, fact
    assert "Robert De Niro" in card
    summary = re.search(r"│ Summary: (.*)", card)
    assert summary is not None
    sentences = re.findall(r"[^.!?]+[.!?](?=\s|$)", summary[1])
    assert 2 <= len(sentences) <= 3, summary[1]

    assert "Robert De Niro — Neil McCauley" in said["!cast Heat"]
    assert "│ Crime films" in said["!genre crime"]
    assert "Heat (1995)" in said["!genre crime"]

    pick = said["!pick neo-noir"]
    assert "│ Tonight: " in pick and "Neo-Noir" in pick
    why = re.search(r"│ Why: (.+)", pick)
    assert why is not None and why[1].strip()
    assert "[Pick another]" in pick

    similar = [
        line for line in said["!similar Heat"].splitlines() if re.match(r"│ \*\*\d+\.\*\*", line)
    ]
    assert len(similar) >= 5
    assert all(" — " in line and line.split(" — ", 1)[1].strip() for line in similar)

    films = said["!filmography de niro"]
    assert "│ Films of Robert De Niro" in films and "Heat (1995) — Neil McCauley" in films
