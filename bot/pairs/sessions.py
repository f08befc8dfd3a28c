"""A pair session's flow: open a thread, brief the interviewer privately, take the candidate's
answer, tick key points, finish with a rating, swap roles, and close when idle."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import views as common
from bot.events import Place
from bot.grading import Grader, Rubric, grade_answer
from bot.outbox import Outbox
from bot.pairs import views
from bot.ports import metrics
from bot.ports.chat import ChatPort
from bot.ports.records import AnswerRecord, Identity, PairSession, PairSide
from bot.ports.storage import UnitOfWork
from bot.progress.points import BASE, MOCK_RATE, mock_points
from bot.review.cards import Graded, record_answers
from bot.rounds.selection import pick_for_round
from bot.turn import Turn
from questions.bank import QuestionBank
from questions.schema import Difficulty, Question

_RATING = re.compile(r"^\s*([1-5])(?:\s*/\s*5)?(?![\d.])[\s,.:;!-]*(.*)$", re.DOTALL)
NOTE_LIMIT = 2000


class PairProblem(Exception):
    """A pair action that cannot go ahead; the message says why, to the one who tried."""


@dataclass(frozen=True)
class PairRules:
    request_ttl: timedelta = timedelta(minutes=30)
    idle_timeout: timedelta = timedelta(minutes=30)


def interviewer_points(difficulty: Difficulty) -> int:
    """Interviewing a full question earns what a perfect mock answer to it would."""
    return round(BASE[difficulty] * MOCK_RATE)


def parse_rating(text: str) -> tuple[int, str] | None:
    """(rating, note) from "4 clear on bias", "4/5: clear", or None without a leading 1-5."""
    found = _RATING.match(text)
    if found is None:
        return None
    return int(found.group(1)), found.group(2).strip()[:NOTE_LIMIT]


class PairSessions:
    def __init__(self, grader: Grader, rules: PairRules) -> None:
        self._grader = grader
        self._rules = rules

    # --- opening ----------------------------------------------------------------------

    async def open(
        self,
        turn: Turn,
        first: int,
        second: int,
        topic: str | None,
        difficulty: str | None,
        at: tuple[Place, int] | None = None,
    ) -> PairSession:
        """Open the session in the turn's channel, or in `at` (a channel and its id): first
        interviews, second answers."""
        question = await self._pick(turn, topic, difficulty, second, exclude=set())
        if question is None:
            raise PairProblem("There are no questions of that topic and difficulty.")
        uow = turn.uow
        place, channel_id = at or (turn.place, turn.ids.channel_id)
        session = await uow.pairs.open_session(
            turn.ids.workspace_id, channel_id, first, second, topic, difficulty, turn.now
        )
        side = await uow.pairs.add_side(session.id, 0, first, second, question.id)
        names = await self._names(uow, first, second)
        title = turn.bank.topic_title(topic) if topic else None
        intro = await turn.chat.post(
            place.top_level(), views.intro(names[0], names[1], title, difficulty)
        )
        thread = await turn.chat.open_thread(intro, f"Pair interview: {names[0]} and {names[1]}")
        session.thread_ref = thread.thread
        await self._brief(turn, thread, side, question)
        return session

    async def _pick(
        self,
        turn: Turn,
        topic: str | None,
        difficulty: str | None,
        candidate: int,
        exclude: set[str],
    ) -> Question | None:
        """A question the candidate has seen least, or None when the filters leave none."""
        level = Difficulty(difficulty) if difficulty else None
        pool = [q for q in turn.bank.select(topic=topic, difficulty=level) if q.id not in exclude]
        if not pool:
            return None
        seen = await turn.uow.rounds.seen_question_ids(candidate)
        best = await turn.uow.answers.best_scores(candidate)
        rng = random.Random(f"pair:{candidate}:{turn.now.isoformat()}")
        return pick_for_round(pool, 1, seen, best, rng)[0]

    async def _brief(self, turn: Turn, thread: Place, side: PairSide, question: Question) -> None:
        """Announce the round in the thread; the notes go to the interviewer alone."""
        interviewer, candidate = await self._side_people(turn.uow, side)
        turn.say(thread, views.side_start(side, interviewer.display_name, candidate.display_name))
        if interviewer.external_id == turn.actor.user_id:
            turn.outbox.private(
                turn.chat,
                thread,
                turn.actor.user_id,
                views.panel(side, question, candidate.display_name),
            )

    # --- the candidate's answer -------------------------------------------------------

    async def message(self, turn: Turn, session: PairSession, text: str) -> None:
        """A message in the thread: the current candidate's words are kept as their answer
        (to the follow-up once it was asked); anyone else's are conversation. Either member
        speaking keeps the session from counting as idle."""
        if turn.ids.user_id not in (session.user_a_id, session.user_b_id):
            return
        await turn.uow.pairs.touch(session, turn.now)
        side = await self._current(turn.uow, session)
        if side is None or side.status != "asking" or side.candidate_id != turn.ids.user_id:
            return
        if side.follow_up_index is None:
            side.answer_text = _joined(side.answer_text, text)
        else:
            side.follow_up_text = _joined(side.follow_up_text, text)

    # --- the interviewer's buttons ----------------------------------------------------

    async def mark(self, turn: Turn, side_id: int, number: int, mark: str) -> None:
        session, side, question = await self._interviewers(turn, side_id)
        points = views.key_point_texts(question)
        if not 1 <= number <= len(points) or mark not in views.MARKS:
            raise PairProblem("That key point is not on this question's checklist.")
        await turn.uow.pairs.touch(session, turn.now)
        side.checklist = {**side.checklist, str(number): mark}
        candidate = await self._name(turn.uow, side.candidate_id)
        turn.tell(views.panel(side, question, candidate))

    async def notes(self, turn: Turn, side_id: int) -> None:
        """The interviewer's notes again, privately, for the one who pressed *My notes*."""
        _session, side, question = await self._interviewers(turn, side_id)
        candidate = await self._name(turn.uow, side.candidate_id)
        turn.tell(views.panel(side, question, candidate))

    async def follow_up(self, turn: Turn, side_id: int) -> None:
        session, side, question = await self._interviewers(turn, side_id)
        if not question.follow_ups:
            raise PairProblem("This question has no follow-up.")
        if side.follow_up_index is not None:
            raise PairProblem("The follow-up was already asked.")
        await turn.uow.pairs.touch(session, turn.now)
        side.follow_up_index = 0
        follow = question.follow_ups[0]
        thread = _thread(turn.place, session)
        turn.say(thread, views.follow_up_asked(turn.actor.display_name, follow.prompt))
        candidate = await self._name(turn.uow, side.candidate_id)
        turn.tell(views.panel(side, question, candidate))

    async def finish(self, turn: Turn, side_id: int, text: str, event_ref: str | None) -> None:
        """The finish form: a 1-5 rating and a note; the bot grades the answer beside it."""
        session, side, question = await self._interviewers(turn, side_id)
        rated = parse_rating(text)
        if rated is None:
            kept = common.info(text.strip()[:NOTE_LIMIT]).body if text.strip() else ""
            echo = f" Your note, so nothing is lost: {kept}" if kept else ""
            raise PairProblem(
                "Start with a rating from 1 to 5, then the note, e.g. `4 clear on the "
                f"trade-off`.{echo}"
            )
        if not side.answer_text.strip():
            raise PairProblem(
                "The candidate has not answered in the thread yet, so there is nothing to grade."
            )
        await turn.uow.pairs.touch(session, turn.now)
        side.rating, side.note = rated
        await self._score(turn.uow, session, side, question, turn.now, event_ref)
        side.interviewer_points = interviewer_points(question.difficulty)
        side.follow_up_score = await self._follow_up_score(side, question)
        thread = _thread(turn.place, session)
        interviewer, candidate = await self._side_people(turn.uow, side)
        last = side.position >= 1
        turn.say(
            thread,
            views.comparison(
                side,
                question,
                interviewer.display_name,
                candidate.display_name,
                swap=not last,
            ),
        )
        if last:
            self._end(session, "finished", turn.now)
            turn.say(thread, views.finished(await self._summary(turn.uow, session)))

    async def swap(self, turn: Turn, session: PairSession) -> None:
        """Roles change for the second question set, of the same topic and difficulty."""
        if not self.allowed(turn, session):
            raise PairProblem("Only the two members of this pair session can swap it.")
        sides = list(await turn.uow.pairs.sides(session.id))
        if session.status != "active":
            raise PairProblem("This pair session is over.")
        if len(sides) > 1:
            raise PairProblem("You already swapped: each of you is the candidate once.")
        first = sides[0]
        if first.status != "done":
            raise PairProblem("Finish round 1 first: the interviewer presses *Finish*.")
        asked = turn.bank.get(first.question_id)
        topic = asked.topic if asked else session.topic
        difficulty = asked.difficulty.value if asked else session.difficulty
        if first.interviewer_id is None or first.candidate_id is None:
            raise PairProblem("One of you has left, so there is no one to swap with.")
        question = None
        # The same topic and difficulty; where the bank has no other, the nearest it has.
        for wanted in ((topic, difficulty), (topic, None), (None, difficulty), (None, None)):
            question = question or await self._pick(
                turn, *wanted, first.interviewer_id, exclude={first.question_id}
            )
        if question is None:
            raise PairProblem("There is no other question for the swap.")
        await turn.uow.pairs.touch(session, turn.now)
        session.stage = 1
        side = await turn.uow.pairs.add_side(
            session.id, 1, first.candidate_id, first.interviewer_id, question.id
        )
        await self._brief(turn, _thread(turn.place, session), side, question)

    async def _follow_up_score(self, side: PairSide, question: Question) -> int | None:
        """The bot's grade of the answer to the follow-up, when one was asked and answered."""
        if side.follow_up_index is None or not side.follow_up_text.strip():
            return None
        follow = question.follow_ups[side.follow_up_index]
        rubric = Rubric.for_follow_up(question, follow)
        return (await grade_answer(self._grader, rubric, side.follow_up_text)).score

    # --- idle sessions ----------------------------------------------------------------

    async def close_idle(
        self,
        uow: UnitOfWork,
        bank: QuestionBank,
        chat: ChatPort,
        place: Place,
        session: PairSession,
        now: datetime,
        outbox: Outbox,
    ) -> None:
        """Close a session idle past the timeout, with what was done; an answer given but not
        rated yet is still graded once, by the bot alone."""
        side = await self._current(uow, session)
        if side is not None and side.status == "asking" and side.answer_text.strip():
            question = bank.get(side.question_id)
            if question is not None:
                await self._score(uow, session, side, question, now, None)
        self._end(session, "closed", now)
        done = [
            f"Round {i + 1}: {c} answered, interviewed by {i_name} — rating {r or '—'}/5, "
            f"bot {s if s is not None else '—'}/100"
            for i, (i_name, c, r, s) in enumerate(await self._summary(uow, session))
        ]
        outbox.reply(chat, place, views.closed_idle(done))

    def idle_cutoff(self, now: datetime) -> datetime:
        return now - self._rules.idle_timeout

    @property
    def rules(self) -> PairRules:
        return self._rules

    # --- helpers ----------------------------------------------------------------------

    @staticmethod
    def allowed(turn: Turn, session: PairSession) -> bool:
        return turn.actor.is_admin or turn.ids.user_id in (session.user_a_id, session.user_b_id)

    async def _interviewers(
        self, turn: Turn, side_id: int
    ) -> tuple[PairSession, PairSide, Question]:
        """The side a button names, if the presser is its interviewer (or an admin)."""
        found = await self._side(turn.uow, side_id)
        if found is None:
            raise PairProblem("That pair session is gone.")
        session, side = found
        if side.interviewer_id != turn.ids.user_id and not turn.actor.is_admin:
            raise PairProblem("Only this round's interviewer can use these buttons.")
        if session.status != "active" or side.status != "asking":
            raise PairProblem("This round is already finished.")
        question = turn.bank.get(side.question_id)
        if question is None:
            raise PairProblem("That question is no longer in the loaded packs.")
        return session, side, question

    @staticmethod
    async def _side(uow: UnitOfWork, side_id: int) -> tuple[PairSession, PairSide] | None:
        side = await uow.pairs.side(side_id)
        session = await uow.pairs.session(side.session_id) if side is not None else None
        return (session, side) if session is not None and side is not None else None

    @staticmethod
    async def _current(uow: UnitOfWork, session: PairSession) -> PairSide | None:
        sides = [s for s in await uow.pairs.sides(session.id) if s.position == session.stage]
        return sides[0] if sides else None

    async def _score(
        self,
        uow: UnitOfWork,
        session: PairSession,
        side: PairSide,
        question: Question,
        now: datetime,
        event_ref: str | None,
    ) -> None:
        """Grade the candidate's answer once, record it as their answer, and close the side."""
        result = await grade_answer(self._grader, Rubric.for_question(question), side.answer_text)
        metrics.ANSWERS_GRADED.labels("pair").inc()
        side.bot_score = result.score
        side.bot_covered = list(result.covered)
        side.bot_partly = views.half_made(
            views.key_point_texts(question), result.covered, result.partly
        )
        side.candidate_points = mock_points(question.difficulty, result.score)
        side.status = "done"
        side.finished_at = now
        if side.candidate_id is not None:
            uow.answers.add(
                AnswerRecord.graded(
                    Identity(session.workspace_id, session.channel_id, side.candidate_id),
                    question.id,
                    "pair",
                    side.answer_text,
                    result,
                    score=result.score,
                    points=side.candidate_points,
                    event_ref=event_ref,
                    now=now,
                )
            )
            # Spaced review: what the candidate missed here comes back like any graded answer.
            graded = Graded(
                side.candidate_id, question.id, result.score, result.covered, result.missed
            )
            await record_answers(uow.reviews, [graded], now)

    @staticmethod
    def _end(session: PairSession, status: str, now: datetime) -> None:
        session.status = status
        session.finished_at = now
        session.last_activity_at = now

    async def _summary(
        self, uow: UnitOfWork, session: PairSession
    ) -> list[tuple[str, str, int | None, int | None]]:
        rows = []
        for side in await uow.pairs.sides(session.id):
            if side.status == "done":
                rows.append(
                    (
                        await self._name(uow, side.interviewer_id),
                        await self._name(uow, side.candidate_id),
                        side.rating,
                        side.bot_score,
                    )
                )
        return rows

    async def _side_people(self, uow: UnitOfWork, side: PairSide) -> tuple[Person, Person]:
        return await _person(uow, side.interviewer_id), await _person(uow, side.candidate_id)

    async def _names(self, uow: UnitOfWork, *user_ids: int | None) -> list[str]:
        return [await self._name(uow, user_id) for user_id in user_ids]

    @staticmethod
    async def _name(uow: UnitOfWork, user_id: int | None) -> str:
        return (await _person(uow, user_id)).display_name


@dataclass(frozen=True)
class Person:
    external_id: str
    display_name: str


async def _person(uow: UnitOfWork, user_id: int | None) -> Person:
    """A member by id; someone who deleted their data shows as a former member."""
    user = await uow.directory.get_user(user_id) if user_id is not None else None
    if user is None:
        return Person("", "a former member")
    return Person(user.external_id, user.display_name or user.external_id)


def _thread(place: Place, session: PairSession) -> Place:
    return place.in_thread(session.thread_ref) if session.thread_ref else place


def _joined(before: str, text: str) -> str:
    return f"{before}\n{text}".strip() if before else text.strip()
