"""Mock interview rounds: start, ask, grade, follow up, hint, skip, pause, resume, score."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import views
from bot.commands import DEFAULT_COUNT, Mock
from bot.events import Place
from bot.grading import Grader, GradeResult, Rubric, grade_answer
from bot.messages import RichMessage
from bot.outbox import Outbox
from bot.ports import metrics
from bot.ports.chat import ChatLookup, reads_thread_replies
from bot.ports.records import AnswerRecord, Round, RoundQuestion
from bot.ports.storage import Conflict, UnitOfWork
from bot.progress.points import mock_points
from bot.review.cards import after_grading
from bot.rounds.follow_ups import choose_follow_up
from bot.rounds.roles import ROLES, loop_questions
from bot.rounds.selection import pick_for_round
from bot.turn import Turn
from questions.schema import Question

RoundKind = tuple[str, str | None, str | None]  # mode, topic, difficulty


class RoundConflict(Exception):
    """Another event opened a round for this user at the same moment."""


@dataclass(frozen=True)
class RoundRules:
    idle_timeout: timedelta = timedelta(minutes=30)
    hint_penalty: int = 5


class MockRounds:
    def __init__(self, grader: Grader, rules: RoundRules) -> None:
        self._grader = grader
        self._rules = rules

    # --- starting -----------------------------------------------------------------

    async def start(self, turn: Turn, args: Mock, raw_args: str) -> None:
        topic = turn.bank.resolve_topic(args.topic) if args.topic else None
        existing = await turn.uow.rounds.open_for(turn.ids.channel_id, turn.ids.user_id)
        if existing is not None:
            if existing.status == "active" and not self._is_idle(existing, turn.now):
                turn.tell(views.already_running(existing.current_position, existing.planned_count))
                return
            existing.status = "paused"
            existing.last_activity_at = turn.now
            done = existing.current_position
            turn.tell(views.resume_offer(existing.id, done, existing.planned_count, raw_args))
            return
        await self._open(turn, args, topic)

    async def restart(self, turn: Turn, round_id: int, args: Mock) -> None:
        round_ = await self._own_round(turn, round_id)
        if round_ is not None and round_.status in ("active", "paused"):
            await self._close(turn, round_, "ended")
            await turn.uow.rounds.flush()
        topic = turn.bank.resolve_topic(args.topic) if args.topic else None
        await self._open(turn, args, topic)

    async def _open(self, turn: Turn, args: Mock, topic: str | None) -> None:
        count = args.count or DEFAULT_COUNT
        packs = [args.pack] if args.pack else None
        if args.pack and args.pack not in turn.bank.pack_names:
            known = ", ".join(turn.bank.pack_names)
            turn.tell(views.error(f"Unknown pack `{args.pack[:40]}`; packs here: {known}.", "mock"))
            return
        pool = turn.bank.select(topic=topic, difficulty=args.difficulty, packs=packs)
        if not pool:
            what = " ".join(filter(None, [args.difficulty and args.difficulty.value, topic]))
            turn.tell(
                views.error(
                    f"There are no {what} questions yet. Try another difficulty or topic.", "mock"
                )
            )
            return
        seen = await turn.uow.rounds.seen_question_ids(turn.ids.user_id)
        best = await turn.uow.answers.best_scores(turn.ids.user_id)
        rng = random.Random(f"{turn.ids.user_id}:{turn.now.isoformat()}")
        role = ROLES.get(args.role) if args.role else None
        if args.loop:
            chosen = loop_questions(
                turn.bank,
                role,
                args.difficulty,
                packs,
                lambda pool: pick_for_round(pool, 1, seen, best, rng),
            )
            count = len(chosen)
        else:
            chosen = pick_for_round(pool, count, seen, best, rng)
        title = turn.bank.topic_title(topic) if topic else None
        difficulty = args.difficulty.value if args.difficulty else None
        readable = reads_thread_replies(turn.chat)
        intro_message = (
            views.loop_intro(
                turn.actor.display_name,
                [views.STAGE_TITLES[q.stage.value].lower() for q in chosen],
                role.title if role else None,
                readable,
            )
            if args.loop
            else views.round_intro(
                turn.actor.display_name, len(chosen), title, difficulty, readable
            )
        )
        few = f"Only {len(chosen)} questions match, so this round has {len(chosen)}."
        kind = ("loop" if args.loop else "mock", topic, difficulty)
        await self.begin(turn, chosen, intro_message, kind, few if len(chosen) < count else "")

    async def begin(
        self, turn: Turn, chosen: Sequence[Question], intro: RichMessage, kind: RoundKind, note: str
    ) -> None:
        """Open a round of these questions (a review round's too): intro, thread, first one."""
        (mode, topic, difficulty), ids = kind, turn.ids
        try:
            round_ = await turn.uow.rounds.open(
                ids.channel_id, ids.user_id, mode, topic, difficulty, len(chosen), turn.now
            )
        except Conflict as exc:
            raise RoundConflict from exc
        for position, question in enumerate(chosen):
            turn.uow.rounds.add_question(round_.id, position, question.id, question.topic)
        posted = await turn.chat.post(turn.place, intro)
        name = ("Review: " if mode == "review" else "Mock interview: ") + turn.actor.display_name
        thread = await turn.chat.open_thread(posted, name)
        round_.thread_ref = thread.thread
        round_.intro_message_ref = posted.message_id
        if note:
            turn.say(thread, views.info(note))
        await self._ask(turn, thread, round_)

    # --- answering ----------------------------------------------------------------

    async def answer_in_thread(self, turn: Turn, text: str, event_ref: str | None) -> bool:
        """A thread message: graded only if it is the candidate's, in an open round.

        Returns whether the thread belongs to a round at all.
        """
        if turn.place.thread is None:
            return False
        round_ = await turn.uow.rounds.by_thread(turn.ids.channel_id, turn.place.thread)
        if round_ is None:
            return False
        if round_.user_id == turn.ids.user_id and round_.status in ("active", "paused"):
            await self._grade_current(turn, round_, text, event_ref)
        return True

    async def answer_from_form(
        self, turn: Turn, round_id: int, text: str, event_ref: str | None
    ) -> None:
        round_ = await self._own_round(turn, round_id)
        if round_ is None or round_.status not in ("active", "paused"):
            turn.tell(views.info("That round is over. Start a new one with `/interview mock`."))
            return
        await self._grade_current(turn, round_, text, event_ref)

    async def _grade_current(
        self, turn: Turn, round_: Round, text: str, event_ref: str | None
    ) -> None:
        questions, current, thread = await self._taken(turn, round_)
        question = self._question(turn, current)
        follow_up_index = current.follow_up_index
        on_follow_up = current.awaiting == "follow_up" and follow_up_index is not None
        if on_follow_up and follow_up_index is not None:
            follow = question.follow_ups[follow_up_index]
            rubric = Rubric.for_follow_up(question, follow)
            model_answer = follow.answer
        else:
            rubric = Rubric.for_question(question)
            model_answer = question.answer
        result = await grade_answer(self._grader, rubric, text)
        metrics.ANSWERS_GRADED.labels("mock").inc()
        penalty = (
            0 if on_follow_up else min(result.score, current.hints_used * self._rules.hint_penalty)
        )
        final = result.score - penalty
        self._record(turn, current, question, text, result, final, on_follow_up, event_ref)
        if on_follow_up:
            current.follow_up_score = final
        else:
            current.score = final
        await turn.uow.rounds.flush()
        turn.say(
            thread,
            views.feedback(
                result,
                question,
                penalty=penalty,
                final_score=final,
                is_follow_up=on_follow_up,
                model_answer=model_answer,
            ),
        )
        if not on_follow_up:
            await after_grading(turn, thread, round_, current.question_id, result, final)
        if not on_follow_up and question.follow_ups:
            current.awaiting = "follow_up"
            current.follow_up_index = choose_follow_up(question, result, round_.id)
            prompt = question.follow_ups[current.follow_up_index].prompt
            turn.say(thread, views.follow_up(round_.id, current.position, prompt))
            return
        current.status = "answered"
        current.awaiting = "done"
        await self._advance(turn, thread, round_, questions)

    def _record(
        self,
        turn: Turn,
        current: RoundQuestion,
        question: Question,
        text: str,
        result: GradeResult,
        final: int,
        on_follow_up: bool,
        event_ref: str | None,
    ) -> None:
        turn.uow.answers.add(
            AnswerRecord.graded(
                turn.ids,
                current.question_id,
                "mock",
                text,
                result,
                score=final,
                points=mock_points(question.difficulty, final),
                event_ref=event_ref,
                now=turn.now,
                round_question_id=current.id,
                is_follow_up=on_follow_up,
            )
        )

    # --- hint, skip, end, resume ------------------------------------------------------

    async def hint(self, turn: Turn, round_id: int | None = None) -> None:
        round_ = await self._target(turn, round_id)
        if round_ is None:
            return
        _, current, thread = await self._taken(turn, round_)
        question = self._question(turn, current)
        if current.awaiting == "follow_up":
            turn.say(thread, views.info("No hints for follow-ups: say what you think."))
            return
        if current.hints_used >= len(question.hints):
            turn.say(thread, views.info("No more hints for this question."))
            return
        hint = question.hints[current.hints_used]
        current.hints_used += 1
        left = len(question.hints) - current.hints_used
        more = f" ({left} more)" if left else ""
        turn.say(thread, views.info(f"💡 Hint {current.hints_used}{more}: {hint}"))

    async def skip(self, turn: Turn, round_id: int | None = None) -> None:
        round_ = await self._target(turn, round_id)
        if round_ is None:
            return
        questions, current, thread = await self._taken(turn, round_)
        if current.awaiting == "follow_up":
            current.status = "answered"
            turn.say(thread, views.info("Follow-up skipped."))
        else:
            current.status = "skipped"
            current.score = 0
            answer = self._question(turn, current).answer
            turn.say(thread, views.info(f"Skipped. A good answer would have said:\n{answer}"))
        current.awaiting = "done"
        await self._advance(turn, thread, round_, questions)

    async def end(self, turn: Turn, round_id: int | None = None) -> None:
        round_ = await self._target(turn, round_id)
        if round_ is None:
            return
        await self._close(turn, round_, "ended")

    async def resume(self, turn: Turn, round_id: int | None = None) -> None:
        round_ = await self._target(turn, round_id)
        if round_ is None:
            return
        _, current, thread = await self._taken(turn, round_)
        turn.say(thread, views.info(f"▶ Welcome back, {turn.actor.display_name}."))
        if current.awaiting == "follow_up" and current.follow_up_index is not None:
            prompt = self._question(turn, current).follow_ups[current.follow_up_index].prompt
            turn.say(thread, views.follow_up(round_.id, current.position, prompt))
        else:
            await self._ask(turn, thread, round_)
        if turn.place.thread != thread.thread:
            turn.tell(views.info("Your round continues in its thread."))

    # --- idle sweep ---------------------------------------------------------------------

    async def pause_idle(
        self, uow: UnitOfWork, chat_for: ChatLookup, now: datetime, outbox: Outbox
    ) -> int:
        """Pause rounds idle past the timeout; the notices go out once the pause is committed."""
        cutoff = now - self._rules.idle_timeout
        paused = 0
        for round_ in await uow.rounds.idle_since(cutoff):
            place = await self._place_of(uow, round_)
            chat = chat_for(place.platform) if place else None
            if place is None or chat is None:
                continue
            if not await uow.rounds.pause_if_idle(round_.id, cutoff):
                continue
            channel_hint = f"#{place.channel_name}" if place.channel_name else "the channel"
            outbox.reply(chat, place, views.paused(channel_hint))
            paused += 1
        return paused

    async def next_pause_after(self, uow: UnitOfWork, moment: datetime) -> datetime | None:
        oldest = await uow.rounds.oldest_active_activity()
        if oldest is None:
            return None
        deadline = oldest + self._rules.idle_timeout + timedelta(seconds=1)
        return deadline if deadline > moment else None

    # --- helpers ------------------------------------------------------------------------

    @staticmethod
    async def _take(turn: Turn, round_: Round) -> None:
        """Mark the round active and bump its version now, before anything is decided, so
        two events racing on one round conflict here (one retries from a fresh read)."""
        await turn.uow.rounds.take(round_, turn.now)

    async def _taken(
        self, turn: Turn, round_: Round
    ) -> tuple[Sequence[RoundQuestion], RoundQuestion, Place]:
        """Take the round for this event: its questions, the current one, and its thread."""
        await self._take(turn, round_)
        questions = await turn.uow.rounds.questions(round_.id)
        return questions, questions[round_.current_position], self._thread_of(turn.place, round_)

    def _is_idle(self, round_: Round, now: datetime) -> bool:
        return round_.last_activity_at < now - self._rules.idle_timeout

    async def _own_round(self, turn: Turn, round_id: int) -> Round | None:
        round_ = await turn.uow.rounds.get(round_id)
        if (
            round_ is None
            or round_.user_id != turn.ids.user_id
            or round_.channel_id != turn.ids.channel_id
        ):
            turn.tell(views.info("That button belongs to someone else's round."))
            return None
        return round_

    async def _target(self, turn: Turn, round_id: int | None) -> Round | None:
        if round_id is not None:
            round_ = await self._own_round(turn, round_id)
            if round_ is not None and round_.status not in ("active", "paused"):
                turn.tell(views.info("That round is already over."))
                return None
            return round_
        round_ = await turn.uow.rounds.open_for(turn.ids.channel_id, turn.ids.user_id)
        if round_ is None:
            turn.tell(
                views.info("You have no round in progress here. Start one with `/interview mock`.")
            )
        return round_

    def _question(self, turn: Turn, row: RoundQuestion) -> Question:
        question = turn.bank.get(row.question_id)
        if question is None:
            raise LookupError(f"question {row.question_id!r} is no longer in the loaded packs")
        return question

    @staticmethod
    def _thread_of(place: Place, round_: Round) -> Place:
        return place.in_thread(round_.thread_ref) if round_.thread_ref else place

    async def _ask(self, turn: Turn, thread: Place, round_: Round) -> None:
        questions = await turn.uow.rounds.questions(round_.id)
        current = questions[round_.current_position]
        if current.asked_at is None:
            current.asked_at = turn.now
            current.status = "asked"
        question = self._question(turn, current)
        turn.say(
            thread,
            views.question(turn.bank, round_.id, current.position, round_.planned_count, question),
        )

    async def _advance(
        self, turn: Turn, thread: Place, round_: Round, questions: Sequence[RoundQuestion]
    ) -> None:
        if round_.current_position + 1 >= len(questions):
            round_.status = "finished"
            round_.finished_at = turn.now
            card = views.scorecard(
                turn.bank,
                self._lines(turn, questions),
                ended_early=False,
                by_stage=round_.mode == "loop",
            )
            turn.say(thread, card)
            return
        round_.current_position += 1
        await self._ask(turn, thread, round_)

    async def _close(self, turn: Turn, round_: Round, status: str) -> None:
        round_.status = status
        round_.finished_at = turn.now
        round_.last_activity_at = turn.now
        questions = await turn.uow.rounds.questions(round_.id)
        thread = self._thread_of(turn.place, round_)
        asked = [q for q in questions if q.asked_at is not None]
        card = views.scorecard(
            turn.bank, self._lines(turn, asked), ended_early=True, by_stage=round_.mode == "loop"
        )
        turn.say(thread, card)

    def _lines(self, turn: Turn, questions: Sequence[RoundQuestion]) -> list[views.ScoreLine]:
        return [
            views.ScoreLine(
                position=row.position,
                question=self._question(turn, row),
                status=row.status,
                score=row.score,
                follow_up_score=row.follow_up_score,
                hints_used=row.hints_used,
            )
            for row in questions
        ]

    async def _place_of(self, uow: UnitOfWork, round_: Round) -> Place | None:
        channel = await uow.directory.get_channel(round_.channel_id)
        if channel is None or round_.thread_ref is None:
            return None
        workspace = await uow.directory.get_workspace(channel.workspace_id)
        if workspace is None:
            return None
        return Place(
            platform=workspace.platform,
            workspace=workspace.external_id,
            channel=channel.external_id,
            thread=round_.thread_ref,
            channel_name=channel.name,
        )
