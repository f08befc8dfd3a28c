"""Rule-based grading against a rubric: credit each key point made (1), half made (0.5) or
missed (0), take credit away for wrong claims, then make low-effort answers (empty, copied,
off-topic, bare keyword lists) score low for a stated reason.

How a point is found in an answer is in `bot.grading.matching`; the signs of a low-effort
answer are in `bot.grading.quality`.
"""

from __future__ import annotations

from typing import Final

from bot.grading.advice import ADVICE, advice_for, half_made
from bot.grading.compiled import CompiledRubric, Point, compile_rubric
from bot.grading.matching import PARTLY_CREDIT, Matcher, Verdict
from bot.grading.protocol import Rubric
from bot.grading.quality import Answer, is_hedged, is_keyword_list, low_quality_reason
from bot.grading.reference import contradicts, likeness
from bot.grading.result import GradeResult
from bot.grading.semantic import SemanticMatcher
from bot.grading.star import star_parts
from bot.grading.text import (
    affirmed_text,
    is_content,
    normalise,
    split_sentences,
    stem,
    tokenize,
    truncate,
)
from bot.grading.wording import closeness

__all__ = ["CLAIM_PENALTY", "KEYWORD_LIST_FACTOR", "MODEL_ANSWER_SHARE", "RubricGrader"]

# A bare list of terms is not an answer, so it keeps only this share of what its points are
# worth: at most 3 of 100, below any real answer however partial. Not nothing, because an
# interviewer gives a candidate who names the right concepts a little more than one who names
# none; the points it names are still shown.
KEYWORD_LIST_FACTOR: Final = 0.03
# A wrong claim about a point costs the point and this share of its weight again, so a
# confident misconception scores below an answer that says nothing about the point.
CLAIM_PENALTY: Final = 0.5
# An answer whose wrong claims are not outweighed by points made in full, at least
# CLAIMS_OUTWEIGHED_BY of them for each wrong claim, scores at most WRONG_CLAIM_CAP: a
# confident misconception is what an interviewer remembers of it, whatever else it echoes.
WRONG_CLAIM_CAP: Final = 10
CLAIMS_OUTWEIGHED_BY: Final = 3
# An answer that hedges every sentence and makes no point in full keeps this share.
HEDGED_FACTOR: Final = 0.5
# How much of what a behavioural answer's content leaves out a complete STAR shape can add.
STAR_SHARE: Final = 0.5

# On a question with hand-written key points and a model answer, the share of the score that
# comes from how close the answer is to the model answer (bot.grading.reference.likeness);
# set on the tuning split of the labelled answers.
MODEL_ANSWER_SHARE: Final = 0.1
_CAPS: Final[dict[str, int]] = {"restates-question": 10, "too-short": 15, "off-topic": 5}
# Against a model answer alone, an answer in other words than its own can share few of them
# and still be right ("a complete circuit" for "a closed path"): there the word-overlap test
# for off-topic answers is a weak sign, so it caps the score lower than a fair answer's.
OFF_TOPIC_CAP_AGAINST_MODEL_ANSWER: Final = 30


class RubricGrader:
    """Deterministic, fast grading that needs no model: good enough to rank and coach."""

    def __init__(self, max_chars: int = 8000, semantic: SemanticMatcher | None = None) -> None:
        if max_chars < 1:
            raise ValueError("max_chars must be positive")
        self.max_chars = max_chars
        # Optional: credits half a point restated in other words (bot.grading.semantic).
        self.semantic = semantic

    def grade(self, rubric: Rubric, answer: str) -> GradeResult:
        compiled = compile_rubric(rubric)
        raw, truncated = truncate(answer, self.max_chars)
        text = normalise(raw)
        parsed = Answer.parse(text)
        star = star_parts(affirmed_text(text)) if rubric.behavioral else None
        if not parsed.words:
            return GradeResult(
                score=0,
                covered=(),
                missed=tuple(p.text for p in compiled.points),
                advice=ADVICE["empty"],
                reason="empty",
                truncated=truncated,
                star=star,
            )
        verdicts, keyword_list = self._verdicts(compiled, parsed, text)
        return self._result(compiled, parsed, verdicts, star, truncated, keyword_list)

    def verdicts(self, rubric: Rubric, answer: str) -> list[Verdict]:
        """Each key point's verdict, in the rubric's order, as `grade` counts it: for tools
        that explain a score point by point."""
        compiled = compile_rubric(rubric)
        text = normalise(truncate(answer, self.max_chars)[0])
        parsed = Answer.parse(text)
        if not parsed.words:
            return [Verdict(0.0) for _ in compiled.points]
        return [v for _, v in self._verdicts(compiled, parsed, text)[0]]

    def _verdicts(
        self, compiled: CompiledRubric, parsed: Answer, text: str
    ) -> tuple[list[tuple[Point, Verdict]], bool]:
        """The points' verdicts, and whether the answer is a bare list of terms."""
        found = Matcher(parsed.sentences, compiled.plain_words, parsed.halves).assess_all(
            compiled.points
        )
        if parsed.halves and any(v.wrong is not None for v in found):
            # A half read alone has lost the sentence's first side: an answer that says
            # something wrong is read by whole sentences only, as a swap is found in them.
            found = Matcher(parsed.sentences, compiled.plain_words).assess_all(compiled.points)
        verdicts = list(zip(compiled.points, found, strict=True))
        if self.semantic is not None:
            verdicts = self._restated(verdicts, text)
        keyword_list = is_keyword_list(parsed)  # once: the quality check reads it again
        if keyword_list:
            # A bare list of terms ("lasso, ridge, sparsity") says nothing of anything.
            verdicts = [(p, Verdict(v.credit)) for p, v in verdicts]
        return verdicts, keyword_list

    def _restated(
        self, verdicts: list[tuple[Point, Verdict]], text: str
    ) -> list[tuple[Point, Verdict]]:
        assert self.semantic is not None
        open_points = [p for p, v in verdicts if v.credit == 0 and v.wrong is None]
        said = self.semantic.restated([p.text for p in open_points], split_sentences(text))
        half = {id(p) for p, ok in zip(open_points, said, strict=True) if ok}
        return [(p, Verdict(PARTLY_CREDIT) if id(p) in half else v) for p, v in verdicts]

    def _result(
        self,
        compiled: CompiledRubric,
        parsed: Answer,
        verdicts: list[tuple[Point, Verdict]],
        star: dict[str, bool] | None,
        truncated: bool,
        keyword_list: bool,
    ) -> GradeResult:
        covered = [p for p, v in verdicts if v.credit == 1]
        missed = [p for p, v in verdicts if v.credit < 1]
        partly = [(p, _missing_words(p, parsed)) for p, v in verdicts if 0 < v.credit < 1]
        wrong = [v.wrong for _, v in verdicts if v.wrong is not None]
        earned = sum(p.weight * v.credit for p, v in verdicts)
        lost = CLAIM_PENALTY * sum(p.weight for p, v in verdicts if v.wrong is not None)
        value = max(0.0, earned - lost) / compiled.total_weight
        if compiled.reference is not None:
            # Derived points are coarse: weigh how close the answer comes to the model answer.
            value = likeness(compiled.reference, parsed, value)
            if compiled.reference.wording is not None:
                value = closeness(
                    compiled.reference.wording,
                    compiled.reference.asked,
                    parsed,
                    value,
                    contrary=contradicts(compiled.reference, parsed),
                )
            if self.semantic is not None:
                # ... and, with a sentence model, how close its meaning comes.
                near = self.semantic.similarities(
                    compiled.reference.text, parsed.text, split_sentences(parsed.text)
                )
                value = self.semantic.blend.apply(value, *near)
        elif compiled.model is not None and not wrong and missed and star is None:
            # A point made in other words misses every phrasing yet shares the model answer's
            # wording: let that closeness carry a small share of the score.
            like = likeness(compiled.model, parsed, value)
            value = (1 - MODEL_ANSWER_SHARE) * value + MODEL_ANSWER_SHARE * like
        hedged = not covered and is_hedged(parsed)
        if hedged:
            value *= HEDGED_FACTOR
        if star is not None:
            # A story's shape adds to what it says, up to half of what it leaves out; notes,
            # which carry no story cues, keep all their content earns instead of half of it.
            value += (1 - value) * STAR_SHARE * sum(star.values()) / len(star)

        reason = low_quality_reason(parsed, compiled, earned > 0, keyword_list=keyword_list)
        if compiled.reference is not None and reason in ("too-short", "keyword-list"):
            # Against a model answer alone a terse answer is judged on what it says.
            reason = None
        score = round(100 * value * (KEYWORD_LIST_FACTOR if reason == "keyword-list" else 1))
        if reason in _CAPS:
            cap = _CAPS[reason]
            if compiled.reference is not None and reason == "off-topic":
                cap = OFF_TOPIC_CAP_AGAINST_MODEL_ANSWER
            score = min(score, cap)
        if wrong and len(covered) < CLAIMS_OUTWEIGHED_BY * len(wrong):
            score = min(score, WRONG_CLAIM_CAP)
        return GradeResult(
            score=max(0, min(100, score)),
            covered=tuple(p.text for p in covered),
            missed=tuple(p.text for p in missed),
            advice=advice_for(reason, missed, star, wrong=wrong, partly=partly, hedged=hedged),
            reason=reason,
            truncated=truncated,
            star=star,
            contradicted=tuple(wrong),
            partly=tuple(half_made(p, words) for p, words in partly),
        )


def _missing_words(point: Point, answer: Answer) -> list[str]:
    """The point's own words, as the rubric spells them, that the answer never says."""
    return [
        word
        for word in tokenize(normalise(point.text))
        if is_content(word) and stem(word) in point.own_words and stem(word) not in answer.stems
    ]
