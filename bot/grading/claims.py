"""A listed misconception asserted in words close to its own statement, not a phrasing.

A rubric's phrasings of a wrong claim are short and exact, so a candidate who states the
misconception in a sentence of their own ("so a higher perplexity means a better model") can
miss every one of them. The claim's own statement is a fuller phrasing: a sentence asserts it
when it affirms, in the claim's order and close together, most of its words, among them every
word that makes it wrong rather than the point it contradicts.

Also here: finding a phrasing's words said again later in a sentence, in its order, which
both wrong claims and order-sensitive points need.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Final

from bot.grading.lexicon import OPPOSITE_PAIRS
from bot.grading.text import CLAIM_WORDS, Sentence, is_content, normalise, stem, tokenize

if TYPE_CHECKING:
    from bot.grading.compiled import Claim

# Share of the claim's words a sentence must say, in order.
CLAIM_TEXT_SHARE: Final = 0.8
# A claim shorter than this says too little to be told from a passing mention.
CLAIM_TEXT_MIN_WORDS: Final = 3
# Words of a sentence that report a claim as someone's error rather than assert it: "the most
# common misreading is treating the p-value as the probability the null is true".
_REPORTED: Final = frozenset(
    map(
        stem,
        (
            "misreading",
            "misread",
            "misinterpret",
            "misinterpretation",
            "misconception",
            "myth",
            "fallacy",
            "mistaken",
            "mistakenly",
            "wrong",
            "wrongly",
        ),
    )
)
# Of those, the ones that name an error as such, never what a claim itself says.
_NAMED_ERRORS: Final = frozenset(
    map(stem, ("misreading", "misread", "misconception", "myth", "fallacy", "mistakenly"))
)
# Others' beliefs, reported: "people often think ...", "many assume ...", but not "most models
# assume ...", which states what the models do.
_BELIEVERS: Final = frozenset(
    {"people", "beginners", "newcomers", "everyone", "others", "folks", "candidates", "students"}
)
_QUANTIFIERS: Final = frozenset({"many", "some", "most"})
_BELIEFS: Final = frozenset(
    map(stem, ("think", "believe", "assume", "say", "claim", "expect", "confuse", "mix"))
)


def reports_a_mistake(
    sentence: Sentence, *, strict: bool = False, own: frozenset[str] = frozenset()
) -> bool:
    """The sentence reports a claim as someone's error rather than asserting it: "a common
    misconception is that ...", "people often think ...". Strictly, only by naming it a
    misconception or opening with whose belief it is: "wrong" may be what the claim says
    ("every wrong answer is a retrieval miss"), as may any of the claim's `own` stems
    ("the gambler's fallacy is right")."""
    tokens = sentence.tokens
    reported = (_NAMED_ERRORS if strict else _REPORTED) - own
    if any(stem(token) in reported for token in tokens):
        return True
    return any(
        _believer(tokens, i) and any(stem(t) in _BELIEFS for t in tokens[i + 1 : i + 4])
        for i in range(min(3, len(tokens)))
    )


def _believer(tokens: tuple[str, ...], i: int) -> bool:
    """Whose belief the sentence opens with: "people", or "many" / "most people"."""
    if tokens[i] in _BELIEVERS:
        return True
    after = tokens[i + 1] if i + 1 < len(tokens) else ""
    return tokens[i] in _QUANTIFIERS and (after in _BELIEVERS or stem(after) in _BELIEFS)


# Words inside a match that make part of it a condition, not a claim: "the probability,
# computed assuming the null is true, of ..." does not say the null is true.
_CONDITIONAL: Final = frozenset({"assuming", "assume", "if", "given", "under", "when", "unless"})


def _opposites_by_stem() -> dict[str, tuple[str, ...]]:
    """Direction words by stem, each with its opposites ("higher" -> "lower")."""
    table: dict[str, tuple[str, ...]] = {}
    for a, b in OPPOSITE_PAIRS:
        for x, y in ((stem(a), stem(b)), (stem(b), stem(a))):
            if y not in table.get(x, ()):
                table[x] = (*table.get(x, ()), y)
    return table


OPPOSITES: Final = _opposites_by_stem()


def claim_words(
    text: str, said: set[str], side_forms: frozenset[str]
) -> tuple[tuple[str, ...], frozenset[str]]:
    """A claim's statement as stems, in order, and those an answer must say to make it: the
    sides it names ("ROUGE measures recall" is no claim about BLEU) and the words the point's
    own statement and phrasings (`said`) never use, which make it wrong ("many" in "words in
    many documents weigh more")."""
    tokens = tokenize(normalise(text))
    wording = tuple(dict.fromkeys(stem(t) for t in tokens if is_content(t) or t in CLAIM_WORDS))
    return wording, frozenset(w for w in wording if w not in said or w in side_forms)


def states_claim(claim: Claim, sentence: Sentence) -> tuple[int, ...]:
    """Positions of the claim's words the sentence affirms in order, or () if it does not
    assert the claim or reports it as a mistake."""
    wording, telling = claim.wording, claim.telling
    if not telling or len(wording) < CLAIM_TEXT_MIN_WORDS:
        return ()
    affirmed = sentence.affirmed_stems
    need = max(len(telling), math.ceil(CLAIM_TEXT_SHARE * len(wording)))
    if any(w not in affirmed for w in telling) or sum(w in affirmed for w in wording) < need:
        return ()
    if reports_a_mistake(sentence):
        return ()
    said = [
        (position, word)
        for word, position in _affirmed_positions(sentence, frozenset(wording))
        if word in wording
    ]
    reach = 2 * need + 1
    for index, (start, _) in enumerate(said):
        window = [(p, s) for p, s in said[index:] if p - start <= reach]
        found = _in_order(wording, window)
        if (
            len(found) >= need
            and telling <= {s for _, s in window}
            # The sides it names, among the words said in its order: "ROUGE measures recall
            # of the reference n-grams, and BLEU ..." says nothing wrong of BLEU.
            and claim.sides & set(wording) <= {s for p, s in window if p in found}
            and not any(t in _CONDITIONAL for t in sentence.tokens[found[0] : found[-1]])
        ):
            return found
    return ()


def said_in_order(sentence: Sentence, stems: tuple[str, ...], reach: int) -> tuple[int, ...]:
    """Positions of every one of the stems, affirmed and in the given order, as close together
    as the sentence says them and no further apart than `reach`; () if it never does. A word's
    first occurrence is not always the one that makes a point: "in CBOW the centre word
    predicts ..., and skip-gram ... predicts the centre word"."""
    said = [(p, s) for s, p in _affirmed_positions(sentence, frozenset(stems))]
    best: tuple[int, ...] = ()
    for index in range(len(said)):
        found = _in_order(stems, said[index:])
        if len(found) == len(stems) and (not best or found[-1] - found[0] < best[-1] - best[0]):
            best = found
    return best if best and best[-1] - best[0] <= reach else ()


def _affirmed_positions(sentence: Sentence, wanted: frozenset[str]) -> list[tuple[str, int]]:
    """Every affirmed occurrence of the wanted stems, in order: a word said twice may make
    the claim the second time."""
    return [
        (s, position)
        for position, token in enumerate(sentence.tokens)
        if position not in sentence.denied and (s := stem(token)) in wanted
    ]


def _in_order(wording: tuple[str, ...], window: list[tuple[int, str]]) -> tuple[int, ...]:
    """The longest run of the claim's words the window says in the claim's order (a longest
    common subsequence), as positions."""
    rows, cols = len(wording), len(window)
    table = [[0] * (cols + 1) for _ in range(rows + 1)]
    for i in range(rows - 1, -1, -1):
        for j in range(cols - 1, -1, -1):
            table[i][j] = (
                table[i + 1][j + 1] + 1
                if wording[i] == window[j][1]
                else max(table[i + 1][j], table[i][j + 1])
            )
    found: list[int] = []
    i = j = 0
    while i < rows and j < cols:
        if wording[i] == window[j][1]:
            found.append(window[j][0])
            i += 1
            j += 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return tuple(found)
