"""The grading contract, so the interview flow never depends on one grading strategy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from bot.grading.derive import key_points_of
from bot.grading.result import GradeResult
from questions.schema import FollowUp, KeyPoint, Question


@dataclass(frozen=True)
class Rubric:
    """Everything a grader may look at; hashable so graders can cache work per rubric."""

    prompt: str
    key_points: tuple[KeyPoint, ...]
    behavioral: bool = False
    model_answer: str | None = None
    # The key points were derived from the model answer, not written by the pack's author.
    derived: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.key_points, tuple):
            # A list would make the rubric unhashable; accept it but store a tuple.
            object.__setattr__(self, "key_points", tuple(self.key_points))
        if not self.key_points:
            raise ValueError("a rubric needs at least one key point")

    def __hash__(self) -> int:
        # KeyPoint holds lists, so it is not hashable itself; hash its contents instead.
        points = tuple(
            (
                kp.point,
                tuple(kp.phrasings),
                kp.weight,
                tuple(
                    (c.claim, tuple(c.phrasings), c.correction, c.said_of)
                    for c in kp.contradictions
                ),
            )
            for kp in self.key_points
        )
        return hash((self.prompt, points, self.behavioral, self.model_answer, self.derived))

    @classmethod
    def for_question(cls, question: Question) -> Rubric:
        """A question without key points is graded on points derived from its model answer."""
        key_points, derived = key_points_of(question)
        return cls(
            prompt=question.prompt,
            key_points=tuple(key_points),
            behavioral=question.is_behavioral,
            model_answer=question.answer,
            derived=derived,
        )

    @classmethod
    def for_follow_up(cls, question: Question, follow_up: FollowUp) -> Rubric:
        """A follow-up has its own key points but keeps its question's kind of grading."""
        return cls(
            prompt=follow_up.prompt,
            key_points=tuple(follow_up.key_points),
            behavioral=question.is_behavioral,
            model_answer=follow_up.answer,
        )


@runtime_checkable
class Grader(Protocol):
    def grade(self, rubric: Rubric, answer: str) -> GradeResult:
        """Grade one answer; must not raise on any text a user can type."""
        ...


@runtime_checkable
class AsyncGrader(Protocol):
    """A grader that waits on something (a model endpoint) and must not block the loop."""

    async def grade_async(self, rubric: Rubric, answer: str) -> GradeResult: ...


async def grade_answer(grader: Grader, rubric: Rubric, answer: str) -> GradeResult:
    """Grade with the async path when the grader has one, else in line (the rubric is fast)."""
    if isinstance(grader, AsyncGrader):
        return await grader.grade_async(rubric, answer)
    return grader.grade(rubric, answer)
