"""Pair sessions on the leaderboard: interviewing's points added in, a pairs count beside."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.ports.records import LeaderRow, PairCounts
from bot.ports.storage import UnitOfWork


async def with_pairs(
    uow: UnitOfWork,
    rows: list[LeaderRow],
    group_id: int,
    since: datetime | None,
    until: datetime,
) -> list[tuple[LeaderRow, PairCounts]]:
    """The board's rows with each member's pair sides in the period; a member who only
    interviewed joins the board with those points."""
    board = await uow.pairs.board(group_id, since, until)
    merged = {
        row.user_id: replace(
            row, points=row.points + board.get(row.user_id, PairCounts()).interviewer_points
        )
        for row in rows
    }
    for user_id, counts in board.items():
        if user_id in merged or counts.interviewer_points <= 0:
            continue
        user = await uow.directory.get_user(user_id)
        if user is not None:
            name = user.display_name or user.external_id
            merged[user_id] = LeaderRow(user_id, name, counts.interviewer_points, 0, until)
    ranked = sorted(merged.values(), key=lambda r: (-r.points, r.reached_at, r.user_id))
    return [(row, board.get(row.user_id, PairCounts())) for row in ranked]


def pairs_column(counts: PairCounts) -> str:
    """ " · 2 pairs" for a member with finished pair sides, else nothing."""
    done = counts.as_candidate + counts.as_interviewer
    return f" · {done} pair{'' if done == 1 else 's'}" if done else ""
