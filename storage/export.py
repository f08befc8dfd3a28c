"""A workspace's history out as plain JSON data; storage.transfer reads it back in.

Rows refer to each other by what survives a move (platform ids, group names, a channel and
a day) rather than by surrogate ids, so an export restores into any database.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.ports.records import exported_answer
from storage.export_reviews import review_cards_of, reviews_json
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
from storage.pair_transfer import export_pairs

FORMAT = "interview-bot-export"
VERSION = 1


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
    reviews = await review_cards_of(session, ws)
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

    exported = {
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
                "packs": list(s.packs),
                "stages": list(s.stages) if s.stages else None,
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
        "reviews": reviews_json(reviews, user_ext),
    }
    return exported | await export_pairs(session, ws, channel_ext, user_ext)


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
        **exported_answer(a),
        "source": a.source,
        "daily_post": daily,
        "event_ref": a.event_ref,
        "graded_at": _iso(a.graded_at),
    }
