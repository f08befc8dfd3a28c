"""What a sentence says after a contrast word, read as a sentence of its own.

A phrasing is matched against the first place each of its words appears in a sentence, so
in "ROC plots TPR against FPR, while PR plots precision against recall" the second "plots"
is never seen, and the PR point would straddle the "while". Reading the half after the
contrast word on its own finds it.

A match may not straddle a contrast word either: its words were not said as one idea.
"""

from __future__ import annotations

import re
from typing import Final

from bot.grading.text import Sentence, tokenize

# Words that set one statement against another: a match may not straddle one.
CONTRAST: Final = frozenset(
    {"but", "however", "although", "though", "yet", "whereas", "while", "whilst"}
)
_CONTRAST_WORD: Final = re.compile(r"\b(?:" + "|".join(sorted(CONTRAST)) + r")\b")
# "All but one" means "all except one": no contrast there.
_EXCEPT_BUT: Final = frozenset({"all", "anything", "nothing", "everything", "last", "none"})
# Words on each side of the contrast word for the half after it to be a statement: "but
# slower" or "although rarely" states nothing alone.
MIN_WORDS: Final = 3


def after_contrasts(sentence: str) -> list[str]:
    """The text after each contrast word of a normalised sentence, where enough is said both
    before and after it."""
    halves: list[str] = []
    for match in _CONTRAST_WORD.finditer(sentence):
        before, after = tokenize(sentence[: match.start()]), sentence[match.end() :]
        if match.group() == "but" and before and before[-1] in _EXCEPT_BUT:
            continue
        if len(before) >= MIN_WORDS and len(tokenize(after)) >= MIN_WORDS:
            halves.append(after.strip(" ,"))
    return halves


def said_together(sentence: Sentence, found: tuple[int, ...]) -> bool:
    """No contrast word stands between the first and last word of the match ("the true
    class, but computed on the logits" does not say "log probability of the true class"), nor
    a ", then" that moves on to the next step: "shadow first, then canary, then a proper A/B
    test" does not say a canary is an A/B test."""
    tokens = sentence.tokens
    in_steps = found[0] > 0 and tokens[found[0] - 1] == "then"
    return not any(
        (tokens[i] in CONTRAST and not (tokens[i] == "but" and tokens[i - 1] in _EXCEPT_BUT))
        or (in_steps and tokens[i] == "then" and i in sentence.commas)
        for i in range(found[0] + 1, found[-1])
    )
