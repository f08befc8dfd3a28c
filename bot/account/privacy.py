"""A user's own data: a copy on request, and deletion after an explicit confirmation."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot import views
from bot.messages import Attachment, Button, ButtonStyle, RichMessage
from bot.ports.records import PairSession, PairSide, exported_answer
from bot.turn import Turn

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
                    "This removes your answers, streaks, group memberships, mock rounds and review "
                    "cards in this workspace, and takes you off every leaderboard. It cannot be "
                    "undone. "
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
        await turn.uow.pairs.forget(turn.ids.user_id)
        deleted = await turn.uow.people.delete(turn.ids.user_id)
        turn.tell(
            views.info(
                f"Deleted {views.plural(deleted.answers, 'answer')}, "
                f"{views.plural(deleted.streaks, 'streak')} and "
                f"{views.plural(deleted.groups, 'group membership')}. "
                "Leaderboards no longer show you."
            )
        )
        return True

    async def _collect(self, turn: Turn) -> dict[str, Any]:
        data = await turn.uow.people.data_of(turn.ids.user_id)
        return {
            "user": {
                "platform": turn.place.platform,
                "workspace": turn.place.workspace,
                "id": turn.actor.user_id,
                "name": turn.actor.display_name,
            },
            "answers": [_renamed(exported_answer(a), _PERSONAL_KEYS) for a in data.answers],
            "streaks": [
                {
                    "group": name,
                    "current": s.current,
                    "longest": s.longest,
                    "freezes": s.freezes,
                    "last_day": s.last_day.isoformat() if s.last_day else None,
                }
                for s, name in data.streaks
            ],
            "groups": data.groups,
            "pair_sessions": pair_sides(await turn.uow.pairs.data_of(turn.ids.user_id), turn),
            "rounds": [
                {
                    "status": r.status,
                    "mode": r.mode,
                    "topic": r.topic,
                    "questions": r.planned_count,
                    "started_at": r.started_at.isoformat(),
                }
                for r in data.rounds
            ],
            "reviews": [
                {
                    "question_id": c.question_id,
                    "due": c.due.isoformat(),
                    "reps": c.reps,
                    "lapses": c.lapses,
                    "last_score": c.last_score,
                    "last_missed": list(c.last_missed),
                }
                for c in data.reviews
            ],
        }


def pair_sides(rows: Sequence[tuple[PairSession, PairSide]], turn: Turn) -> list[dict[str, Any]]:
    """The member's own part of each pair session: what they answered or how they judged."""
    out = []
    for session, side in rows:
        role = "candidate" if side.candidate_id == turn.ids.user_id else "interviewer"
        entry: dict[str, Any] = {
            "role": role,
            "question_id": side.question_id,
            "started_at": session.started_at.isoformat(),
            "status": side.status,
            "bot_score": side.bot_score,
            "follow_up_score": side.follow_up_score,
        }
        if role == "candidate":
            entry |= {
                "answer": side.answer_text,
                "follow_up_answer": side.follow_up_text,
                "points": side.candidate_points,
            }
        else:
            entry |= {
                "checklist": dict(side.checklist),
                "rating": side.rating,
                "note": side.note,
                "points": side.interviewer_points,
            }
        out.append(entry)
    return out


# The personal export's own names for the shared answer keys.
_PERSONAL_KEYS = {"is_follow_up": "follow_up"}


def _renamed(fields: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    return {names.get(key, key): value for key, value in fields.items()}
