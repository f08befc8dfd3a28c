"""Which way a word is said to go: "higher temperature" is not "lower temperature".

Phrasings match as sets of words, so "a higher temperature makes the output more
deterministic" holds every word of "a lower temperature makes the output more deterministic",
and a listed misconception about a direction could not be told from its correction. A phrasing
therefore binds each direction word to the word it qualifies ("higher" to temperature, "more"
to deterministic), and a sentence keeps a binding when the direction word it says next to
that word goes the same way.

Matching a key point, a binding only vetoes: a sentence that says the word with the opposite
direction does not make the point, and one that gives no direction still may ("temperature
near zero gives deterministic text"). Matching a misconception, every binding must be kept:
a wrong claim is only asserted when its directions are said.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Sequence
from typing import Final

from bot.grading.text import CLAUSE_WORDS, STOP_WORDS, Sentence, is_negation, stem

UP: Final = 1
DOWN: Final = -1
# How a direction is said: a level ("high bias"), a comparison ("higher bias") or a change
# ("raises the bias"). A claim that something changes is not made by naming a level: "deep,
# low-bias trees" does not say that averaging them reduces bias.
LEVEL: Final = 1
COMPARED: Final = 2
CHANGE: Final = 3


def _polarity() -> dict[str, int]:
    kinds = {
        (UP, LEVEL): "high large big",
        (UP, COMPARED): "higher highest larger largest bigger biggest more greater",
        (UP, CHANGE): """increase increases increased increasing raise raises raised raising
            grow grows grew growing rise rises rose rising""",
        (DOWN, LEVEL): "low small tiny",
        (DOWN, COMPARED): "lower lowest smaller smallest less fewer",
        (DOWN, CHANGE): """decrease decreases decreased decreasing reduce reduces reduced
            reducing reduction lowers lowered lowering shrink shrinks shrank shrinking drops
            dropped dropping cuts cutting""",
    }
    return {w: way * kind for (way, kind), words in kinds.items() for w in words.split()}


# By the word as written, not its stem: "reducer" and "boosted trees" give no direction.
POLARITY: Final = _polarity()
# "Up" and "down" give a direction only after a verb of moving: "variance goes down", not
# "ends up normally distributed".
_PARTICLES: Final = {"up": UP * CHANGE, "down": DOWN * CHANGE}
_MOVING: Final = frozenset({"go", "goes", "going", "went", "gone", "shoots", "shot", "comes"})
# Verbs that link a direction said after a word back to it: "variance goes down", "the
# p-values come out too large".
_LINKS: Final = frozenset(
    {"go", "goes", "going", "went", "gone", "become", "becomes", "became", "stay", "stays"}
    | {"stayed", "come", "comes", "came", "turn", "turns", "turned", "seem", "seems", "look"}
    | {"looks"}
)
_ARTICLES: Final = frozenset({"the", "a", "an"})
# How many words may stand between a direction word and the word it qualifies: "higher
# temperature", "the learning rate should be large".
REACH: Final = 4


def direction_of(tokens: Sequence[str], at: int) -> int:
    """The direction the word at `at` gives, times how it is said; 0 for none."""
    token = tokens[at]
    if token in _PARTICLES:
        return _PARTICLES[token] if at and tokens[at - 1] in _MOVING else 0
    return POLARITY.get(token, 0)


def _sign(way: int) -> int:
    return (way > 0) - (way < 0)


def _after_its_word(tokens: Sequence[str], at: int) -> bool:
    """An adjective or comparison said right after a word and before a small word belongs to
    that word: "the prior matters more as data grows"."""
    return (
        abs(direction_of(tokens, at)) != CHANGE
        and 0 < at < len(tokens) - 1
        and tokens[at - 1] not in STOP_WORDS
        and tokens[at + 1] in STOP_WORDS
        and tokens[at + 1] not in _ARTICLES
    )


def _qualified(tokens: Sequence[str], at: int, breaks: Collection[int] = ()) -> int | None:
    """The word a direction word qualifies: the next word that says something ("higher
    temperature", "reduces the variance"), else the one before ("variance goes down"). A
    comparison with "than" and a direction that ends its clause ("as temperature increases,
    ...") look back."""
    ahead = (
        at + 1 < len(tokens)
        and tokens[at + 1] != "than"
        and at + 1 not in breaks
        and tokens[at] not in _PARTICLES
        and not _after_its_word(tokens, at)
    )
    for step in (1, -1) if ahead else (-1,):
        i = at + step
        while 0 <= i < len(tokens) and abs(i - at) <= REACH:
            token = tokens[i]
            if direction_of(tokens, i) or is_negation(token):
                break
            if token not in STOP_WORDS and token not in _LINKS:
                return i
            if step == 1 and i + 1 in breaks:
                break
            i += step
    return None


def _breaks(tokens: Sequence[str]) -> frozenset[int]:
    """Where a phrasing opens a clause, as a sentence would: "small so ill-conditioned"."""
    return frozenset(i for i, t in enumerate(tokens) if i and t in CLAUSE_WORDS)


def _qualifying(tokens: Sequence[str]) -> list[tuple[int, int]]:
    """Each direction word of a phrasing with the word it qualifies, as positions."""
    breaks = _breaks(tokens)
    said = (at for at in range(len(tokens)) if direction_of(tokens, at))
    pairs = ((at, _qualified(tokens, at, breaks)) for at in said)
    return [(at, target) for at, target in pairs if target is not None]


def bindings(tokens: Sequence[str]) -> tuple[tuple[str, int], ...]:
    """Each qualified word's stem with the direction a phrasing gives it, in order."""
    bound: dict[str, int] = {}
    for at, target in _qualifying(tokens):
        bound.setdefault(stem(tokens[target]), direction_of(tokens, at))
    return tuple(bound.items())


def bound_words(tokens: Sequence[str]) -> frozenset[str]:
    """Stems of the direction words that qualify some word, which a claim checks as bindings
    rather than as words of its own."""
    return frozenset(stem(tokens[at]) for at, _ in _qualifying(tokens))


def said_direction(sentence: Sentence, position: int, *, in_negation: bool = False) -> int:
    """The direction the sentence gives the word at `position`: that of the nearest direction
    word which qualifies it by the rule phrasings are read by. 0 when it gives none, or gives
    it only inside a negation, whose reach is too loose to tell what it turns round, unless
    the phrasing itself is negated (`in_negation`): "big networks never overfit"."""
    tokens = sentence.tokens
    for distance in range(1, REACH + 1):
        for at in (position - distance, position + distance):
            if (
                0 <= at < len(tokens)
                and (way := direction_of(tokens, at))
                and _qualifies(sentence, at, position)
            ):
                return way if in_negation or at not in sentence.denied else 0
    return 0


def _qualifies(sentence: Sentence, at: int, position: int) -> bool:
    """The direction word at `at` qualifies the word at `position`, or a word before it in one
    run of words: "raises the total score" raises the score ("less precise, biased" does not
    lower the bias)."""
    tokens = sentence.tokens
    target = _qualified(tokens, at, sentence.clause_starts)
    if target is None or target > position or position - target > 2:
        return False
    return all(
        tokens[i] not in STOP_WORDS and (i == target or i not in sentence.commas)
        for i in range(target, position + 1)
    )


def _occurrences(sentence: Sentence, word: str) -> list[int]:
    return [i for i, t in enumerate(sentence.tokens) if stem(t) == word]


def _nearest(candidates: list[int], found: tuple[int, ...]) -> int:
    """The occurrence closest to the rest of the match: in "a high temperature is random and a
    low temperature is deterministic", the temperature said of determinism is the low one."""
    others = [p for p in found if p not in candidates] or list(found)
    return min(candidates, key=lambda c: (sum(abs(c - p) for p in others), c))


def keeps_directions(
    sentence: Sentence,
    found: tuple[int, ...],
    bound: tuple[tuple[str, int], ...],
    *,
    strict: bool,
    negated: bool = False,
) -> bool:
    """The sentence says each bound word, near the match, going the phrasing's way; a word it
    says going the other way breaks the match.

    When `strict`, a word given no direction breaks it too, and so does a level said for a
    change ("low-bias trees" is no "reduces bias"). A "than" between two bound words sets one
    against the other: "zero is more deterministic than a high temperature"."""
    if not bound or not found:
        return True
    chosen: list[int] = []
    for word, way in bound:
        at = _occurrences(sentence, word)
        if not at:
            if strict:
                return False
            continue
        position = _nearest(at, found)
        said = said_direction(sentence, position, in_negation=negated)
        if _sign(said) == -_sign(way):
            return False
        if strict and (not said or (abs(way) == CHANGE and abs(said) == LEVEL)):
            return False
        chosen.append(position)
    if strict and len(chosen) > 1:
        first, last = min(chosen), max(chosen)
        return "than" not in sentence.tokens[first:last]
    return True


def after_than(sentence: Sentence, found: tuple[int, ...], words: frozenset[str]) -> bool:
    """Some of the matched words name what something is compared with, the words right after
    a "than": in "k-medoids is more robust to outliers than k-means", k-means is not said to be
    robust; in "a ratio higher than 0.8 signals adverse impact", the signalling still is."""
    tokens = sentence.tokens
    for than in (i for i in range(found[0], found[-1]) if tokens[i] == "than"):
        start = next((i for i in range(than + 1, len(tokens)) if tokens[i] not in STOP_WORDS), None)
        if start is None:
            continue
        compared = itertools.takewhile(
            lambda i: tokens[i] not in STOP_WORDS and i not in sentence.clause_starts,
            range(start, min(start + 3, len(tokens))),
        )
        if any(stem(tokens[i]) in words for i in compared):
            return True
    return False


def keeps_sides_of_than(
    sentence: Sentence, found: tuple[int, ...], before: frozenset[str], *, negated: bool = False
) -> bool:
    """A phrasing that compares keeps its order about the answer's "than": "a GRU has more
    parameters than an LSTM" is not said by "an LSTM has more parameters than a GRU"."""
    tokens = sentence.tokens
    if not before or "than" not in tokens[found[0] : found[-1]]:
        return True
    than = tokens.index("than", found[0])
    said_before = {
        stem(tokens[p]) for p in range(found[0], than) if negated or p not in sentence.denied
    }
    return before <= said_before
