"""Rule-based grading against a rubric: credit key points said in the answer, then make
low-effort answers (empty, copied, off-topic, bare keyword lists) score low for a stated reason."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from rapidfuzz import fuzz, process

from bot.grading.protocol import Rubric
from bot.grading.result import STAR_PARTS, GradeResult
from bot.grading.text import (
    Sentence,
    canonical_spelling,
    content_stems,
    is_content,
    is_negation,
    normalise,
    split_sentences,
    stem,
    tokenize,
    truncate,
)

FUZZY_CUTOFF: Final = 85
FUZZY_MIN_LEN: Final = 5
NEGATION_WINDOW: Final = 6
LONG_PHRASING_SHARE: Final = 0.75
MIN_WORDS: Final = 5
RESTATE_SIMILARITY: Final = 85
RESTATE_MAX_NEW_WORDS: Final = 2
OFF_TOPIC_MAX_SHARED: Final = 0.2
KEYWORD_LIST_FACTOR: Final = 0.4

_CAPS: Final[dict[str, int]] = {"restates-question": 10, "too-short": 15, "off-topic": 5}

_ADVICE: Final[dict[str, str]] = {
    "empty": "Write your answer in a few full sentences; even a partial answer earns credit.",
    "too-short": "Expand into a few full sentences: say what it is, why it matters and give an "
    "example.",
    "restates-question": "Answer in your own words instead of repeating the question",
    "off-topic": "This does not answer the question asked",
    "keyword-list": "Write full sentences that explain why, not just a list of terms.",
}
_STAR_HINTS: Final[dict[str, str]] = {
    "situation": "Situation (where and when)",
    "task": "Task (what you had to do)",
    "action": "Action (what you did, with 'I')",
    "result": "Result (what changed, ideally with a number)",
}


# --- compiled rubric -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Term:
    stem: str
    word: str  # canonical spelling before stemming: typos are easier to see on whole words


@dataclass(frozen=True, slots=True)
class _Phrasing:
    terms: tuple[_Term, ...]
    required: int
    negated: bool  # the phrasing itself says "not ...", so the answer must too


@dataclass(frozen=True, slots=True)
class _Point:
    text: str
    weight: float
    phrasings: tuple[_Phrasing, ...]


@dataclass(frozen=True, slots=True)
class _Compiled:
    points: tuple[_Point, ...]
    total_weight: float
    prompt_text: str
    prompt_stems: frozenset[str]
    vocabulary: frozenset[str]


def _compile_phrasing(text: str) -> _Phrasing | None:
    tokens = tokenize(normalise(text))
    terms: dict[str, _Term] = {}
    for token in tokens:
        if is_content(token):
            term = _Term(stem(token), canonical_spelling(token))
            terms.setdefault(term.stem, term)
    if not terms:
        return None
    count = len(terms)
    required = count if count <= 2 else math.ceil(LONG_PHRASING_SHARE * count)
    return _Phrasing(tuple(terms.values()), required, any(map(is_negation, tokens)))


@lru_cache(maxsize=512)
def _compile(rubric: Rubric) -> _Compiled:
    points: list[_Point] = []
    vocabulary = set(content_stems(rubric.prompt))
    vocabulary.update(content_stems(rubric.model_answer or ""))
    for key_point in rubric.key_points:
        compiled = (_compile_phrasing(p) for p in key_point.phrasings)
        phrasings = tuple(p for p in compiled if p is not None)
        points.append(_Point(key_point.point, key_point.weight, phrasings))
        vocabulary.update(content_stems(key_point.point))
        vocabulary.update(t.stem for p in phrasings for t in p.terms)
    prompt = normalise(rubric.prompt)
    return _Compiled(
        points=tuple(points),
        total_weight=sum(p.weight for p in points),
        prompt_text=" ".join(tokenize(prompt)),
        prompt_stems=frozenset(content_stems(prompt)),
        vocabulary=frozenset(vocabulary),
    )


# --- matching ------------------------------------------------------------------------


class _Matcher:
    """Matches phrasings against one answer, remembering fuzzy look-ups across phrasings."""

    def __init__(self, sentences: tuple[Sentence, ...]) -> None:
        self._sentences = sentences
        self._fuzzy: dict[tuple[str, int], int | None] = {}

    def covers(self, point: _Point) -> bool:
        return any(
            self._matches(phrasing, index)
            for phrasing in point.phrasings
            for index in range(len(self._sentences))
        )

    def _matches(self, phrasing: _Phrasing, index: int) -> bool:
        sentence = self._sentences[index]
        if phrasing.negated and not sentence.negations:
            return False
        allowed_misses = len(phrasing.terms) - phrasing.required
        first: int | None = None
        for term in phrasing.terms:
            position = sentence.stem_positions.get(term.stem)
            if position is None:
                position = self._fuzzy_position(term, index)
            if position is None:
                allowed_misses -= 1
                if allowed_misses < 0:
                    return False
            elif first is None or position < first:
                first = position
        if first is None:
            return False
        return phrasing.negated or not _negated_before(sentence, first)

    def _fuzzy_position(self, term: _Term, index: int) -> int | None:
        key = (term.word, index)
        if key in self._fuzzy:
            return self._fuzzy[key]
        sentence = self._sentences[index]
        position: int | None = None
        if len(term.word) >= FUZZY_MIN_LEN and sentence.long_words:
            found = process.extractOne(
                term.word, sentence.long_words, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF
            )
            if found is not None:
                position = sentence.word_positions[found[0]]
        if position is None and len(term.stem) >= FUZZY_MIN_LEN and sentence.long_stems:
            # Stems catch a typo in a different inflection ("shrinkng" for "shrinks").
            found = process.extractOne(
                term.stem, sentence.long_stems, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF
            )
            if found is not None:
                position = sentence.stem_positions[found[0]]
        self._fuzzy[key] = position
        return position


def _negated_before(sentence: Sentence, position: int) -> bool:
    """A cue shortly before the match negates it, unless "but" or similar resets it."""
    for cue in sentence.negations:
        if position - NEGATION_WINDOW <= cue < position and not any(
            cue < contrast < position for contrast in sentence.contrasts
        ):
            return True
    return False


# --- answer quality ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Answer:
    text: str
    words: tuple[str, ...]
    stems: frozenset[str]
    sentences: tuple[Sentence, ...]

    @classmethod
    def parse(cls, text: str) -> _Answer:
        words = tuple(tokenize(text))
        return cls(
            text=text,
            words=words,
            stems=frozenset(stem(w) for w in words if is_content(w)),
            sentences=tuple(
                Sentence.parse(s, fuzzy_min_len=FUZZY_MIN_LEN) for s in split_sentences(text)
            ),
        )


# Not "/": formulas like TP / (TP + FP) are not list separators.
_FRAGMENT_SPLIT: Final = re.compile(r"[,;:\n\r•·▪‣◦●]+|[.!?]+(?=\s|$)|\s[-–—]+\s")
# Words that may join the terms of a list without making it a sentence.
_LIST_GLUE: Final = frozenset({"and", "or", "of", "vs", "versus", "the", "a", "an"})


def _is_keyword_list(answer: _Answer) -> bool:
    """Few function words, or mostly short fragments with no verbs or connectives."""
    function_words = sum(1 for w in answer.words if not is_content(w))
    if len(answer.words) >= MIN_WORDS and function_words / len(answer.words) < 0.1:
        return True
    fragments = [tokenize(f) for f in _FRAGMENT_SPLIT.split(answer.text)]
    fragments = [f for f in fragments if f]
    if len(fragments) < 3:
        return False
    terse = sum(
        1
        for f in fragments
        if len(f) <= 3 and all(w in _LIST_GLUE or is_content(w) for w in f)
        # a list may say "weight decay and dropout" but not "l1 is sparse"
    )
    return terse / len(fragments) >= 0.6


def _restates_prompt(answer: _Answer, rubric: _Compiled) -> bool:
    if not rubric.prompt_stems or len(answer.stems - rubric.prompt_stems) > RESTATE_MAX_NEW_WORDS:
        return False
    # A near-copy repeats most of the prompt; one prompt word alone is just a short answer.
    if len(answer.stems & rubric.prompt_stems) < 0.6 * len(rubric.prompt_stems):
        return False
    similarity = fuzz.token_set_ratio(" ".join(answer.words), rubric.prompt_text)
    return similarity >= RESTATE_SIMILARITY


def _off_topic(answer: _Answer, rubric: _Compiled) -> bool:
    if not answer.stems:
        return True
    shared = len(answer.stems & rubric.vocabulary) / len(answer.stems)
    return shared < OFF_TOPIC_MAX_SHARED


def _low_quality_reason(answer: _Answer, rubric: _Compiled, covered_any: bool) -> str | None:
    if _restates_prompt(answer, rubric):
        return "restates-question"
    if len(answer.words) < MIN_WORDS:
        return "too-short"
    if not covered_any and _off_topic(answer, rubric):
        return "off-topic"
    if _is_keyword_list(answer):
        return "keyword-list"
    return None


# --- behavioral structure ------------------------------------------------------------


def _cues(*phrases: str) -> re.Pattern[str]:
    alternatives = "|".join(p.replace(" ", r"\s+") for p in phrases)
    return re.compile(rf"\b(?:{alternatives})\b")


_STAR_CUES: Final[dict[str, tuple[re.Pattern[str], ...]]] = {
    "situation": (
        _cues(
            r"(?:at|in) (?:my|our) (?:last|previous|current|old|first|former) "
            r"(?:job|company|role|team|position|employer|internship|workplace)",
            r"(?:when|while) (?:i|we) (?:was|were|worked|joined|started)",
            r"(?:our|my) (?:team|company|manager|client)",
            r"(?:the|a|one) project",
            r"we had",
            r"there (?:was|were)",
            r"i worked (?:at|on|for|with|as)",
            r"(?:last|this) (?:year|month|quarter|week|summer|spring|autumn|fall|winter|sprint)",
            r"(?:in|during|back in) (?:19|20)\d\d",
            r"(?:\d+|a few|a couple of|several|two|three) (?:years?|months?|weeks?) ago",
            r"at (?:a|an) (?:\w+ )?(?:startup|company|bank|agency|hospital|retailer|firm|lab)",
        ),
    ),
    "task": (
        _cues(
            r"my (?:role|job|task|goal|responsibility|assignment)",
            r"(?:the|our) (?:goal|aim|task|challenge|objective)",
            r"i was (?:responsible|tasked|asked|in charge|supposed|expected)",
            r"i (?:needed|had|wanted) to",
            r"we needed to",
            r"it was (?:my|up to me)",
        ),
    ),
    "action": (
        _cues(
            r"i (?:then |first |also |quickly |personally |finally )?"
            r"(?:built|wrote|ran|led|made|took|drew|set up|broke|spoke|chose|met|sat down|"
            r"put together|came up with|began|brought|found|gave|showed|taught|rewrote|split|"
            r"sent|held|kept|told|went through|did|set|got|used|focused|"
            r"(?!needed|wanted|learned|realized|realised|liked|loved|hated|used to)[a-z]{3,}ed)",
        ),
    ),
    "result": (
        _cues(
            r"as a result",
            r"in the end",
            r"(?:the )?outcome",
            r"(?:the )?results? (?:was|were|is)",
            r"resulted in",
            r"which (?:reduced|increased|improved|cut|saved|halved|doubled|led|helped|meant)",
            r"(?:reduced|increased|improved|cut|saved|halved|doubled|boosted|lowered|raised) "
            r"(?:\w+ ){0,3}by",
            r"we (?:shipped|launched|delivered|released|hit|met|won|closed)",
            r"i (?:learned|learnt|realized|realised)",
            r"(?:the )?lesson",
            r"afterwards|eventually|ended up|since then|successfully|went live",
            r"(?:she|he|they|the team|everyone) (?:understood|agreed|approved|adopted|signed off)",
        ),
        re.compile(r"\d(?:[\d.,]*\d)?\s*(?:%|percent\b|x\b|times\b|fold\b)|\bby\s+(?:\w+\s+)?\d"),
    ),
}


def _star(text: str) -> dict[str, bool]:
    return {part: any(p.search(text) for p in _STAR_CUES[part]) for part in STAR_PARTS}


# --- advice --------------------------------------------------------------------------


def _most_important(points: list[_Point]) -> _Point | None:
    # max() keeps the first of equal weights, so rubric order breaks ties.
    return max(points, key=lambda p: p.weight) if points else None


def _as_clause(text: str) -> str:
    return " ".join(text.split()).rstrip(".!?;: ")


def _advice(reason: str | None, missed: list[_Point], star: dict[str, bool] | None) -> str:
    top = _most_important(missed)
    if reason in ("restates-question", "off-topic"):
        base = _ADVICE[reason]
        return f"{base}; focus on: {_as_clause(top.text)}." if top else f"{base}."
    if reason is not None:
        return _ADVICE[reason]
    parts: list[str] = []
    missing_star = [_STAR_HINTS[p] for p in STAR_PARTS if star is not None and not star[p]]
    if missing_star:
        label = "part" if len(missing_star) == 1 else "parts"
        parts.append(f"Add the missing STAR {label}: {', '.join(missing_star)}.")
    if top is not None:
        parts.append(f"Also cover: {_as_clause(top.text)}.")
    if not parts:
        return "Strong answer: you covered every key point."
    return " ".join(parts)


# --- grader --------------------------------------------------------------------------


class RubricGrader:
    """Deterministic, fast grading that needs no model: good enough to rank and coach."""

    def __init__(self, max_chars: int = 8000) -> None:
        if max_chars < 1:
            raise ValueError("max_chars must be positive")
        self.max_chars = max_chars

    def grade(self, rubric: Rubric, answer: str) -> GradeResult:
        compiled = _compile(rubric)
        raw, truncated = truncate(answer, self.max_chars)
        text = normalise(raw)
        parsed = _Answer.parse(text)
        star = _star(text) if rubric.behavioral else None
        if not parsed.words:
            return GradeResult(
                score=0,
                covered=(),
                missed=tuple(p.text for p in compiled.points),
                advice=_ADVICE["empty"],
                reason="empty",
                truncated=truncated,
                star=star,
            )

        matcher = _Matcher(parsed.sentences)
        found = [matcher.covers(p) for p in compiled.points]
        covered = [p for p, ok in zip(compiled.points, found, strict=True) if ok]
        missed = [p for p, ok in zip(compiled.points, found, strict=True) if not ok]
        value = sum(p.weight for p in covered) / compiled.total_weight
        if star is not None:
            value = 0.5 * sum(star.values()) / len(star) + 0.5 * value

        reason = _low_quality_reason(parsed, compiled, bool(covered))
        score = round(100 * value * (KEYWORD_LIST_FACTOR if reason == "keyword-list" else 1))
        if reason in _CAPS:
            score = min(score, _CAPS[reason])
        return GradeResult(
            score=max(0, min(100, score)),
            covered=tuple(p.text for p in covered),
            missed=tuple(p.text for p in missed),
            advice=_advice(reason, missed, star),
            reason=reason,
            truncated=truncated,
            star=star,
        )
