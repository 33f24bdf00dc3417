"""Members' text as replies show it: spoilers, inert Markdown, pieces that fit a page."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot import render


def test_spoiler_segments_read_both_tags_and_an_unclosed_one() -> None:
    assert render.spoiler_segments("a ||b|| c ‖d‖ e ||f") == [
        ("a ", False),
        ("b", True),
        (" c ", False),
        ("d", True),
        (" e ", False),
        ("f", True),
    ]
    assert render.spoiler_segments("x ||y|| z", whole=True) == [
        ("x ", True),
        ("y", True),
        (" z", True),
    ]
    assert render.spoiler_segments("||||  ||") == []


def test_a_spoiler_never_touches_the_word_before_it() -> None:
    [chunk] = render.review_chunks("see https://x.example/a||the twist||", False, 1000)
    assert chunk == "see https://x.example/a ||the twist||"


def test_an_enormous_word_is_cut_and_every_piece_fits() -> None:
    chunks = render.review_chunks("*" * 3000, False, 500)
    assert all(len(chunk) <= 500 for chunk in chunks)
    assert "".join(chunks).replace("\\", "") == "*" * 3000


@settings(max_examples=200, deadline=None)
@given(
    body=st.lists(
        st.sampled_from([*"ab |‖*_@`\n", "||", "@everyone", "<@123456789012345678>", "word"]),
        max_size=300,
    ).map("".join),
    whole=st.booleans(),
    budget=st.integers(min_value=20, max_value=400),
)
def test_chunks_fit_keep_spoilers_balanced_and_lose_no_word(
    body: str, whole: bool, budget: int
) -> None:
    chunks = render.review_chunks(body, whole, budget)
    for chunk in chunks:
        assert len(chunk) <= budget
        unescaped_bars = chunk.replace("\\|", "")
        assert unescaped_bars.count("||") % 2 == 0
        assert "@everyone" not in chunk
        assert re.search(r"<@[!&]?\d{15,20}>", chunk) is None
    words = [w for text, _ in render.spoiler_segments(body, whole) for w in text.split()]
    shown = re.sub(r"(?<!\\)\|\|", " ", " ".join(chunks))
    for word in words:
        assert render.inert(word) in shown or len(render.inert(word)) > budget - 5
