"""Grading of interview answers against a question's rubric."""

from bot.grading.protocol import Grader, Rubric
from bot.grading.result import GradeResult
from bot.grading.rubric import RubricGrader

__all__ = ["GradeResult", "Grader", "Rubric", "RubricGrader"]
