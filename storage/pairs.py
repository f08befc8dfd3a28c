"""Peer mock interviews in SQL: the queue's atomic claim, sessions, sides, blocks, counts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from bot.ports import records
from bot.ports.records import PairCounts
from storage.errors import translated
from storage.models import GroupMember
from storage.pair_models import PairBlock, PairRequest, PairSession, PairSide

_DONE = PairSide.status == "done"


class Pairs:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _first(self, stmt: Any) -> Any:
        """The first row's entity, or None."""
        return (await self._session.execute(stmt)).scalars().first()

    async def _changed(self, stmt: Any) -> bool:
        result = await self._session.execute(stmt.execution_options(synchronize_session=False))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    # --- the queue --------------------------------------------------------------------

    async def waiting_for(self, workspace_id: int, user_id: int) -> PairRequest | None:
        found: PairRequest | None = await self._first(
            select(PairRequest).where(
                PairRequest.workspace_id == workspace_id,
                PairRequest.user_id == user_id,
                PairRequest.status == "waiting",
            )
        )
        return found

    async def queue(
        self,
        workspace_id: int,
        channel_id: int,
        user_id: int,
        group_id: int | None,
        topic: str | None,
        difficulty: str | None,
        invitee_id: int | None,
        now: datetime,
        expires_at: datetime,
    ) -> PairRequest:
        request = PairRequest(
            workspace_id=workspace_id,
            channel_id=channel_id,
            user_id=user_id,
            group_id=group_id,
            topic=topic,
            difficulty=difficulty,
            invitee_id=invitee_id,
            status="waiting",
            created_at=now,
            expires_at=expires_at,
        )
        self._session.add(request)
        async with translated():
            await self._session.flush()
        return request

    async def candidates(
        self, workspace_id: int, group_id: int | None, user_id: int, now: datetime
    ) -> Sequence[PairRequest]:
        same_queue = (
            PairRequest.group_id.is_(None) if group_id is None else PairRequest.group_id == group_id
        )
        stmt = (
            select(PairRequest)
            .where(
                PairRequest.workspace_id == workspace_id,
                PairRequest.status == "waiting",
                PairRequest.invitee_id.is_(None),
                PairRequest.user_id != user_id,
                PairRequest.expires_at > now,
                same_queue,
            )
            .order_by(PairRequest.created_at, PairRequest.id)
            .limit(50)
        )
        return list((await self._session.execute(stmt)).scalars())

    async def claim(self, request_id: int, partner_id: int) -> bool:
        """The one conditional update that pairs a request: the row count says who won."""
        return await self._changed(
            update(PairRequest)
            .where(PairRequest.id == request_id, PairRequest.status == "waiting")
            .values(status="paired", partner_id=partner_id)
        )

    async def set_status(self, request_id: int, status: str, from_status: str) -> bool:
        return await self._changed(
            update(PairRequest)
            .where(PairRequest.id == request_id, PairRequest.status == from_status)
            .values(status=status)
        )

    async def get_request(self, request_id: int) -> PairRequest | None:
        return await self._session.get(PairRequest, request_id, populate_existing=True)

    async def link(self, request_id: int, session_id: int) -> None:
        await self._session.execute(
            update(PairRequest)
            .where(PairRequest.id == request_id)
            .values(session_id=session_id)
            .execution_options(synchronize_session=False)
        )

    async def set_invite_ref(self, request_id: int, ref: str) -> None:
        await self._session.execute(
            update(PairRequest)
            .where(PairRequest.id == request_id)
            .values(invite_ref=ref)
            .execution_options(synchronize_session=False)
        )

    async def expired(self, now: datetime, limit: int = 200) -> Sequence[PairRequest]:
        stmt = (
            select(PairRequest)
            .where(PairRequest.status == "waiting", PairRequest.expires_at <= now)
            .order_by(PairRequest.expires_at)
            .limit(limit)
        )
        return list((await self._session.execute(stmt)).scalars())

    async def next_expiry(self) -> datetime | None:
        stmt = select(func.min(PairRequest.expires_at)).where(PairRequest.status == "waiting")
        value: datetime | None = (await self._session.execute(stmt)).scalar_one_or_none()
        return value

    # --- blocks -----------------------------------------------------------------------

    async def block(self, user_id: int, blocked_id: int, now: datetime) -> bool:
        if await self._session.get(PairBlock, (user_id, blocked_id)) is not None:
            return False
        self._session.add(PairBlock(user_id=user_id, blocked_id=blocked_id, created_at=now))
        async with translated():
            await self._session.flush()
        return True

    async def unblock(self, user_id: int, blocked_id: int) -> bool:
        return await self._changed(
            delete(PairBlock).where(
                PairBlock.user_id == user_id, PairBlock.blocked_id == blocked_id
            )
        )

    async def blocked_between(self, user_id: int) -> set[int]:
        stmt = select(PairBlock.user_id, PairBlock.blocked_id).where(
            or_(PairBlock.user_id == user_id, PairBlock.blocked_id == user_id)
        )
        rows = (await self._session.execute(stmt)).all()
        return {b if a == user_id else a for a, b in rows}

    # --- sessions and sides -----------------------------------------------------------

    async def open_session(
        self,
        workspace_id: int,
        channel_id: int,
        user_a_id: int,
        user_b_id: int,
        topic: str | None,
        difficulty: str | None,
        now: datetime,
    ) -> PairSession:
        session = PairSession(
            workspace_id=workspace_id,
            channel_id=channel_id,
            user_a_id=user_a_id,
            user_b_id=user_b_id,
            topic=topic,
            difficulty=difficulty,
            status="active",
            stage=0,
            started_at=now,
            last_activity_at=now,
        )
        self._session.add(session)
        async with translated():
            await self._session.flush()
        return session

    async def add_side(
        self,
        session_id: int,
        position: int,
        interviewer_id: int,
        candidate_id: int,
        question_id: str,
    ) -> PairSide:
        side = PairSide(
            session_id=session_id,
            position=position,
            interviewer_id=interviewer_id,
            candidate_id=candidate_id,
            question_id=question_id,
            status="asking",
            checklist={},
            answer_text="",
            follow_up_text="",
            bot_covered=[],
            bot_partly=[],
            note="",
            candidate_points=0,
            interviewer_points=0,
        )
        self._session.add(side)
        async with translated():
            await self._session.flush()
        return side

    async def session(self, session_id: int) -> PairSession | None:
        return await self._session.get(PairSession, session_id)

    async def session_by_thread(self, channel_id: int, thread_ref: str) -> PairSession | None:
        found: PairSession | None = await self._first(
            select(PairSession)
            .where(PairSession.channel_id == channel_id, PairSession.thread_ref == thread_ref)
            .order_by(PairSession.id.desc())
        )
        return found

    async def open_session_of(self, user_id: int) -> PairSession | None:
        found: PairSession | None = await self._first(
            select(PairSession).where(
                PairSession.status == "active",
                or_(PairSession.user_a_id == user_id, PairSession.user_b_id == user_id),
            )
        )
        return found

    async def sides(self, session_id: int) -> Sequence[PairSide]:
        stmt = select(PairSide).where(PairSide.session_id == session_id).order_by(PairSide.position)
        return list((await self._session.execute(stmt)).scalars())

    async def side(self, side_id: int) -> PairSide | None:
        return await self._session.get(PairSide, side_id)

    async def touch(self, session: records.PairSession, now: datetime) -> None:
        session.last_activity_at = now
        flag_modified(session, "last_activity_at")
        async with translated():
            await self._session.flush()

    async def idle_sessions(self, cutoff: datetime, limit: int = 200) -> Sequence[PairSession]:
        stmt = (
            select(PairSession)
            .where(PairSession.status == "active", PairSession.last_activity_at < cutoff)
            .order_by(PairSession.last_activity_at)
            .limit(limit)
        )
        return list((await self._session.execute(stmt)).scalars())

    async def oldest_activity(self) -> datetime | None:
        stmt = select(func.min(PairSession.last_activity_at)).where(PairSession.status == "active")
        value: datetime | None = (await self._session.execute(stmt)).scalar_one_or_none()
        return value

    # --- progress and a member's own data -----------------------------------------------

    async def counts(self, user_id: int) -> PairCounts:
        found = await self._counts(_DONE, [user_id])
        return found.get(user_id, PairCounts())

    async def board(
        self, group_id: int, since: datetime | None, until: datetime
    ) -> dict[int, PairCounts]:
        members = select(GroupMember.user_id).where(GroupMember.group_id == group_id)
        period = and_(_DONE, PairSide.finished_at <= until)
        if since is not None:
            period = and_(period, PairSide.finished_at >= since)
        return await self._counts(period, members)

    async def _counts(self, done: ColumnElement[bool], users: Any) -> dict[int, PairCounts]:
        """Per user: sides done as candidate, as interviewer, and interviewing's points."""
        found: dict[int, list[int]] = {}
        for role, column in (("c", PairSide.candidate_id), ("i", PairSide.interviewer_id)):
            stmt = (
                select(
                    column, func.count(), func.coalesce(func.sum(PairSide.interviewer_points), 0)
                )
                .where(done, column.in_(users))
                .group_by(column)
            )
            for user_id, count, points in (await self._session.execute(stmt)).all():
                row = found.setdefault(int(user_id or 0), [0, 0, 0])
                if role == "c":
                    row[0] = int(count)
                else:
                    row[1], row[2] = int(count), int(points)
        return {u: PairCounts(c, i, p) for u, (c, i, p) in found.items()}

    async def data_of(self, user_id: int) -> Sequence[tuple[PairSession, PairSide]]:
        stmt = (
            select(PairSession, PairSide)
            .join(PairSide, PairSide.session_id == PairSession.id)
            .where(or_(PairSide.interviewer_id == user_id, PairSide.candidate_id == user_id))
            .order_by(PairSide.id)
        )
        return [(s, side) for s, side in (await self._session.execute(stmt)).all()]

    async def forget(self, user_id: int) -> int:
        """A member's side goes: their answers as candidate, their marks, rating and note as
        interviewer, and their place in each session; the partner's side stays."""
        mine = or_(PairSide.candidate_id == user_id, PairSide.interviewer_id == user_id)
        touched = int(
            (
                await self._session.execute(select(func.count()).select_from(PairSide).where(mine))
            ).scalar_one()
        )
        await self._session.execute(
            update(PairSide)
            .where(PairSide.candidate_id == user_id)
            .values(candidate_id=None, answer_text="", follow_up_text="")
            .execution_options(synchronize_session=False)
        )
        await self._session.execute(
            update(PairSide)
            .where(PairSide.interviewer_id == user_id)
            .values(interviewer_id=None, note="", rating=None, checklist={})
            .execution_options(synchronize_session=False)
        )
        for column in (PairSession.user_a_id, PairSession.user_b_id):
            await self._session.execute(
                update(PairSession)
                .where(column == user_id)
                .values({column.key: None, "version": PairSession.version + 1})
                .execution_options(synchronize_session=False)
            )
        await self._session.execute(
            delete(PairRequest).where(
                or_(
                    PairRequest.user_id == user_id,
                    PairRequest.invitee_id == user_id,
                    PairRequest.partner_id == user_id,
                )
            )
        )
        await self._session.execute(
            delete(PairBlock).where(
                or_(PairBlock.user_id == user_id, PairBlock.blocked_id == user_id)
            )
        )
        return touched
