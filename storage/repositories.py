"""Repositories: the queries the engine needs, nothing platform-specific."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Answer,
    Channel,
    DailyPost,
    GroupMember,
    ProcessedEvent,
    QuestionPack,
    Round,
    RoundQuestion,
    Schedule,
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


@dataclass(frozen=True)
class Identity:
    """Internal ids of the workspace, channel and user an event came from."""

    workspace_id: int
    channel_id: int
    user_id: int


class Directory:
    """Workspaces, channels and users, created on first sight and kept current."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def workspace(self, platform: str, external_id: str, now: datetime) -> int:
        stmt = _insert(self._session, Workspace).values(
            platform=platform, external_id=external_id, name="", created_at=now
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["platform", "external_id"], set_={"platform": stmt.excluded.platform}
        ).returning(Workspace.id)
        return int((await self._session.execute(stmt)).scalar_one())

    async def channel(self, workspace_id: int, external_id: str, name: str, now: datetime) -> int:
        stmt = _insert(self._session, Channel).values(
            workspace_id=workspace_id, external_id=external_id, name=name, created_at=now
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["workspace_id", "external_id"],
            set_={"name": func.coalesce(func.nullif(stmt.excluded.name, ""), Channel.name)},
        ).returning(Channel.id)
        return int((await self._session.execute(stmt)).scalar_one())

    async def user(
        self, workspace_id: int, external_id: str, display_name: str, now: datetime
    ) -> int:
        stmt = _insert(self._session, User).values(
            workspace_id=workspace_id,
            external_id=external_id,
            display_name=display_name,
            created_at=now,
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["workspace_id", "external_id"],
            set_={
                "display_name": func.coalesce(
                    func.nullif(stmt.excluded.display_name, ""), User.display_name
                )
            },
        ).returning(User.id)
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


class Rounds:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(self, round_: Round, questions: Sequence[RoundQuestion]) -> None:
        self._session.add(round_)
        for question in questions:
            self._session.add(question)

    def add_question(self, question: RoundQuestion) -> None:
        self._session.add(question)

    async def flush(self) -> None:
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

    def add(self, answer: Answer) -> None:
        self._session.add(answer)

    async def best_scores(self, user_id: int) -> dict[str, int]:
        stmt = (
            select(Answer.question_id, func.max(Answer.score))
            .where(Answer.user_id == user_id, Answer.is_follow_up.is_(False))
            .group_by(Answer.question_id)
        )
        return {qid: int(score) for qid, score in (await self._session.execute(stmt)).all()}

    async def counted_for(self, daily_post_id: int, user_id: int) -> Answer | None:
        stmt = select(Answer).where(
            Answer.daily_post_id == daily_post_id,
            Answer.user_id == user_id,
            Answer.counted.is_(True),
        )
        return (await self._session.execute(stmt)).scalars().first()

    async def counted_for_post(self, daily_post_id: int) -> list[tuple[Answer, User]]:
        stmt = (
            select(Answer, User)
            .join(User, User.id == Answer.user_id)
            .where(Answer.daily_post_id == daily_post_id, Answer.counted.is_(True))
            .order_by(Answer.score.desc(), Answer.submitted_at, Answer.id)
        )
        return [(a, u) for a, u in (await self._session.execute(stmt)).all()]

    async def flush(self) -> None:
        await self._session.flush()

    async def for_round_question(self, round_question_id: int) -> list[Answer]:
        stmt = (
            select(Answer).where(Answer.round_question_id == round_question_id).order_by(Answer.id)
        )
        return list((await self._session.execute(stmt)).scalars())


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


class Schedules:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def for_channel(self, channel_id: int) -> Schedule | None:
        stmt = select(Schedule).where(Schedule.channel_id == channel_id)
        return (await self._session.execute(stmt)).scalars().first()

    async def get(self, schedule_id: int) -> Schedule | None:
        return await self._session.get(Schedule, schedule_id)

    def add(self, schedule: Schedule) -> None:
        self._session.add(schedule)

    async def disable_workspace(self, platform: str, external_id: str, now: datetime) -> int:
        channels = (
            select(Channel.id)
            .join(Workspace, Workspace.id == Channel.workspace_id)
            .where(Workspace.platform == platform, Workspace.external_id == external_id)
        )
        result = await self._session.execute(
            update(Schedule)
            .where(Schedule.channel_id.in_(channels), Schedule.enabled.is_(True))
            .values(enabled=False, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def enabled(self) -> list[Schedule]:
        stmt = select(Schedule).where(Schedule.enabled.is_(True)).order_by(Schedule.id)
        return list((await self._session.execute(stmt)).scalars())


class DailyPosts:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(
        self,
        schedule_id: int,
        channel_id: int,
        local_date: date,
        question_id: str,
        claimer: str,
        now: datetime,
    ) -> int | None:
        """Insert the day's claim row; None when another process (or an earlier run) has it."""
        stmt = (
            _insert(self._session, DailyPost)
            .values(
                schedule_id=schedule_id,
                channel_id=channel_id,
                local_date=local_date,
                question_id=question_id,
                status="claimed",
                claimed_by=claimer,
                claimed_at=now,
            )
            .on_conflict_do_nothing(index_elements=["schedule_id", "local_date"])
            .returning(DailyPost.id)
        )
        return (await self._session.execute(stmt)).scalar_one_or_none()

    async def take_over(
        self, post_id: int, stale_before: datetime, claimer: str, now: datetime
    ) -> bool:
        """Re-claim a claim whose holder never posted (it crashed); only one taker wins."""
        result = await self._session.execute(
            update(DailyPost)
            .where(
                DailyPost.id == post_id,
                DailyPost.status == "claimed",
                DailyPost.claimed_at < stale_before,
            )
            .values(claimed_by=claimer, claimed_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def get(self, post_id: int) -> DailyPost | None:
        return await self._session.get(DailyPost, post_id)

    async def take_answer_rank(self, post_id: int) -> int:
        """The next answerer's place (0 = first), counted atomically: the row is locked by the
        update until commit, so two first answers can never share a place."""
        result = await self._session.execute(
            update(DailyPost)
            .where(DailyPost.id == post_id)
            .values(answerers=DailyPost.answerers + 1)
            .returning(DailyPost.answerers)
            .execution_options(synchronize_session=False)
        )
        return int(result.scalar_one()) - 1

    async def for_day(self, schedule_id: int, local_date: date) -> DailyPost | None:
        stmt = select(DailyPost).where(
            DailyPost.schedule_id == schedule_id, DailyPost.local_date == local_date
        )
        return (await self._session.execute(stmt)).scalars().first()

    async def by_thread(self, channel_id: int, thread_ref: str) -> DailyPost | None:
        stmt = select(DailyPost).where(
            DailyPost.channel_id == channel_id, DailyPost.thread_ref == thread_ref
        )
        return (await self._session.execute(stmt)).scalars().first()

    async def claims_on(self, days: set[date]) -> dict[tuple[int, date], tuple[str, datetime]]:
        """(status, claimed_at) of every claim on the given local dates, by (schedule, date)."""
        stmt = select(
            DailyPost.schedule_id, DailyPost.local_date, DailyPost.status, DailyPost.claimed_at
        ).where(DailyPost.local_date.in_(days))
        rows = (await self._session.execute(stmt)).all()
        return {(s, d): (status, claimed) for s, d, status, claimed in rows}

    async def being_posted(self, channel_id: int, since: datetime) -> bool:
        stmt = select(DailyPost.id).where(
            DailyPost.channel_id == channel_id,
            DailyPost.status == "claimed",
            DailyPost.claimed_at >= since,
        )
        return (await self._session.execute(stmt.limit(1))).first() is not None

    async def latest(self, schedule_id: int) -> DailyPost | None:
        stmt = (
            select(DailyPost)
            .where(DailyPost.schedule_id == schedule_id)
            .order_by(DailyPost.local_date.desc())
            .limit(1)
        )
        return (await self._session.execute(stmt)).scalars().first()

    async def question_counts(self, channel_id: int) -> dict[str, int]:
        """How often each question was posted in a channel, for no-repeat cycles."""
        stmt = (
            select(DailyPost.question_id, func.count())
            .where(DailyPost.channel_id == channel_id)
            .group_by(DailyPost.question_id)
        )
        return {qid: int(n) for qid, n in (await self._session.execute(stmt)).all()}

    async def due_reveals(self, now: datetime, limit: int = 200) -> list[DailyPost]:
        stmt = (
            select(DailyPost)
            .where(DailyPost.status == "posted", DailyPost.reveal_at <= now)
            .order_by(DailyPost.reveal_at)
            .limit(limit)
        )
        return list((await self._session.execute(stmt)).scalars())

    async def next_reveal_after(self, moment: datetime) -> datetime | None:
        stmt = select(func.min(DailyPost.reveal_at)).where(
            DailyPost.status == "posted", DailyPost.reveal_at > moment
        )
        value = (await self._session.execute(stmt)).scalar_one_or_none()
        return value

    async def stale_claims(self, stale_before: datetime) -> list[DailyPost]:
        stmt = select(DailyPost).where(
            DailyPost.status == "claimed", DailyPost.claimed_at < stale_before
        )
        return list((await self._session.execute(stmt)).scalars())


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

    def add(self, group: StudyGroup) -> None:
        self._session.add(group)

    async def flush(self) -> None:
        await self._session.flush()

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

    async def get_for_update(self, group_id: int, user_id: int) -> Streak | None:
        stmt = select(Streak).where(Streak.group_id == group_id, Streak.user_id == user_id)
        if self._session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update()
        return (await self._session.execute(stmt)).scalars().first()

    async def ensure(self, group_id: int, user_id: int, now: datetime) -> Streak:
        """The streak row, created empty if needed, locked for this transaction."""
        stmt = (
            _insert(self._session, Streak)
            .values(
                group_id=group_id,
                user_id=user_id,
                current=0,
                longest=0,
                freezes=0,
                schedule_days="",
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=["group_id", "user_id"])
        )
        await self._session.execute(stmt)
        streak = await self.get_for_update(group_id, user_id)
        assert streak is not None
        return streak

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


async def find_user(session: AsyncSession, workspace_id: int, who: str) -> User | None:
    """A user of the workspace by platform id or, failing that, by display name."""
    by_id = select(User).where(User.workspace_id == workspace_id, User.external_id == who)
    user = (await session.execute(by_id)).scalars().first()
    if user is not None:
        return user
    by_name = select(User).where(
        User.workspace_id == workspace_id, func.lower(User.display_name) == who.lower()
    )
    return (await session.execute(by_name)).scalars().first()


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
