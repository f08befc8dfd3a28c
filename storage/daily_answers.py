"""Set-based statements for recording daily answers: one statement serves a whole batch.

A burst of answers to one daily question is the bot's heaviest write load. Each statement here
takes every answer of a batch at once, so a batch of fifty costs about what one answer does.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, insert, literal, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Result
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable

from bot.ports.records import AnswerRecord, EarlierAnswer, PostFacts, StreakRow, StreakUpdate
from storage.models import (
    Answer,
    DailyPost,
    GroupMember,
    ProcessedEvent,
    Schedule,
    Streak,
    StudyGroup,
    User,
)
from storage.repositories import _insert, answer_row
from storage.sets import is_postgres, one_of

_ANSWERS = cast(Table, Answer.__table__)
_EVENTS = cast(Table, ProcessedEvent.__table__)
_MEMBERS = cast(Table, GroupMember.__table__)
_STREAKS = cast(Table, Streak.__table__)
_USERS = cast(Table, User.__table__)


class DailyAnswerStore:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _run(
        self, stmt: Executable, rows: Sequence[dict[str, Any]] | None = None
    ) -> Result[Any]:
        """Core statements on the session's connection: none of these rows are ORM objects
        the session tracks, and skipping its bookkeeping halves the cost of each statement."""
        connection = await self._session.connection()
        return await connection.execute(stmt, rows)

    async def claim_events(
        self, platform: str, event_ids: Collection[str], now: datetime
    ) -> set[str]:
        """The ids seen here for the first time; the rest are retries or duplicates."""
        if not event_ids:
            return set()
        ids = sorted(set(event_ids))
        if is_postgres(self._session):
            # One statement text for any number of ids (see storage/sets.py).
            given = select(
                literal(platform, _EVENTS.c.platform.type),
                func.unnest(bindparam("ids", ids, type_=ARRAY(_EVENTS.c.event_id.type))),
                literal(now, _EVENTS.c.processed_at.type),
            )
            stmt = (
                _insert(self._session, _EVENTS)
                .from_select(["platform", "event_id", "processed_at"], given)
                .on_conflict_do_nothing(index_elements=["platform", "event_id"])
                .returning(_EVENTS.c.event_id)
            )
            return set((await self._run(stmt)).scalars())
        rows = [{"platform": platform, "event_id": i, "processed_at": now} for i in ids]
        stmt = (
            _insert(self._session, _EVENTS)
            .on_conflict_do_nothing(index_elements=["platform", "event_id"])
            .returning(_EVENTS.c.event_id)
        )
        return set((await self._run(stmt, rows)).scalars())

    async def release_events(self, platform: str, event_ids: Collection[str]) -> None:
        """Give claimed ids back, for events that will be handled another way."""
        if event_ids:
            await self._run(
                delete(_EVENTS).where(
                    _EVENTS.c.platform == platform,
                    one_of(self._session, _EVENTS.c.event_id, set(event_ids)),
                )
            )

    async def users(
        self, workspace_id: int, people: dict[str, str], now: datetime
    ) -> dict[str, int]:
        """Internal ids of users by external id (display names by external id), created or
        renamed as needed.

        Read first, written only where missing or renamed: an upsert would lock every row it
        meets until commit. What is written goes in key order, so concurrent batches (and the
        single-event path, which writes one user) take those locks in the same order.
        """
        if not people:
            return {}
        users = _USERS.c
        found = {
            str(row.external_id): (int(row.id), str(row.display_name))
            for row in (
                await self._run(
                    select(users.external_id, users.id, users.display_name).where(
                        users.workspace_id == workspace_id,
                        one_of(self._session, users.external_id, people),
                    )
                )
            ).all()
        }
        ids = {external: row[0] for external, row in found.items()}
        write = sorted(
            external
            for external, name in people.items()
            if external not in found or (name and name != found[external][1])
        )
        if not write:
            return ids
        rows = [
            {
                "workspace_id": workspace_id,
                "external_id": external_id,
                "display_name": people[external_id],
                "created_at": now,
            }
            for external_id in write
        ]
        stmt = _insert(self._session, _USERS)
        stmt = stmt.on_conflict_do_update(
            index_elements=["workspace_id", "external_id"],
            set_={
                "display_name": func.coalesce(
                    func.nullif(stmt.excluded.display_name, ""), users.display_name
                )
            },
        ).returning(users.external_id, users.id)
        for row in (await self._run(stmt, rows)).all():
            ids[str(row.external_id)] = int(row.id)
        return ids

    async def posts(self, post_ids: Collection[int]) -> dict[int, PostFacts]:
        if not post_ids:
            return {}
        stmt = (
            select(
                DailyPost.id,
                DailyPost.channel_id,
                DailyPost.question_id,
                DailyPost.status,
                DailyPost.local_date,
                Schedule.days,
            )
            .outerjoin(Schedule, Schedule.id == DailyPost.schedule_id)
            .where(one_of(self._session, DailyPost.__table__.c.id, post_ids))
        )
        return {
            row.id: PostFacts(
                row.id, row.channel_id, row.question_id, row.status, row.local_date, row.days
            )
            for row in (await self._run(stmt)).all()
        }

    async def schedule_days(self, schedule_id: int) -> str | None:
        return (
            await self._session.execute(select(Schedule.days).where(Schedule.id == schedule_id))
        ).scalar_one_or_none()

    async def earlier_answers(
        self, keys: Collection[tuple[int, int]]
    ) -> dict[tuple[int, int], EarlierAnswer]:
        """The counted answer already given, by (post id, user id)."""
        if not keys:
            return {}
        answers = _ANSWERS.c
        stmt = select(
            answers.id, answers.daily_post_id, answers.user_id, answers.answer_rank
        ).where(
            one_of(self._session, answers.daily_post_id, {post for post, _ in keys}),
            one_of(self._session, answers.user_id, {user for _, user in keys}),
            answers.counted == True,  # noqa: E712  (the form the partial unique index matches)
        )
        found: dict[tuple[int, int], EarlierAnswer] = {}
        for row in (await self._run(stmt)).all():
            key = (int(row.daily_post_id), int(row.user_id))
            if key in keys:
                found[key] = EarlierAnswer(int(row.id), row.answer_rank)
        return found

    async def take_ranks(self, post_id: int, count: int) -> int:
        """Reserve count answering places (0 = first) at once; returns the first one. The
        update holds the post's row until commit, so no two answers share a place."""
        result = await self._session.execute(
            update(DailyPost)
            .where(DailyPost.id == post_id)
            .values(answerers=DailyPost.answerers + count)
            .returning(DailyPost.answerers)
            .execution_options(synchronize_session=False)
        )
        return int(result.scalar_one()) - count

    async def uncount(self, answer_ids: Collection[int]) -> None:
        """Replaced answers stop counting (and earning) before their replacements go in."""
        if not answer_ids:
            return
        await self._run(
            update(_ANSWERS)
            .where(one_of(self._session, _ANSWERS.c.id, answer_ids))
            .values(counted=False, points=0)
        )

    async def channel_groups(self, channel_ids: Collection[int]) -> dict[int, int]:
        """The study group of each channel that has one, by channel id."""
        if not channel_ids:
            return {}
        stmt = select(StudyGroup.channel_id, StudyGroup.id).where(
            one_of(self._session, StudyGroup.__table__.c.channel_id, channel_ids)
        )
        rows = (await self._run(stmt)).all()
        return {int(row.channel_id): int(row.id) for row in rows if row.channel_id is not None}

    async def join(self, members: Collection[tuple[int, int]], now: datetime) -> None:
        """Add (group id, user id) memberships that are not there yet."""
        if not members:
            return
        rows = [{"group_id": g, "user_id": u, "joined_at": now} for g, u in sorted(set(members))]
        await self._run(
            _insert(self._session, _MEMBERS).on_conflict_do_nothing(
                index_elements=["group_id", "user_id"]
            ),
            rows,
        )

    async def lock_streaks(self, user_ids: Collection[int], now: datetime) -> list[StreakRow]:
        """Every streak the users have in groups they belong to, created empty where missing.

        One upsert does both: a missing row is inserted, an existing one takes a no-op update,
        which locks it for this transaction on PostgreSQL, in key order (so batches never
        deadlock each other); RETURNING gives the values to advance from either way.
        """
        if not user_ids:
            return []
        members = (
            select(
                _MEMBERS.c.group_id,
                _MEMBERS.c.user_id,
                literal(0),
                literal(0),
                literal(0),
                literal(""),
                literal(now, _STREAKS.c.updated_at.type),
            )
            .where(one_of(self._session, _MEMBERS.c.user_id, set(user_ids)))
            .order_by(_MEMBERS.c.group_id, _MEMBERS.c.user_id)
        )
        streaks = _STREAKS.c
        stmt = (
            _insert(self._session, _STREAKS)
            .from_select(
                [
                    "group_id",
                    "user_id",
                    "current",
                    "longest",
                    "freezes",
                    "schedule_days",
                    "updated_at",
                ],
                members,
            )
            .on_conflict_do_update(
                index_elements=["group_id", "user_id"], set_={"updated_at": streaks.updated_at}
            )
            .returning(
                streaks.group_id,
                streaks.user_id,
                streaks.current,
                streaks.longest,
                streaks.freezes,
                streaks.last_day,
            )
        )
        rows = [
            StreakRow(r.group_id, r.user_id, r.current, r.longest, r.freezes, r.last_day)
            for r in (await self._run(stmt)).all()
        ]
        return sorted(rows, key=lambda row: (row.group_id, row.user_id))

    async def save_streaks(self, updates: Sequence[StreakUpdate]) -> None:
        """Write new streak values, one statement for them all."""
        if updates:
            await self._run(
                _SAVE_STREAK,
                [
                    {
                        "new_group_id": u.group_id,
                        "new_user_id": u.user_id,
                        "new_current": u.current,
                        "new_longest": u.longest,
                        "new_freezes": u.freezes,
                        "new_last_day": u.last_day,
                        "new_schedule_days": u.schedule_days,
                        "new_updated_at": u.updated_at,
                    }
                    for u in sorted(updates, key=lambda u: (u.group_id, u.user_id))
                ],
            )

    async def add_answers(self, answers: Iterable[AnswerRecord]) -> None:
        """In (post, user) order: a counted answer's unique entry is locked as it goes in, and
        two batches sharing users must take those in the same order."""
        batch = sorted(
            (answer_row(answer) for answer in answers),
            key=lambda row: (row.get("daily_post_id") or 0, row["user_id"]),
        )
        if batch:
            await self._run(insert(_ANSWERS), batch)


_SAVE_STREAK = (
    update(_STREAKS)
    .where(
        _STREAKS.c.group_id == bindparam("new_group_id"),
        _STREAKS.c.user_id == bindparam("new_user_id"),
    )
    .values(
        current=bindparam("new_current"),
        longest=bindparam("new_longest"),
        freezes=bindparam("new_freezes"),
        last_day=bindparam("new_last_day"),
        schedule_days=bindparam("new_schedule_days"),
        updated_at=bindparam("new_updated_at"),
    )
)
