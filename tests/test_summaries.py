"""Summaries: sentence splitting on tricky prose, and the properties every summary must have."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import ROOT
from bot.summaries import (
    MAX_CHARS,
    ReviewText,
    Summary,
    split_sentences,
    strip_spoilers,
    summarize,
)

HEAT = ROOT.parent / "shared" / "seeds" / "heat-review.txt"


def heat_body() -> str:
    if not HEAT.is_file():
        pytest.skip(f"the seed review is not at {HEAT}")
    header, _, body = HEAT.read_text(encoding="utf-8").partition("\n")
    assert header.startswith("Genre:")
    return body


def squash(text: str) -> str:
    return " ".join(text.split())


def letters(text: str) -> str:
    """``text`` without whitespace: splitting may add a space ("events.He" -> two sentences)."""
    return "".join(text.split())


# --- splitting -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Dr. Smith met Mr. Jones at St. Mary's in the U.S. on Friday. He gave it 9.5/10.",
            ["Dr. Smith met Mr. Jones at St. Mary's in the U.S. on Friday.", "He gave it 9.5/10."],
        ),
        (
            "It was made in the U.S. It then flopped.",
            ["It was made in the U.S.", "It then flopped."],
        ),
        (
            "I'd give it 3.5 stars. Wow... what a film. It really lands.",
            ["I'd give it 3.5 stars.", "Wow... what a film.", "It really lands."],
        ),
        ("The ending…wow. Just wow.", ["The ending…wow.", "Just wow."]),
        ("Maybe a 10/10... Easily.", ["Maybe a 10/10...", "Easily."]),
        (
            "J. R. R. Tolkien wrote it. Then came the film.",
            ["J. R. R. Tolkien wrote it.", "Then came the film."],
        ),
        (
            "A crush on C. J. Parker ensues. Then things go wrong.",
            ["A crush on C. J. Parker ensues.", "Then things go wrong."],
        ),
        ("He met Malcolm X. Then he left.", ["He met Malcolm X.", "Then he left."]),
        (
            "Ali vs. Frazier was great. Heat vs. Collateral is harder.",
            ["Ali vs. Frazier was great.", "Heat vs. Collateral is harder."],
        ),
        (
            "Lt. Vincent Hanna chases. Sgt. Drucker helps. Capt. Kirk and Prof. X watch.",
            ["Lt. Vincent Hanna chases.", "Sgt. Drucker helps.", "Capt. Kirk and Prof. X watch."],
        ),
        (
            "Dr. Strangelove is funny. Dr. No is too.",
            ["Dr. Strangelove is funny.", "Dr. No is too."],
        ),
        (
            "The first issue of Ms. Magazine is iconic. It sold out.",
            ["The first issue of Ms. Magazine is iconic.", "It sold out."],
        ),
        (
            "Kill Bill: Vol. 1 is pure style. Vol. 2 is the heart.",
            ["Kill Bill: Vol. 1 is pure style.", "Vol. 2 is the heart."],
        ),
        (
            "The film (dir. Michael Mann) is long. It never drags.",
            ["The film (dir. Michael Mann) is long.", "It never drags."],
        ),
        (
            "I watched it at 2 a.m. and loved it. The score, e.g. the main theme, soars.",
            ["I watched it at 2 a.m. and loved it.", "The score, e.g. the main theme, soars."],
        ),
        (
            "Who Framed Roger Rabbit? is a marvel. Airplane! still kills.",
            ["Who Framed Roger Rabbit? is a marvel.", "Airplane! still kills."],
        ),
        (
            "“Is that it?” she asks. “Yes.” The scene ends.",
            ["“Is that it?” she asks.", "“Yes.”", "The scene ends."],
        ),
        (
            'As he puts it, "Don\'t let yourself get attached to anything." That line stays.',
            [
                'As he puts it, "Don\'t let yourself get attached to anything."',
                "That line stays.",
            ],
        ),
        (
            "He asks, “Are you sure?” and she nods. Great scene.",
            ["He asks, “Are you sure?” and she nods.", "Great scene."],
        ),
        (
            "Frank Sr. is great. Main St. is where it happens.",
            ["Frank Sr. is great.", "Main St. is where it happens."],
        ),
        (
            "great film\nloved the shootout\n\nPacino is wild",
            ["great film", "loved the shootout", "Pacino is wild"],
        ),
        (
            # A hard-wrapped paragraph is one sentence, not three.
            "Heat is a crime saga that lingers because it understands that the life of\n"
            "a cop and the life of a criminal are mirrors, each chasing a purpose, each\n"
            "ready to lose everything for it. Great.",
            [
                "Heat is a crime saga that lingers because it understands that the life of a "
                "cop and the life of a criminal are mirrors, each chasing a purpose, each ready "
                "to lose everything for it.",
                "Great.",
            ],
        ),
        ("", []),
        ("  \n\n ", []),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_heat_review_splits_into_its_real_sentences() -> None:
    sentences = split_sentences(heat_body())
    starts = [
        "Heat is more than just a crime thriller",
        "Directed and written by Michael Mann",
        "At its core is Neil McCauley",
        "He leads a crew",
        "Opposite him is Lt. Vincent Hanna",
        "The film’s legendary status",
        "It’s Mann’s dedication",
        "Both Neil and Vincent",
        "When they finally sit",
        "It’s a moment that reveals",
        "The supporting cast",
        "Mann’s LA feels alive",
        "Heat is a crime saga",
        "In the end, the shootouts",
    ]
    assert len(sentences) == len(starts)
    for sentence, start in zip(sentences, starts, strict=True):
        assert sentence.startswith(start)
        assert sentence.endswith(".")
    assert (
        "Opposite him is Lt. Vincent Hanna (Al Pacino), an obsessive LAPD detective who lives "
        "and breathes the chase, burning through his personal life in the process."
    ) in sentences
    assert " ".join(sentences) == squash(heat_body())


# --- summaries of the Heat review ------------------------------------------------------------

PLOT_SETUP = ("At its core is Neil McCauley", "He leads a crew", "Opposite him is Lt.")
VERDICT_MARKS = (
    "special",
    "cinema history",
    "lingers",
    "legendary",
    "revered",
    "Heat is about",
    "remains one of",
    "titans of cinema",
    "unforgettable",
)


def test_heat_summary_is_its_gist() -> None:
    body = heat_body()
    summary = summarize([ReviewText(body, source_id=7)])
    sentences = [s.text for s in summary.sentences]
    assert 2 <= len(sentences) <= 3
    assert set(sentences) <= set(split_sentences(body))
    assert len(summary.text) <= MAX_CHARS
    assert summary.text == " ".join(sentences)
    positions = [s.position for s in summary.sentences]
    assert positions == sorted(positions)
    assert not any(s.startswith(PLOT_SETUP) for s in sentences)
    assert any(mark in s for s in sentences for mark in VERDICT_MARKS)
    assert summary.source_ids == (7,)


def test_heat_summary_with_a_larger_budget_takes_three_sentences() -> None:
    summary = summarize([ReviewText(heat_body())], max_chars=700)
    assert len(summary.sentences) == 3
    assert len(summary.text) <= 700


# --- spoilers --------------------------------------------------------------------------------


def test_spoiler_text_never_appears() -> None:
    reviews = [
        ReviewText(
            "Heat is a masterpiece of a crime film. The ending where ||Neil dies at the "
            "airport|| is perfect. The heist scene is the best heist scene ever made."
        ),
        ReviewText("Heat is a masterpiece. ‖Hanna shoots Neil‖ The score lingers."),
        ReviewText("Heat is a great crime film and a masterpiece. ||Neil dies and nothing else"),
        ReviewText(
            "Neil dies at the airport, shot by Hanna, and Heat is a masterpiece for it.",
            spoiler=True,
        ),
    ]
    summary = summarize(reviews)
    assert summary
    for word in ("Neil", "dies", "airport", "Hanna", "ending where"):
        assert word not in summary.text
    assert all(s.review != 3 for s in summary.sentences)


def test_a_review_that_is_all_spoiler_gives_no_summary() -> None:
    assert summarize([ReviewText("Everyone dies in the end and it is great.", spoiler=True)]) == (
        Summary()
    )
    assert not summarize([ReviewText("||Everyone dies in the end, and it is great.||")])


def test_strip_spoilers() -> None:
    assert strip_spoilers("Great. ||He dies.|| Loved it ‖twist‖ a lot. ||open") == (
        "Great. Loved it a lot."
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(alphabet="abcdefgh .,!?\n", max_size=80),
            st.booleans(),
            st.sampled_from(["||", "‖"]),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_spoiler_words_never_appear_whatever_surrounds_them(
    parts: list[tuple[str, bool, str]],
) -> None:
    """Every review holds a tagged spoiler (sometimes unclosed) amid arbitrary text."""
    reviews = [
        ReviewText(
            f"The film is a great masterpiece of the genre. {text} "
            f"{tag}Secretword reveals the twist{tag if closed else ''} {text} It is worth it."
        )
        for text, closed, tag in parts
    ]
    assert "Secretword" not in summarize(reviews).text


# --- what gets chosen ------------------------------------------------------------------------

CONSENSUS = [
    "The coffee shop scene with Pacino and De Niro is the best scene in the whole film. "
    "The downtown shootout is loud.",
    "Pacino and De Niro facing each other across the coffee shop table is cinema at its best.",
    "Nothing beats that coffee shop scene, two legends, Pacino and De Niro, sharing the screen.",
    "I came for the coffee shop scene between De Niro and Pacino and it delivers. "
    "The ending is a bit long.",
]
OTHERS = [
    "Way too long. The middle hour drags and I got bored during the family drama.",
    "Val Kilmer's hair deserves its own credit, honestly. Also the soundtrack by Moby is great.",
]


@pytest.mark.parametrize("others_first", [False, True])
def test_consensus_of_member_reviews_wins(others_first: bool) -> None:
    texts = OTHERS + CONSENSUS if others_first else CONSENSUS + OTHERS
    reviews = [ReviewText(text, source_id=100 + i) for i, text in enumerate(texts)]
    summary = summarize(reviews)
    consensus_ids = {100 + texts.index(text) for text in CONSENSUS}
    agreeing = [s for s in summary.sentences if s.source_id in consensus_ids]
    assert len(agreeing) >= 2
    assert all("coffee shop" in s.text for s in agreeing)
    assert len(summary.text) <= MAX_CHARS


def test_consensus_holds_beside_a_long_catalog_review() -> None:
    reviews = [ReviewText(heat_body(), source_id=1)] + [
        ReviewText(text, source_id=10 + i) for i, text in enumerate(CONSENSUS + OTHERS)
    ]
    summary = summarize(reviews)
    assert sum("coffee shop" in s.text for s in summary.sentences) >= 2


def test_sentences_come_in_reading_order_across_reviews() -> None:
    reviews = [ReviewText(text, source_id=i) for i, text in enumerate(CONSENSUS + OTHERS)]
    summary = summarize(reviews)
    order = [(s.review, s.position) for s in summary.sentences]
    assert order == sorted(order)
    for sentence in summary.sentences:
        assert sentence.text in split_sentences(reviews[sentence.review].body)
        assert sentence.source_id == reviews[sentence.review].source_id
    assert list(summary.source_ids) == sorted(set(summary.source_ids))


def test_no_plot_only_sentence_when_judging_ones_exist() -> None:
    review = (
        "Neil McCauley (Robert De Niro) plans one last heist with his crew. "
        "He meets Eady in a bookshop and falls in love. "
        "Vincent Hanna (Al Pacino) chases him across Los Angeles. "
        "After the bank job, Waingro kills a guard. "
        "The film is a masterpiece of tension. "
        "The performances are superb and the shootout remains one of the best ever filmed."
    )
    summary = summarize([ReviewText(review)])
    assert [s.text for s in summary.sentences] == [
        "The film is a masterpiece of tension.",
        "The performances are superb and the shootout remains one of the best ever filmed.",
    ]


def test_plot_only_text_still_gets_a_summary() -> None:
    review = (
        "Neil McCauley plans one last heist with his crew. "
        "He meets Eady in a bookshop and falls in love with her. "
        "Vincent Hanna chases the crew across Los Angeles."
    )
    summary = summarize([ReviewText(review)])
    assert 2 <= len(summary.sentences) <= 3


def test_longest_sentences_are_never_cut() -> None:
    long_one = "Heat is a masterpiece " + "and a great crime film " * 20 + "to the end."
    longer = "The score is great " + "and the cast is superb " * 22 + "throughout."
    summary = summarize([ReviewText(f"{long_one} {longer}")])
    assert [s.text for s in summary.sentences] in ([long_one], [longer])


def test_two_sentences_when_three_do_not_fit() -> None:
    sentence = "Heat is a masterpiece of {} and the best crime film of its decade by far."
    words = ["tension", "style", "acting", "pacing", "sound"]
    text = " ".join(sentence.format(w) + " It is" + " truly" * 20 + " great." for w in words)
    summary = summarize([ReviewText(text)], max_chars=220)
    assert len(summary.sentences) == 2
    assert len(summary.text) <= 220


def test_short_chatter_is_not_shown() -> None:
    assert not summarize([ReviewText("Wow. 9/10. Loved it!")])
    assert not summarize([])


def test_output_is_deterministic_across_processes() -> None:
    script = (
        "import sys; from bot.summaries import summarize, ReviewText;"
        "texts = sys.stdin.read().split('\\n---\\n');"
        "print(summarize([ReviewText(t) for t in texts]).text)"
    )
    texts = "\n---\n".join([heat_body(), *CONSENSUS, *OTHERS])
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            input=texts,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("0", "1", "12345")
    }
    assert len(outputs) == 1
    assert outputs.pop().strip() == summarize([ReviewText(t) for t in texts.split("\n---\n")]).text


@settings(max_examples=80, deadline=None)
@given(st.lists(st.text(max_size=300), max_size=5), st.integers(min_value=20, max_value=500))
def test_any_text_gives_whole_sentences_of_it(texts: list[str], max_chars: int) -> None:
    reviews = [ReviewText(text) for text in texts]
    summary = summarize(reviews, max_chars=max_chars)
    assert len(summary.sentences) <= 3
    for sentence in summary.sentences:
        assert sentence.text in split_sentences(texts[sentence.review])
    if len(summary.sentences) > 1:
        assert len(summary.text) <= max_chars


@pytest.mark.parametrize(
    "text",
    [
        "x (" + "A" * 3990,  # once made the actor-in-parentheses regex backtrack for minutes
        "(Ab " * 1000,
        "||" * 2000,
        "Great film. ||" + "a" * 3980,
        "1" * 4000,
        "it makes " + "a" * 3990,
        "Dr. " * 1000,
        "A. " * 1300,
        "great film\n" * 360,
        "Great film. " * 333,
    ],
)
def test_hostile_reviews_are_summarised_in_bounded_work(text: str) -> None:
    """Members choose the text: 50 copies of a 4,000-character review must not hang ranking."""
    summary = summarize([ReviewText(text)] * 50)
    assert len(summary.sentences) <= 3
    assert "||" not in summary.text


# --- real multi-paragraph text: Wikipedia plots ----------------------------------------------

# Abbreviations that stand before what they qualify: a sentence can never end on one.
NEVER_LAST = re.compile(
    r"(?:^|\s)(?:Mr|Mrs|Ms|Dr|Lt|Sgt|Capt|Col|Gen|Maj|Prof|Rev|Det|Insp|vs|Vol|dir|e\.g|i\.e)\.$"
)


def wiki_plots(shared_data: Path) -> list[tuple[str, str]]:
    path = shared_data / "plots" / "wiki_movie_plots.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return [(row["Title"], row["Plot"]) for row in csv.DictReader(handle)]


def test_wikipedia_plots_split_without_breaking_at_abbreviations(shared_data: Path) -> None:
    plots = wiki_plots(shared_data)
    assert len(plots) > 100
    for title, plot in plots:
        sentences = split_sentences(plot)
        assert letters(" ".join(sentences)) == letters(plot), title
        for sentence in sentences:
            assert not NEVER_LAST.search(sentence), (title, sentence)


def test_wikipedia_plot_summaries_are_whole_sentences_within_length(shared_data: Path) -> None:
    for title, plot in wiki_plots(shared_data):
        summary = summarize([ReviewText(plot)])
        sentences = split_sentences(plot)
        chosen = [s.text for s in summary.sentences]
        assert chosen, title
        assert len(chosen) <= 3
        for sentence in summary.sentences:
            assert sentences[sentence.position] == sentence.text, title
        if len(chosen) == 1:
            # Alone only when no two displayable sentences fit together.
            fitting = sorted(len(s) for s in sentences if len(s.split()) >= 4)
            assert len(fitting) < 2 or fitting[0] + fitting[1] + 1 > MAX_CHARS, title
        else:
            assert len(summary.text) <= MAX_CHARS, title
