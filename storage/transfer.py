"""One workspace as plain JSON data: for backups and for moving from SQLite to PostgreSQL.

Rows refer to each other by what survives a move (platform ids, group names, a channel and
a day) rather than by surrogate ids, so an export restores into any database. Mock rounds
and processed events are working state, not history, and are left out; mock answers keep
everything but their round link.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

from storage.models import (
    Answer,
    Channel,
    DailyPost,
    GroupMember,
    Schedule,
    Streak,
    StudyGroup,
    User,
    Workspace,
)

FORMAT = "interview-bot-export"
VERSION = 1

_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1  # Integer columns are 32-bit on PostgreSQL
_KINDS = ("daily", "mock")


class TransferError(ValueError):
    """Data that cannot be imported; the message is one line meant for a person."""


@dataclass(frozen=True)
class ImportSummary:
    workspace: str
    channels: int = 0
    users: int = 0
    schedules: int = 0
    daily_posts: int = 0
    groups: int = 0
    group_members: int = 0
    streaks: int = 0
    answers: int = 0

    def counts(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "workspace"}

    def describe(self) -> str:
        parts = []
        for name, count in self.counts().items():
            noun = name.replace("_", " ")
            parts.append(f"{count} {noun[:-1] if count == 1 else noun}")
        return f"imported workspace {self.workspace}: {', '.join(parts)}"


# --------------------------------------------------------------------------- export


def _iso(value: datetime) -> str:
    # Objects still in the session may carry another offset than the stored UTC value.
    return value.astimezone(UTC).isoformat()


def _iso_or_none(value: datetime | None) -> str | None:
    return None if value is None else _iso(value)


def _day_or_none(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


async def export_workspace(
    session: AsyncSession, platform: str, external_id: str
) -> dict[str, Any]:
    """A JSON-ready copy of one workspace's history, in an order that does not depend on ids."""
    workspace = await session.scalar(
        select(Workspace).where(
            Workspace.platform == platform, Workspace.external_id == external_id
        )
    )
    if workspace is None:
        raise LookupError(f"no workspace {platform}:{external_id} in this database")
    ws = workspace.id

    # Rows that refer to others are read before the rows they refer to: even without a
    # snapshot (SQLite reads outside a transaction), everything referred to is then there.
    # Plain rows, not ORM objects: answers are the one table that grows large.
    answers = (
        await session.execute(
            select(Answer.__table__)
            .join(User, Answer.user_id == User.id)
            .join(Channel, Answer.channel_id == Channel.id)
            .where(User.workspace_id == ws, Channel.workspace_id == ws)
        )
    ).all()
    streaks = (
        await session.scalars(
            select(Streak)
            .join(StudyGroup, Streak.group_id == StudyGroup.id)
            .where(StudyGroup.workspace_id == ws)
        )
    ).all()
    members = (
        await session.scalars(
            select(GroupMember)
            .join(StudyGroup, GroupMember.group_id == StudyGroup.id)
            .where(StudyGroup.workspace_id == ws)
        )
    ).all()
    groups = (await session.scalars(select(StudyGroup).where(StudyGroup.workspace_id == ws))).all()
    posts = (
        await session.scalars(
            select(DailyPost)
            .join(Channel, DailyPost.channel_id == Channel.id)
            .where(Channel.workspace_id == ws)
        )
    ).all()
    schedules = (
        await session.scalars(
            select(Schedule)
            .join(Channel, Schedule.channel_id == Channel.id)
            .where(Channel.workspace_id == ws)
        )
    ).all()
    users = (await session.scalars(select(User).where(User.workspace_id == ws))).all()
    channels = (await session.scalars(select(Channel).where(Channel.workspace_id == ws))).all()

    channel_ext = {c.id: c.external_id for c in channels}
    user_ext = {u.id: u.external_id for u in users}
    group_name = {g.id: g.name for g in groups}
    post_key = {p.id: (channel_ext[p.channel_id], p.local_date.isoformat()) for p in posts}

    points: dict[int, int] = defaultdict(int)
    for a in answers:
        points[a.user_id] += a.points
    user_streaks: dict[int, list[Streak]] = defaultdict(list)
    for s in streaks:
        user_streaks[s.user_id].append(s)
    group_members: dict[int, list[GroupMember]] = defaultdict(list)
    for m in members:
        group_members[m.group_id].append(m)

    return {
        "format": FORMAT,
        "version": VERSION,
        "workspace": {
            "platform": workspace.platform,
            "id": workspace.external_id,
            "name": workspace.name,
            "created_at": _iso(workspace.created_at),
        },
        "channels": [
            {"id": c.external_id, "name": c.name, "created_at": _iso(c.created_at)}
            for c in sorted(channels, key=lambda c: c.external_id)
        ],
        "users": [
            {
                "id": u.external_id,
                "name": u.display_name,
                "created_at": _iso(u.created_at),
                "points": points[u.id],
                "streaks": [
                    {
                        "group": group_name[s.group_id],
                        "current": s.current,
                        "longest": s.longest,
                        "freezes": s.freezes,
                        "last_day": _day_or_none(s.last_day),
                        "schedule_days": s.schedule_days,
                        "updated_at": _iso(s.updated_at),
                    }
                    for s in sorted(user_streaks[u.id], key=lambda s: group_name[s.group_id])
                ],
            }
            for u in sorted(users, key=lambda u: u.external_id)
        ],
        "schedules": [
            {
                "channel": channel_ext[s.channel_id],
                "post_time": s.post_time,
                "timezone": s.timezone,
                "days": s.days,
                "topics": list(s.topics),
                "difficulty": s.difficulty,
                "reveal_time": s.reveal_time,
                "enabled": s.enabled,
                "created_at": _iso(s.created_at),
                "updated_at": _iso(s.updated_at),
            }
            for s in sorted(schedules, key=lambda s: channel_ext[s.channel_id])
        ],
        "daily_posts": [
            {
                "channel": channel_ext[p.channel_id],
                "local_date": p.local_date.isoformat(),
                "question_id": p.question_id,
                "status": p.status,
                "claimed_by": p.claimed_by,
                "claimed_at": _iso(p.claimed_at),
                "message_ref": p.message_ref,
                "thread_ref": p.thread_ref,
                "posted_at": _iso_or_none(p.posted_at),
                "reveal_at": _iso_or_none(p.reveal_at),
                "revealed_at": _iso_or_none(p.revealed_at),
            }
            for p in sorted(posts, key=lambda p: post_key[p.id])
        ],
        "groups": [
            {
                "name": g.name,
                "channel": None if g.channel_id is None else channel_ext[g.channel_id],
                "timezone": g.timezone,
                "created_at": _iso(g.created_at),
                "members": sorted(user_ext[m.user_id] for m in group_members[g.id]),
                "members_joined_at": {
                    user_ext[m.user_id]: _iso(m.joined_at)
                    for m in sorted(group_members[g.id], key=lambda m: user_ext[m.user_id])
                },
            }
            for g in sorted(groups, key=lambda g: g.name)
        ],
        "answers": [
            _answer_json(a, user_ext, channel_ext, post_key)
            for a in sorted(
                answers,
                key=lambda a: (
                    a.submitted_at,
                    user_ext[a.user_id],
                    channel_ext[a.channel_id],
                    a.question_id,
                    a.is_follow_up,
                    a.graded_at,
                    a.id,
                ),
            )
        ],
    }


def _answer_json(
    a: Any,
    user_ext: dict[int, str],
    channel_ext: dict[int, str],
    post_key: dict[int, tuple[str, str]],
) -> dict[str, Any]:
    daily = None
    if a.daily_post_id is not None:
        channel, day = post_key[a.daily_post_id]
        daily = {"channel": channel, "local_date": day}
    return {
        "user": user_ext[a.user_id],
        "channel": channel_ext[a.channel_id],
        "question_id": a.question_id,
        "kind": "daily" if daily is not None else "mock",
        "source": a.source,
        "daily_post": daily,
        "is_follow_up": a.is_follow_up,
        "text": a.text,
        "score": a.score,
        "points": a.points,
        "counted": a.counted,
        "covered": list(a.covered),
        "missed": list(a.missed),
        "advice": a.advice,
        "event_ref": a.event_ref,
        "created_at": _iso(a.submitted_at),
        "graded_at": _iso(a.graded_at),
    }


# --------------------------------------------------------------------------- reading


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

    def record_or_none(self, key: str) -> _Fields | None:
        return None if self._get(key) is None else self.record(key)


# --------------------------------------------------------------------------- import plan


@dataclass
class _Plan:
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


def _read_export(data: Any) -> _Plan:
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
    plan = _Plan(
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


# --------------------------------------------------------------------------- import


async def import_workspace(session: AsyncSession, data: dict[str, Any]) -> ImportSummary:
    """Restore an export into a database without that workspace; the caller commits.

    Users' `points` are not read: they are the sum of the answers' points and follow from them.
    """
    plan = _read_export(data)
    existing = await session.scalar(
        select(Workspace.id).where(
            Workspace.platform == plan.workspace["platform"],
            Workspace.external_id == plan.workspace["external_id"],
        )
    )
    if existing is not None:
        raise TransferError(f"workspace {plan.label} already exists in this database")
    try:
        return await _write(session, plan)
    except (IntegrityError, DataError) as exc:
        lines = str(exc.orig).strip().splitlines()
        reason = lines[0] if lines else type(exc.orig).__name__
        raise TransferError(
            f"workspace {plan.label} does not fit the database's constraints: {reason}"
        ) from exc


# Without render_nulls the ORM leaves out None values, so rows with nulls in different places
# would go to the database in many small batches instead of one.
_BULK = {"render_nulls": True}


async def _insert_returning(
    session: AsyncSession, model: Any, rows: Sequence[dict[str, Any]], *keys: Any
) -> list[Any]:
    """Bulk insert that hands back the new ids next to the columns that identify each row."""
    if not rows:  # an empty parameter list would insert one row of defaults
        return []
    statement = insert(model).returning(model.id, *keys).execution_options(**_BULK)
    return list((await session.execute(statement, list(rows))).all())


async def _bulk_insert(session: AsyncSession, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await session.execute(insert(model).execution_options(**_BULK), list(rows))


async def _write(session: AsyncSession, plan: _Plan) -> ImportSummary:
    workspace_id = (
        await session.execute(insert(Workspace).values(**plan.workspace).returning(Workspace.id))
    ).scalar_one()

    channel_ids = {
        ext: id_
        for id_, ext in await _insert_returning(
            session,
            Channel,
            [{**row, "workspace_id": workspace_id} for row in plan.channels],
            Channel.external_id,
        )
    }
    user_ids = {
        ext: id_
        for id_, ext in await _insert_returning(
            session,
            User,
            [{**row, "workspace_id": workspace_id} for row in plan.users],
            User.external_id,
        )
    }
    schedule_ids = {
        channel_id: id_
        for id_, channel_id in await _insert_returning(
            session,
            Schedule,
            [{**row, "channel_id": channel_ids[c]} for c, row in plan.schedules],
            Schedule.channel_id,
        )
    }
    post_ids = {
        (channel_id, day): id_
        for id_, channel_id, day in await _insert_returning(
            session,
            DailyPost,
            [
                {
                    **row,
                    "channel_id": channel_ids[c],
                    "schedule_id": schedule_ids[channel_ids[c]],
                }
                for c, row in plan.daily_posts
            ],
            DailyPost.channel_id,
            DailyPost.local_date,
        )
    }
    group_ids = {
        name: id_
        for id_, name in await _insert_returning(
            session,
            StudyGroup,
            [
                {
                    **row,
                    "workspace_id": workspace_id,
                    "channel_id": None if c is None else channel_ids[c],
                }
                for c, row in plan.groups
            ],
            StudyGroup.name,
        )
    }
    await _bulk_insert(
        session,
        GroupMember,
        [
            {"group_id": group_ids[g], "user_id": user_ids[u], "joined_at": joined}
            for g, u, joined in plan.members
        ],
    )
    await _bulk_insert(
        session,
        Streak,
        [{**row, "group_id": group_ids[g], "user_id": user_ids[u]} for g, u, row in plan.streaks],
    )
    await _bulk_insert(
        session,
        Answer,
        [
            {
                **row,
                "user_id": user_ids[u],
                "channel_id": channel_ids[c],
                "daily_post_id": None
                if post is None
                else post_ids[(channel_ids[post[0]], post[1])],
            }
            for u, c, post, row in plan.answers
        ],
    )
    return ImportSummary(
        workspace=plan.label,
        channels=len(plan.channels),
        users=len(plan.users),
        schedules=len(plan.schedules),
        daily_posts=len(plan.daily_posts),
        groups=len(plan.groups),
        group_members=len(plan.members),
        streaks=len(plan.streaks),
        answers=len(plan.answers),
    )
