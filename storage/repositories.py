"""Repositories: the queries the engine needs, nothing platform-specific."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from bot.ports import records
from bot.ports.records import AnswerRecord, Identity
from storage.errors import translated
from storage.models import (
    Answer,
    Channel,
    GroupMember,
    ProcessedEvent,
    QuestionPack,
    Round,
    RoundQuestion,
    Streak,
    StudyGroup,
    User,
    Workspace,
)

OPEN_STATUSES = ("active", "paused")


def _insert(session: AsyncSession, table: Any) -> Any:
    """The dialect's INSERT, which has ON CONFLICT on both SQLite and PostgreSQL."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


class Directory:
    """Workspaces, channels and users, created on first sight and kept current.

    Each is read first and written only when missing or renamed: an upsert locks its row until
    commit even when nothing changes (queueing a workspace's events behind one another), and
    the workspace's, which set a key column, conflicted with the foreign-key checks of users
    being inserted under it, so a batch adding users and an event could deadlock."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _scalar(self, stmt: Any) -> Any:
        return (await self._session.execute(stmt)).scalar_one_or_none()

    async def workspace(self, platform: str, external_id: str, now: datetime) -> int:
        find = select(Workspace.id).where(
            Workspace.platform == platform, Workspace.external_id == external_id
        )
        found = await self._scalar(find)
        if found is None:
            # A racing insert makes ours a no-op (after it commits); then it is there to read.
            add = (
                _insert(self._session, Workspace)
                .values(platform=platform, external_id=external_id, name="", created_at=now)
                .on_conflict_do_nothing(index_elements=["platform", "external_id"])
                .returning(Workspace.id)
            )
            found = await self._scalar(add)
            if found is None:
                found = await self._scalar(find)
        return int(found)

    async def channel(self, workspace_id: int, external_id: str, name: str, now: datetime) -> int:
        return await self._named(Channel, "name", workspace_id, external_id, name, now)

    async def user(
        self, workspace_id: int, external_id: str, display_name: str, now: datetime
    ) -> int:
        return await self._named(User, "display_name", workspace_id, external_id, display_name, now)

    async def _named(
        self, model: Any, field: str, workspace_id: int, external_id: str, name: str, now: datetime
    ) -> int:
        """A channel's or user's id; written only when missing or (to a non-empty name) renamed."""
        column = getattr(model, field)
        row = (
            await self._session.execute(
                select(model.id, column).where(
                    model.workspace_id == workspace_id, model.external_id == external_id
                )
            )
        ).first()
        if row is not None and (not name or name == row[1]):
            return int(row[0])
        stmt = _insert(self._session, model).values(
            workspace_id=workspace_id, external_id=external_id, created_at=now, **{field: name}
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["workspace_id", "external_id"],
            set_={field: func.coalesce(func.nullif(getattr(stmt.excluded, field), ""), column)},
        ).returning(model.id)
        return int((await self._session.execute(stmt)).scalar_one())

    async def identify(
        self,
        platform: str,
        workspace: str,
        channel: str,
        channel_name: str,
        user: str,
        display_name: str,
        now: datetime,
    ) -> Identity:
        workspace_id = await self.workspace(platform, workspace, now)
        channel_id = await self.channel(workspace_id, channel, channel_name, now)
        user_id = await self.user(workspace_id, user, display_name, now)
        return Identity(workspace_id, channel_id, user_id)

    async def get_user(self, user_id: int) -> User | None:
        return await self._session.get(User, user_id)

    async def get_channel(self, channel_id: int) -> Channel | None:
        return await self._session.get(Channel, channel_id)

    async def get_workspace(self, workspace_id: int) -> Workspace | None:
        return await self._session.get(Workspace, workspace_id)

    async def find_user(self, workspace_id: int, who: str) -> User | None:
        """A user of the workspace by platform id or, failing that, by display name."""
        by_id = select(User).where(User.workspace_id == workspace_id, User.external_id == who)
        user = (await self._session.execute(by_id)).scalars().first()
        if user is not None:
            return user
        by_name = select(User).where(
            User.workspace_id == workspace_id, func.lower(User.display_name) == who.lower()
        )
        return (await self._session.execute(by_name)).scalars().first()


class Rounds:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def open(
        self,
        channel_id: int,
        user_id: int,
        mode: str,
        topic: str | None,
        difficulty: str | None,
        planned_count: int,
        now: datetime,
    ) -> Round:
        round_ = Round(
            channel_id=channel_id,
            user_id=user_id,
            status="active",
            mode=mode,
            topic=topic,
            difficulty=difficulty,
            planned_count=planned_count,
            current_position=0,
            started_at=now,
            last_activity_at=now,
        )
        self._session.add(round_)
        async with translated():
            await self._session.flush()
        return round_

    def add_question(self, round_id: int, position: int, question_id: str, topic: str) -> None:
        self._session.add(
            RoundQuestion(
                round_id=round_id,
                position=position,
                question_id=question_id,
                topic=topic,
                status="pending",
                awaiting="answer",
                hints_used=0,
            )
        )

    async def take(self, round_: records.Round, now: datetime) -> None:
        round_.status = "active"
        round_.last_activity_at = now
        flag_modified(round_, "last_activity_at")
        await self.flush()

    async def flush(self) -> None:
        async with translated():
            await self._session.flush()

    async def get(self, round_id: int) -> Round | None:
        return await self._session.get(Round, round_id)

    async def open_for(self, channel_id: int, user_id: int) -> Round | None:
        stmt = select(Round).where(
            Round.channel_id == channel_id,
            Round.user_id == user_id,
            Round.status.in_(OPEN_STATUSES),
        )
        return (await self._session.execute(stmt)).scalars().first()

    async def by_thread(self, channel_id: int, thread_ref: str) -> Round | None:
        stmt = (
            select(Round)
            .where(Round.channel_id == channel_id, Round.thread_ref == thread_ref)
            .order_by(Round.id.desc())
        )
        return (await self._session.execute(stmt)).scalars().first()

    async def questions(self, round_id: int) -> list[RoundQuestion]:
        stmt = (
            select(RoundQuestion)
            .where(RoundQuestion.round_id == round_id)
            .order_by(RoundQuestion.position)
        )
        return list((await self._session.execute(stmt)).scalars())

    async def idle_since(self, cutoff: datetime, limit: int = 500) -> list[Round]:
        stmt = (
            select(Round)
            .where(Round.status == "active", Round.last_activity_at < cutoff)
            .order_by(Round.last_activity_at)
            .limit(limit)
        )
        return list((await self._session.execute(stmt)).scalars())

    async def oldest_active_activity(self) -> datetime | None:
        stmt = select(func.min(Round.last_activity_at)).where(Round.status == "active")
        return (await self._session.execute(stmt)).scalar_one_or_none()

    async def pause_if_idle(self, round_id: int, cutoff: datetime) -> bool:
        """Pause only if still idle: a concurrent answer wins over the sweep."""
        result = await self._session.execute(
            update(Round)
            .where(Round.id == round_id, Round.status == "active", Round.last_activity_at < cutoff)
            .values(status="paused", version=Round.version + 1)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def seen_question_ids(self, user_id: int) -> set[str]:
        stmt = (
            select(RoundQuestion.question_id)
            .join(Round, Round.id == RoundQuestion.round_id)
            .where(Round.user_id == user_id, RoundQuestion.asked_at.is_not(None))
        )
        return set((await self._session.execute(stmt)).scalars())


class Answers:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, answer: AnswerRecord) -> None:
        self._session.add(Answer(**answer_row(answer)))

    async def best_scores(self, user_id: int) -> dict[str, int]:
        stmt = (
            select(Answer.question_id, func.max(Answer.score))
            .where(Answer.user_id == user_id, Answer.is_follow_up.is_(False))
            .group_by(Answer.question_id)
        )
        return {qid: int(score) for qid, score in (await self._session.execute(stmt)).all()}

    async def counted_for_post(self, daily_post_id: int) -> list[tuple[Answer, User]]:
        stmt = (
            select(Answer, User)
            .join(User, User.id == Answer.user_id)
            .where(Answer.daily_post_id == daily_post_id, Answer.counted.is_(True))
            .order_by(Answer.score.desc(), Answer.submitted_at, Answer.id)
        )
        return [(a, u) for a, u in (await self._session.execute(stmt)).all()]


class Events:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(self, platform: str, event_id: str, now: datetime) -> bool:
        """True the first time an event id is seen; a retry or duplicate delivery gets False."""
        stmt = (
            _insert(self._session, ProcessedEvent)
            .values(platform=platform, event_id=event_id, processed_at=now)
            .on_conflict_do_nothing(index_elements=["platform", "event_id"])
            .returning(ProcessedEvent.event_id)
        )
        return (await self._session.execute(stmt)).scalar_one_or_none() is not None


class Groups:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def by_name(self, workspace_id: int, name: str) -> StudyGroup | None:
        stmt = select(StudyGroup).where(
            StudyGroup.workspace_id == workspace_id, StudyGroup.name == name
        )
        return (await self._session.execute(stmt)).scalars().first()

    async def for_channel(self, channel_id: int) -> StudyGroup | None:
        stmt = select(StudyGroup).where(StudyGroup.channel_id == channel_id)
        return (await self._session.execute(stmt)).scalars().first()

    async def create(
        self, workspace_id: int, name: str, channel_id: int | None, timezone: str, now: datetime
    ) -> StudyGroup:
        group = StudyGroup(
            workspace_id=workspace_id,
            name=name,
            channel_id=channel_id,
            timezone=timezone,
            created_at=now,
        )
        self._session.add(group)
        async with translated():
            await self._session.flush()
        return group

    async def in_workspace(self, workspace_id: int) -> list[tuple[StudyGroup, int]]:
        """Groups with their member counts, channel groups first."""
        members = (
            select(GroupMember.group_id, func.count().label("n"))
            .group_by(GroupMember.group_id)
            .subquery()
        )
        stmt = (
            select(StudyGroup, func.coalesce(members.c.n, 0))
            .outerjoin(members, members.c.group_id == StudyGroup.id)
            .where(StudyGroup.workspace_id == workspace_id)
            .order_by(StudyGroup.channel_id.is_(None), StudyGroup.name)
        )
        return [(g, int(n)) for g, n in (await self._session.execute(stmt)).all()]

    async def of_user(self, user_id: int) -> list[StudyGroup]:
        stmt = (
            select(StudyGroup)
            .join(GroupMember, GroupMember.group_id == StudyGroup.id)
            .where(GroupMember.user_id == user_id)
            .order_by(StudyGroup.id)
        )
        return list((await self._session.execute(stmt)).scalars())

    async def join(self, group_id: int, user_id: int, now: datetime) -> bool:
        stmt = (
            _insert(self._session, GroupMember)
            .values(group_id=group_id, user_id=user_id, joined_at=now)
            .on_conflict_do_nothing(index_elements=["group_id", "user_id"])
            .returning(GroupMember.user_id)
        )
        return (await self._session.execute(stmt)).scalar_one_or_none() is not None

    async def leave(self, group_id: int, user_id: int) -> bool:
        result = await self._session.execute(
            delete(GroupMember).where(
                GroupMember.group_id == group_id, GroupMember.user_id == user_id
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


class Streaks:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def of_group(self, group_id: int) -> list[Streak]:
        stmt = select(Streak).where(Streak.group_id == group_id)
        return list((await self._session.execute(stmt)).scalars())

    async def of_user(self, user_id: int) -> list[tuple[Streak, StudyGroup]]:
        stmt = (
            select(Streak, StudyGroup)
            .join(StudyGroup, StudyGroup.id == Streak.group_id)
            .where(Streak.user_id == user_id)
            .order_by(StudyGroup.id)
        )
        return [(s, g) for s, g in (await self._session.execute(stmt)).all()]


class Packs:
    """A workspace's own question packs."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def version(self, workspace_id: int) -> tuple[int, datetime | None]:
        """Changes whenever a pack is imported or replaced; cheap enough to ask per event."""
        stmt = select(func.count(QuestionPack.id), func.max(QuestionPack.imported_at)).where(
            QuestionPack.workspace_id == workspace_id
        )
        count, latest = (await self._session.execute(stmt)).one()
        return int(count), latest

    async def of_workspace(self, workspace_id: int) -> list[QuestionPack]:
        stmt = (
            select(QuestionPack)
            .where(QuestionPack.workspace_id == workspace_id)
            .order_by(QuestionPack.name)
        )
        return list((await self._session.execute(stmt)).scalars())

    async def save(
        self, workspace_id: int, name: str, files: list[dict[str, str]], count: int, now: datetime
    ) -> bool:
        """Insert or replace a pack; True when it replaced one."""
        stmt = select(QuestionPack).where(
            QuestionPack.workspace_id == workspace_id, QuestionPack.name == name
        )
        existing = (await self._session.execute(stmt)).scalars().first()
        if existing is None:
            self._session.add(
                QuestionPack(
                    workspace_id=workspace_id,
                    name=name,
                    files=files,
                    question_count=count,
                    imported_at=now,
                )
            )
            return False
        existing.files = files
        existing.question_count = count
        existing.imported_at = now
        return True


def answer_row(answer: AnswerRecord) -> dict[str, Any]:
    """An answer record as the answers table's columns."""
    return {
        "user_id": answer.user_id,
        "channel_id": answer.channel_id,
        "question_id": answer.question_id,
        "source": answer.source,
        "round_question_id": answer.round_question_id,
        "daily_post_id": answer.daily_post_id,
        "is_follow_up": answer.is_follow_up,
        "text": answer.text,
        "score": answer.score,
        "covered": list(answer.covered),
        "missed": list(answer.missed),
        "advice": answer.advice,
        "event_ref": answer.event_ref,
        "points": answer.points,
        "answer_rank": answer.answer_rank,
        "counted": answer.counted,
        "submitted_at": answer.submitted_at,
        "graded_at": answer.submitted_at,
    }
