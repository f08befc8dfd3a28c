"""Schedule time math and streak rules, walked day by day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.daily.calendar import (
    DaysError,
    Recurrence,
    count_weekdays_between,
    format_days,
    parse_days,
    resolve_local,
)
from bot.progress.streaks import StreakState, record_answer, standing

BERLIN = ZoneInfo("Europe/Berlin")
MON_FRI = parse_days("mon-fri")
EVERY_DAY = parse_days("daily")


def test_gap_time_fires_an_hour_later_and_fold_time_fires_once() -> None:
    spring = resolve_local(date(2026, 3, 29), time(2, 30), BERLIN)
    assert spring.astimezone(BERLIN).strftime("%H:%M %Z") == "03:30 CEST"
    autumn = resolve_local(date(2026, 10, 25), time(2, 30), BERLIN)
    assert autumn == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # the first 02:30 (CEST)
    assert resolve_local(date(2026, 7, 1), time(9, 0), BERLIN) == datetime(
        2026, 7, 1, 7, 0, tzinfo=UTC
    )


def test_recurrence_finds_latest_and_next_across_a_weekend() -> None:
    rec = Recurrence(time(9, 0), BERLIN, MON_FRI)
    saturday = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)
    assert rec.latest_at_or_before(saturday) == (
        date(2026, 3, 6),
        datetime(2026, 3, 6, 8, 0, tzinfo=UTC),
    )
    assert rec.next_after(saturday) == (date(2026, 3, 9), datetime(2026, 3, 9, 8, 0, tzinfo=UTC))
    assert rec.previous_day(date(2026, 3, 9)) == date(2026, 3, 6)
    before_nine = datetime(2026, 3, 9, 7, 59, tzinfo=UTC)
    assert rec.latest_at_or_before(before_nine) == (
        date(2026, 3, 6),
        datetime(2026, 3, 6, 8, 0, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mon-fri", "mon-fri"),
        ("weekdays", "mon-fri"),
        ("daily", "every day"),
        ("Mon,Wed,Friday", "mon,wed,fri"),
        ("sat-sun", "sat,sun"),
        ("fri-mon", "mon,fri-sun"),
        ("tues thu", "tue,thu"),
    ],
)
def test_day_lists(text: str, expected: str) -> None:
    assert format_days(parse_days(text)) == expected


@pytest.mark.parametrize("bad", ["", "funday", "mo", "mon-xyz"])
def test_bad_day_lists(bad: str) -> None:
    with pytest.raises(DaysError):
        parse_days(bad)


def test_counting_scheduled_days_between_matches_a_plain_walk() -> None:
    start = date(2026, 1, 1)
    for weekdays in (MON_FRI, EVERY_DAY, parse_days("mon,thu"), frozenset[int]()):
        for span in range(0, 30):
            end = start + timedelta(days=span)
            walked = sum(
                1 for n in range(1, span) if (start + timedelta(days=n)).weekday() in weekdays
            )
            assert count_weekdays_between(weekdays, start, end) == walked


def walk(days: list[date], weekdays: frozenset[int]) -> StreakState:
    state = StreakState()
    for day in days:
        state = record_answer(state, day, weekdays)
    return state


def weekdays_from(start: date, count: int) -> list[date]:
    days: list[date] = []
    day = start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def test_weekends_do_not_break_a_mon_fri_streak() -> None:
    state = walk(weekdays_from(date(2026, 3, 2), 6), MON_FRI)
    assert (state.current, state.longest) == (6, 6)
    friday = walk(weekdays_from(date(2026, 3, 2), 5), MON_FRI)
    for weekend_or_monday in (date(2026, 3, 7), date(2026, 3, 8), date(2026, 3, 9)):
        assert standing(friday, weekend_or_monday, MON_FRI).current == 5
    assert standing(friday, date(2026, 3, 10), MON_FRI).current == 0  # Monday was missed


def test_a_missed_day_without_a_freeze_restarts_the_streak() -> None:
    state = walk([date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 5)], MON_FRI)
    assert (state.current, state.longest, state.freezes) == (1, 2, 0)


def test_seven_days_earn_a_freeze_that_covers_one_missed_day() -> None:
    days = weekdays_from(date(2026, 3, 2), 7)
    state = walk(days, MON_FRI)
    assert (state.current, state.freezes) == (7, 1)
    next_days = weekdays_from(days[-1] + timedelta(days=1), 2)
    state = record_answer(state, next_days[1], MON_FRI)  # skipped next_days[0]
    assert (state.current, state.freezes) == (8, 0)


def test_freezes_cap_at_two_and_standing_spends_them() -> None:
    state = walk(weekdays_from(date(2026, 1, 5), 21), MON_FRI)
    assert (state.current, state.freezes) == (21, 2)
    state = walk(weekdays_from(date(2026, 1, 5), 28), MON_FRI)
    assert state.freezes == 2
    last = state.last_day
    assert last is not None
    two_missed = last + timedelta(days=3)  # Fri -> Mon, Tue missed -> Wed
    today = standing(state, two_missed + timedelta(days=2), MON_FRI)
    assert (today.current, today.freezes) == (28, 0)
    assert standing(state, two_missed + timedelta(days=3), MON_FRI).current == 0


def test_answering_the_same_or_an_older_day_changes_nothing() -> None:
    state = walk([date(2026, 3, 3)], MON_FRI)
    assert record_answer(state, date(2026, 3, 3), MON_FRI) == state
    assert record_answer(state, date(2026, 3, 2), MON_FRI) == state
