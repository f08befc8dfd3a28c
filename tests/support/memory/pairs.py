"""The pair repository in memory, for engine rules tested without a database."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.ports.records import PairCounts


@dataclass
class PairRequest:
    id: int
    workspace_id: int
    channel_id: int
    user_id: int
    group_id: int | None
    topic: str | None
    difficulty: str | None
    invitee_id: int | None
    created_at: datetime
    expires_at: datetime
    status: str = "waiting"
    session_id: int | None = None
    partner_id: int | None = None
    invite_ref: str | None = None


@dataclass
class PairSession:
    id: int
    workspace_id: int
    channel_id: int
    user_a_id: int | None
    user_b_id: int | None
    topic: str | None
    difficulty: str | None
    started_at: datetime
    last_activity_at: datetime
    status: str = "active"
    stage: int = 0
    thread_ref: str | None = None
    finished_at: datetime | None = None
    version: int = 1


@dataclass
class PairSide:
    id: int
    session_id: int
    position: int
    interviewer_id: int | None
    candidate_id: int | None
    question_id: str
    status: str = "asking"
    checklist: dict[str, str] = field(default_factory=dict)
    follow_up_index: int | None = None
    answer_text: str = ""
    follow_up_text: str = ""
    bot_score: int | None = None
    follow_up_score: int | None = None
    bot_covered: list[str] = field(default_factory=list)
    bot_partly: list[str] = field(default_factory=list)
    rating: int | None = None
    note: str = ""
    candidate_points: int = 0
    interviewer_points: int = 0
    finished_at: datetime | None = None


@dataclass
class PairData:
    requests: list[PairRequest] = field(default_factory=list)
    sessions: list[PairSession] = field(default_factory=list)
    sides: list[PairSide] = field(default_factory=list)
    blocks: set[tuple[int, int]] = field(default_factory=set)
    ids: Any = field(default_factory=lambda: itertools.count(1))


class MemoryPairs:
    def __init__(self, data: PairData, members: Callable[[], set[tuple[int, int]]]) -> None:
        self.d = data
        self._members = members

    def _next(self) -> int:
        return int(next(self.d.ids))

    async def waiting_for(self, workspace_id: int, user_id: int) -> PairRequest | None:
        return next(
            (
                r
                for r in self.d.requests
                if (r.workspace_id, r.user_id, r.status) == (workspace_id, user_id, "waiting")
            ),
            None,
        )

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
            self._next(),
            workspace_id,
            channel_id,
            user_id,
            group_id,
            topic,
            difficulty,
            invitee_id,
            now,
            expires_at,
        )
        self.d.requests.append(request)
        return request

    async def candidates(
        self, workspace_id: int, group_id: int | None, user_id: int, now: datetime
    ) -> list[PairRequest]:
        return sorted(
            (
                r
                for r in self.d.requests
                if r.workspace_id == workspace_id
                and r.group_id == group_id
                and r.user_id != user_id
                and r.invitee_id is None
                and r.status == "waiting"
                and r.expires_at > now
            ),
            key=lambda r: (r.created_at, r.id),
        )

    async def claim(self, request_id: int, partner_id: int) -> bool:
        request = await self.get_request(request_id)
        if request is None or request.status != "waiting":
            return False
        request.status, request.partner_id = "paired", partner_id
        return True

    async def set_status(self, request_id: int, status: str, from_status: str) -> bool:
        request = await self.get_request(request_id)
        if request is None or request.status != from_status:
            return False
        request.status = status
        return True

    async def get_request(self, request_id: int) -> PairRequest | None:
        return next((r for r in self.d.requests if r.id == request_id), None)

    async def link(self, request_id: int, session_id: int) -> None:
        request = await self.get_request(request_id)
        if request is not None:
            request.session_id = session_id

    async def set_invite_ref(self, request_id: int, ref: str) -> None:
        request = await self.get_request(request_id)
        if request is not None:
            request.invite_ref = ref

    async def expired(self, now: datetime, limit: int = 200) -> list[PairRequest]:
        return [r for r in self.d.requests if r.status == "waiting" and r.expires_at <= now][:limit]

    async def next_expiry(self) -> datetime | None:
        return min((r.expires_at for r in self.d.requests if r.status == "waiting"), default=None)

    async def block(self, user_id: int, blocked_id: int, now: datetime) -> bool:
        new = (user_id, blocked_id) not in self.d.blocks
        self.d.blocks.add((user_id, blocked_id))
        return new

    async def unblock(self, user_id: int, blocked_id: int) -> bool:
        if (user_id, blocked_id) not in self.d.blocks:
            return False
        self.d.blocks.discard((user_id, blocked_id))
        return True

    async def blocked_between(self, user_id: int) -> set[int]:
        return {b for a, b in self.d.blocks if a == user_id} | {
            a for a, b in self.d.blocks if b == user_id
        }

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
            self._next(),
            workspace_id,
            channel_id,
            user_a_id,
            user_b_id,
            topic,
            difficulty,
            now,
            now,
        )
        self.d.sessions.append(session)
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
            self._next(), session_id, position, interviewer_id, candidate_id, question_id
        )
        self.d.sides.append(side)
        return side

    async def session(self, session_id: int) -> PairSession | None:
        return next((s for s in self.d.sessions if s.id == session_id), None)

    async def session_by_thread(self, channel_id: int, thread_ref: str) -> PairSession | None:
        return next(
            (
                s
                for s in self.d.sessions
                if (s.channel_id, s.thread_ref) == (channel_id, thread_ref)
            ),
            None,
        )

    async def open_session_of(self, user_id: int) -> PairSession | None:
        return next(
            (
                s
                for s in self.d.sessions
                if s.status == "active" and user_id in (s.user_a_id, s.user_b_id)
            ),
            None,
        )

    async def sides(self, session_id: int) -> list[PairSide]:
        return sorted((s for s in self.d.sides if s.session_id == session_id), key=_position)

    async def side(self, side_id: int) -> PairSide | None:
        return next((s for s in self.d.sides if s.id == side_id), None)

    async def touch(self, session: Any, now: datetime) -> None:
        session.last_activity_at = now
        session.version += 1

    async def idle_sessions(self, cutoff: datetime, limit: int = 200) -> list[PairSession]:
        return [s for s in self.d.sessions if s.status == "active" and s.last_activity_at < cutoff][
            :limit
        ]

    async def oldest_activity(self) -> datetime | None:
        return min(
            (s.last_activity_at for s in self.d.sessions if s.status == "active"), default=None
        )

    def _done(self, since: datetime | None = None, until: datetime | None = None) -> list[Any]:
        return [
            s
            for s in self.d.sides
            if s.status == "done"
            and s.finished_at is not None
            and (since is None or s.finished_at >= since)
            and (until is None or s.finished_at <= until)
        ]

    async def counts(self, user_id: int) -> PairCounts:
        return _counts(self._done(), user_id)

    async def board(
        self, group_id: int, since: datetime | None, until: datetime
    ) -> dict[int, PairCounts]:
        done = self._done(since, until)
        members = {u for g, u in self._members() if g == group_id}
        found = {u: _counts(done, u) for u in members}
        return {u: c for u, c in found.items() if c.as_candidate or c.as_interviewer}

    async def data_of(self, user_id: int) -> list[tuple[PairSession, PairSide]]:
        sessions = {s.id: s for s in self.d.sessions}
        return [
            (sessions[s.session_id], s)
            for s in sorted(self.d.sides, key=lambda s: s.id)
            if user_id in (s.interviewer_id, s.candidate_id)
        ]

    async def forget(self, user_id: int) -> int:
        touched = 0
        for side in self.d.sides:
            if side.candidate_id == user_id:
                side.candidate_id, side.answer_text, side.follow_up_text = None, "", ""
                touched += 1
            if side.interviewer_id == user_id:
                side.interviewer_id, side.checklist, side.note, side.rating = None, {}, "", None
                touched += 1
        for session in self.d.sessions:
            if session.user_a_id == user_id:
                session.user_a_id = None
            if session.user_b_id == user_id:
                session.user_b_id = None
        self.d.requests = [r for r in self.d.requests if user_id not in (r.user_id, r.invitee_id)]
        self.d.blocks = {(a, b) for a, b in self.d.blocks if user_id not in (a, b)}
        return touched


def _position(side: PairSide) -> int:
    return side.position


def _counts(done: Sequence[PairSide], user_id: int) -> PairCounts:
    return PairCounts(
        as_candidate=sum(1 for s in done if s.candidate_id == user_id),
        as_interviewer=sum(1 for s in done if s.interviewer_id == user_id),
        interviewer_points=sum(s.interviewer_points for s in done if s.interviewer_id == user_id),
    )
