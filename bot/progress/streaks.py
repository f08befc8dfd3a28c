"""Streak rules: consecutive scheduled days answered, with freezes that cover a missed day.

Pure functions over a small state, so an answer updates a streak in O(1) without reading
history, and a test can walk any calendar.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from bot.daily.calendar import count_weekdays_between

FREEZE_EVERY = 7
MAX_FREEZES = 2


@dataclass(frozen=True)
class StreakState:
    current: int = 0
    longest: int = 0
    freezes: int = 0
    last_day: date | None = None


def record_answer(state: StreakState, day: date, weekdays: frozenset[int]) -> StreakState:
    """Count a scheduled day answered; missed days in between use freezes or break the streak."""
    if state.last_day is not None and day <= state.last_day:
        return state
    current = 1
    freezes = state.freezes
    if state.last_day is not None and state.current > 0:
        missed = count_weekdays_between(weekdays, state.last_day, day)
        if missed <= freezes:
            freezes -= missed
            current = state.current + 1
    if current % FREEZE_EVERY == 0:
        freezes = min(MAX_FREEZES, freezes + 1)
    return replace(
        state, current=current, longest=max(state.longest, current), freezes=freezes, last_day=day
    )


def standing(state: StreakState, today: date, weekdays: frozenset[int]) -> StreakState:
    """The streak as of today: days missed since the last answer spend freezes or end it.

    Today itself is not missed yet: it can still be answered.
    """
    if state.last_day is None or state.current == 0:
        return replace(state, current=0)
    missed = count_weekdays_between(weekdays, state.last_day, today)
    if missed == 0:
        return state
    if missed <= state.freezes:
        return replace(state, freezes=state.freezes - missed)
    return replace(state, current=0)
