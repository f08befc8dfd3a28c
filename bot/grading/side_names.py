"""How a comparison question names its two sides ("L1 and L2", "the bias-variance
trade-off"), and which side each key point is about."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from bot.grading.text import is_content, normalise, stem, tokenize

NOTHING: Final[frozenset[str]] = frozenset()


@dataclass(frozen=True, slots=True)
class Side:
    forms: frozenset[str]
    name: str


def frozen(words: Iterable[str]) -> frozenset[str]:
    """The words as a frozenset, the one shared empty set when there are none: most points
    have several empty ones, and each would cost a table of its own."""
    return frozenset(words) or NOTHING


_COORDINATORS: Final = frozenset({"and", "or", "vs", "versus"})
# "the bias-variance trade-off", "precision/recall": two sides joined by a dash or a slash.
_JOINED_PAIR: Final = re.compile(r"\b([^\W_]+)\s?[-/]\s?([^\W_]+)\b")
_NO_SIDE: Final = Side(NOTHING, "")


def contrasted(prompt: str, subjects: set[str]) -> list[tuple[Side, Side]]:
    """Pairs of things the question sets against each other: "L1 and L2", "random forests
    and gradient boosting", "mean squared error and (when with) mean absolute error", "the
    bias-variance trade-off".

    A side is the words and initials ("mse") that tell it from the other side, kept only if
    some key point starts with them: those are the things the rubric talks about.
    """
    pairs: list[tuple[Side, Side]] = []
    for segment in re.split(r"[,;:?.!()]", prompt):
        tokens = tokenize(segment)
        for i, token in enumerate(tokens):
            if token not in _COORDINATORS or i == 0:
                continue
            left: list[str] = []
            for word in reversed(tokens[:i]):
                if not is_content(word):
                    break
                left.insert(0, word)
            right: list[str] = []
            skipped = 0
            for word in tokens[i + 1 :]:
                if is_content(word):
                    right.append(word)
                elif right or skipped == 2:
                    break
                else:
                    skipped += 1
            pair = _pair(left, right, subjects)
            if pair:
                pairs.append(pair)
    for match in _JOINED_PAIR.finditer(prompt):
        pair = _pair([match.group(1)], [match.group(2)], subjects)
        if pair:
            pairs.append(pair)
    return pairs


def _pair(left: list[str], right: list[str], subjects: set[str]) -> tuple[Side, Side] | None:
    full_a, full_b = _forms(left), _forms(right)
    a, b = (full_a - full_b) & subjects, (full_b - full_a) & subjects
    if not (a and b):
        return None
    # Initials name a side too ("RF" for random forests), though no point starts with them.
    a, b = a | _initials(left), b | _initials(right)
    return Side(a, _name(left, a)), Side(b, _name(right, b))


def _initials(words: list[str]) -> frozenset[str]:
    """Initials of the last two words and more: "rf" for "compare random forests"."""
    return frozenset("".join(w[0] for w in words[-k:]) for k in range(2, len(words) + 1))


def _name(words: list[str], forms: frozenset[str]) -> str:
    named = [w for w in words if w in forms or stem(w) in forms]
    return " ".join(named or words)


def cased(side: Side, prompt: str) -> Side:
    """The side with its name spelt as the question spells it ("L1", not "l1")."""
    found = re.search(re.escape(side.name), prompt, re.IGNORECASE)
    return Side(side.forms, found.group() if found else side.name)


def first_word(point: str) -> set[str]:
    words = [w for w in tokenize(normalise(point)) if is_content(w)]
    return {words[0], stem(words[0])} if words else set()


def _forms(words: list[str]) -> frozenset[str]:
    forms = {stem(w) for w in words}
    if len(words) >= 2:
        forms.add("".join(w[0] for w in words))
    return frozenset(forms)


def qualifiers_of(prompt: str, side_forms: frozenset[str]) -> frozenset[str]:
    words = [w for w in tokenize(prompt) if is_content(w)]
    return frozen(
        stem(a)
        for a, b in itertools.pairwise(words)
        if stem(b) in side_forms and stem(a) not in side_forms
    )


def side_of(
    point: str, sides: list[tuple[Side, Side]], qualifiers: frozenset[str]
) -> tuple[Side, Side]:
    """The side a point is about: it names one side and never the other, wherever in the
    point ("Favour recall when missing a positive is costly" is about recall). A name with a
    qualifier is another thing ("logistic regression")."""
    words = [w for w in tokenize(normalise(point)) if is_content(w)]
    plain = [w for i, w in enumerate(words) if i == 0 or stem(words[i - 1]) not in qualifiers]
    named = {stem(w) for w in plain} | set(plain)
    for a, b in sides:
        for own, other in ((a, b), (b, a)):
            if named & own.forms and not named & other.forms:
                return own, other
    return _NO_SIDE, _NO_SIDE
