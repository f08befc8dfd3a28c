"""The shape of a question pack, checked before any question reaches a user."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from questions.limits import MAX_TEXT_CHARS

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=80)]
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT_CHARS)
]


class Difficulty(StrEnum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


class Stage(StrEnum):
    """Stages in the order a real interview loop visits them."""

    SCREENING = "screening"
    THEORY = "theory"
    CODING = "coding"
    SYSTEM_DESIGN = "system-design"
    BEHAVIORAL = "behavioral"
    ASK_THE_INTERVIEWER = "ask-the-interviewer"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Contradiction(_Strict):
    """A classic misconception about a key point: asserting it costs credit, and the
    feedback names it with its correction."""

    claim: Text
    phrasings: list[Text] = Field(min_length=1)
    correction: Text
    # The thing the claim is about ("ARIMA"): then it counts only in a clause whose subject
    # names it, so "exponential smoothing uses a weighted average, and ARIMA lagged values"
    # is no claim that ARIMA uses a weighted average.
    said_of: Text | None = None


class KeyPoint(_Strict):
    """One idea a good answer contains, with the ways people tend to say it."""

    point: Text
    phrasings: list[Text] = Field(min_length=1)
    weight: float = Field(default=1.0, gt=0, le=5)
    contradictions: list[Contradiction] = Field(default_factory=list)


class FollowUp(_Strict):
    prompt: Text
    key_points: list[KeyPoint] = Field(min_length=1)
    answer: Text | None = None
    # 1-based numbers of the parent question's key points this follow-up digs into, so
    # the engine can ask the one aimed at the weakest part of an answer.
    probes: list[Annotated[int, Field(ge=1)]] = Field(default_factory=list)


class Question(_Strict):
    id: Slug
    topic: Slug
    difficulty: Difficulty
    stage: Stage
    prompt: Text
    answer: Text
    # Optional: without key points the grader derives them from the answer.
    key_points: list[KeyPoint] = Field(default_factory=list)
    hints: list[Text] = Field(default_factory=list)
    follow_ups: list[FollowUp] = Field(default_factory=list)
    tags: list[Slug] = Field(default_factory=list)

    @model_validator(mode="after")
    def _probes_name_key_points(self) -> Question:
        for number, follow_up in enumerate(self.follow_ups, start=1):
            wrong = [n for n in follow_up.probes if n > len(self.key_points)]
            if wrong and not self.key_points:
                raise ValueError(
                    f"follow-up {number} probes key point {wrong[0]}, but the question has no "
                    "written key points (derived ones cannot be probed)"
                )
            if wrong:
                raise ValueError(
                    f"follow-up {number} probes key point {wrong[0]}, but the question has "
                    f"{len(self.key_points)}"
                )
        return self

    @property
    def is_behavioral(self) -> bool:
        return self.stage is Stage.BEHAVIORAL

    @property
    def answer_only(self) -> bool:
        """The pack gives no key points, so grading derives them from the model answer."""
        return not self.key_points


class Topic(_Strict):
    id: Slug
    title: Text
    aliases: list[Slug] = Field(default_factory=list)
    description: str = ""


class PackFile(_Strict):
    """One YAML file: it may declare topics, questions or both."""

    topics: list[Topic] = Field(default_factory=list)
    questions: list[Question] = Field(default_factory=list)

    @field_validator("questions")
    @classmethod
    def _ids_unique_in_file(cls, questions: list[Question]) -> list[Question]:
        seen: set[str] = set()
        for question in questions:
            if question.id in seen:
                raise ValueError(f"question id {question.id!r} appears twice in this file")
            seen.add(question.id)
        return questions


def word_count(text: str) -> int:
    return len(re.findall(r"\b\w[\w'-]*\b", text))
