"""`/interview review`: a round of the caller's due cards, run by the mock-round machinery,
and the daily nudge's settings."""

from __future__ import annotations

from bot import views
from bot.commands import ReviewRemind
from bot.ports.records import ReviewReminder
from bot.review import views as review_views
from bot.review.grammar import DEFAULT_REVIEW_COUNT, remind_time, zone_of
from bot.review.reminders import next_occurrence
from bot.review.zones import review_zone
from bot.rounds.mock import MockRounds
from bot.turn import Turn


class ReviewService:
    def __init__(self, rounds: MockRounds) -> None:
        self._rounds = rounds

    async def start(self, turn: Turn, count: int | None) -> None:
        """Open a round of the due cards, most overdue first; or say when the next is due."""
        ids = turn.ids
        if await turn.uow.rounds.open_for(ids.channel_id, ids.user_id) is not None:
            turn.tell(
                views.info(
                    "You have a round open here: answer it, `/interview resume` it or "
                    "`/interview end` it, then start the review."
                )
            )
            return
        picked = await turn.uow.reviews.due_questions(
            ids.user_id, turn.now, count or DEFAULT_REVIEW_COUNT
        )
        if picked.total == 0:
            next_due = await turn.uow.reviews.next_due(ids.user_id)
            zone = await review_zone(turn.uow, ids.user_id, ids.channel_id)
            turn.tell(review_views.nothing_due(next_due, turn.now, zone))
            return
        chosen = [q for qid in picked.question_ids if (q := turn.bank.get(qid)) is not None]
        if not chosen:
            turn.tell(
                views.info(
                    "Your due cards are for questions this workspace's packs no longer have."
                )
            )
            return
        # Cards of questions the packs no longer have can never be asked: leave them uncounted.
        askable = picked.total - (len(picked.question_ids) - len(chosen))
        intro = review_views.review_intro(turn.actor.display_name, len(chosen), askable)
        await self._rounds.begin(turn, chosen, intro, ("review", None, None), "")

    async def remind(self, turn: Turn, command: ReviewRemind) -> None:
        """Turn the daily nudge on at a local time (in the zone given, kept, the channel's or
        UTC), or off."""
        user_id = turn.ids.user_id
        if command.time is None:
            turn.tell(review_views.reminder_off(await turn.uow.reviews.remove_reminder(user_id)))
            return
        at = remind_time(command.time)
        zone = zone_of(command.tz or await review_zone(turn.uow, user_id, turn.ids.channel_id))
        reminder = ReviewReminder(
            user_id, f"{at:%H:%M}", zone.key, next_occurrence(at, zone, turn.now)
        )
        await turn.uow.reviews.set_reminder(reminder)
        turn.tell(review_views.reminder_set(reminder, turn.now))
