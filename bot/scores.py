"""Members' scores: parsing what people type, showing scores back, and the leaderboard average.

A score is stored on a 1–10 scale in half steps (1.0, 1.5, … 10.0). People type it in many
ways (product.md): ``9``, ``9.5``, ``9/10``, ``4.5/5``, ``4.5 stars``, ``4.5★``, ``★★★★½``.
Star and ``/5`` forms are 0.5–5 stars and map ×2 onto 1–10.

Decisions, so every reply can say exactly what is accepted:

* Arithmetic is exact (``fractions.Fraction`` over a bounded regex), never ``float()`` on user
  text: ``nan``, ``inf``, ``1e308``, ``1e-308`` and 400-digit strings cannot even be spelled in
  the grammar, so no overflow or NaN comparison can slip through.
* A value that is not a half step on 1–10 after conversion (``9.3``, ``8.25``) is rejected,
  not rounded: silently storing a different score than the member typed would lose their input.
  Quarter stars that land on a half step (``4.25/5`` = 8.5) are therefore accepted.
* A decimal comma (``8,5``) is accepted as ``8.5``: many members write decimals that way and
  a comma has no other sensible meaning inside a single score.
* ``½``, ``¼`` and ``¾`` may follow a whole number or stand alone (``4½ stars``, ``½/5``).
  A lone ``½`` is half a star (Letterboxd's lowest rating), i.e. 1/10.
* Only ``/10`` and ``/5`` (or ``out of 10/5``) are scales; ``4.5/4``, ``10/11``, ``9/0`` are not.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Final

from bot.errors import BadScore

MIN_SCORE: Final = 1.0
MAX_SCORE: Final = 10.0
# Leaderboard prior weight: how many "average" ratings every film starts with (product.md).
DEFAULT_M: Final = 3.0

FULL_STAR: Final = "★"
HALF_STAR: Final = "½"

_MIN_HALVES: Final = int(MIN_SCORE * 2)
_MAX_HALVES: Final = int(MAX_SCORE * 2)
_MAX_INPUT = 40  # nothing accepted is longer; longer text is rejected before any regex runs
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\ufe0f\ufe0e"))
_FRACTIONS: Final = {"½": Fraction(1, 2), "¼": Fraction(1, 4), "¾": Fraction(3, 4)}
_SCALES: Final = {"10": Fraction(1), "5": Fraction(2)}

_STAR_GLYPHS = re.compile(r"(?P<full>[★⭐]{0,5})(?P<half>½?)(?P<empty>☆{0,5})")
_NUMERIC = re.compile(
    r"(?:(?P<whole>[0-9]{1,2})(?:[.,](?P<decimals>[0-9]{1,3}))?(?P<frac>[½¼¾])?"  # 9.5, 8,5, 4½
    r"|(?P<bare_frac>[½¼¾]))"
    r"(?:\s*(?:[/⁄∕]|\s(?:out\s+)?of\s)\s*(?P<scale>10|5)"  # 9/10, 9 out of 10
    r"|\s*(?P<stars>stars?|[★⭐]))?",  # 4.5 stars, 4.5★
    re.IGNORECASE | re.ASCII,
)


def parse_score(text: str) -> float:
    """The score ``text`` names, on 1–10 in half steps; ``BadScore`` for anything else."""
    cleaned = text.translate(_INVISIBLE).strip()
    if not cleaned or len(cleaned) > _MAX_INPUT:
        raise BadScore
    value = _star_glyphs(cleaned)
    if value is None:
        value = _numeric(cleaned)
    if value is None:
        raise BadScore
    halves = value * 2
    # In whole half steps, against ints: a Fraction compares with an int several times
    # faster than with a float, and parsing runs once per rating.
    if halves.denominator != 1 or not _MIN_HALVES <= halves <= _MAX_HALVES:
        raise BadScore
    return float(value)


def _star_glyphs(text: str) -> Fraction | None:
    """``★★★★½``, ``★★★★☆``, ``½``: full stars, an optional half, optional empty stars."""
    match = _STAR_GLYPHS.fullmatch(text)
    if match is None or not (match["full"] or match["half"]):
        return None
    stars = Fraction(len(match["full"])) + (Fraction(1, 2) if match["half"] else 0)
    if len(match["full"]) + len(match["half"]) + len(match["empty"]) > 5:
        return None
    return stars * 2


def _numeric(text: str) -> Fraction | None:
    match = _NUMERIC.fullmatch(text)
    if match is None:
        return None
    if match["bare_frac"]:
        value = _FRACTIONS[match["bare_frac"]]
    else:
        decimals = match["decimals"] or ""
        value = Fraction(int(match["whole"] + decimals), 10 ** len(decimals))
        if match["frac"]:
            if match["decimals"]:
                return None  # "4.5½" is not a number anyone means
            value += _FRACTIONS[match["frac"]]
    if match["stars"]:
        return value * 2
    if match["scale"]:
        return value * _SCALES[match["scale"]]
    return value


def _checked(score: float) -> int:
    """``score`` in half steps (an int 2–20); ``ValueError`` when it is not a valid score."""
    halves = score * 2
    if not (MIN_SCORE <= score <= MAX_SCORE) or halves != int(halves):
        raise ValueError(f"not a score on 1–10 in half steps: {score!r}")
    return int(halves)


def format_score(score: float) -> str:
    """``9.0`` -> ``9``, ``8.5`` -> ``8.5``: how a stored score is written in replies."""
    halves = _checked(score)
    return str(halves // 2) + (".5" if halves % 2 else "")


def stars(score: float) -> str:
    """``9.0`` -> ``★★★★½``: the score as 0.5–5 stars, filled stars only.

    Whole scores are exact (and parse back to themselves); a half-point score is a quarter star,
    which no glyph shows, so it rounds up to the next half star (``8.5`` -> ``★★★★½``).
    """
    half_stars = (_checked(score) + 1) // 2
    return FULL_STAR * (half_stars // 2) + (HALF_STAR if half_stars % 2 else "")


def bayesian_average(n: int, mean: float, m: float, c: float) -> float:
    """Leaderboard rank of a film: ``(v·R + m·C) / (v + m)``.

    ``n`` (v) is the film's number of ratings and ``mean`` (R) their average; ``c`` (C) is the
    server's mean rating and ``m`` how many ratings of weight C every film starts with. A film
    with few ratings is pulled towards C, so one enthusiastic 10 cannot outrank a film that many
    members rated 9: with m = 3 the lone 10 scores (10 + 3C)/4, below 9 whenever C < 8⅔, which
    a film with many 9s approaches. With no ratings at all (n = 0) the rank is C.
    """
    if n < 0 or m < 0:
        raise ValueError("a count and the prior weight cannot be negative")
    if n + m == 0:
        return c
    return (n * mean + m * c) / (n + m)
