"""Taking apart what members type after a prefix command."""

from __future__ import annotations

import pytest

from bot.arguments import (
    FilmAndScore,
    FilmAndText,
    MemberReference,
    genres_named,
    member_reference,
    split_count,
    split_film_and_score,
    split_film_and_text,
    spoiler_flag,
    unquoted,
)
from bot.errors import BadScore, GenreNotFound
from bot.scores import parse_score
from bot.store import Store
from tests.catalog_fixtures import catalog_store

__all__ = ["catalog_store"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Heat 9", FilmAndScore("Heat", "9", 9.0)),
        ("The Dark Knight 4.5 stars", FilmAndScore("The Dark Knight", "4.5 stars", 9.0)),
        ("Heat 1995 9/10", FilmAndScore("Heat 1995", "9/10", 9.0)),
        ("Se7en 9 out of 10", FilmAndScore("Se7en", "9 out of 10", 9.0)),
        ("Blade Runner 2049 ★★★★½", FilmAndScore("Blade Runner 2049", "★★★★½", 9.0)),
        ("Apollo 13 8", FilmAndScore("Apollo 13", "8", 8.0)),
        ("Apollo 13 4 stars", FilmAndScore("Apollo 13", "4 stars", 8.0)),
        ('"Heat (1995)" 8,5', FilmAndScore("Heat (1995)", "8,5", 8.5)),
        ('"Heat" eleven', FilmAndScore("Heat", "eleven", None)),
        # The member meant a score, and will be told what is accepted.
        ("Heat 11", FilmAndScore("Heat", "11", None)),
        ("Heat NaN", FilmAndScore("Heat", "NaN", None)),
        ("Heat", FilmAndScore("Heat", "", None)),
        ("", FilmAndScore("", "", None)),
    ],
)
def test_split_film_and_score(line: str, expected: FilmAndScore) -> None:
    assert split_film_and_score(line) == expected


@pytest.mark.parametrize(
    "line",
    ["Heat 9", "Heat 4½ stars", "Heat 9.3", "Heat ½", "Heat ★★★★★★", "Heat 1995", "9", "Heat x"],
)
def test_split_score_is_what_parse_score_makes_of_its_words(line: str) -> None:
    split = split_film_and_score(line)
    try:
        parsed: float | None = parse_score(split.score_text)
    except BadScore:
        parsed = None
    assert split.score == parsed


def test_unquoted() -> None:
    assert unquoted('"The Dark Knight"') == "The Dark Knight"
    assert unquoted("“Amélie”") == "Amélie"
    assert unquoted('"Heat" 9') == '"Heat" 9'  # not one quoted title
    assert unquoted("  Heat ") == "Heat"


@pytest.mark.parametrize(
    ("line", "rest", "flagged"),
    [
        ("Heat --spoiler He dies", "Heat He dies", True),
        ("Heat He dies —spoiler", "Heat He dies", True),
        ("--SPOILERS Heat x", "Heat x", True),
        ("Heat is not--spoiler free", "Heat is not--spoiler free", False),
        ("Heat fine", "Heat fine", False),
    ],
)
def test_spoiler_flag(line: str, rest: str, flagged: bool) -> None:
    assert spoiler_flag(line) == (rest, flagged)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("crime 20", ("crime", 20)),
        ("science fiction", ("science fiction", None)),
        ("15", ("", 15)),
        ("", ("", None)),
        ("sci-fi 3", ("sci-fi", 3)),
    ],
)
def test_split_count(line: str, expected: tuple[str, int | None]) -> None:
    assert split_count(line) == expected


def test_member_reference() -> None:
    assert member_reference("<@123456789012345678>") == MemberReference(123456789012345678)
    assert member_reference("<@!123456789012345678>") == MemberReference(123456789012345678)
    assert member_reference("123456789012345678") == MemberReference(123456789012345678)
    assert member_reference("@bob") == MemberReference(name="bob")
    assert member_reference("@everyone") is None
    assert member_reference("Heat") is None
    assert member_reference("1917") is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Heat Great film", FilmAndText("Heat", "Great film")),
        ("Heat 1995 Great film", FilmAndText("Heat 1995", "Great film")),
        ("The Heat was funny", FilmAndText("The Heat", "was funny")),
        ("heat, the was funny", FilmAndText("heat, the", "was funny")),
        ("Double Indemnity is the noir", FilmAndText("Double Indemnity", "is the noir")),
        ('"Se7en" What is in the box', FilmAndText("Se7en", "What is in the box")),
        ("Seven samurai | a classic", FilmAndText("Seven samurai", "a classic")),
        ("Heat ||he dies|| sadly", FilmAndText("Heat", "||he dies|| sadly")),
        ("Heat\nTwo paragraphs\n\nof text", FilmAndText("Heat", "Two paragraphs\n\nof text")),
        ("Not A Film Here\nbut a review", FilmAndText("Not A Film Here", "but a review")),
        ("Not a film at all", None),
        ("Heat", None),  # a title and no review
    ],
)
async def test_split_film_and_text(
    catalog_store: Store, line: str, expected: FilmAndText | None
) -> None:
    assert await split_film_and_text(catalog_store, line) == expected


async def test_genres_are_named_loosely_and_unknown_ones_get_suggestions(
    catalog_store: Store,
) -> None:
    assert [g.name for g in await genres_named(catalog_store, "sci-fi")] == ["Science Fiction"]
    assert {g.name for g in await genres_named(catalog_store, "noir")} == {
        "Film-Noir",
        "Neo-Noir",
    }
    with pytest.raises(GenreNotFound) as unknown:
        await genres_named(catalog_store, "crme")
    assert "Crime" in unknown.value.suggestions
    with pytest.raises(GenreNotFound) as enormous:
        await genres_named(catalog_store, "crime " * 1000)
    assert enormous.value.suggestions == []
    assert len(enormous.value.user_message) < 200
