"""Reading an export back: every field checked, and every problem said with its place in the
file, before anything is written."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import QueryableAttribute

from questions.schema import Stage
from storage.export import FORMAT, VERSION
from storage.models import (
    Answer,
    Channel,
    DailyPost,
    Schedule,
    Streak,
    StudyGroup,
    User,
    Workspace,
)

_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1  # Integer columns are 32-bit on PostgreSQL
_KINDS = ("daily", "mock")


class TransferError(ValueError):
    """Data that cannot be imported; the message is one line meant for a person."""


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _length_limit(column: QueryableAttribute[Any] | None) -> int | None:
    if column is None:
        return None
    length = getattr(column.expression.type, "length", None)
    return length if isinstance(length, int) else None


class _Fields:
    """Typed reads from one JSON object, so every problem says where in the file it is."""

    def __init__(self, value: Any, where: str) -> None:
        if not isinstance(value, dict):
            raise TransferError(f"{where}: expected an object, got {_describe(value)}")
        self._data: dict[str, Any] = value
        self.where = where

    def keys(self) -> set[str]:
        return set(self._data)

    def _at(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def _get(self, key: str) -> Any:
        if key not in self._data:
            where = f"{self.where}: missing key" if self.where else "missing top-level key"
            raise TransferError(f"{where} {key!r}")
        return self._data[key]

    def _bad(self, key: str, expected: str) -> TransferError:
        return TransferError(
            f"{self._at(key)}: expected {expected}, got {_describe(self._data[key])}"
        )

    def text(self, key: str, column: QueryableAttribute[Any] | None = None) -> str:
        value = self._get(key)
        if not isinstance(value, str):
            raise self._bad(key, "a string")
        limit = _length_limit(column)
        if limit is not None and len(value) > limit:
            raise TransferError(f"{self._at(key)}: longer than {limit} characters")
        return value

    def text_or_none(self, key: str, column: QueryableAttribute[Any] | None = None) -> str | None:
        return None if self._get(key) is None else self.text(key, column)

    def integer(self, key: str) -> int:
        value = self._get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._bad(key, "an integer")
        if not _INT_MIN <= value <= _INT_MAX:
            raise TransferError(f"{self._at(key)}: {value} is out of range")
        return value

    def flag(self, key: str) -> bool:
        value = self._get(key)
        if not isinstance(value, bool):
            raise self._bad(key, "true or false")
        return value

    def moment(self, key: str) -> datetime:
        value = self._get(key)
        expected = "an ISO 8601 date and time with an offset"
        if not isinstance(value, str):
            raise self._bad(key, expected)
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise self._bad(key, expected) from None
        if parsed.tzinfo is None:
            raise self._bad(key, expected)
        return parsed.astimezone(UTC)

    def moment_or_none(self, key: str) -> datetime | None:
        return None if self._get(key) is None else self.moment(key)

    def day(self, key: str) -> date:
        value = self._get(key)
        if not isinstance(value, str):
            raise self._bad(key, "an ISO 8601 date")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise self._bad(key, "an ISO 8601 date") from None

    def day_or_none(self, key: str) -> date | None:
        return None if self._get(key) is None else self.day(key)

    def texts(self, key: str) -> list[str]:
        value = self._get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._bad(key, "a list of strings")
        return list(value)

    def records(self, key: str) -> list[_Fields]:
        value = self._get(key)
        if not isinstance(value, list):
            raise self._bad(key, "a list")
        return [_Fields(item, f"{self._at(key)}[{i}]") for i, item in enumerate(value)]

    def record(self, key: str) -> _Fields:
        return _Fields(self._get(key), self._at(key))

    def raw(self, key: str) -> Any:
        return self._get(key)

    def record_or_none(self, key: str) -> _Fields | None:
        return None if self._get(key) is None else self.record(key)


def _schedule_stages(schedule: _Fields) -> list[str] | None:
    """A schedule's stages; absent (older exports) or null means the default stages."""
    present = schedule.keys()
    if "stages" not in present or schedule.raw("stages") is None:
        return None
    stages = schedule.texts("stages")
    valid = {s.value for s in Stage}
    for name in stages:
        if name not in valid:
            raise TransferError(
                f"{schedule.where}.stages: {_describe(name)} is not a stage "
                f"({', '.join(sorted(valid))})"
            )
    return stages or None


# --------------------------------------------------------------------------- import plan


@dataclass
class Plan:
    """The file checked and turned into rows that still refer to each other by platform ids."""

    workspace: dict[str, Any]
    channels: list[dict[str, Any]] = field(default_factory=list)
    users: list[dict[str, Any]] = field(default_factory=list)
    schedules: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    daily_posts: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    groups: list[tuple[str | None, dict[str, Any]]] = field(default_factory=list)
    members: list[tuple[str, str, datetime]] = field(default_factory=list)
    streaks: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    answers: list[tuple[str, str, tuple[str, date] | None, dict[str, Any]]] = field(
        default_factory=list
    )

    @property
    def label(self) -> str:
        return f"{self.workspace['platform']}:{self.workspace['external_id']}"


def _unique(keys: Iterable[Any], where: str, what: str) -> set[Any]:
    seen: set[Any] = set()
    for key in keys:
        if key in seen:
            raise TransferError(f"{where}: {what} {key!r} appears more than once")
        seen.add(key)
    return seen


def _known(value: str, known: set[str], where: str, what: str, section: str) -> str:
    if value not in known:
        raise TransferError(f"{where}: unknown {what} {value!r} (not in {section})")
    return value


def read_export(data: Any) -> Plan:
    """Check the whole file before anything is written, so a bad file changes nothing."""
    if not isinstance(data, dict):
        raise TransferError(
            f"not an interview-bot export: expected a JSON object, got {_describe(data)}"
        )
    if data.get("format") != FORMAT:
        raise TransferError(
            f"not an interview-bot export: 'format' is {_describe(data.get('format'))}, "
            f"expected {FORMAT!r}"
        )
    version = data.get("version")
    if type(version) is not int or version != VERSION:
        raise TransferError(
            f"unsupported export version {_describe(version)}: this version reads {VERSION}"
        )
    top = _Fields(data, "")

    ws = top.record("workspace")
    plan = Plan(
        workspace={
            "platform": ws.text("platform", Workspace.platform),
            "external_id": ws.text("id", Workspace.external_id),
            "name": ws.text("name", Workspace.name),
            "created_at": ws.moment("created_at"),
        }
    )

    channel_rows = top.records("channels")
    for c in channel_rows:
        plan.channels.append(
            {
                "external_id": c.text("id", Channel.external_id),
                "name": c.text("name", Channel.name),
                "created_at": c.moment("created_at"),
            }
        )
    channels = _unique((c["external_id"] for c in plan.channels), "channels", "channel id")

    user_rows = top.records("users")
    for u in user_rows:
        plan.users.append(
            {
                "external_id": u.text("id", User.external_id),
                "display_name": u.text("name", User.display_name),
                "created_at": u.moment("created_at"),
            }
        )
    users = _unique((u["external_id"] for u in plan.users), "users", "user id")

    for s in top.records("schedules"):
        channel = _known(s.text("channel"), channels, s.where, "channel", "channels")
        plan.schedules.append(
            (
                channel,
                {
                    "post_time": s.text("post_time", Schedule.post_time),
                    "timezone": s.text("timezone", Schedule.timezone),
                    "days": s.text("days", Schedule.days),
                    "topics": s.texts("topics"),
                    "stages": _schedule_stages(s),
                    "difficulty": s.text_or_none("difficulty", Schedule.difficulty),
                    "reveal_time": s.text_or_none("reveal_time", Schedule.reveal_time),
                    "enabled": s.flag("enabled"),
                    "created_at": s.moment("created_at"),
                    "updated_at": s.moment("updated_at"),
                },
            )
        )
    scheduled = _unique((c for c, _ in plan.schedules), "schedules", "schedule for channel")

    for p in top.records("daily_posts"):
        channel = _known(p.text("channel"), channels, p.where, "channel", "channels")
        if channel not in scheduled:
            raise TransferError(
                f"{p.where}: channel {channel!r} has no schedule (not in schedules)"
            )
        plan.daily_posts.append(
            (
                channel,
                {
                    "local_date": p.day("local_date"),
                    "question_id": p.text("question_id", DailyPost.question_id),
                    "status": p.text("status", DailyPost.status),
                    "claimed_by": p.text("claimed_by", DailyPost.claimed_by),
                    "claimed_at": p.moment("claimed_at"),
                    "message_ref": p.text_or_none("message_ref", DailyPost.message_ref),
                    "thread_ref": p.text_or_none("thread_ref", DailyPost.thread_ref),
                    "posted_at": p.moment_or_none("posted_at"),
                    "reveal_at": p.moment_or_none("reveal_at"),
                    "revealed_at": p.moment_or_none("revealed_at"),
                },
            )
        )
    posts = _unique(
        ((c, row["local_date"]) for c, row in plan.daily_posts), "daily_posts", "channel and day"
    )

    for g in top.records("groups"):
        name = g.text("name", StudyGroup.name)
        channel_or_none = g.text_or_none("channel")
        if channel_or_none is not None:
            _known(channel_or_none, channels, g.where, "channel", "channels")
        plan.groups.append(
            (
                channel_or_none,
                {
                    "name": name,
                    "timezone": g.text("timezone", StudyGroup.timezone),
                    "created_at": g.moment("created_at"),
                },
            )
        )
        member_ids = g.texts("members")
        _unique(member_ids, f"{g.where}.members", "user")
        joined = g.record("members_joined_at")
        for member in member_ids:
            _known(member, users, f"{g.where}.members", "user", "users")
            plan.members.append((name, member, joined.moment(member)))
        extra = joined.keys() - set(member_ids)
        if extra:
            raise TransferError(f"{joined.where}: {sorted(extra)[0]!r} is not in members")
    groups = _unique((row["name"] for _, row in plan.groups), "groups", "group name")
    _unique((c for c, _ in plan.groups if c is not None), "groups", "group for channel")

    for u, row in zip(user_rows, plan.users, strict=True):
        user = row["external_id"]
        streak_rows = u.records("streaks")
        _unique((s.text("group") for s in streak_rows), f"{u.where}.streaks", "group")
        for s in streak_rows:
            group = _known(s.text("group"), groups, s.where, "group", "groups")
            plan.streaks.append(
                (
                    group,
                    user,
                    {
                        "current": s.integer("current"),
                        "longest": s.integer("longest"),
                        "freezes": s.integer("freezes"),
                        "last_day": s.day_or_none("last_day"),
                        "schedule_days": s.text("schedule_days", Streak.schedule_days),
                        "updated_at": s.moment("updated_at"),
                    },
                )
            )

    for a in top.records("answers"):
        user = _known(a.text("user"), users, a.where, "user", "users")
        channel = _known(a.text("channel"), channels, a.where, "channel", "channels")
        kind = a.text("kind")
        if kind not in _KINDS:
            raise TransferError(f"{a.where}.kind: expected 'daily' or 'mock', got {kind!r}")
        linked = a.record_or_none("daily_post")
        post: tuple[str, date] | None = None
        if linked is not None:
            post = (linked.text("channel"), linked.day("local_date"))
            if post not in posts:
                raise TransferError(
                    f"{linked.where}: unknown daily post {post[0]!r} on {post[1].isoformat()} "
                    "(not in daily_posts)"
                )
        if (kind == "daily") != (post is not None):
            raise TransferError(
                f"{a.where}: kind {kind!r} needs 'daily_post' to be "
                f"{'set' if kind == 'daily' else 'null'}"
            )
        plan.answers.append(
            (
                user,
                channel,
                post,
                {
                    "question_id": a.text("question_id", Answer.question_id),
                    "source": a.text("source", Answer.source),
                    "round_question_id": None,
                    "is_follow_up": a.flag("is_follow_up"),
                    "text": a.text("text"),
                    "score": a.integer("score"),
                    "points": a.integer("points"),
                    "counted": a.flag("counted"),
                    "covered": a.texts("covered"),
                    "missed": a.texts("missed"),
                    "advice": a.text("advice"),
                    "event_ref": a.text_or_none("event_ref", Answer.event_ref),
                    "submitted_at": a.moment("created_at"),
                    "graded_at": a.moment("graded_at"),
                },
            )
        )
    return plan
