"""Reading an export back: the file's shape checked by its models (storage.export_format),
then every reference between sections, and every problem said with its place in the file,
before anything is written."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from questions.schema import Stage
from storage.export import FORMAT, VERSION
from storage.export_format import AnswerIn, TransferError, describe, read_sections

__all__ = ["Plan", "TransferError", "read_export"]


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
    reviews: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

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
            f"not an interview-bot export: expected a JSON object, got {describe(data)}"
        )
    if data.get("format") != FORMAT:
        raise TransferError(
            f"not an interview-bot export: 'format' is {describe(data.get('format'))}, "
            f"expected {FORMAT!r}"
        )
    version = data.get("version")
    if type(version) is not int or version != VERSION:
        raise TransferError(
            f"unsupported export version {describe(version)}: this version reads {VERSION}"
        )
    file = read_sections(data)

    ws = file.workspace
    plan = Plan(
        workspace={
            "platform": ws.platform,
            "external_id": ws.id,
            "name": ws.name,
            "created_at": ws.created_at,
        }
    )
    plan.channels = [
        {"external_id": c.id, "name": c.name, "created_at": c.created_at} for c in file.channels
    ]
    channels = _unique((c.id for c in file.channels), "channels", "channel id")
    plan.users = [
        {"external_id": u.id, "display_name": u.name, "created_at": u.created_at}
        for u in file.users
    ]
    users = _unique((u.id for u in file.users), "users", "user id")

    for i, s in enumerate(file.schedules):
        channel = _known(s.channel, channels, f"schedules[{i}]", "channel", "channels")
        row = s.model_dump(exclude={"channel", "stages"})
        row["stages"] = _stages(s.stages, f"schedules[{i}]")
        plan.schedules.append((channel, row))
    scheduled = _unique((c for c, _ in plan.schedules), "schedules", "schedule for channel")

    for i, p in enumerate(file.daily_posts):
        at = f"daily_posts[{i}]"
        channel = _known(p.channel, channels, at, "channel", "channels")
        if channel not in scheduled:
            raise TransferError(f"{at}: channel {channel!r} has no schedule (not in schedules)")
        plan.daily_posts.append((channel, p.model_dump(exclude={"channel"})))
    posts = _unique(
        ((c, row["local_date"]) for c, row in plan.daily_posts), "daily_posts", "channel and day"
    )

    for i, g in enumerate(file.groups):
        at = f"groups[{i}]"
        if g.channel is not None:
            _known(g.channel, channels, at, "channel", "channels")
        plan.groups.append(
            (g.channel, {"name": g.name, "timezone": g.timezone, "created_at": g.created_at})
        )
        _unique(g.members, f"{at}.members", "user")
        for member in g.members:
            _known(member, users, f"{at}.members", "user", "users")
            joined = g.members_joined_at.get(member)
            if joined is None:
                raise TransferError(f"{at}.members_joined_at: missing key {member!r}")
            plan.members.append((g.name, member, joined))
        extra = g.members_joined_at.keys() - set(g.members)
        if extra:
            raise TransferError(f"{at}.members_joined_at: {sorted(extra)[0]!r} is not in members")
    groups = _unique((row["name"] for _, row in plan.groups), "groups", "group name")
    _unique((c for c, _ in plan.groups if c is not None), "groups", "group for channel")

    for i, u in enumerate(file.users):
        at = f"users[{i}].streaks"
        _unique((s.group for s in u.streaks), at, "group")
        for j, streak in enumerate(u.streaks):
            group = _known(streak.group, groups, f"{at}[{j}]", "group", "groups")
            plan.streaks.append((group, u.id, streak.model_dump(exclude={"group"})))

    for i, a in enumerate(file.answers):
        at = f"answers[{i}]"
        user = _known(a.user, users, at, "user", "users")
        channel = _known(a.channel, channels, at, "channel", "channels")
        post: tuple[str, date] | None = None
        if a.daily_post is not None:
            post = (a.daily_post.channel, a.daily_post.local_date)
            if post not in posts:
                raise TransferError(
                    f"{at}.daily_post: unknown daily post {post[0]!r} on {post[1].isoformat()} "
                    "(not in daily_posts)"
                )
        if (a.kind == "daily") != (post is not None):
            raise TransferError(
                f"{at}: kind {a.kind!r} needs 'daily_post' to be "
                f"{'set' if a.kind == 'daily' else 'null'}"
            )
        plan.answers.append((user, channel, post, answer_row(a)))
    for i, r in enumerate(file.reviews):
        user = _known(r.user, users, f"reviews[{i}]", "user", "users")
        plan.reviews.append((user, r.model_dump(exclude={"user"})))
    _unique(((u, row["question_id"]) for u, row in plan.reviews), "reviews", "user and question")
    return plan


def answer_row(a: AnswerIn) -> dict[str, Any]:
    """An answer's columns from its exported form."""
    return {
        "question_id": a.question_id,
        "source": a.source,
        "round_question_id": None,
        "is_follow_up": a.is_follow_up,
        "text": a.text,
        "score": a.score,
        "points": a.points,
        "counted": a.counted,
        "covered": a.covered,
        "missed": a.missed,
        "advice": a.advice,
        "event_ref": a.event_ref,
        "submitted_at": a.created_at,
        "graded_at": a.graded_at,
    }


def _stages(names: list[str] | None, where: str) -> list[str] | None:
    """A schedule's stages; absent (older exports), null or empty means the default ones."""
    valid = {stage.value for stage in Stage}
    for name in names or []:
        if name not in valid:
            raise TransferError(
                f"{where}.stages: {describe(name)} is not a stage ({', '.join(sorted(valid))})"
            )
    return list(names) if names else None
