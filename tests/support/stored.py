"""What a harness's database holds, read the same way on the in-memory one and on SQL, so a
rule's test can check the rows it left without caring where they are kept."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from storage.models import Answer, DailyPost, Round, Streak
from tests.support.harness import Harness
from tests.support.memory import MemoryDatabase


async def _rows(h: Harness, memory: str, model: Any, *order: Any) -> list[Any]:
    if isinstance(h.uow, MemoryDatabase):
        return list(getattr(h.uow.data, memory))
    async with h.uow() as uow:
        return list((await uow.session.execute(select(model).order_by(*order))).scalars())


async def daily_posts(h: Harness) -> list[Any]:
    """Daily posts and claims, by local date."""
    rows = await _rows(h, "posts", DailyPost, DailyPost.local_date, DailyPost.id)
    return sorted(rows, key=lambda p: (p.local_date, p.id))


async def answers(h: Harness) -> list[Any]:
    """Every kept answer, oldest first."""
    return await _rows(h, "answers", Answer, Answer.id)


async def streaks(h: Harness) -> list[Any]:
    return await _rows(h, "streaks", Streak, Streak.group_id, Streak.user_id)


async def rounds(h: Harness) -> list[Any]:
    return await _rows(h, "rounds", Round, Round.id)
