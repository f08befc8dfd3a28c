"""Repositories: the queries the engine needs, nothing platform-specific."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Answer, Channel, ProcessedEvent, Round, RoundQuestion, User, Workspace

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
