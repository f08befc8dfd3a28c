"""The daily question: schedules, exactly-once posting, answers, points, streaks and reveal."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import OperationalError

from bot import daily_views, metrics, views
from bot.banks import BankRegistry
from bot.calendar import Recurrence, days_from_key, days_key, resolve_local
from bot.commands import CommandError
from bot.events import Place
from bot.grading import Grader, Rubric, grade_answer
from bot.messages import RichMessage
from bot.outbox import Outbox
from bot.points import daily_points
from bot.ports import ChatPort
from bot.rounds import ChatLookup
from bot.schedule_spec import ScheduleSpec, parse_spec, parse_time, parse_zone
from bot.streaks import StreakState, record_answer
from bot.turn import Turn
from questions.bank import QuestionBank
from questions.schema import Difficulty, Question
from storage.models import Answer, DailyPost, Schedule, StudyGroup
from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

UowFactory = Callable[[], UnitOfWork]

RECORD_ATTEMPTS = 5

# Answers that do not keep a streak alive: nothing said, or nothing about the question.
NOT_AN_ATTEMPT = frozenset({"empty", "off-topic", "restates-question"})


@dataclass(frozen=True)
class DailyRules:
    catch_up: timedelta = timedelta(hours=6)
    claim_lease: timedelta = timedelta(minutes=5)
    reveal_lead: timedelta = timedelta(minutes=5)


def recurrence(schedule: Schedule) -> Recurrence:
    return Recurrence(
        parse_time(schedule.post_time), ZoneInfo(schedule.timezone), days_from_key(schedule.days)
    )


def pick_question(
    pool: list[Question], posted: dict[str, int], channel_key: str, day: date
) -> Question:
    """Least-posted first (no repeat until the pool is used up); fixed for a (channel, date)."""
    fewest = min(posted.get(q.id, 0) for q in pool)
    candidates = sorted((q for q in pool if posted.get(q.id, 0) == fewest), key=lambda q: q.id)
    digest = hashlib.sha256(f"{channel_key}:{day.isoformat()}".encode()).digest()
    return candidates[int.from_bytes(digest[:8], "big") % len(candidates)]


class DailyService:
    def __init__(
        self, banks: BankRegistry, grader: Grader, rules: DailyRules, instance: str
    ) -> None:
        self._banks = banks
        self._grader = grader
        self._rules = rules
        self._instance = instance

    # --- commands ----------------------------------------------------------------------

    async def set(self, turn: Turn, args: list[str]) -> bool:
        if not turn.actor.is_admin:
            turn.tell(views.info("Only workspace admins can change the daily schedule."))
            return False
        existing = await turn.uow.schedules.for_channel(turn.ids.channel_id)
        defaults = self._spec_of(existing) if existing else None
        spec = parse_spec(args, defaults)
        topics = tuple(turn.bank.resolve_topic(t) for t in spec.topics)
        unknown = [p for p in spec.packs if p not in turn.bank.pack_names]
        if unknown:
            known = ", ".join(turn.bank.pack_names)
            raise CommandError(
                f"Unknown pack `{unknown[0][:40]}`; this workspace has: {known}.", "daily"
            )
        if not self._pool(turn.bank, list(topics), spec.difficulty, list(spec.packs)):
            raise CommandError(
                "No questions match those topics and difficulty; widen the filters.", "daily"
            )
        schedule = existing or Schedule(channel_id=turn.ids.channel_id, created_at=turn.now)
        schedule.post_time = f"{spec.at:%H:%M}"
        schedule.timezone = spec.zone.key
        schedule.days = days_key(spec.weekdays)
        schedule.topics = list(topics)
        schedule.packs = list(spec.packs)
        schedule.difficulty = spec.difficulty.value if spec.difficulty else None
        schedule.reveal_time = f"{spec.reveal:%H:%M}" if spec.reveal else None
        schedule.enabled = True
        schedule.updated_at = turn.now
        if existing is None:
            turn.uow.schedules.add(schedule)
        await self._channel_group(turn, spec.zone.key)
        turn.tell(self._status(turn.bank, schedule, turn.now, changed=True))
        return True

    async def off(self, turn: Turn) -> bool:
        if not turn.actor.is_admin:
            turn.tell(views.info("Only workspace admins can change the daily schedule."))
            return False
        schedule = await turn.uow.schedules.for_channel(turn.ids.channel_id)
        if schedule is None or not schedule.enabled:
            turn.tell(views.info("The daily question is already off here."))
            return False
        schedule.enabled = False
        schedule.updated_at = turn.now
        turn.tell(
            views.info("Daily question turned off here. Streaks, points and answers are kept.")
        )
        return True

    async def status(self, turn: Turn) -> None:
        schedule = await turn.uow.schedules.for_channel(turn.ids.channel_id)
        if schedule is None:
            turn.tell(
                views.info(
                    "No daily question here yet. An admin can start one: "
                    "`/interview daily set time=09:00 tz=Europe/Berlin days=mon-fri`."
                )
            )
            return
        turn.tell(self._status(turn.bank, schedule, turn.now))

    async def require_schedule_for_now(self, turn: Turn) -> int | None:
        if not turn.actor.is_admin:
            turn.tell(views.info("Only workspace admins can post the daily question on demand."))
            return None
        schedule = await turn.uow.schedules.for_channel(turn.ids.channel_id)
        if schedule is None:
            turn.tell(views.info("Set a schedule first: `/interview daily set time=09:00 tz=UTC`."))
            return None
        existing = await turn.uow.daily_posts.for_day(
            schedule.id, recurrence(schedule).local_date(turn.now)
        )
        if existing is not None and existing.status != "claimed":
            turn.tell(
                views.info("Today's question is already posted here; answer it in its thread.")
            )
            return None
        return schedule.id

    # --- posting -----------------------------------------------------------------------

    async def fire(
        self,
        uow: UowFactory,
        chats: Callable[[str], ChatPort | None],
        schedule_id: int,
        day: date,
        now: datetime,
    ) -> bool:
        """Claim (schedule, day), then post; whoever loses the claim posts nothing."""
        async with uow() as u:
            schedule = await u.schedules.get(schedule_id)
            if schedule is None:
                return False
            place, workspace_id = await self._place_and_workspace(u, schedule.channel_id)
            bank = await self._banks.for_workspace(u, workspace_id)
            existing = await u.daily_posts.for_day(schedule_id, day)
            if existing is not None:
                if existing.status != "claimed":
                    return False
                if not await u.daily_posts.take_over(
                    existing.id, now - self._rules.claim_lease, self._instance, now
                ):
                    return False
                post_id, question_id = existing.id, existing.question_id
            else:
                pool = self._pool(
                    bank,
                    list(schedule.topics),
                    Difficulty(schedule.difficulty) if schedule.difficulty else None,
                    list(schedule.packs),
                )
                if not pool:
                    log.error("schedule %s has no questions left to post", schedule_id)
                    return False
                posted = await u.daily_posts.question_counts(schedule.channel_id)
                question_id = pick_question(
                    pool, posted, f"{place.platform}:{place.workspace}:{place.channel}", day
                ).id
                claimed = await u.daily_posts.claim(
                    schedule_id, schedule.channel_id, day, question_id, self._instance, now
                )
                if claimed is None:
                    return False
                post_id = claimed
            rec = recurrence(schedule)
            reveal_at = self._reveal_at(schedule, rec, day, now)
            scheduled_at = rec.instant(day)
            await u.commit()
        chat = chats(place.platform)
        question = bank.get(question_id)
        if chat is None or question is None:
            log.error(
                "cannot post daily %s: no chat for %s or question %s gone",
                post_id,
                place.platform,
                question_id,
            )
            return False
        try:
            ref = await chat.post(place, daily_views.daily_question(bank, post_id, day, question))
            thread = await chat.open_thread(ref, f"Daily question {day:%-d %b}")
        except Exception:
            log.exception("daily post %s failed; the claim is retried after its lease", post_id)
            return False
        await self._record_posted(uow, post_id, ref.message_id, thread.thread, now, reveal_at)
        metrics.POSTS_SENT.labels(place.platform, "daily").inc()
        metrics.SCHEDULER_LAG.observe(max(0.0, (now - scheduled_at).total_seconds()))
        return True

    async def _record_posted(
        self,
        uow: UowFactory,
        post_id: int,
        message_ref: str,
        thread_ref: str | None,
        now: datetime,
        reveal_at: datetime,
    ) -> None:
        """The post is out: record it, retrying, since a lost record means a repost later."""
        for attempt in range(1, RECORD_ATTEMPTS + 1):
            try:
                async with uow() as u:
                    post = await u.daily_posts.get(post_id)
                    if post is None:
                        return
                    post.status = "posted"
                    post.message_ref = message_ref
                    post.thread_ref = thread_ref
                    post.posted_at = now
                    post.reveal_at = reveal_at
                    await u.commit()
                return
            except (OperationalError, OSError, TimeoutError):
                if attempt == RECORD_ATTEMPTS:
                    log.error("daily post %s was sent but could not be recorded", post_id)
                    raise
                await asyncio.sleep(0.5 * attempt)

    async def due_posts(self, uow: UowFactory, now: datetime) -> list[tuple[int, date]]:
        """Days whose post time passed within the catch-up window and were not posted."""
        candidates: dict[int, date] = {}
        async with uow() as u:
            for schedule in await u.schedules.enabled():
                latest = recurrence(schedule).latest_at_or_before(now)
                if latest is not None and now - latest[1] <= self._rules.catch_up:
                    candidates[schedule.id] = latest[0]
            if not candidates:
                return []
            # One query for every candidate's claim, not one per schedule.
            claims = await u.daily_posts.claims_on(set(candidates.values()))
        stale_before = now - self._rules.claim_lease
        due = []
        for schedule_id, day in candidates.items():
            claim = claims.get((schedule_id, day))
            if claim is None or (claim[0] == "claimed" and claim[1] < stale_before):
                due.append((schedule_id, day))
        return due

    async def next_due_after(self, uow: UowFactory, moment: datetime) -> datetime | None:
        """The next instant something daily happens: a post or a reveal."""
        times: list[datetime] = []
        async with uow() as u:
            for schedule in await u.schedules.enabled():
                upcoming = recurrence(schedule).next_after(moment)
                if upcoming is not None:
                    times.append(upcoming[1])
            reveal = await u.daily_posts.next_reveal_after(moment)
            if reveal is not None:
                times.append(reveal)
        return min(times) if times else None

    # --- reveal -----------------------------------------------------------------------

    async def reveal_due(self, uow: UowFactory, chats: ChatLookup, now: datetime) -> int:
        revealed = 0
        async with uow() as u:
            posts = await u.daily_posts.due_reveals(now)
        for post in posts:
            outbox = Outbox()
            async with uow() as u:
                fresh = await u.daily_posts.get(post.id)
                if fresh is None or fresh.status != "posted" or fresh.thread_ref is None:
                    continue
                fresh.status = "revealed"
                fresh.revealed_at = now
                place, workspace_id = await self._place_and_workspace(u, fresh.channel_id)
                place = place.in_thread(fresh.thread_ref)
                question = (await self._banks.for_workspace(u, workspace_id)).get(fresh.question_id)
                counted = await u.answers.counted_for_post(fresh.id)
                chat = chats(place.platform)
                if question is None or chat is None:
                    continue
                mean = sum(a.score for a, _ in counted) / len(counted) if counted else None
                top = [(user.display_name or user.external_id, a.score) for a, user in counted[:3]]
                outbox.reply(chat, place, daily_views.reveal(question, len(counted), mean, top))
                try:
                    await u.commit()
                except Exception:
                    log.info("reveal of %s raced another process", fresh.id)
                    continue
            await outbox.deliver()
            metrics.POSTS_SENT.labels(place.platform, "reveal").inc()
            revealed += 1
        return revealed

    # --- answers ----------------------------------------------------------------------

    async def answer(self, turn: Turn, post: DailyPost, text: str, event_ref: str | None) -> None:
        question = turn.bank.get(post.question_id)
        if question is None:
            return
        result = await grade_answer(self._grader, Rubric.for_question(question), text)
        metrics.ANSWERS_GRADED.labels("daily").inc()
        practice = post.status == "revealed"
        replaced = False
        points = bonus = 0
        streak_now: int | None = None
        rank: int | None = None
        if not practice:
            earlier = await turn.uow.answers.counted_for(post.id, turn.ids.user_id)
            if earlier is not None and earlier.answer_rank is not None:
                rank = earlier.answer_rank  # a replacement keeps its place
            else:
                rank = await turn.uow.daily_posts.take_answer_rank(post.id)
            if earlier is not None:
                earlier.counted = False
                earlier.points = 0
                replaced = True
                await turn.uow.answers.flush()
            points, bonus = daily_points(question.difficulty, result.score, rank)
            if result.reason not in NOT_AN_ATTEMPT:
                streak_now = await self._advance_streaks(turn, post)
        turn.uow.answers.add(
            Answer(
                user_id=turn.ids.user_id,
                channel_id=turn.ids.channel_id,
                question_id=question.id,
                source="daily",
                daily_post_id=post.id,
                is_follow_up=False,
                text=text[:40_000],
                score=result.score,
                covered=list(result.covered),
                missed=list(result.missed),
                advice=result.advice,
                event_ref=event_ref,
                points=points,
                answer_rank=rank,
                counted=not practice,
                submitted_at=turn.now,
                graded_at=turn.now,
            )
        )
        turn.tell(
            daily_views.daily_feedback(
                result,
                points=points,
                bonus=bonus,
                replaced=replaced,
                practice=practice,
                streak=streak_now,
                model_answer=question.answer if practice else None,
            )
        )

    async def answer_from_form(
        self, turn: Turn, post_id: int, text: str, event_ref: str | None
    ) -> None:
        post = await turn.uow.daily_posts.get(post_id)
        if post is None or post.channel_id != turn.ids.channel_id:
            turn.tell(views.info("That daily question is not from this channel."))
            return
        await self.answer(turn, post, text, event_ref)

    async def _advance_streaks(self, turn: Turn, post: DailyPost) -> int | None:
        """Update the answerer's streak in every group they belong to; return the channel's."""
        schedule = await turn.uow.schedules.get(post.schedule_id)
        if schedule is None:
            return None
        weekdays = days_from_key(schedule.days)
        group = await turn.uow.groups.for_channel(post.channel_id)
        if group is not None:
            await turn.uow.groups.join(group.id, turn.ids.user_id, turn.now)
        channel_streak = None
        for member_of in await turn.uow.groups.of_user(turn.ids.user_id):
            row = await turn.uow.streaks.ensure(member_of.id, turn.ids.user_id, turn.now)
            state = StreakState(row.current, row.longest, row.freezes, row.last_day)
            new = record_answer(state, post.local_date, weekdays)
            row.current, row.longest, row.freezes, row.last_day = (
                new.current,
                new.longest,
                new.freezes,
                new.last_day,
            )
            row.schedule_days = schedule.days
            row.updated_at = turn.now
            if group is not None and member_of.id == group.id:
                channel_streak = new.current
        return channel_streak

    # --- helpers ----------------------------------------------------------------------

    @staticmethod
    def _pool(
        bank: QuestionBank, topics: list[str], difficulty: Difficulty | None, packs: list[str]
    ) -> list[Question]:
        if not topics:
            return bank.select(difficulty=difficulty, packs=packs)
        return [
            q
            for topic in topics
            for q in bank.select(topic=topic, difficulty=difficulty, packs=packs)
        ]

    def _spec_of(self, schedule: Schedule) -> ScheduleSpec:
        return ScheduleSpec(
            at=parse_time(schedule.post_time),
            zone=parse_zone(schedule.timezone),
            weekdays=days_from_key(schedule.days),
            topics=tuple(schedule.topics),
            packs=tuple(schedule.packs),
            difficulty=Difficulty(schedule.difficulty) if schedule.difficulty else None,
            reveal=parse_time(schedule.reveal_time) if schedule.reveal_time else None,
        )

    def _status(
        self, bank: QuestionBank, schedule: Schedule, now: datetime, changed: bool = False
    ) -> RichMessage:
        upcoming = recurrence(schedule).next_after(now) if schedule.enabled else None
        return daily_views.schedule_status(
            post_time=schedule.post_time,
            zone=schedule.timezone,
            weekdays=days_from_key(schedule.days),
            topics=[bank.topic_title(t) for t in schedule.topics],
            packs=list(schedule.packs),
            difficulty=schedule.difficulty,
            reveal_time=schedule.reveal_time,
            enabled=schedule.enabled,
            next_post=upcoming[1] if upcoming else None,
            changed=changed,
        )

    def _reveal_at(self, schedule: Schedule, rec: Recurrence, day: date, now: datetime) -> datetime:
        posted = max(now, rec.instant(day))
        if schedule.reveal_time:
            at: time = parse_time(schedule.reveal_time)
            reveal = resolve_local(day, at, rec.zone)
            return (
                reveal if reveal > posted else resolve_local(day + timedelta(days=1), at, rec.zone)
            )
        upcoming = rec.next_after(posted)
        if upcoming is None:
            return posted + timedelta(days=1)
        return max(posted + timedelta(minutes=1), upcoming[1] - self._rules.reveal_lead)

    async def _channel_group(self, turn: Turn, zone: str) -> StudyGroup:
        group = await turn.uow.groups.for_channel(turn.ids.channel_id)
        if group is None:
            name = f"#{turn.place.channel_name or turn.place.channel}"[:80]
            group = StudyGroup(
                workspace_id=turn.ids.workspace_id,
                name=name,
                channel_id=turn.ids.channel_id,
                timezone=zone,
                created_at=turn.now,
            )
            turn.uow.groups.add(group)
            await turn.uow.groups.flush()
        group.timezone = zone
        return group

    async def _place_and_workspace(self, u: UnitOfWork, channel_id: int) -> tuple[Place, int]:
        channel = await u.directory.get_channel(channel_id)
        assert channel is not None
        workspace = await u.directory.get_workspace(channel.workspace_id)
        assert workspace is not None
        place = Place(
            workspace.platform, workspace.external_id, channel.external_id, None, channel.name
        )
        return place, workspace.id
