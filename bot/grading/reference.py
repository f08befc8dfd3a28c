"""How close an answer comes to the model answer of an answer-only question, beyond the key
points derived from it.

Derived points are coarse: a short answer in its own words can miss every one of them and
still say what the model answer says. So the score of such a question also weighs:
- how much of the model answer's wording the answer shares (a word-count cosine, and the
  share of the model answer's words it affirms, less those it denies);
- how many of the model answer's words it says with the same sense: affirmed where the model
  answer affirms them, denied where it denies them ("the terminals are not connected");
- how much of the model answer it covers, the question's words included: "a closed path" is
  not "a closed path with the bulb and the battery in it";
- how much of the answer stays on the model answer and the question, rather than elsewhere;
- how many distinct words it has beside the model answer, up to as many: an answer much
  shorter than the model answer cannot say all of it;
- and, against all that, how much of the question it merely says back.
A misspelt word of the model answer ("apth" for "path") counts as said. The weights were
set on the SemEval-2013 training answers (see `bot.grading.semeval`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from rapidfuzz import fuzz, process

from bot.grading.lexicon import NEGATED_MEANS
from bot.grading.text import (
    content_stems,
    denied_tokens,
    is_content,
    normalise,
    split_sentences,
    stem,
)
from bot.grading.wording import Wording

if TYPE_CHECKING:
    from bot.grading.quality import Answer

# An answer's word this long, this close to a word of the model answer, is a misspelling of it.
TYPO_MIN_LEN: Final = 4
TYPO_CUTOFF: Final = 80
AFFIRMED: Final = 1
DENIED: Final = 2
# A word's stem and the stem of the word that says its opposite: "closed" and "open".
_OPPOSITES: Final = {stem(word): stem(opposite) for word, opposite in NEGATED_MEANS.items()}


@dataclass(frozen=True, slots=True)
class Shares:
    """Shares of the final score, in the order of the module's docstring (the question echo,
    last, is taken off); the score is divided by the sum of the others."""

    points: float = 0.25
    overlap: float = 0.25
    cosine: float = 0.5
    sense: float = 0.5
    coverage: float = 1.0
    on_topic: float = 0.5
    length: float = 0.25
    echo: float = 0.25

    @property
    def total(self) -> float:
        return (
            self.points
            + self.overlap
            + self.cosine
            + self.sense
            + self.coverage
            + self.on_topic
            + self.length
        )


SHARES: Final = Shares()


@dataclass(frozen=True, slots=True)
class Reference:
    """A model answer compiled for comparison: its words, what it affirms and denies, and
    the question's words."""

    # Each content word of the model answer and how often it says it, as two parallel tuples:
    # a pair per word would cost more than the words themselves over a whole bank.
    stems: tuple[str, ...]
    tallies: tuple[int, ...]
    # Also parallel: whether the model answer affirms each word somewhere (AFFIRMED), or only
    # ever denies it (DENIED). Only its own words' senses are ever asked for.
    senses: tuple[int, ...]
    asked: frozenset[str]
    # The model answer as written, for a matcher that compares meaning (bot.grading.semantic).
    text: str = ""
    # Its wording, kept only for points derived from it (bot.grading.wording).
    wording: Wording | None = None

    @classmethod
    def of(
        cls,
        prompt: str,
        model_answer: str,
        stems: Sequence[str] | None = None,
        asked: Sequence[str] | None = None,
        shared: frozenset[str] = frozenset(),
        derived: bool = False,
    ) -> Reference:
        """`stems` and `asked` are the content stems of the model answer and of the prompt,
        when the caller has them already; `shared` is a set equal to the prompt's stems, if
        any, to keep one copy of it; `derived` when the question's points come from it."""
        affirmed, denied = _senses(normalise(model_answer))
        counts = Counter(content_stems(model_answer) if stems is None else stems)
        prompt_stems = set(content_stems(prompt) if asked is None else asked)
        return cls(
            stems=tuple(counts),
            tallies=tuple(counts.values()),
            senses=tuple(
                AFFIRMED if w in affirmed else DENIED if w in denied else 0 for w in counts
            ),
            asked=shared if shared == prompt_stems else frozenset(prompt_stems),
            text=model_answer,
            wording=Wording.of(model_answer, prompt_stems) if derived else None,
        )

    @property
    def affirmed(self) -> frozenset[str]:
        return frozenset(
            w for w, sense in zip(self.stems, self.senses, strict=True) if sense == AFFIRMED
        )

    @property
    def denied(self) -> frozenset[str]:
        return frozenset(
            w for w, sense in zip(self.stems, self.senses, strict=True) if sense == DENIED
        )

    @property
    def counts(self) -> dict[str, int]:
        return dict(zip(self.stems, self.tallies, strict=True))

    @property
    def words(self) -> frozenset[str]:
        return frozenset(self.stems)

    @property
    def new_words(self) -> frozenset[str]:
        """The model answer's words beyond the question's (all of them if none is new)."""
        return self.words - self.asked or self.words


def _senses(text: str) -> tuple[set[str], set[str]]:
    """Stems a text affirms and stems it denies, over its content words."""
    affirmed: set[str] = set()
    denied: set[str] = set()
    for part in split_sentences(text):
        tokens, denied_at = denied_tokens(part)
        for position, token in enumerate(tokens):
            if is_content(token):
                (denied if position in denied_at else affirmed).add(stem(token))
    return affirmed, denied


def likeness(reference: Reference, answer: Answer, points: float, shares: Shares = SHARES) -> float:
    """The answer-only score in 0-1, from the derived points' share and the measures above."""
    words = reference.words
    if not words or not answer.stems:
        return 0.0
    said = _spelt(answer.stems, words)
    affirmed, denied = (_spelt(frozenset(x), words) for x in _senses(answer.text))
    new = reference.new_words
    model_affirms, model_denies = reference.affirmed, reference.denied
    same_sense = {w for w in new if (w in model_denies and w in denied)} | {
        w for w in new if w in model_affirms and w in affirmed
    }
    value = (
        shares.points * points
        + shares.overlap * overlap(new, affirmed, denied)
        + shares.cosine * cosine(reference.counts, answer)
        + shares.sense * len(same_sense) / len(new)
        + shares.coverage * len(words & said) / len(words)
        + shares.on_topic * len(said & (words | reference.asked)) / len(said)
        - shares.echo * _share(said, reference.asked)
        + shares.length * min(1.0, len(answer.stems) / len(words))
    )
    return max(0.0, min(1.0, value / shares.total))


def contradicts(reference: Reference, answer: Answer) -> bool:
    """Whether the answer affirms the opposite of a word the model answer affirms, and not
    that word too: "the switch is closed" against "the switch is open"."""
    model_affirms = reference.affirmed
    if not model_affirms:
        return False
    affirmed, _ = _senses(answer.text)
    return any(_OPPOSITES.get(w) in affirmed and w not in affirmed for w in model_affirms)


def _spelt(stems: frozenset[str], words: frozenset[str]) -> frozenset[str]:
    """The stems with misspellings of the model answer's words read as those words: "apth"
    for "path", "cloed" for "closed"."""
    unknown = [s for s in stems if s not in words and len(s) >= TYPO_MIN_LEN]
    if not unknown:
        return stems
    near = (
        process.extractOne(s, words, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF) for s in unknown
    )
    return stems | {found[0] for found in near if found is not None}


def _share(said: frozenset[str], words: frozenset[str]) -> float:
    return len(said & words) / len(words) if words else 0.0


def overlap(words: frozenset[str], affirmed: frozenset[str], denied: frozenset[str]) -> float:
    """Share of the words the answer affirms, less those it only denies."""
    yes = len(words & affirmed)
    no = len((words & denied) - affirmed)
    return max(0.0, (yes - no) / len(words))


def cosine(reference: dict[str, int], answer: Answer) -> float:
    """Word-count cosine over content-word stems."""
    counts = Counter(stem(w) for w in answer.words if is_content(w))
    dot = sum(n * reference.get(w, 0) for w, n in counts.items())
    norm = math.sqrt(sum(n * n for n in counts.values())) * math.sqrt(
        sum(n * n for n in reference.values())
    )
    return dot / norm if norm else 0.0
