"""Compile the bank's rubrics in the background once the bot is ready.

The first answer to each question would otherwise compile its rubric on the event loop while
other events wait (a tail in ack latency for the first minutes), and the process would grow
as traffic happens to touch more questions. Compiling them up front, one question per turn of
the loop, moves that work to just after start-up, where nothing waits on it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable

from bot.grading import Rubric
from bot.grading.compiled import compile_rubric
from questions.schema import Question

log = logging.getLogger(__name__)


async def warm_rubrics(questions: Iterable[Question]) -> int:
    """Compile each question's rubric, yielding to the event loop between questions; how
    many were compiled. Stops at the compile cache's size: past it, warming would evict what
    it had just compiled."""
    started = time.perf_counter()
    room = compile_rubric.cache_info().maxsize
    count = 0
    for question in questions:
        if room is not None and count >= room:
            break
        compile_rubric(Rubric.for_question(question))
        count += 1
        await asyncio.sleep(0)
    log.info("grader warm: %d rubrics compiled in %.1f s", count, time.perf_counter() - started)
    return count


class GraderWarmer:
    """The background task of `warm_rubrics`, cancelled if the bot stops first."""

    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None

    def start(self, questions: Iterable[Question]) -> None:
        self._task = asyncio.create_task(self._run(questions), name="grader-warm")

    async def _run(self, questions: Iterable[Question]) -> None:
        try:
            await warm_rubrics(questions)
        except Exception:  # a rubric that fails here fails when graded: no reason to stop
            log.exception("grader warm-up failed; rubrics compile when first graded")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            await asyncio.wait([task])
