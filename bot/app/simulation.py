"""Moving a simulated clock: everything that falls due in between runs, in order, at its time."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.engine import Engine

MAX_STEPS = 10_000


class SettableClock(Protocol):
    def now(self) -> datetime: ...

    def set(self, when: datetime) -> None: ...


async def advance_to(engine: Engine, clock: SettableClock, target: datetime) -> int:
    """Step the clock through each due instant up to target, running the engine's tick at each."""
    ran = 0
    for _ in range(MAX_STEPS):
        upcoming = await engine.next_due_after(clock.now())
        if upcoming is None or upcoming > target:
            break
        clock.set(upcoming)
        ran += await engine.tick()
    clock.set(target)
    ran += await engine.tick()
    return ran
