"""`/interview daily set ...` arguments: a time, an IANA zone, days, and optional filters."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.commands import CommandError, quote_input
from bot.daily.calendar import DaysError, parse_days
from questions.schema import Difficulty, Stage

EXAMPLE = "`/interview daily set time=09:00 tz=Europe/Berlin days=mon-fri`"
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$", re.IGNORECASE)
_KEYS = {
    "time": "time",
    "at": "time",
    "tz": "tz",
    "timezone": "tz",
    "zone": "tz",
    "days": "days",
    "topics": "topics",
    "topic": "topics",
    "difficulty": "difficulty",
    "level": "difficulty",
    "reveal": "reveal",
    "packs": "packs",
    "pack": "packs",
    "stages": "stages",
    "stage": "stages",
}
DEFAULT_STAGES = (Stage.THEORY, Stage.SYSTEM_DESIGN, Stage.CODING)
"""Stages that suit a shared channel; screening and behavioural questions are personal."""
_STAGE_ALIASES = {
    "system_design": Stage.SYSTEM_DESIGN,
    "systemdesign": Stage.SYSTEM_DESIGN,
    "design": Stage.SYSTEM_DESIGN,
    "behavioural": Stage.BEHAVIORAL,
    "ask": Stage.ASK_THE_INTERVIEWER,
}


@dataclass(frozen=True)
class ScheduleSpec:
    at: time
    zone: ZoneInfo
    weekdays: frozenset[int]
    topics: tuple[str, ...] = ()
    difficulty: Difficulty | None = None
    reveal: time | None = None
    packs: tuple[str, ...] = ()
    stages: tuple[Stage, ...] = ()  # empty: DEFAULT_STAGES


def schedule_stages(stored: list[str] | None) -> tuple[Stage, ...]:
    """The stages a schedule draws from; nothing stored means the shared-channel default."""
    return tuple(Stage(s) for s in stored) if stored else DEFAULT_STAGES


def parse_stages(text: str) -> tuple[Stage, ...]:
    """`theory,coding`, `all` (every stage) or `default`; an unknown name lists the valid ones."""
    names = [n for n in re.split(r"[,\s]+", text.lower()) if n]
    if not names or names == ["default"]:
        return ()
    if "all" in names:
        return tuple(Stage)
    stages: list[Stage] = []
    for name in names:
        stage = _STAGE_ALIASES.get(name) or next((s for s in Stage if s.value == name), None)
        if stage is None:
            valid = ", ".join(s.value for s in Stage)
            raise CommandError(
                f"`{quote_input(name)}` is not a stage: use {valid}, `all` or `default`. "
                "Example: `/interview daily set stages=theory,coding`",
                "daily",
            )
        if stage not in stages:
            stages.append(stage)
    return tuple(stages)


def parse_time(text: str, what: str = "time") -> time:
    match = _TIME.match(text.strip())
    if not match:
        raise CommandError(
            f"`{quote_input(text)}` is not a {what}: use 24-hour HH:MM such as 09:00. "
            f"Example: {EXAMPLE}",
            "daily",
        )
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    suffix = (match.group(3) or "").lower()
    if suffix:
        if not 1 <= hour <= 12:
            raise CommandError(
                f"`{quote_input(text)}` is not a {what}: with am/pm the hour is 1-12.", "daily"
            )
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if hour > 23 or minute > 59:
        raise CommandError(
            f"`{quote_input(text)}` is not a {what}: hours go to 23 and minutes to 59.", "daily"
        )
    return time(hour, minute)


def parse_zone(text: str) -> ZoneInfo:
    name = text.strip()
    try:
        if not name or name.startswith(("/", ".")) or ".." in name:
            raise ZoneInfoNotFoundError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise CommandError(
            f"`{quote_input(name)}` is not a time zone I know: use an IANA name such as "
            f"Europe/Berlin, America/New_York or UTC. Example: {EXAMPLE}",
            "daily",
        ) from None


def setting_values(args: list[str]) -> dict[str, str]:
    """key=value words as settings by their canonical name."""
    values: dict[str, str] = {}
    for arg in args:
        key, sep, value = arg.partition("=")
        name = _KEYS.get(key.strip().lower())
        if not sep or name is None:
            known = "time, tz, days, topics, stages, difficulty, reveal, packs"
            raise CommandError(
                f"`{quote_input(arg)}` is not a setting: use key=value with keys {known}. "
                f"Example: {EXAMPLE}",
                "daily",
            )
        values[name] = value.strip()
    return values


def spec_from_values(values: Mapping[str, str], defaults: ScheduleSpec | None) -> ScheduleSpec:
    """Settings by canonical name (from text or typed options) checked into a spec."""
    if defaults is None and "time" not in values:
        raise CommandError(f"Tell me when to post, e.g. {EXAMPLE}", "daily")
    at = parse_time(values["time"]) if "time" in values else _need(defaults).at
    zone = (
        parse_zone(values["tz"])
        if "tz" in values
        else (defaults.zone if defaults else ZoneInfo("UTC"))
    )
    if "days" in values:
        try:
            weekdays = parse_days(values["days"])
        except DaysError as exc:
            raise CommandError(
                f"Days `{quote_input(values['days'])}`: {exc}. Use mon-fri, mon,wed,fri, weekdays "
                f"or daily. Example: {EXAMPLE}",
                "daily",
            ) from None
    else:
        weekdays = defaults.weekdays if defaults else frozenset(range(7))
    topics = defaults.topics if defaults else ()
    if "topics" in values:
        topics = tuple(t for t in re.split(r"[,\s]+", values["topics"].lower()) if t and t != "all")
    difficulty = defaults.difficulty if defaults else None
    if "difficulty" in values:
        level = values["difficulty"].lower()
        if level in ("", "any", "all"):
            difficulty = None
        elif level in {d.value for d in Difficulty}:
            difficulty = Difficulty(level)
        else:
            raise CommandError(
                f"Difficulty `{quote_input(level)}` is not one of easy, medium, hard or any.",
                "daily",
            )
    packs = defaults.packs if defaults else ()
    if "packs" in values:
        packs = tuple(p for p in re.split(r"[,\s]+", values["packs"].lower()) if p and p != "all")
    stages = defaults.stages if defaults else ()
    if "stages" in values:
        stages = parse_stages(values["stages"])
    reveal = defaults.reveal if defaults else None
    if "reveal" in values:
        reveal = (
            None
            if values["reveal"].lower() in ("", "auto", "default")
            else parse_time(values["reveal"], "reveal time")
        )
    return ScheduleSpec(at, zone, weekdays, topics, difficulty, reveal, packs, stages)


def _need(spec: ScheduleSpec | None) -> ScheduleSpec:
    assert spec is not None
    return spec
