"""Why an answer earned what it did, point by point: for pack authors, who need to see which of
their phrasings credited a point (and where), or which listed mistake took credit away, to tell
a phrasing that is too loose from one that is missing."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Final

from bot.grading.protocol import Rubric
from bot.grading.rubric import RubricGrader
from bot.grading.text import split_sentences, truncate

MADE: Final = "made"
HALF_MADE: Final = "half made"
MISSED: Final = "missed"
SAID_WRONGLY: Final = "said wrongly"


@dataclass(frozen=True)
class PointTrace:
    """One key point's verdict, with the evidence a pack author can act on."""

    point: str
    verdict: str
    # For a made point: a phrasing of the pack that credits it alone, and the sentence of the
    # answer it is found in (None when only the whole answer makes it).
    phrasing: str | None = None
    sentence: str | None = None
    # For a point said wrongly: what the answer said, with its correction.
    wrong: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return asdict(self)


def explain(grader: RubricGrader, rubric: Rubric, answer: str) -> list[PointTrace]:
    """A trace per key point, in the rubric's order: the verdicts `grader.grade` scores."""
    sentences = split_sentences(truncate(answer, grader.max_chars)[0])
    traces: list[PointTrace] = []
    verdicts = grader.verdicts(rubric, answer)
    for index, (key_point, verdict) in enumerate(zip(rubric.key_points, verdicts, strict=True)):
        if verdict.wrong is not None:
            traces.append(PointTrace(key_point.point, SAID_WRONGLY, wrong=verdict.wrong))
        elif verdict.credit == 1:
            phrasing, sentence = _evidence(grader, rubric, index, answer, sentences)
            traces.append(PointTrace(key_point.point, MADE, phrasing, sentence))
        elif verdict.credit > 0:
            traces.append(PointTrace(key_point.point, HALF_MADE))
        else:
            traces.append(PointTrace(key_point.point, MISSED))
    return traces


def _evidence(
    grader: RubricGrader, rubric: Rubric, index: int, answer: str, sentences: list[str]
) -> tuple[str | None, str | None]:
    """The first phrasing that credits point `index` on its own, and the first sentence that
    does it alone. Other points keep their phrasings, so sides and distinctive words hold."""
    key_point = rubric.key_points[index]
    for phrasing in key_point.phrasings:
        narrowed = key_point.model_copy(update={"phrasings": [phrasing], "contradictions": []})
        points = (*rubric.key_points[:index], narrowed, *rubric.key_points[index + 1 :])
        one = replace(rubric, key_points=points)
        if key_point.point not in grader.grade(one, answer).covered:
            continue
        # A sentence alone may not credit it (its side was named in the sentence before):
        # then the whole answer is the evidence.
        found = next(
            (s for s in sentences if key_point.point in grader.grade(one, s).covered), None
        )
        return phrasing, found
    return None, None
