"""`/interview review [count]` and `/interview review remind HH:MM [tz=ZONE] | off`."""

from __future__ import annotations

import re
from datetime import time
from zoneinfo import ZoneInfo

from bot.commands import MAX_COUNT, MIN_COUNT, CommandError, Review, ReviewRemind, quote_input
from bot.daily.spec import parse_zone

DEFAULT_REVIEW_COUNT = 10
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
_ZONE_KEYS = ("tz=", "timezone=", "zone=")
REMIND_USAGE = (
    "`/interview review remind HH:MM [tz=Europe/Berlin]` or `/interview review remind off`"
)


def parse_review(args: list[str]) -> Review | ReviewRemind:
    if args and args[0].lower() in ("remind", "reminder", "reminders"):
        return parse_remind(args[1:])
    if len(args) > 1:
        raise CommandError("`/interview review` takes at most a number of cards.", "review")
    if not args:
        return Review()
    return Review(review_count(args[0]))


def review_count(value: str) -> int:
    text = value.strip().removeprefix("count=").removeprefix("n=")
    if not re.fullmatch(r"[+-]?\d+", text):
        raise CommandError(
            f"`{quote_input(value)}` is not a number of cards: use a whole number from "
            f"{MIN_COUNT} to {MAX_COUNT}, e.g. `/interview review 5`.",
            "review",
        )
    count = int(text)
    if not MIN_COUNT <= count <= MAX_COUNT:
        raise CommandError(
            f"A review round has {MIN_COUNT} to {MAX_COUNT} cards; `{count}` is out of range.",
            "review",
        )
    return count


def parse_remind(args: list[str]) -> ReviewRemind:
    if not args:
        raise CommandError(f"Say when: {REMIND_USAGE}.", "review")
    if args[0].lower() in ("off", "stop", "none"):
        if len(args) > 1:
            raise CommandError("`/interview review remind off` takes nothing more.", "review")
        return ReviewRemind(None)
    when, zone = args[0].removeprefix("time="), None
    for word in args[1:]:
        key = next((k for k in _ZONE_KEYS if word.lower().startswith(k)), None)
        if key is None and ("/" in word or word.upper() == "UTC"):
            key = ""  # a bare zone name
        if key is None:
            raise CommandError(
                f"I don't understand `{quote_input(word)}`: {REMIND_USAGE}.", "review"
            )
        zone = word[len(key) :]
    return check_remind(ReviewRemind(when, zone))


def check_remind(command: ReviewRemind) -> ReviewRemind:
    """The reminder's time and zone, checked whether they came as text or as typed options."""
    if command.time is None:
        return command
    remind_time(command.time)
    if command.tz is not None:
        zone_of(command.tz)
    return command


def remind_time(text: str) -> time:
    match = _TIME.match(text.strip())
    hour, minute = (int(match.group(1)), int(match.group(2))) if match else (99, 99)
    if hour > 23 or minute > 59:
        raise CommandError(
            f"`{quote_input(text)}` is not a time of day: use 24-hour HH:MM from 00:00 to "
            "23:59, such as 08:30.",
            "review",
        )
    return time(hour, minute)


def zone_of(name: str) -> ZoneInfo:
    """An IANA zone by the daily schedule's rules, its error pointing at review's help."""
    try:
        return parse_zone(name)
    except CommandError as exc:
        raise CommandError(exc.message.split(" Example:")[0], "review") from None
