"""One workspace as plain JSON data: for backups and for moving from SQLite to PostgreSQL.

storage.export writes it, storage.export_reader checks it, and this module writes it back.

Rows refer to each other by what survives a move (platform ids, group names, a channel and
a day) rather than by surrogate ids, so an export restores into any database. Mock rounds
and processed events are working state, not history, and are left out; mock answers keep
everything but their round link.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.export import FORMAT, export_workspace
from storage.export_reader import Plan, TransferError, read_export
from storage.models import (
    Answer,
    Channel,
    DailyPost,
    GroupMember,
    ReviewCard,
    Schedule,
    Streak,
    StudyGroup,
    User,
    Workspace,
)
from storage.pair_transfer import read_pairs, write_pairs


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
    reviews: int = 0
    pair_sessions: int = 0

    def counts(self) -> dict[str, int]:
        """Each section's rows; pair sessions only when there were some (older exports have
        none)."""
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name != "workspace" and (f.name != "pair_sessions" or self.pair_sessions)
        }

    def describe(self) -> str:
        parts = []
        for name, count in self.counts().items():
            noun = name.replace("_", " ")
            parts.append(f"{count} {noun[:-1] if count == 1 else noun}")
        return f"imported workspace {self.workspace}: {', '.join(parts)}"


async def import_workspace(session: AsyncSession, data: dict[str, Any]) -> ImportSummary:
    """Restore an export into a database without that workspace; the caller commits.

    Users' `points` are not read: they are the sum of the answers' points and follow from them.
    """
    plan = read_export(data)
    pairs = read_pairs(
        data, {c["external_id"] for c in plan.channels}, {u["external_id"] for u in plan.users}
    )
    existing = await session.scalar(
        select(Workspace.id).where(
            Workspace.platform == plan.workspace["platform"],
            Workspace.external_id == plan.workspace["external_id"],
        )
    )
    if existing is not None:
        raise TransferError(f"workspace {plan.label} already exists in this database")
    try:
        summary = await _write(session, plan)
        await write_pairs(
            session, pairs, summary.workspace_id, summary.channel_ids, summary.user_ids
        )
        return replace(summary.result, pair_sessions=len(pairs.sessions))
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


@dataclass(frozen=True)
class _Written:
    """What was written, and the new ids later sections refer to."""

    result: ImportSummary
    workspace_id: int
    channel_ids: dict[str, int]
    user_ids: dict[str, int]


async def _write(session: AsyncSession, plan: Plan) -> _Written:
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
    await _bulk_insert(
        session, ReviewCard, [{**row, "user_id": user_ids[u]} for u, row in plan.reviews]
    )
    summary = ImportSummary(
        workspace=plan.label,
        channels=len(plan.channels),
        users=len(plan.users),
        schedules=len(plan.schedules),
        daily_posts=len(plan.daily_posts),
        groups=len(plan.groups),
        group_members=len(plan.members),
        streaks=len(plan.streaks),
        answers=len(plan.answers),
        reviews=len(plan.reviews),
    )
    return _Written(summary, workspace_id, channel_ids, user_ids)


__all__ = ["FORMAT", "ImportSummary", "TransferError", "export_workspace", "import_workspace"]
