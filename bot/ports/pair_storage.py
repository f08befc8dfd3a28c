"""What peer mock interviews need from storage (bot/pairs)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.ports.pair_records import PairCounts, PairRequest, PairSession, PairSide


class Pairs(Protocol):
    """Peer mock interviews: the pairing queue, invitations, blocks, sessions and their sides."""

    async def waiting_for(self, workspace_id: int, user_id: int) -> PairRequest | None: ...
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
    ) -> PairRequest: ...
    async def candidates(
        self, workspace_id: int, group_id: int | None, user_id: int, now: datetime
    ) -> Sequence[PairRequest]:
        """Open queue requests (not invitations) of others in the same queue, oldest first."""
        ...

    async def claim(self, request_id: int, partner_id: int) -> bool:
        """Take a waiting request for partner_id; True for exactly one claimer across replicas
        (a conditional update whose row count decides)."""
        ...

    async def set_status(self, request_id: int, status: str, from_status: str) -> bool: ...
    async def get_request(self, request_id: int) -> PairRequest | None: ...
    async def link(self, request_id: int, session_id: int) -> None: ...
    async def set_invite_ref(self, request_id: int, ref: str) -> None:
        """Keep where the invitation's direct message went, to edit it when the invitation ends."""
        ...

    async def expired(self, now: datetime, limit: int = 200) -> Sequence[PairRequest]: ...
    async def next_expiry(self) -> datetime | None: ...
    async def block(self, user_id: int, blocked_id: int, now: datetime) -> bool: ...
    async def unblock(self, user_id: int, blocked_id: int) -> bool: ...
    async def blocked_between(self, user_id: int) -> set[int]:
        """Everyone user_id blocked or was blocked by."""
        ...

    async def open_session(
        self,
        workspace_id: int,
        channel_id: int,
        user_a_id: int,
        user_b_id: int,
        topic: str | None,
        difficulty: str | None,
        now: datetime,
    ) -> PairSession: ...
    async def add_side(
        self,
        session_id: int,
        position: int,
        interviewer_id: int,
        candidate_id: int,
        question_id: str,
    ) -> PairSide: ...
    async def session(self, session_id: int) -> PairSession | None: ...
    async def session_by_thread(self, channel_id: int, thread_ref: str) -> PairSession | None: ...
    async def open_session_of(self, user_id: int) -> PairSession | None: ...
    async def sides(self, session_id: int) -> Sequence[PairSide]: ...
    async def side(self, side_id: int) -> PairSide | None: ...
    async def touch(self, session: PairSession, now: datetime) -> None:
        """Save the session at once with a new version, so racing events conflict here."""
        ...

    async def idle_sessions(self, cutoff: datetime, limit: int = 200) -> Sequence[PairSession]: ...
    async def oldest_activity(self) -> datetime | None: ...
    async def counts(self, user_id: int) -> PairCounts: ...
    async def board(
        self, group_id: int, since: datetime | None, until: datetime
    ) -> dict[int, PairCounts]:
        """Per group member with a finished pair side in the period: their pair counts."""
        ...

    async def data_of(self, user_id: int) -> Sequence[tuple[PairSession, PairSide]]: ...
    async def forget(self, user_id: int) -> int:
        """Remove a user's side of every pair session (their words, marks and place in it),
        their requests and blocks; the partner's own side stays. Returns sides touched."""
        ...
