"""Schedule time in a channel's own zone, with daylight-saving gaps and folds handled.

A local time that does not exist (the spring-forward gap) fires at the same wall-clock
distance after the gap (02:30 becomes 03:30); a time that happens twice (fall-back) fires at
its first occurrence. Either way each scheduled day has exactly one instant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SEARCH_LIMIT_DAYS = 8


def resolve_local(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time on a day.

    fold=0 maps a time in a gap with the offset from before the transition (02:30 becomes
    03:30 on a spring-forward night) and a repeated time to its first occurrence.
    """
    return datetime.combine(day, at).replace(tzinfo=zone, fold=0).astimezone(UTC)


@dataclass(frozen=True)
class Recurrence:
    """When a daily question posts: a local time, a zone and a set of weekdays (0 = Monday)."""

    at: time
    zone: ZoneInfo
    weekdays: frozenset[int]

    def is_scheduled(self, day: date) -> bool:
        return day.weekday() in self.weekdays

    def instant(self, day: date) -> datetime:
        return resolve_local(day, self.at, self.zone)

    def local_date(self, instant: datetime) -> date:
        return instant.astimezone(self.zone).date()

    def latest_at_or_before(self, now: datetime) -> tuple[date, datetime] | None:
        """The most recent scheduled day whose post time has come."""
        today = self.local_date(now)
        for back in range(_SEARCH_LIMIT_DAYS):
            day = today - timedelta(days=back)
            if self.is_scheduled(day) and self.instant(day) <= now:
                return day, self.instant(day)
        return None

    def next_after(self, moment: datetime) -> tuple[date, datetime] | None:
        """The first scheduled day whose post time is strictly after moment."""
        start = self.local_date(moment) - timedelta(days=1)
        for ahead in range(_SEARCH_LIMIT_DAYS + 1):
            day = start + timedelta(days=ahead)
            if self.is_scheduled(day) and self.instant(day) > moment:
                return day, self.instant(day)
        return None

    def previous_day(self, day: date) -> date | None:
        for back in range(1, _SEARCH_LIMIT_DAYS):
            candidate = day - timedelta(days=back)
            if self.is_scheduled(candidate):
                return candidate
        return None


def count_weekdays_between(weekdays: frozenset[int], start: date, end: date) -> int:
    """How many days strictly between start and end fall on the given weekdays, in O(1)."""
    span = (end - start).days - 1
    if span <= 0 or not weekdays:
        return 0
    full_weeks, rest = divmod(span, 7)
    count = full_weeks * len(weekdays)
    first = (start.weekday() + 1) % 7
    count += sum(1 for offset in range(rest) if (first + offset) % 7 in weekdays)
    return count


class DaysError(ValueError):
    pass


_ALIASES = {
    "daily": "mon-sun",
    "everyday": "mon-sun",
    "every-day": "mon-sun",
    "all": "mon-sun",
    "weekdays": "mon-fri",
    "workdays": "mon-fri",
    "weekends": "sat-sun",
    "weekend": "sat-sun",
}


def parse_days(text: str) -> frozenset[int]:
    """`mon-fri`, `mon,wed,fri`, `fri-mon` (wraps), `weekdays`, `daily`."""
    spec = _ALIASES.get(text.strip().lower(), text.strip().lower())
    days: set[int] = set()
    for part in filter(None, re.split(r"[,\s]+", spec)):
        if "-" in part:
            first, _, last = part.partition("-")
            start, stop = _day(first), _day(last)
            index = start
            days.add(index)
            while index != stop:
                index = (index + 1) % 7
                days.add(index)
        else:
            days.add(_day(part))
    if not days:
        raise DaysError("no days given")
    return frozenset(days)


_FULL_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _day(name: str) -> int:
    """A day from 'mon', 'monday', 'tues'...: at least three letters of its name."""
    word = name.strip()
    for index, full in enumerate(_FULL_NAMES):
        if len(word) >= 3 and full.startswith(word):
            return index
    raise DaysError(f"'{word}' is not a day")


def format_days(weekdays: frozenset[int]) -> str:
    """Compact text for a day set: mon-fri, sat-sun, mon,wed,fri, every day."""
    if len(weekdays) == 7:
        return "every day"
    ordered = sorted(weekdays)
    runs: list[list[int]] = []
    for day in ordered:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = [
        f"{DAY_NAMES[r[0]]}-{DAY_NAMES[r[-1]]}" if len(r) > 2 else ",".join(DAY_NAMES[d] for d in r)
        for r in runs
    ]
    return ",".join(parts)


def days_key(weekdays: frozenset[int]) -> str:
    """Storage form: the day names in week order."""
    return ",".join(DAY_NAMES[d] for d in sorted(weekdays))


def days_from_key(key: str) -> frozenset[int]:
    return frozenset(DAY_NAMES.index(name) for name in key.split(",") if name)
