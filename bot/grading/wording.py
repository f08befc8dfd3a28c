"""How closely an answer follows the model answer's wording, for answer-only questions.

Derived key points and word overlap miss much of what tells a right short answer from a wrong
one that uses the same words. These measures read a little more of it, and each is cheap:
- the words the answer shares with the model answer beyond the question's own words, in a
  word-count cosine: the question's terms say nothing of whether the answer is right, on
  either side ("the bulb is in a closed path" against a question about a closed path);
- pairs of adjacent words it shares, so word order counts ("A affects B" is not "B affects A",
  "not in a closed path" is not "in a closed path");
- runs of three letters it shares, so "tightened" meets "tighter" and "conects" meets
  "connects" where stems and spelling fixes miss;
- an edit-distance likeness of the two texts with their words sorted;
- and its length beside the model answer's, up to as long: a far shorter answer seldom says
  all of it;
- less a fixed penalty if it affirms the opposite of a word the model answer affirms ("the
  bulbs are in different paths" against "similar paths", "closed" against "open").
They are blended with the measures of `bot.grading.reference` by WEIGHTS, fitted with a
logistic regression on the tuning half of the SemEval-2013 questions only (the other half
reports them; see `bot.grading.semeval`) and rounded.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Final, TypeVar

from rapidfuzz import fuzz

from bot.grading.text import is_content, normalise, stem, tokenize

if TYPE_CHECKING:
    from bot.grading.quality import Answer

GRAM: Final = 3
# Taken off the blended score of an answer that affirms the opposite of what the model answer
# affirms (`bot.grading.reference.contradicts`); set on the tuning half too.
CONTRARY_PENALTY: Final = 0.25
_Key = TypeVar("_Key")


@dataclass(frozen=True, slots=True)
class Weights:
    """Shares of the blended score; it is divided by their sum, so it stays in 0-1."""

    likeness: float = 0.5
    beyond_question: float = 1.5
    word_pairs: float = 1.0
    letters: float = 1.5
    sorted_text: float = 0.75
    length: float = 1.5

    @property
    def total(self) -> float:
        return sum(float(getattr(self, f.name)) for f in fields(self))


WEIGHTS: Final = Weights()


@dataclass(frozen=True, slots=True, eq=False)
class Wording:
    """A model answer's wording, compiled once per question."""

    beyond: dict[str, int]
    pairs: dict[tuple[str, str], int]
    grams: dict[str, int]
    text: str  # normalised, for the edit-distance likeness
    length: int

    @classmethod
    def of(cls, model_answer: str, asked: Iterable[str]) -> Wording:
        """`asked` are the question's content stems."""
        words = tokenize(normalise(model_answer))
        return cls(
            beyond=_beyond(words, frozenset(asked)),
            pairs=_pairs(words),
            grams=_grams(words),
            text=normalise(model_answer),
            length=len(words),
        )


def closeness(
    wording: Wording, asked: frozenset[str], answer: Answer, like: float, *, contrary: bool
) -> float:
    """The answer-only score in 0-1: `like` (the likeness to the model answer, derived points
    included) blended with the wording measures above, less a penalty if the answer says the
    opposite of the model answer (`contrary`)."""
    if not wording.length or not answer.words:
        return 0.0
    words = answer.words
    beyond = _beyond(words, asked) if wording.beyond else Counter()
    value = (
        WEIGHTS.likeness * like
        + WEIGHTS.beyond_question * _cosine(beyond, wording.beyond)
        + WEIGHTS.word_pairs * _cosine(_pairs(words), wording.pairs)
        + WEIGHTS.letters * _cosine(_grams(words), wording.grams)
        + WEIGHTS.sorted_text * fuzz.token_sort_ratio(answer.text, wording.text) / 100
        + WEIGHTS.length * min(1.0, len(words) / wording.length)
    )
    value /= WEIGHTS.total
    if contrary:
        value -= CONTRARY_PENALTY
    return max(0.0, min(1.0, value))


def _beyond(words: Sequence[str], asked: frozenset[str]) -> dict[str, int]:
    return Counter(s for s in (stem(w) for w in words if is_content(w)) if s not in asked)


def _pairs(words: Sequence[str]) -> dict[tuple[str, str], int]:
    stems = [stem(w) for w in words]
    return Counter(itertools.pairwise(stems))


def _grams(words: Sequence[str]) -> dict[str, int]:
    text = " ".join(stem(w) for w in words)
    return Counter(text[i : i + GRAM] for i in range(len(text) - GRAM + 1))


def _cosine(x: Mapping[_Key, int], y: Mapping[_Key, int]) -> float:
    dot = sum(n * y.get(k, 0) for k, n in x.items())
    if not dot:
        return 0.0
    norm = math.sqrt(sum(n * n for n in x.values())) * math.sqrt(sum(n * n for n in y.values()))
    return dot / norm
