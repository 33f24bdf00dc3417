"""Scores members type: every accepted form, every rejected one, and properties over any text."""

from __future__ import annotations

import math

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.errors import BadScore
from bot.scores import (
    DEFAULT_M,
    bayesian_average,
    format_score,
    parse_score,
    stars,
)

VALID_SCORES = [half / 2 for half in range(2, 21)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9", 9.0),
        ("1", 1.0),
        ("10", 10.0),
        ("9.5", 9.5),
        ("  7  ", 7.0),
        ("8,5", 8.5),  # decimal comma
        ("9.50", 9.5),
        ("9/10", 9.0),
        ("9 / 10", 9.0),
        ("10/10", 10.0),
        ("9 out of 10", 9.0),
        ("4.5/5", 9.0),
        ("5/5", 10.0),
        ("0.5/5", 1.0),
        ("4.25/5", 8.5),  # a quarter star that lands on a half step
        ("4.5 stars", 9.0),
        ("4.5 Stars", 9.0),
        ("1 star", 2.0),
        ("0.5 stars", 1.0),
        ("4.5 ★", 9.0),
        ("4.5★", 9.0),
        ("4★", 8.0),
        ("★★★★½", 9.0),
        ("★★★★★", 10.0),
        ("★", 2.0),
        ("½", 1.0),
        ("★★★★☆", 8.0),
        ("★★½☆☆", 5.0),
        ("⭐⭐⭐⭐", 8.0),
        ("⭐️⭐️⭐️", 6.0),  # emoji stars with variation selectors
        ("4½ stars", 9.0),
        ("4½/5", 9.0),
        ("½/5", 1.0),
        ("3¾ stars", 7.5),
        ("8½", 8.5),
        ("9\u200b", 9.0),  # zero-width space pasted along
    ],
)
def test_accepted_forms(text: str, expected: float) -> None:
    assert parse_score(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "0",
        "11",
        "-3",
        "+9",
        "NaN",
        "nan",
        "inf",
        "-inf",
        "Infinity",
        "1e308",
        "1e309",
        "1e-308",
        "4.5/4",
        "10/11",
        "11/10",
        "0/10",
        "9/0",
        "10/5",
        "6 stars",
        "0 stars",
        "9.3",
        "8.25",
        "9.",
        "0.5",
        "",
        "   ",
        "\n\t",
        "9" * 400,
        "1" + "0" * 5000,
        "9 stars/10",
        "9/10 stars",
        "★★★★★★",
        "☆★",
        "★☆★",
        "☆☆☆",
        "4.5½",
        "½ ½",
        "¼",
        "nine",
        "9/10/10",
        "9 10",
        "'; DROP TABLE ratings;--",
        "@everyone",
        "٩",  # an Arabic-Indic nine: only ASCII digits are scores
    ],
)
def test_rejected_forms_say_what_is_accepted(text: str) -> None:
    with pytest.raises(BadScore) as raised:
        parse_score(text)
    assert raised.value.user_message.startswith("Scores go from 1 to 10 (or 0.5–5 stars).")


SCORE_SHAPED = st.text(alphabet="0123456789.,/ ½¼¾★☆⭐staroufe-+", max_size=12)


@given(st.one_of(st.text(max_size=60), SCORE_SHAPED))
@example("nan")
@example("1e309")
@example("4.5 ★")
def test_any_text_is_a_valid_score_or_bad_score(text: str) -> None:
    try:
        score = parse_score(text)
    except BadScore:
        return
    assert score in VALID_SCORES


@given(st.sampled_from(VALID_SCORES))
def test_formatted_score_parses_back(score: float) -> None:
    assert parse_score(format_score(score)) == score
    assert parse_score(f"{format_score(score)}/10") == score


@given(st.integers(min_value=1, max_value=10))
def test_stars_of_a_whole_score_parse_back(score: int) -> None:
    assert parse_score(stars(score)) == score


@given(
    st.decimals(min_value=-100, max_value=100, places=2, allow_nan=False, allow_infinity=False).map(
        str
    )
)
def test_decimal_numbers_accepted_exactly_when_half_steps_on_1_to_10(text: str) -> None:
    value = float(text)
    should_accept = 1 <= value <= 10 and (value * 2).is_integer() and not text.startswith("-")
    if should_accept:
        assert parse_score(text) == value
    else:
        with pytest.raises(BadScore):
            parse_score(text)


def test_format_score() -> None:
    assert [format_score(s) for s in (1.0, 8.5, 9.0, 10.0)] == ["1", "8.5", "9", "10"]


def test_stars() -> None:
    assert stars(9.0) == "★★★★½"
    assert stars(10.0) == "★★★★★"
    assert stars(8.0) == "★★★★"
    assert stars(1.0) == "½"
    assert stars(8.5) == "★★★★½"  # a quarter star rounds up to the next half star


@pytest.mark.parametrize("bad", [0.0, 0.5, 10.5, 9.3, math.nan, math.inf, -1.0])
def test_format_and_stars_refuse_what_is_not_a_score(bad: float) -> None:
    with pytest.raises(ValueError):
        format_score(bad)
    with pytest.raises(ValueError):
        stars(bad)


def test_bayesian_average_formula() -> None:
    assert bayesian_average(2, 8.0, 3, 6.0) == pytest.approx((2 * 8 + 3 * 6) / 5)
    assert bayesian_average(0, 0.0, 3, 6.5) == 6.5
    assert bayesian_average(0, 0.0, 0, 6.5) == 6.5
    assert bayesian_average(4, 7.5, 0, 1.0) == 7.5  # m = 0 is the plain mean
    with pytest.raises(ValueError):
        bayesian_average(-1, 9.0, 3, 7.0)


def test_one_ten_never_beats_many_nines_with_default_m() -> None:
    server_mean = 7.0
    lone_ten = bayesian_average(1, 10.0, DEFAULT_M, server_mean)
    for count in range(3, 500):
        assert bayesian_average(count, 9.0, DEFAULT_M, server_mean) > lone_ten


@given(
    server_mean=st.floats(min_value=1.0, max_value=8.0),
    nines=st.integers(min_value=5, max_value=100_000),
)
def test_one_ten_never_beats_many_nines_for_any_server_mean(server_mean: float, nines: int) -> None:
    lone_ten = bayesian_average(1, 10.0, DEFAULT_M, server_mean)
    assert bayesian_average(nines, 9.0, DEFAULT_M, server_mean) > lone_ten


@given(
    n=st.integers(min_value=0, max_value=10_000),
    mean=st.floats(min_value=1.0, max_value=10.0),
    m=st.floats(min_value=0.0, max_value=100.0),
    c=st.floats(min_value=1.0, max_value=10.0),
)
def test_bayesian_average_lies_between_film_mean_and_server_mean(
    n: int, mean: float, m: float, c: float
) -> None:
    rank = bayesian_average(n, mean, m, c)
    assert min(mean, c) - 1e-9 <= rank <= max(mean, c) + 1e-9
