"""Which side of a comparison a sentence speaks of: "L1 and L2", "bias and variance".

A word is said of a side when that side is named shortly before it in its clause, as the
subject ("L2 gives sparse models"), not as an object ("dividing the covariance by ...") nor
inside another name ("logistic regression").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from bot.grading.claims import said_in_order
from bot.grading.compiled import Phrasing, Point
from bot.grading.side_names import NOTHING
from bot.grading.text import Sentence, is_content, stem
from bot.grading.words import RELATIVES

# How far back a side named before a point's own word still owns it: "L2 uses squares".
SIDE_REACH: Final = 12
# Directions an answer must pair with sides before it can have swapped them.
MIN_DIRECTIONS: Final = 2
_COPULAS: Final = frozenset({"is", "are", "was", "were", "means", "mean"})
_DETERMINERS: Final = frozenset({"the", "a", "an"})
_PREPOSITIONS: Final = frozenset(
    {"by", "of", "with", "to", "from", "than", "on", "in", "for", "into", "over"}
)
_EACH: Final = frozenset({"each", "every"})
# Words that open a clause with a subject of its own, and words that may ("and it is ...").
_CONTRASTING: Final = frozenset({"but", "while", "whereas"})
_JOINERS: Final = frozenset({"and", "so", "then", "or"})
# Prepositions that open a clause on its topic: "In supervised learning, ...".
_FRAMES: Final = frozenset({"in", "for", "with"})
# Nouns a side's name may qualify, which then is no longer the side itself.
_HEAD_NOUNS: Final = frozenset(
    [
        "matrix",
        "matrices",
        "function",
        "functions",
        "term",
        "terms",
        "curve",
        "curves",
        "plot",
        "test",
        "tests",
        "score",
    ]
)


def _side_named_before(point: Point, sentence: Sentence, position: int) -> str | None:
    """Which side, "anchor" or "rival", is named last at or before a position, if any."""
    for token in reversed(sentence.tokens[: position + 1]):
        named = {token, stem(token)}
        if named & point.anchor:
            return "anchor"
        if named & point.rival:
            return "rival"
    return None


def about_the_other_side(point: Point, sentence: Sentence, found: tuple[int, ...]) -> bool:
    """The side named last before the match is the other one: "L2 gives sparse models" does
    not make the point that L1 does. Of things the question lists, the one the clause is
    about: in "a collective anomaly is a set of points", the points are not the subject."""
    if point.listed:
        return _listed_subject(point, sentence, found[-1]) == "rival"
    return bool(point.rival) and _side_named_before(point, sentence, found[-1]) == "rival"


def _listed_subject(point: Point, sentence: Sentence, position: int) -> str | None:
    """The listed thing a word is said of: the subject of its clause, else the last one named
    as a subject before it in the sentence ("Unigram is bottom-up: it merges ...")."""
    named = _named_subject(point, sentence, position, NOTHING) or _named_subject(
        point, sentence, position, NOTHING, anywhere=True
    )
    return named[0] if named else None


def said_of(point: Point, sentence: Sentence, position: int, asked: frozenset[str]) -> str | None:
    """The side a word is plainly said of: named shortly before in its clause, and not inside
    a longer name ("logistic regression" is not regression, "the covariance matrix" not
    covariance)."""
    named = _named_subject(point, sentence, position, asked)
    return named[0] if named else None


def _named_subject(
    point: Point,
    sentence: Sentence,
    position: int,
    asked: frozenset[str],
    skip: tuple[int, ...] = (),
    *,
    anywhere: bool = False,
) -> tuple[str, int] | None:
    """Which side is the subject a word is said of, and where it is named: within its clause
    and SIDE_REACH words, or `anywhere` before it in the sentence."""
    sides = point.anchor | point.rival
    start = 0 if anywhere else max(_subject_clause_start(sentence, position), position - SIDE_REACH)
    for index in range(position, start - 1, -1):
        token = sentence.tokens[index]
        named = {token, stem(token)}
        if (
            index not in skip
            and named & sides
            # "each point looks normal" counts instances; it does not name point anomalies.
            and (index == 0 or sentence.tokens[index - 1] not in _EACH)
            and not _in_compound(sentence, index, sides | asked)
            and not _after_verb_or_preposition(sentence, index)
        ):
            return ("anchor" if named & point.anchor else "rival"), index
    return None


def accused_of_the_other_side(
    point: Point, sentence: Sentence, found: tuple[int, ...], asked: frozenset[str]
) -> bool:
    """The match is plainly said of the other side: its subject, not a name inside the match
    ("each point looks normal" is no point anomaly), and with this point's own side not named
    between the two ("MAE is smaller than RMSE, and the gap reveals large errors")."""
    if not point.rival:
        return False
    named = _named_subject(point, sentence, found[0], asked, skip=found)
    if named is None or named[0] != "rival":
        return False
    return not any(
        {token, stem(token)} & point.anchor for token in sentence.tokens[named[1] + 1 : found[0]]
    )


def _subject_clause_start(sentence: Sentence, position: int) -> int:
    """Where the clause holding a position starts, reading "X is when ..." as one clause."""
    start, _ = sentence.clause_around(position, position)
    while start > 1 and (
        sentence.tokens[start - 1] in _COPULAS or sentence.tokens[start] in RELATIVES
    ):
        start, _ = sentence.clause_around(start - 1, start - 1)
    return start


def _after_verb_or_preposition(sentence: Sentence, index: int) -> bool:
    """The name is an object ("dividing the covariance by"), not what the clause is about."""
    before = index - 1
    while before >= 0 and sentence.tokens[before] in _DETERMINERS:
        before -= 1
    if before < 0 or before + 1 in sentence.commas:
        return False
    word = sentence.tokens[before]
    return word in _PREPOSITIONS or (is_content(word) and word not in _COPULAS)


def names_the_subject(sentence: Sentence, found: tuple[int, ...], subject: frozenset[str]) -> bool:
    """The clause of a match is about `subject`: each of the match's other words has it named
    before it, within their clause, and not as an object ("unlike ARIMA", "than ARIMA")."""

    def names(index: int) -> bool:
        return bool({sentence.tokens[index], stem(sentence.tokens[index])} & subject)

    rest = [p for p in found if not names(p)] or [min(found)]
    return all(_subject_before(sentence, position, names) for position in rest)


def _subject_before(sentence: Sentence, position: int, names: Callable[[int], bool]) -> bool:
    """The clause holding `position` names the thing before it as its subject or topic."""
    tokens = sentence.tokens
    start = _subject_clause_start(sentence, position)
    for index in range(position - 1, start - 1, -1):
        # "prefill is compute-bound and decode is memory-bound": a clause with its own subject,
        # unlike "Frobenius and spectral norms are ...", where "and" joins one subject.
        if tokens[index] in _CONTRASTING or (
            tokens[index] in _JOINERS
            and _COPULAS & set(tokens[index + 1 : min(index + 4, position)])
            and _COPULAS & set(tokens[start:index])
        ):
            return False
        if names(index) and (
            not _after_verb_or_preposition(sentence, index) or _framed_by(sentence, index, start)
        ):
            return True
        if index in sentence.commas:
            return False
    # "... learns a model and then plans with it": a second verb of the subject named before.
    if start > 0 and not any(is_content(t) for t in tokens[start:position] if t not in _JOINERS):
        return _subject_before(sentence, start if start < position else start - 1, names)
    return False


def _framed_by(sentence: Sentence, index: int, start: int) -> bool:
    """The clause opens with the name as its topic: "In supervised learning the model ...",
    "For bottom-up, ..."."""
    before = index - 1
    while before > start and sentence.tokens[before] in _DETERMINERS:
        before -= 1
    return before == start and sentence.tokens[before] in _FRAMES


def said_of_the_other_side(
    point: Point, sentence: Sentence, position: int, asked: frozenset[str]
) -> bool:
    return bool(point.rival) and said_of(point, sentence, position, asked) == "rival"


def _in_compound(sentence: Sentence, index: int, allowed: frozenset[str]) -> bool:
    """A word qualifies the side's name ("logistic regression") or the name qualifies a
    noun after it ("covariance matrix")."""
    tokens = sentence.tokens
    before = tokens[index - 1] if index > 0 and index not in sentence.commas else ""
    after = tokens[index + 1] if index + 1 < len(tokens) else ""
    if before and is_content(before) and before not in allowed and stem(before) not in allowed:
        return True
    # A noun the question itself puts after the name ("the ROC curve") is part of it.
    return after in _HEAD_NOUNS and stem(after) not in allowed and index + 1 not in sentence.commas


def swapped_directions(phrasing: Phrasing, sentence: Sentence, found: tuple[int, ...]) -> bool:
    """The answer pairs each direction with the other side: "raises bias and lowers variance"
    for "lower bias, higher variance"."""
    if not phrasing.pairs:
        return False
    sides = {side for _, side in phrasing.pairs}
    start, end = sentence.clause_around(found[0], found[-1])
    stems = [stem(t) for t in sentence.tokens]
    named = [i for i in range(len(stems)) if stems[i] in sides]
    swapped = judged = 0
    for direction, side in phrasing.pairs:
        at = [i for i in range(start, end) if stems[i] == direction]
        if not at or not named:
            continue
        judged += 1
        nearest = min(named, key=lambda i: (abs(i - at[0]), i < at[0]))
        swapped += stems[nearest] != side
    # One direction alone may belong to something else: in "as you increase complexity, bias
    # goes down" the "increase" is said of complexity, not of bias.
    return judged >= MIN_DIRECTIONS and swapped > 0


def swaps_bound_words(phrasing: Phrasing, sentence: Sentence, found: tuple[int, ...]) -> bool:
    """The answer says of each side what the phrasing says of the other: "k-NN is
    unsupervised, k-means supervised" for "k-NN supervised, k-means unsupervised"."""
    if not phrasing.bound or not found:
        return False
    sides = {side for _, side in phrasing.bound}
    start, end = sentence.clause_around(found[0], found[-1])
    stems = [stem(t) for t in sentence.tokens[start:end]]
    named = [i for i, s in enumerate(stems) if s in sides]
    if not named:
        return False
    swapped: set[str] = set()
    for word, side in phrasing.bound:
        at = next((i for i, s in enumerate(stems) if s == word), None)
        if at is None:
            continue
        said_of = stems[max((i for i in named if i < at), default=named[0])]
        if said_of != side:
            swapped.add(side)
    # Words swapped on both sides: one word alone may be shared by the two.
    return len(swapped) >= MIN_DIRECTIONS


def straddles_the_other_side(point: Point, sentence: Sentence, found: tuple[int, ...]) -> bool:
    """A side is named inside the match: in "recall is how many you flagged, and precision
    is how many positives" the words "flagged ... positives" make no point."""
    sides = point.rival | point.anchor
    return (
        bool(point.rival)
        and not point.listed
        and any(
            {sentence.tokens[i], stem(sentence.tokens[i])} & sides
            for i in range(found[0] + 1, found[-1])
            if i not in found  # the phrasing may name its own side: "check the interviewer"
        )
    )


def said_on_one_side(point: Point, phrasing: Phrasing, sentence: Sentence) -> bool:
    """A match that straddles a side's name is made when its words are also said together
    after it: "once a point is past the margin, hinge loss ignores it, so only the points near
    the boundary matter" (the first "point" is not the one that makes it)."""
    stems = tuple(t.stem for t in phrasing.terms)
    again = said_in_order(sentence, stems, 2 * len(stems) + 1)
    return bool(again) and not (
        straddles_the_other_side(point, sentence, again)
        or about_the_other_side(point, sentence, again)
    )
