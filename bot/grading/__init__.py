"""Grading of interview answers against a question's rubric."""

from bot.grading.protocol import AsyncGrader, Grader, Rubric, grade_answer
from bot.grading.result import GradeResult
from bot.grading.rubric import RubricGrader

__all__ = ["AsyncGrader", "GradeResult", "Grader", "Rubric", "RubricGrader", "grade_answer"]
