"""What a pack author should hear about before candidates do: a listed misconception the grader
would never name, even said on its own, and a model answer, follow-up answer or hint it would
accuse of one. `interview-bot questions validate` prints these as warnings.

A misconception can be silent for reasons its author cannot see: its only words also make a
correct phrasing (such a phrasing is dropped), its own wording holds a condition or a negation
("if", "without", "never"), or it is a bare run of terms that reads as a keyword list.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.grading.protocol import Rubric
from bot.grading.rubric import RubricGrader
from questions.bank import QuestionBank
from questions.schema import KeyPoint, Question

_QUOTE_MAX = 120


def pack_warnings(bank: QuestionBank, grader: RubricGrader | None = None) -> list[str]:
    """One line per problem, naming the question (or "id#N" for its N-th follow-up, from 0)."""
    grader = grader or RubricGrader()
    warnings: list[str] = []
    for question in bank.questions:
        for key, rubric, points, texts in _graded_parts(question):
            for point in points:
                for claim in point.contradictions:
                    for said in (claim.claim, *claim.phrasings):
                        # A claim said of one thing is tried with that thing as its subject.
                        if claim.said_of and claim.said_of.lower() not in said.lower():
                            said = f"{claim.said_of} {said}"
                        if not grader.grade(rubric, said + ".").contradicted:
                            warnings.append(
                                f"{key}: misconception {claim.claim!r} is not named when said "
                                f"on its own as {said!r}"
                            )
            for name, text in texts:
                accused = grader.grade(rubric, text).contradicted if text else ()
                if accused:
                    warnings.append(f"{key}: the {name} is accused: {_short(accused[0])}")
    return warnings


def _graded_parts(
    question: Question,
) -> Iterator[tuple[str, Rubric, list[KeyPoint], list[tuple[str, str]]]]:
    """The question and each follow-up with key points, with the texts that must stay clean."""
    texts = [("model answer", question.answer)] + [("hint", hint) for hint in question.hints]
    yield question.id, Rubric.for_question(question), list(question.key_points or []), texts
    for index, follow_up in enumerate(question.follow_ups):
        if follow_up.key_points:
            answer = [("follow-up answer", follow_up.answer)] if follow_up.answer else []
            rubric = Rubric.for_follow_up(question, follow_up)
            yield f"{question.id}#{index}", rubric, list(follow_up.key_points), answer


def _short(text: str) -> str:
    return text if len(text) <= _QUOTE_MAX else text[:_QUOTE_MAX].rsplit(" ", 1)[0] + "…"
