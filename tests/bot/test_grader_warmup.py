"""Warming the grader at start-up: every rubric compiled, the loop never held for more than
one, and a stop in the middle ends it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import pytest

from bot.app.config import Settings
from bot.app.warmup import GraderWarmer, warm_rubrics
from bot.grading import Rubric
from bot.grading.compiled import compile_rubric
from questions.schema import Question
from tests.support.harness import fixture_bank


async def test_every_rubric_is_compiled_with_the_loop_free_between_them(
    caplog: pytest.LogCaptureFixture,
) -> None:
    questions = fixture_bank().questions
    compile_rubric.cache_clear()
    turns = 0

    async def other_work() -> None:
        nonlocal turns
        while True:
            turns += 1
            await asyncio.sleep(0)

    beside = asyncio.create_task(other_work())
    await asyncio.sleep(0)
    with caplog.at_level(logging.INFO, logger="bot.app.warmup"):
        compiled = await warm_rubrics(questions)
    beside.cancel()
    assert compiled == len(questions) > 1
    assert turns >= len(questions)  # other work ran between any two compiles
    assert compile_rubric.cache_info().currsize == len(questions)
    before = compile_rubric.cache_info().hits
    for question in questions:
        compile_rubric(Rubric.for_question(question))
    assert compile_rubric.cache_info().hits == before + len(questions)
    warm_lines = [r for r in caplog.records if r.getMessage().startswith("grader warm:")]
    assert len(warm_lines) == 1


async def test_stopping_ends_a_warm_up_in_progress() -> None:
    questions = fixture_bank().questions
    compile_rubric.cache_clear()
    handed: list[Question] = []

    def endless() -> Iterator[Question]:
        while True:
            for question in questions:
                handed.append(question)
                yield question

    warmer = GraderWarmer()
    warmer.start(endless())
    for _ in range(3):
        await asyncio.sleep(0)
    await warmer.stop()
    seen = len(handed)
    await asyncio.sleep(0)
    assert 0 < seen == len(handed)  # nothing more compiled after the stop
    await warmer.stop()  # a second stop is harmless


def test_warming_is_on_unless_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INTERVIEW_BOT_WARM_GRADER", raising=False)
    assert Settings(_env_file=None).warm_grader
    monkeypatch.setenv("INTERVIEW_BOT_WARM_GRADER", "0")
    assert not Settings(_env_file=None).warm_grader
