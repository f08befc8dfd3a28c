"""The records of peer mock interviews: requests, sessions, their sides and counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


class PairRequest(Protocol):
    """A member waiting to be paired for a peer mock interview, or an invitation to one."""

    id: int
    workspace_id: int
    channel_id: int
    user_id: int
    group_id: int | None
    topic: str | None
    difficulty: str | None
    invitee_id: int | None
    status: str  # waiting | paired | cancelled | expired | declined
    session_id: int | None
    created_at: datetime
    expires_at: datetime
    invite_ref: str | None  # the invitation's direct message (bot.pairs.invitations), once sent


class PairSession(Protocol):
    """Two members interviewing each other in one thread; user_a interviews first."""

    id: int
    workspace_id: int
    channel_id: int
    user_a_id: int | None
    user_b_id: int | None
    topic: str | None
    difficulty: str | None
    status: str  # active | finished | closed
    stage: int  # the side being played: 0, then 1 after the swap
    thread_ref: str | None
    started_at: datetime
    last_activity_at: datetime
    finished_at: datetime | None


class PairSide(Protocol):
    """One question set of a pair session: who asks, who answers, and both verdicts."""

    id: int
    session_id: int
    position: int
    interviewer_id: int | None
    candidate_id: int | None
    question_id: str
    status: str  # asking | done
    checklist: dict[str, str]  # key point number (1-based, as text) -> covered | half | missed
    follow_up_index: int | None
    answer_text: str
    follow_up_text: str
    bot_score: int | None
    follow_up_score: int | None  # the bot's grade of the follow-up answer, when one was given
    bot_covered: list[str]
    bot_partly: list[str]
    rating: int | None
    note: str
    candidate_points: int
    interviewer_points: int
    finished_at: datetime | None


@dataclass(frozen=True)
class PairCounts:
    """A member's finished pair sides, per role, and the points interviewing earned."""

    as_candidate: int = 0
    as_interviewer: int = 0
    interviewer_points: int = 0


__all__ = ["PairCounts", "PairRequest", "PairSession", "PairSide"]
