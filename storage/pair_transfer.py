"""Pair sessions in a workspace export: written beside the other sections, checked, restored.

Sessions and their sides are history; waiting requests are working state and stay out, as
mock rounds do. Members are named by platform id (null for one who deleted their data).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.export_format import Int32, Moment, TransferError, fits, one_line
from storage.export_format import _Section as Section
from storage.pair_models import PairBlock, PairSession, PairSide


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


async def export_pairs(
    session: AsyncSession, workspace_id: int, channel_ext: dict[int, str], user_ext: dict[int, str]
) -> dict[str, Any]:
    """The workspace's pair sessions with their sides, and its pairing blocks."""
    sessions = (
        await session.scalars(
            select(PairSession)
            .where(PairSession.workspace_id == workspace_id)
            .order_by(PairSession.started_at, PairSession.id)
        )
    ).all()
    ids = [s.id for s in sessions]
    sides = (
        await session.scalars(
            select(PairSide).where(PairSide.session_id.in_(ids)).order_by(PairSide.position)
        )
    ).all()
    blocks = (
        await session.scalars(select(PairBlock).where(PairBlock.user_id.in_(list(user_ext))))
    ).all()
    by_session: dict[int, list[PairSide]] = {}
    for side in sides:
        by_session.setdefault(side.session_id, []).append(side)

    def who(user_id: int | None) -> str | None:
        return None if user_id is None else user_ext.get(user_id)

    return {
        "pair_sessions": [
            {
                "channel": channel_ext[s.channel_id],
                "user_a": who(s.user_a_id),
                "user_b": who(s.user_b_id),
                "topic": s.topic,
                "difficulty": s.difficulty,
                "status": s.status,
                "stage": s.stage,
                "thread_ref": s.thread_ref,
                "started_at": _iso(s.started_at),
                "last_activity_at": _iso(s.last_activity_at),
                "finished_at": _iso(s.finished_at),
                "sides": [
                    {
                        "position": side.position,
                        "interviewer": who(side.interviewer_id),
                        "candidate": who(side.candidate_id),
                        "question_id": side.question_id,
                        "status": side.status,
                        "checklist": dict(side.checklist),
                        "follow_up_index": side.follow_up_index,
                        "answer_text": side.answer_text,
                        "follow_up_text": side.follow_up_text,
                        "bot_score": side.bot_score,
                        "follow_up_score": side.follow_up_score,
                        "bot_covered": list(side.bot_covered),
                        "bot_partly": list(side.bot_partly),
                        "rating": side.rating,
                        "note": side.note,
                        "candidate_points": side.candidate_points,
                        "interviewer_points": side.interviewer_points,
                        "finished_at": _iso(side.finished_at),
                    }
                    for side in by_session.get(s.id, [])
                ],
            }
            for s in sessions
        ],
        "pair_blocks": sorted(
            (
                {
                    "user": user_ext[b.user_id],
                    "blocked": user_ext[b.blocked_id],
                    "created_at": _iso(b.created_at),
                }
                for b in blocks
                if b.blocked_id in user_ext
            ),
            key=lambda b: (b["user"], b["blocked"]),
        ),
    }


class SideIn(Section):
    position: Literal[0, 1]
    interviewer: str | None
    candidate: str | None
    question_id: Annotated[str, fits(PairSide.question_id)]
    status: Annotated[str, fits(PairSide.status)]
    checklist: dict[str, Literal["covered", "half", "missed"]]
    follow_up_index: Int32 | None
    answer_text: str
    follow_up_text: str
    bot_score: Int32 | None
    follow_up_score: Int32 | None = None  # absent from files written before it was kept
    bot_covered: list[str]
    bot_partly: list[str]
    rating: Annotated[int, Field(ge=1, le=5)] | None
    note: str
    candidate_points: Int32
    interviewer_points: Int32
    finished_at: Moment | None


class SessionIn(Section):
    channel: str
    user_a: str | None
    user_b: str | None
    topic: Annotated[str, fits(PairSession.topic)] | None
    difficulty: Annotated[str, fits(PairSession.difficulty)] | None
    status: Annotated[str, fits(PairSession.status)]
    stage: Literal[0, 1]
    thread_ref: Annotated[str, fits(PairSession.thread_ref)] | None
    started_at: Moment
    last_activity_at: Moment
    finished_at: Moment | None
    sides: list[SideIn]


class BlockIn(Section):
    user: str
    blocked: str
    created_at: Moment


class PairsIn(Section):
    # Absent in exports from before pair sessions: nothing to restore.
    pair_sessions: list[SessionIn] = Field(default_factory=list)
    pair_blocks: list[BlockIn] = Field(default_factory=list)


@dataclass
class PairPlan:
    sessions: list[SessionIn] = field(default_factory=list)
    blocks: list[BlockIn] = field(default_factory=list)


def read_pairs(data: dict[str, Any], channels: set[str], users: set[str]) -> PairPlan:
    """The pair sections checked, every member and channel known, before anything is written."""
    try:
        file = PairsIn.model_validate(data)
    except ValidationError as exc:
        raise TransferError(one_line(exc.errors()[0])) from None
    for i, s in enumerate(file.pair_sessions):
        at = f"pair_sessions[{i}]"
        if s.channel not in channels:
            raise TransferError(f"{at}: unknown channel {s.channel!r} (not in channels)")
        named = [s.user_a, s.user_b] + [
            p for side in s.sides for p in (side.interviewer, side.candidate)
        ]
        for person in named:
            if person is not None and person not in users:
                raise TransferError(f"{at}: unknown user {person!r} (not in users)")
        if len({side.position for side in s.sides}) != len(s.sides):
            raise TransferError(f"{at}.sides: a position appears more than once")
    for i, b in enumerate(file.pair_blocks):
        for person in (b.user, b.blocked):
            if person not in users:
                raise TransferError(f"pair_blocks[{i}]: unknown user {person!r} (not in users)")
    return PairPlan(list(file.pair_sessions), list(file.pair_blocks))


async def write_pairs(
    session: AsyncSession,
    plan: PairPlan,
    workspace_id: int,
    channel_ids: dict[str, int],
    user_ids: dict[str, int],
) -> None:
    def who(external: str | None) -> int | None:
        return None if external is None else user_ids[external]

    for s in plan.sessions:
        session_id = (
            await session.execute(
                insert(PairSession)
                .values(
                    workspace_id=workspace_id,
                    channel_id=channel_ids[s.channel],
                    user_a_id=who(s.user_a),
                    user_b_id=who(s.user_b),
                    **s.model_dump(include={"topic", "difficulty", "status", "stage"}),
                    thread_ref=s.thread_ref,
                    started_at=s.started_at,
                    last_activity_at=s.last_activity_at,
                    finished_at=s.finished_at,
                    version=1,
                )
                .returning(PairSession.id)
            )
        ).scalar_one()
        rows = [
            {
                **side.model_dump(exclude={"interviewer", "candidate"}),
                "session_id": session_id,
                "interviewer_id": who(side.interviewer),
                "candidate_id": who(side.candidate),
            }
            for side in s.sides
        ]
        await _insert_all(session, PairSide, rows)
    await _insert_all(
        session,
        PairBlock,
        [
            {
                "user_id": user_ids[b.user],
                "blocked_id": user_ids[b.blocked],
                "created_at": b.created_at,
            }
            for b in plan.blocks
        ],
    )


async def _insert_all(session: AsyncSession, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await session.execute(insert(model), list(rows))
