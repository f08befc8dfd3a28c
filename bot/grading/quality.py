"""Signs of a low-effort answer (too short, copied, off-topic, a bare list of terms), each a
stated reason that caps the score."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from rapidfuzz import fuzz

from bot.grading.compiled import CompiledRubric
from bot.grading.contrast import after_contrasts
from bot.grading.lexicon import HEDGE_PHRASES, HEDGES
from bot.grading.spelling import FUZZY_MIN_LEN
from bot.grading.text import Sentence, is_content, is_negation, split_sentences, stem, tokenize

MIN_WORDS: Final = 5
_FORMULA_SIGN: Final = re.compile(r"[\w)]\s*[=/*^]\s*[\w(]")
RESTATE_SIMILARITY: Final = 85
RESTATE_MAX_NEW_WORDS: Final = 2
OFF_TOPIC_MAX_SHARED: Final = 0.2
# Hedges per sentence above which an answer with nothing right in it reads as a guess.
HEDGED_SHARE: Final = 0.5


@dataclass(frozen=True, slots=True)
class Answer:
    text: str
    words: tuple[str, ...]
    stems: frozenset[str]
    sentences: tuple[Sentence, ...]
    # What each sentence says after a contrast word, read alone (`bot.grading.contrast`).
    halves: tuple[Sentence, ...] = ()

    @classmethod
    def parse(cls, text: str) -> Answer:
        words = tuple(tokenize(text))
        sentences = split_sentences(text)
        return cls(
            text=text,
            words=words,
            stems=frozenset(stem(w) for w in words if is_content(w)),
            sentences=tuple(Sentence.parse(s, fuzzy_min_len=FUZZY_MIN_LEN) for s in sentences),
            halves=tuple(
                Sentence.parse(half, fuzzy_min_len=FUZZY_MIN_LEN)
                for s in sentences
                for half in after_contrasts(s)
            ),
        )


# Not "/": formulas like TP / (TP + FP) are not list separators.
_FRAGMENT_SPLIT: Final = re.compile(r"[,;:\n\r•·▪‣◦●]+|[.!?]+(?=\s|$)|\s[-–—]+\s")
# What a note states a relation with: an arrow, an assignment, a function of code, a heading
# ("metric: PQ").
_RELATION: Final = re.compile(r"->|=>|→|(?<![<>!=])=(?!=)|\bdef\b|\breturn\b|(?<=\w):(?=\s)")
MIN_RELATIONS: Final = 2
# A fragment this long with a word beyond a list's glue states something.
_STATEMENT_WORDS: Final = 5
# SQL's operators, which hold small words and "not" yet state nothing on their own.
_SQL_OPERATOR: Final = re.compile(r"\b(?:is\s+not\s+null|is\s+null|not\s+(?:exists|in|null))\b")


def _one_term(match: re.Match[str]) -> str:
    return "".join(match.group().split())


# Words that may join the terms of a list without making it a sentence.
_LIST_GLUE: Final = frozenset({"and", "or", "of", "vs", "versus", "the", "a", "an"})


def is_keyword_list(answer: Answer) -> bool:
    """Few function words, or mostly short fragments with no verbs or connectives. Terse notes
    that state relations ("imbalance -> weighted loss", "not from scratch", code) are no list."""
    # SQL's operators are terms: "IS NULL, NOT EXISTS, NOT IN" lists three keywords.
    text, operators = _SQL_OPERATOR.subn(_one_term, answer.text)
    words = tokenize(text) if operators else list(answer.words)
    relations = len(_RELATION.findall(text)) + sum(map(is_negation, words))
    if relations >= MIN_RELATIONS or not words:
        return False
    function_words = sum(1 for w in words if not is_content(w))
    # A formula ("precision = tp / (tp plus fp)") is a statement, however few its small words.
    formula = _FORMULA_SIGN.search(text) is not None
    if not formula and len(words) >= MIN_WORDS and function_words / len(words) < 0.1:
        return True
    fragments = [tokenize(f) for f in _FRAGMENT_SPLIT.split(text)]
    fragments = [f for f in fragments if f]
    if len(fragments) < 3:
        return False
    # Notes that make statements between their headings ("other passages in the batch are
    # negatives", "same as dot product if normalised") are no list, however short the rest.
    statements = sum(
        1
        for f in fragments
        if len(f) >= _STATEMENT_WORDS and any(not is_content(w) and w not in _LIST_GLUE for w in f)
    )
    if statements >= MIN_RELATIONS:
        return False
    terse = sum(
        1
        for f in fragments
        if len(f) <= 3 and all(w in _LIST_GLUE or is_content(w) for w in f)
        # a list may say "weight decay and dropout" but not "l1 is sparse"
    )
    return terse / len(fragments) >= 0.6


def _restates_prompt(answer: Answer, rubric: CompiledRubric) -> bool:
    if not rubric.prompt_stems or len(answer.stems - rubric.prompt_stems) > RESTATE_MAX_NEW_WORDS:
        return False
    # A near-copy repeats most of the prompt; one prompt word alone is just a short answer.
    if len(answer.stems & rubric.prompt_stems) < 0.6 * len(rubric.prompt_stems):
        return False
    similarity = fuzz.token_set_ratio(" ".join(answer.words), rubric.prompt_text)
    return similarity >= RESTATE_SIMILARITY


def _off_topic(answer: Answer, rubric: CompiledRubric) -> bool:
    if not answer.stems:
        return True
    shared = len(answer.stems.intersection(rubric.vocabulary)) / len(answer.stems)
    return shared < OFF_TOPIC_MAX_SHARED


def low_quality_reason(
    answer: Answer, rubric: CompiledRubric, covered_any: bool, *, keyword_list: bool
) -> str | None:
    """Why the answer is weak whatever it covers, if it is; `keyword_list` is is_keyword_list's
    verdict, taken from the caller, who needs it too (it costs a pass over the text)."""
    if _restates_prompt(answer, rubric):
        return "restates-question"
    if len(answer.words) < MIN_WORDS:
        return "too-short"
    if not covered_any and _off_topic(answer, rubric):
        return "off-topic"
    if keyword_list:
        return "keyword-list"
    return None


def is_hedged(answer: Answer) -> bool:
    """Most sentences hedge ("I think maybe it is something like..."): a guess, not a claim."""
    hedges = sum(1 for w in answer.words if w in HEDGES) + len(HEDGE_PHRASES.findall(answer.text))
    return hedges >= 2 and hedges >= HEDGED_SHARE * max(1, len(answer.sentences))
