"""Review cards in a workspace's export: out as plain JSON by user platform id, and back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ReviewCard, User


async def review_cards_of(session: AsyncSession, workspace_id: int) -> Sequence[Any]:
    """The workspace's cards as plain rows (read before the users they refer to)."""
    return (
        await session.execute(
            select(ReviewCard.__table__)
            .join(User, ReviewCard.user_id == User.id)
            .where(User.workspace_id == workspace_id)
        )
    ).all()


def reviews_json(rows: Sequence[Any], user_ext: dict[int, str]) -> list[dict[str, Any]]:
    """Cards in an order that does not depend on ids."""
    return [
        {
            "user": user_ext[r.user_id],
            "question_id": r.question_id,
            "due": r.due.astimezone(UTC).isoformat(),
            "stability": r.stability,
            "difficulty": r.difficulty,
            "reps": r.reps,
            "lapses": r.lapses,
            "last_score": r.last_score,
            "last_missed": list(r.last_missed or []),
            "last_review": r.last_review.astimezone(UTC).isoformat() if r.last_review else None,
        }
        for r in sorted(rows, key=lambda r: (user_ext[r.user_id], r.question_id))
    ]
