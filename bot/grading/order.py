"""Which of two things comes first: "split the data before scaling" is not "scale the data
before splitting".

Phrasings match as sets of words and "before" and "after" are small words the grader reads
past, so the right order and the wrong one used to read alike. A phrasing that puts two of its
words in order keeps them as a pair (the earlier, the later); a sentence that says the same two
words with an order word between them the other way round breaks the match. A sentence that
says no order between them keeps it: "split, scale the training part" may still make the point.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from bot.grading.text import CLAUSE_WORDS, Sentence, is_content, stem

# +1 when the word said before the order word comes first ("split before scaling", "split,
# then scale"), -1 when it comes second ("scale after the split").
ORDER_WORDS: Final[dict[str, int]] = {"before": 1, "then": 1, "after": -1}
_PAIRED: Final = {"before": "after", "after": "before"}


def _order_word(tokens: Sequence[str], at: int) -> int:
    """The order the word at `at` gives; "after all", "if ..., then" and "before and after"
    give none."""
    token = tokens[at]
    if token in _PAIRED and _PAIRED[token] in tokens[max(0, at - 2) : at + 3]:
        return 0
    if token == "after" and at + 1 < len(tokens) and tokens[at + 1] == "all":
        return 0
    if token == "then" and "if" in tokens[max(0, at - 12) : at]:
        return 0
    return ORDER_WORDS.get(token, 0)


def _content_run(tokens: Sequence[str], at: int, step: int) -> list[str]:
    """The stems of the words that say something on one side of an order word, up to the
    end of its clause."""
    run: list[str] = []
    i = at + step
    while 0 <= i < len(tokens) and not (tokens[i] in CLAUSE_WORDS or _order_word(tokens, i)):
        if is_content(tokens[i]):
            run.append(stem(tokens[i]))
        i += step
    return run


def order_pairs(tokens: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """The (earlier, later) stems a phrasing's order words set: each word on one side of an
    order word with each on the other, within its clause."""
    pairs: list[tuple[str, str]] = []
    for at in range(len(tokens)):
        way = _order_word(tokens, at)
        if not way:
            continue
        for left in _content_run(tokens, at, -1):
            for right in _content_run(tokens, at, 1):
                if left != right:
                    pairs.append((left, right) if way > 0 else (right, left))
    return tuple(dict.fromkeys(pairs))


def _position(sentence: Sentence, word: str, found: tuple[int, ...]) -> int | None:
    """Where the match says a word: by its stem, or a longer form of it ("scaler")."""
    for p in found:
        said = stem(sentence.tokens[p])
        if said == word or (len(word) >= 4 and said.startswith(word)):
            return p
    return None


def reverses_order(
    sentence: Sentence, found: tuple[int, ...], order: tuple[tuple[str, str], ...]
) -> bool:
    """The sentence says more of the phrasing's ordered pairs the other way round than its
    way: an order word between the two matched words puts the later one first. (An order word
    a negation denies has denied words beside it, which match only a phrasing that is itself
    negated, and then both are read alike: "never split before scaling" is not "never scale
    before splitting".)"""
    if not order or not found:
        return False
    tokens = sentence.tokens
    kept = reversed_ = 0
    for earlier, later in order:
        a, b = _position(sentence, earlier, found), _position(sentence, later, found)
        if a is None or b is None or a == b:
            continue
        first, last = sorted((a, b))
        way = next((w for i in range(first + 1, last) if (w := _order_word(tokens, i))), 0)
        if not way:
            continue
        said_first = first if way > 0 else last
        if said_first == b:
            reversed_ += 1
        else:
            kept += 1
    return reversed_ > kept
