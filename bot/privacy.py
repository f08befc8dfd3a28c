"""A user's own data: a copy on request, and deletion after an explicit confirmation."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete, func, select

from bot import views
from bot.messages import Attachment, Button, ButtonStyle, RichMessage
from bot.turn import Turn
from storage.models import Answer, GroupMember, Round, Streak, StudyGroup, User

CONFIRM = "privacy:delete"
CANCEL = "privacy:cancel"


class PrivacyService:
    async def export(self, turn: Turn) -> None:
        data = await self._collect(turn)
        payload = json.dumps(data, indent=2, ensure_ascii=False).encode()
        turn.tell(
            RichMessage(
                title="Your data",
                body=(
                    "Everything interview-bot keeps about you here: "
                    f"{views.plural(len(data['answers']), 'answer')}, "
                    f"{views.plural(len(data['streaks']), 'streak')} and "
                    f"{views.plural(len(data['groups']), 'group membership')}."
                ),
                attachment=Attachment(f"interview-bot-data-{turn.actor.user_id}.json", payload),
            )
        )

    def ask_to_delete(self, turn: Turn) -> None:
        turn.tell(
            RichMessage(
                title="Delete your data?",
                body=(
                    "This removes your answers, streaks, group memberships and mock rounds in this "
                    "workspace, and takes you off every leaderboard. It cannot be undone. "
                    "`/interview privacy export` first if you want a copy."
                ),
                buttons=(
                    Button("Delete my data", CONFIRM, turn.actor.user_id, ButtonStyle.DANGER),
                    Button("Cancel", CANCEL, turn.actor.user_id),
                ),
            )
        )

    async def delete(self, turn: Turn, confirmed_for: str) -> bool:
        if confirmed_for != turn.actor.user_id:
            turn.tell(views.info("Only the person who asked can confirm deleting their data."))
            return False
        session = turn.uow.session
        user_id = turn.ids.user_id
        answers = await _count(turn, select(func.count()).where(Answer.user_id == user_id))
        streaks = await _count(turn, select(func.count()).where(Streak.user_id == user_id))
        groups = await _count(turn, select(func.count()).where(GroupMember.user_id == user_id))
        for table in (Answer, Streak, GroupMember, Round):
            await session.execute(delete(table).where(table.user_id == user_id))
        await session.execute(delete(User).where(User.id == user_id))
        turn.tell(
            views.info(
                f"Deleted {views.plural(answers, 'answer')}, {views.plural(streaks, 'streak')} and "
                f"{views.plural(groups, 'group membership')}. Leaderboards no longer show you."
            )
        )
        return True

    async def _collect(self, turn: Turn) -> dict[str, Any]:
        session = turn.uow.session
        user_id = turn.ids.user_id
        answers = (
            await session.execute(
                select(Answer).where(Answer.user_id == user_id).order_by(Answer.submitted_at)
            )
        ).scalars()
        streaks = (
            await session.execute(
                select(Streak, StudyGroup.name)
                .join(StudyGroup, StudyGroup.id == Streak.group_id)
                .where(Streak.user_id == user_id)
            )
        ).all()
        groups = (
            await session.execute(
                select(StudyGroup.name)
                .join(GroupMember, GroupMember.group_id == StudyGroup.id)
                .where(GroupMember.user_id == user_id)
            )
        ).scalars()
        rounds = (
            await session.execute(select(Round).where(Round.user_id == user_id).order_by(Round.id))
        ).scalars()
        return {
            "user": {
                "platform": turn.place.platform,
                "workspace": turn.place.workspace,
                "id": turn.actor.user_id,
                "name": turn.actor.display_name,
            },
            "answers": [
                {
                    "question_id": a.question_id,
                    "kind": "daily" if a.daily_post_id is not None else "mock",
                    "follow_up": a.is_follow_up,
                    "text": a.text,
                    "score": a.score,
                    "points": a.points,
                    "counted": a.counted,
                    "covered": a.covered,
                    "missed": a.missed,
                    "advice": a.advice,
                    "created_at": a.submitted_at.isoformat(),
                }
                for a in answers
            ],
            "streaks": [
                {
                    "group": name,
                    "current": s.current,
                    "longest": s.longest,
                    "freezes": s.freezes,
                    "last_day": s.last_day.isoformat() if s.last_day else None,
                }
                for s, name in streaks
            ],
            "groups": list(groups),
            "rounds": [
                {
                    "status": r.status,
                    "mode": r.mode,
                    "topic": r.topic,
                    "questions": r.planned_count,
                    "started_at": r.started_at.isoformat(),
                }
                for r in rounds
            ],
        }


async def _count(turn: Turn, stmt: Any) -> int:
    return int((await turn.uow.session.execute(stmt)).scalar_one())
