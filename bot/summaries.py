"""Extractive summaries of a film's reviews: the 2–3 sentences that best say what reviewers think.

The pipeline, all pure and synchronous (callers cache the result and run big inputs off the
event loop):

1. Spoilers go first. Text inside ``||…||`` or ``‖…‖`` is cut out before splitting and every
   sentence that held some of it is dropped whole (a sentence with a hole in it reads wrong);
   a review flagged as a spoiler contributes nothing.
2. Sentences are split by sentencex (Wikimedia's rule-based segmenter, compiled: hundreds of
   times faster than pysbd and as accurate on review prose; bench/bench_summaries.py measures
   both), plus guards for what it still splits wrongly: titles before names (``Dr. No``,
   ``Ms. Magazine``), ``Vol. 1``, titles ending in ``!``/``?`` (``Airplane! still``), and
   citation marks (``[3]``).
3. Sentences are ranked by LexRank: PageRank over a graph whose edges are TF-IDF cosine
   similarities of stemmed content words. A sentence that says what many others say is
   central; agreement across reviews weighs more than a review repeating itself, so several
   members' shared opinion beats one long review's vocabulary.
4. Centrality is nudged by what kind of sentence it is: stating a verdict or an opinion
   earns a bonus; narrating the plot without judging anything is shown only when the
   sentences that judge cannot make a summary on their own.
5. The best 2–3 non-redundant sentences that fit the length budget are shown in reading order.
"""

from __future__ import annotations

import itertools
import math
import operator
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

import sentencex
import Stemmer

from bot.normalize import fold

# Bump when the output for the same reviews can change, so cached summaries are recomputed.
ALGORITHM_VERSION: Final = 1
MAX_CHARS: Final = 350

# --- spoilers --------------------------------------------------------------------------------

_SPOILER_MARK = "\ue000"  # private-use: cannot come from text we keep (it is stripped first)
# An unclosed tag hides everything after it: better to show too little than to spoil.
_SPOILER = re.compile(r"\|\|.*?(?:\|\||\Z)|‖.*?(?:‖|\Z)", re.DOTALL)


def _mark_spoilers(text: str) -> str:
    return _SPOILER.sub(f" {_SPOILER_MARK} ", text.replace(_SPOILER_MARK, ""))


def strip_spoilers(text: str) -> str:
    """``text`` with every ``||…||`` / ``‖…‖`` span (and an unclosed one's tail) removed."""
    return " ".join(_mark_spoilers(text).replace(_SPOILER_MARK, " ").split())


# --- sentence splitting ----------------------------------------------------------------------


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Abbreviations the segmenter may take for a sentence end, by what must follow them.
_BEFORE_NAME = _word_set(  # titles: "Lt. Vincent Hanna", "Dr. No", "Ms. Magazine"
    """
    mr mrs ms mx messrs dr drs prof lt sgt capt cpt col gen maj cpl pvt adm cmdr det insp supt
    rev fr hon pres gov sen rep amb mt ft
    """
)
_BEFORE_CAPITAL = frozenset(["st", "ste", "sr"])  # "St. Elmo" but also "Main St." at the end
_BEFORE_NUMBER = frozenset(["no", "nos", "vol", "vols", "pt", "ch", "ep", "op", "nr"])
_NEVER_FINAL = frozenset(["vs", "v", "approx", "dir", "feat", "cf", "incl", "esp", "e.g", "i.e"])
_OPENERS = "([\"“'‘"
_NOTE = re.compile(r"\s*(?:\[[^\]\s][^\]]{0,15}\])+")  # citation marks: [3], [N 2], [note 1]
_CONTINUATIONS = ",;:)]}”’"  # a piece opening with one of these belongs to the sentence before
_ROMAN = frozenset("IVX")
_TERMINAL = frozenset(".!?…:;\"”’')]")
_WRAP_WIDTH = 50  # a longer line that stops mid-sentence was hard-wrapped, not a new thought


def split_sentences(text: str) -> list[str]:
    """``text`` as sentences, each verbatim from it up to whitespace (runs become one space).

    Blank lines and line breaks end sentences too (members write one thought per line),
    except where a long line stops mid-sentence, which is a hard wrap.
    """
    sentences: list[str] = []
    for block in _blocks(text):
        pieces = [piece for piece in sentencex.segment("en", block) if piece.strip()]
        sentences.extend(" ".join(s.split()) for s in _repair(pieces))
    return sentences


def _blocks(text: str) -> Iterable[str]:
    block: list[str] = []
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if not line:
            if block:
                yield " ".join(block)
                block = []
            continue
        block.append(line)
        if len(line) < _WRAP_WIDTH or line[-1] in _TERMINAL:
            yield " ".join(block)
            block = []
    if block:
        yield " ".join(block)


def _repair(pieces: Sequence[str]) -> list[str]:
    """Glue back together what the segmenter split at something that is not a sentence end."""
    out: list[str] = []
    for raw_piece in pieces:
        piece = raw_piece
        note = _NOTE.match(piece)
        if out and note:  # "… to the woods.[c] She reunites …": the note ends the sentence before
            out[-1] = out[-1].rstrip() + note[0]
            piece = piece[note.end() :]
            if not piece.strip():
                continue
        if out and _continues(out[-1].rstrip(), piece.lstrip()):
            out[-1] += piece
        else:
            out.append(piece)
    return out


def _continues(before: str, after: str) -> bool:
    first = after[0]
    # '… "Blood for water!") Upon …', "Hail, Caesar!; the actor …", "[3]", "..", a lone quote.
    if first in _CONTINUATIONS or not any(c.isalnum() for c in after):
        return True
    if before[-1] in "!?":
        # "Airplane! still kills", "Who Framed Roger Rabbit? is a marvel": a title, not an end.
        return first.islower()
    if before[-1] != ".":
        return False
    tokens = before.rsplit(maxsplit=2)
    last = tokens[-1].lstrip(_OPENERS)
    key = last[:-1].lower()
    if key in _NEVER_FINAL:
        return True
    if key in _BEFORE_NAME:
        return first.isalpha()
    if key in _BEFORE_CAPITAL:
        return first.isupper()
    if key in _BEFORE_NUMBER:
        return first.isdigit() or first in _ROMAN
    # Two initials before a surname: "C. J. Parker" (one alone may end a sentence: "Malcolm X.").
    return first.isupper() and len(tokens) > 1 and _is_initial(last) and _is_initial(tokens[-2])


def _is_initial(token: str) -> bool:
    return len(token) == 2 and token[0].isupper() and token[1] == "."


# --- words -----------------------------------------------------------------------------------

_STOP_WORDS: Final = _word_set(
    """
    a about above after again against all almost also although always am among an and any are
    around as at be because been before being below between both but by can cant could couldnt
    did didnt do does doesnt doing dont down during each either else enough even ever every few
    for from further get gets getting got had hadnt has hasnt have havent having he hed hell hes
    her here heres hers herself him himself his how hows however i id ill im ive if in into is
    isnt it its itself just lets like ll made make makes many may me might more most much must
    my myself never no nor not now of off often on once one only or other others our ours
    ourselves out over own quite rather re really same say says see seems she shed shell shes
    should shouldnt so some still such than that thats the their theirs them themselves then
    there theres these they theyd theyll theyre theyve thing things this those though through
    thus to too under until up upon us ve very was wasnt way we wed well were weve werent what
    whats when whens where wheres whether which while who whos whom why whys will with within
    without wont would wouldnt yet you youd youll youre youve your yours yourself yourselves
    film films movie movies
    """
)
_stemmer = Stemmer.Stemmer("english")


_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")  # a word, with its contraction: "can't"


def _words(sentence: str) -> list[str]:
    """Lower-cased words, apostrophes straightened."""
    return _WORD.findall(sentence.lower().replace("’", "'"))


def _terms(words: Iterable[str]) -> list[str]:
    """Content words, stemmed: what a sentence's similarity to others is measured on."""
    return [term for word in words if (term := _term(word))]


@lru_cache(maxsize=1 << 16)
def _term(word: str) -> str | None:
    folded = fold(word).replace(" ", "")
    if len(folded) < 2 or folded.isdigit() or folded in _STOP_WORDS:
        return None
    return _stemmer.stemWord(folded)  # type: ignore[no-any-return]


# --- what kind of sentence -------------------------------------------------------------------
# Word lists are exact forms, not stems: "master thief" must not read as "masterful", nor
# "moves into" as "moving".

# Judgements of the film as a whole.
_VERDICT_WORDS = _word_set(
    """
    masterpiece masterpieces masterful masterfully masterclass classic flawed flaw flaws worth
    worthwhile worthy lingers linger lingering unforgettable legendary iconic essential overrated
    underrated recommend recommended disappointing disappointed disappointment revered acclaimed
    triumph gem favourite favorite
    """
)
_VERDICT_PHRASES = re.compile(  # matched on the words joined by single spaces
    r"\b(?:remains? one of|one of the (?:best|greatest|finest|most)|what makes|"
    r"makes? \w+(?: \w+)? (?:special|great|work|unique)|the (?:best|greatest|finest|worst)|"
    r"of all time|ever (?:made|put to film|filmed)|(?:cinema|film) history|must see|"
    r"(?:i|we) (?:love[ds]?|hated?|enjoyed|liked)|(?:is|really) about|true heart|falls? flat|"
    r"too long|at (?:its|their|his|her) (?:\w+ )?best|"
    r"(?:\d+(?: \d)?|ten|nine|eight|seven) (?:out of )?(?:10|5|ten|five)|\d(?: 5)? stars?)\b"
)
# Words without which none of the phrases can match: most sentences skip the regex.
_PHRASE_KEYS = _word_set(
    """
    one makes make best greatest finest worst time ever history must love loved loves hate hated
    enjoyed liked about heart flat long 10 5 ten five star stars
    """
)
# Words that judge something, though in narration they may describe the story instead
# ("perfectly planned heists"), and remarks on the craft rather than the story.
_OPINION_WORDS = _word_set(
    """
    brilliant brilliantly superb superbly excellent outstanding stunning stunningly gripping
    riveting electrifying intense powerful powerfully moving haunting hauntingly beautiful
    beautifully gorgeous tense thrilling compelling captivating mesmerizing mesmerising memorable
    special great good bad terrible awful boring dull bloated overlong tedious predictable clumsy
    shallow weak mediocre forgettable perfect perfectly perfection flawless flawlessly amazing
    incredible fantastic wonderful stylish slick clever smart funny hilarious scary fun
    impressive epic titan titans alive works fails performance performances acting direction
    directing cinematography score soundtrack script screenplay dialogue pacing editing visual
    visuals craft craftsmanship staged detail legend legends delivers drags dragged bored
    underwhelming overacted
    """
)
# Narration: story events, characters introduced with their actor, sentences opening on a
# character's pronoun or a step in time ("He leads …", "After the heist …").
_PLOT_WORDS = _word_set(
    """
    lead leads plan plans kill kills killed discover discovers meet meets try tries decide
    decides escape escapes arrive arrives return returns become becomes learn learns find finds
    steal steals murder murders chase chases hunt hunts flee flees rescue rescues marries dies
    """
)
_PLOT_OPENING = re.compile(
    r"(?:He|She|They|His|Her|Their|After|Later|Meanwhile|Then|Soon|Eventually|Opposite|"
    r"At its core is)\b"
)
# "Neil McCauley (Robert De Niro)". Names are bounded and space-separated so the regex runs in
# linear time on any text a member sends (no nested quantifiers to backtrack through).
_ACTOR_IN_PARENTHESES = re.compile(r"\([A-Z][\w'’.-]{0,30}(?: [A-Z][\w'’.-]{0,30}){0,3}\)")
VERDICT_BONUS: Final = 0.3  # states a verdict on the film
OPINION_BONUS: Final = 0.15  # uses judging words or talks about the craft
_MIN_WORDS = 4  # "Wow." and "9/10." say nothing on their own in a summary


@dataclass(frozen=True, slots=True)
class _Kind:
    weight: float  # scales centrality: verdicts and opinions up
    plot_only: bool  # narrates the story and judges nothing: shown only if nothing else fits


def _kind(sentence: str, words: Sequence[str]) -> _Kind:
    vocabulary = set(words)
    opinion = OPINION_BONUS if not vocabulary.isdisjoint(_OPINION_WORDS) else 0.0
    if not vocabulary.isdisjoint(_VERDICT_WORDS) or (
        not vocabulary.isdisjoint(_PHRASE_KEYS) and _VERDICT_PHRASES.search(" ".join(words))
    ):
        return _Kind(1 + VERDICT_BONUS + opinion, plot_only=False)
    narrates = (
        not vocabulary.isdisjoint(_PLOT_WORDS)
        or _PLOT_OPENING.match(sentence) is not None
        or _ACTOR_IN_PARENTHESES.search(sentence) is not None
    )
    return _Kind(1 + opinion, plot_only=narrates)


# --- the summary -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReviewText:
    """One review to summarise: a catalog document's prose or a member's review."""

    body: str
    spoiler: bool = False  # the whole review is a spoiler: it contributes nothing
    source_id: int | None = None  # the caller's id for it (review or document id)


@dataclass(frozen=True, slots=True)
class SummarySentence:
    text: str
    review: int  # index of its review in the input
    position: int  # index of the sentence in that review
    source_id: int | None


@dataclass(frozen=True, slots=True)
class Summary:
    """What ``summarize`` found; empty (and falsy) when the reviews hold nothing to show.

    Cache ``text`` (and ``source_ids`` if useful) with ``ALGORITHM_VERSION``: the same reviews
    always give the same summary under one version.
    """

    sentences: tuple[SummarySentence, ...] = ()

    @property
    def text(self) -> str:
        return " ".join(sentence.text for sentence in self.sentences)

    @property
    def source_ids(self) -> tuple[int, ...]:
        """Ids of the reviews quoted, each once, in reading order."""
        ids = (s.source_id for s in self.sentences if s.source_id is not None)
        return tuple(dict.fromkeys(ids))

    def __bool__(self) -> bool:
        return bool(self.sentences)


@dataclass(slots=True)
class _Node:
    text: str
    review: int
    position: int
    source_id: int | None
    vector: dict[str, float]
    shown: bool  # may appear in the summary (no spoiler, long enough)
    kind: _Kind
    score: float = 0.0


_SAME_REVIEW_WEIGHT = 0.5  # agreement inside one review counts half of agreement across reviews
_DAMPING = 0.85
_MIN_SIMILARITY = 0.03  # weaker links (one shared common word) are noise, and cost time
_TOLERANCE = 1e-5  # relative residual; outputs matched 1e-10's on 644 real inputs from 1e-4
_MAX_ROUNDS = 100
_REDUNDANT = 0.5  # cosine above which two sentences are near-duplicates, not agreement
_POOL = 8  # the best-ranked candidates that combinations are drawn from
_MAX_PER_REVIEW = 80  # a 4,000-character review has about 40 sentences
_MAX_SENTENCES = 600  # ranked in well under a second even if every pair is alike


def summarize(reviews: Sequence[ReviewText], *, max_chars: int = MAX_CHARS) -> Summary:
    """The 2–3 most central, judging sentences of ``reviews``, in reading order.

    At most ``max_chars`` characters in all (joined with spaces) where possible: three
    sentences if three fit, else two; if no two fit, the best sentence alone, whole.
    Deterministic: ties go to the earlier review, then the earlier sentence.
    """
    nodes = _nodes(reviews)
    candidates = [node for node in nodes if node.shown]
    if not candidates:
        return Summary()
    _rank(nodes)
    ranked = sorted(candidates, key=lambda n: (-n.score, n.review, n.position))
    # Plot-only narration is the penalised kind: it is shown only when the sentences that judge
    # cannot make a summary of two or three on their own.
    judging = [node for node in ranked if not node.kind.plot_only]
    chosen = _combination(judging[:_POOL], max_chars) or _combination(ranked[:_POOL], max_chars)
    if not chosen:  # no two fit: the best sentence that fits alone, else the best one, whole
        best = judging or ranked
        chosen = [next((n for n in best if len(n.text) <= max_chars), best[0])]
    chosen.sort(key=lambda n: (n.review, n.position))
    return Summary(
        tuple(SummarySentence(n.text, n.review, n.position, n.source_id) for n in chosen)
    )


def _nodes(reviews: Sequence[ReviewText]) -> list[_Node]:
    """The sentences to rank, with what ranking needs to know about each.

    Work is bounded whatever members send: the graph costs up to the square of its size,
    so each review gives at most its first ``_MAX_SENTENCES // len(reviews)`` sentences
    (between 3 and ``_MAX_PER_REVIEW``), and the ranking stops at ``_MAX_SENTENCES``.
    """
    sentences: list[tuple[int, int, str, int | None]] = []
    per_review = min(_MAX_PER_REVIEW, max(3, _MAX_SENTENCES // max(1, len(reviews))))
    for index, review in enumerate(reviews):
        if review.spoiler:
            continue
        split = split_sentences(_mark_spoilers(review.body))
        for position, sentence in enumerate(split[:per_review]):
            sentences.append((index, position, sentence, review.source_id))
        if len(sentences) >= _MAX_SENTENCES:
            del sentences[_MAX_SENTENCES:]
            break
    word_lists = [_words(text) for _, _, text, _ in sentences]
    vectors = _tf_idf([_terms(words) for words in word_lists])
    return [
        _Node(
            text=text,
            review=index,
            position=position,
            source_id=source_id,
            vector=vector,
            shown=_SPOILER_MARK not in text and len(words) >= _MIN_WORDS,
            kind=_kind(text, words),
        )
        for (index, position, text, source_id), words, vector in zip(
            sentences, word_lists, vectors, strict=True
        )
    ]


def _tf_idf(term_lists: Sequence[Sequence[str]]) -> list[dict[str, float]]:
    """Unit-length TF-IDF vectors, one per sentence (each sentence is a document)."""
    counts = [Counter(terms) for terms in term_lists]
    document_frequency = Counter(itertools.chain.from_iterable(counts))
    size = len(term_lists)
    idf = {t: math.log((1 + size) / (1 + df)) + 1 for t, df in document_frequency.items()}
    vectors = []
    for count in counts:
        weights = {term: n * idf[term] for term, n in count.items()}
        norm = math.hypot(*weights.values())
        vectors.append({t: w / norm for t, w in weights.items()} if norm else {})
    return vectors


def _similarities(nodes: Sequence[_Node]) -> dict[tuple[int, int], float]:
    """Cosine of every pair (i < j) sharing a term, through an inverted index (sparse)."""
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    dots: dict[tuple[int, int], float] = {}
    for j, node in enumerate(nodes):
        row: dict[int, float] = defaultdict(float)
        for term, weight in node.vector.items():
            posting = postings[term]
            for i, other in posting:
                row[i] += other * weight
            posting.append((j, weight))
        for i, dot in row.items():
            dots[i, j] = dot
    return dots


def _rank(nodes: list[_Node]) -> None:
    """Sets each node's score: LexRank centrality (mean 1) scaled by its kind of sentence."""
    size = len(nodes)
    graph = _Graph([[] for _ in range(size)], [[] for _ in range(size)])
    for (i, j), similarity in _similarities(nodes).items():
        if similarity < _MIN_SIMILARITY:
            continue
        weight = similarity * (_SAME_REVIEW_WEIGHT if nodes[i].review == nodes[j].review else 1)
        graph.add_edge(i, j, weight)
    for node, centrality in zip(nodes, _pagerank(graph), strict=True):
        node.score = centrality * size * node.kind.weight


@dataclass(frozen=True, slots=True)
class _Graph:
    """Undirected weighted graph: ``weights[i][k]`` is the edge from i to ``neighbours[i][k]``."""

    neighbours: list[list[int]]
    weights: list[list[float]]

    def add_edge(self, i: int, j: int, weight: float) -> None:
        self.neighbours[i].append(j)
        self.weights[i].append(weight)
        self.neighbours[j].append(i)
        self.weights[j].append(weight)


def _pagerank(graph: _Graph) -> list[float]:
    """PageRank (uniform teleport, damping ``_DAMPING``) of an undirected weighted graph.

    Solved as a linear system rather than by power iteration. With W the weights and D the
    weighted degrees, PageRank is r ∝ (I - d·W·D⁻¹)⁻¹·1 (teleport and dangling mass are both
    uniform, so they only scale the answer). Substituting r = D·y gives (D - d·W)·y = 1, which
    is symmetric positive definite: conjugate gradients preconditioned by D converge in ~12
    products with W where power iteration needs ~80. Isolated sentences just keep r = 1.
    """
    size = len(graph.neighbours)
    neighbours = graph.neighbours
    degree = [math.fsum(weights) for weights in graph.weights]
    damped = [[_DAMPING * w for w in weights] for weights in graph.weights]
    inverse_degree = [1 / d if d else 0.0 for d in degree]

    def system(y: Sequence[float]) -> list[float]:  # (D - d·W)·y
        return [
            degree[i] * y[i] - sum(map(operator.mul, damped[i], map(y.__getitem__, neighbours[i])))
            for i in range(size)
        ]

    y = [0.0] * size
    residual = [1.0 if d else 0.0 for d in degree]
    preconditioned = list(map(operator.mul, inverse_degree, residual))
    direction = preconditioned
    alignment = sum(map(operator.mul, residual, preconditioned))
    target = alignment * _TOLERANCE**2
    for _ in range(_MAX_ROUNDS):
        if alignment <= target:
            break
        product = system(direction)
        step = alignment / sum(map(operator.mul, direction, product))
        y = [a + step * b for a, b in zip(y, direction, strict=True)]
        residual = [a - step * b for a, b in zip(residual, product, strict=True)]
        preconditioned = list(map(operator.mul, inverse_degree, residual))
        new_alignment = sum(map(operator.mul, residual, preconditioned))
        beta = new_alignment / alignment
        direction = [z + beta * p for z, p in zip(preconditioned, direction, strict=True)]
        alignment = new_alignment
    rank = [d * v if d else 1.0 for d, v in zip(degree, y, strict=True)]
    total = sum(rank)
    return [r / total for r in rank]


def _combination(pool: Sequence[_Node], max_chars: int) -> list[_Node]:
    """The 2–3 sentences of ``pool`` with the highest total score that fit in ``max_chars``.

    Summing scores favours three sentences over two whenever the third adds anything, but
    lets two strong long sentences beat three weak short ones. Empty when no two fit.
    """
    best: tuple[float, list[_Node]] = (0.0, [])
    for combo in itertools.chain(itertools.combinations(pool, 3), itertools.combinations(pool, 2)):
        if sum(len(n.text) for n in combo) + len(combo) - 1 > max_chars or _redundant(combo):
            continue
        total = sum(n.score for n in combo)
        if not best[1] or total > best[0]:
            best = (total, list(combo))
    return best[1]


def _redundant(combo: Sequence[_Node]) -> bool:
    return any(
        _cosine(a.vector, b.vector) > _REDUNDANT for a, b in itertools.combinations(combo, 2)
    )


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(weight * b.get(term, 0.0) for term, weight in a.items())
