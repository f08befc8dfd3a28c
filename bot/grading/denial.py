"""Whether a sentence takes back what its words say: a negation that denies a point, a
condition, a claim set aside ("unlike RLHF, which trains a reward model") or turned round
("step opposite to the gradient")."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from bot.grading.text import Sentence, is_content, stem
from bot.grading.words import RELATIVES, word_set

# Words that open a condition: "the danger is when the small table isn't small" denies
# nothing, it says when something goes wrong; "without the KL penalty the policy drifts" says
# what the penalty prevents.
_CONDITIONS: Final = frozenset({"if", "when", "whenever", "unless", "once", "without"})


# Words right before a claim's words that set it aside rather than assert it: "unlike RLHF,
# which trains a reward model", "rather than send every alert", "instead of assigning each
# request at random".
_SETTING_ASIDE: Final = (("unlike",), ("rather", "than"), ("instead", "of"))
# How many words before a claim's word a setting-aside cue still reaches: "rather than trying
# to read everything".
_ASIDE_REACH: Final = 5
# What goes on about the thing set aside after a comma: "unlike RLHF, which ...".
_GOES_ON: Final = RELATIVES | {"where"}
# Words inside a claim's words that turn its direction round: "step opposite to the gradient"
# is not "step along the gradient".
_REVERSING: Final = frozenset({"opposite", "against", "contrary"})


def set_aside(
    sentence: Sentence,
    found: tuple[int, ...],
    own: frozenset[str] = frozenset(),
    *,
    compares: bool = False,
) -> bool:
    """The claim's words are introduced as what the answer does not do, or said with a
    word that reverses them which the claim itself (`own`) does not use."""
    tokens = sentence.tokens
    # Before the claim's first word, or, for a claim that sets nothing aside itself, inside it
    # before a later one: "hinge loss gives raw scores instead of probabilities" gives none.
    inside = not compares and not own & {"instead", "unlike"}
    for position in found if inside else found[:1]:
        floor = 0 if position == found[0] else found[0] + 1
        start = max(floor, position - _ASIDE_REACH)
        # A comma ends what was set aside ("instead of pickle, I use ONNX"), unless a
        # relative clause goes on about it ("unlike RLHF, which trains a reward model").
        commas = [c for c in sentence.commas if start < c <= position and tokens[c] not in _GOES_ON]
        before = tokens[max([start, *commas]) : position]
        for cue in _SETTING_ASIDE:
            if any(tuple(before[i : i + len(cue)]) == cue for i in range(len(before))):
                return True
    return any(
        tokens[i] in _REVERSING and tokens[i] not in own for i in range(found[0] + 1, found[-1])
    )


def denies_the_remedy(sentence: Sentence, found: tuple[int, ...], terms: set[str]) -> bool:
    """A word of its own stands between the negation and what it denies: "doesn't help with
    skew" denies the remedy, "can't co-adapt" only says the harm is prevented."""
    cues = [c for c in sentence.negations if c < found[0]]
    if not cues:
        return True
    between = sentence.tokens[cues[-1] + 1 : found[0]]
    return any(is_content(w) and stem(w) not in terms for w in between)


def in_condition(sentence: Sentence, found: tuple[int, ...]) -> bool:
    """The clause of the match states a condition, not a claim: "when X isn't Y"."""
    start, _ = sentence.clause_around(found[0], found[-1])
    return sentence.tokens[start] in _CONDITIONS


# Verbs that, negated after a subject, dismiss it: "mean imputation isn't useful", "scaling
# doesn't matter".
_DISMISSING: Final = frozenset(
    map(
        stem,
        (
            "matter",
            "useful",
            "need",
            "needed",
            "necessary",
            "help",
            "work",
            "important",
            "required",
            "worth",
            "relevant",
            "affect",
            "use",
            "apply",
            "good",
            "valid",
        ),
    )
)


def said_after_a_negation(sentence: Sentence, found: tuple[int, ...]) -> bool:
    """Some of the words come after the negation, or the negation dismisses the words before
    it: "temperature scaling does not change the ranking" says what the subject does not do,
    and denies nothing of the subject itself."""
    for cue in sentence.negations:
        if cue < found[-1]:
            return True
        after = [t for t in sentence.tokens[cue + 1 : cue + 4] if is_content(t)]
        if after and stem(after[0]) in _DISMISSING and not _has_object(sentence, cue, after[0]):
            return True
    return False


# Words that turn a negation into a restriction: "the towers never talk until the final dot
# product" says when they meet, and denies nothing of it.
_RESTRICTIONS: Final = word_set("until till except")


def restricted(sentence: Sentence, found: tuple[int, ...]) -> bool:
    """The negation before the match is bounded by "until" or "except" in its clause."""
    start, end = sentence.clause_around(found[0], found[-1])
    cues = [cue for cue in sentence.negations if start <= cue <= found[-1]]
    return bool(cues) and any(t in _RESTRICTIONS for t in sentence.tokens[cues[0] + 1 : end])


# Verbs that dismiss their subject only when they have no object: "labels aren't needed"
# dismisses the labels, "Baum-Welch does not need labelled states" says what it works without.
_TRANSITIVE: Final = frozenset({"need", "needs", "use", "uses", "apply", "applies"})


def _has_object(sentence: Sentence, cue: int, verb: str) -> bool:
    if verb not in _TRANSITIVE:
        return False
    at = sentence.tokens.index(verb, cue)
    _, end = sentence.clause_around(at, at)
    return any(is_content(t) for t in sentence.tokens[at + 1 : end])


def negation_in_reach(sentence: Sentence, found: tuple[int, ...]) -> bool:
    """A negation cue right by the denied words, no comma between: "hold no state,
    orchestration tools restart them" denies nothing about orchestration."""
    for cue in sentence.negations:
        spans = [(min(p, cue), max(p, cue)) for p in found]
        if not any(a < i <= b for a, b in spans for i in sentence.commas):
            return True
    return False


# How close a second negation must follow a first, in its clause, to deny it. Only a denied
# verb denies what follows ("does not mean there is no ..."); "no X or no Y" lists, and
# "rarely shown items never improve" denies once.
_DOUBLE_NEGATION_SPAN: Final = 5
_NOT_VERBAL: Final = word_set(
    "no nothing none neither nor nobody nowhere without barely hardly scarcely rarely seldom"
)


def denies_a_denial(sentence: Sentence, found: Sequence[int]) -> bool:
    """A denied verb in a claim's match denies a second negation right after it: "off-policy
    does not mean there is no policy" says there is one."""
    cues = sentence.negations
    return any(
        found[0] <= first <= found[-1]
        and sentence.tokens[first] not in _NOT_VERBAL
        and any(
            first < second <= first + _DOUBLE_NEGATION_SPAN
            # "does not mean that there is no ...": "that" opens what is denied.
            and not any(
                first < b <= second and sentence.tokens[b] != "that" for b in sentence.clause_starts
            )
            for second in cues
        )
        for first in cues
    )
