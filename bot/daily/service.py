"""The daily question: schedules, exactly-once posting, answers, points, streaks and reveal."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot import views
from bot.banks import BankRegistry
from bot.daily import views as daily_views
from bot.daily.answers import DailyEntry, record_daily_answers
from bot.daily.calendar import Recurrence, days_from_key, resolve_local
from bot.daily.spec import parse_time, schedule_stages
from bot.events import Place
from bot.grading import Grader
from bot.outbox import Outbox
from bot.ports import metrics
from bot.ports.chat import ChatLookup, ChatPort, reads_thread_replies
from bot.ports.records import (
    Channel,
    DailyPost,
    NewClaim,
    PostedRecord,
    PostFacts,
    Schedule,
    ScheduleTiming,
    Workspace,
)
from bot.ports.storage import Unavailable, UnitOfWork
from bot.turn import Turn
from questions.bank import QuestionBank
from questions.schema import Difficulty, Question, Stage

log = logging.getLogger(__name__)

UowFactory = Callable[[], UnitOfWork]

RECORD_ATTEMPTS = 5
YIELD_EVERY = 50  # claims picked between yields to the event loop


@dataclass(frozen=True)
class DailyRules:
    catch_up: timedelta = timedelta(hours=6)
    claim_lease: timedelta = timedelta(minutes=5)
    reveal_lead: timedelta = timedelta(minutes=5)


def recurrence(schedule: Schedule | ScheduleTiming) -> Recurrence:
    return recurrence_of(schedule.post_time, schedule.timezone, schedule.days)


@functools.lru_cache(maxsize=8192)
def recurrence_of(post_time: str, zone: str, days: str) -> Recurrence:
    """A recurrence from its stored text, read once: thousands of schedules share a few."""
    return Recurrence(parse_time(post_time), ZoneInfo(zone), days_from_key(days))


def pick_question(
    pool: list[Question], posted: dict[str, int], channel_key: str, day: date
) -> Question:
    """Least-posted first (no repeat until the pool is used up); fixed for a (channel, date)."""
    return _pick_from_sorted(sorted(pool, key=lambda q: q.id), posted, channel_key, day)


def _pick_from_sorted(
    pool: list[Question], posted: dict[str, int], channel_key: str, day: date
) -> Question:
    """pick_question on a pool already sorted by id, so a fan-out sorts each pool once."""
    counts = [posted.get(q.id, 0) for q in pool]
    fewest = min(counts)
    candidates = [q for q, n in zip(pool, counts, strict=True) if n == fewest]
    digest = hashlib.sha256(f"{channel_key}:{day.isoformat()}".encode()).digest()
    return candidates[int.from_bytes(digest[:8], "big") % len(candidates)]


def question_pool(
    bank: QuestionBank,
    topics: list[str],
    difficulty: Difficulty | None,
    packs: list[str],
    stages: Sequence[Stage],
) -> list[Question]:
    """The questions a schedule's filters allow: any of its topics and stages, at its difficulty."""
    wanted: list[str | None] = list(topics) or [None]
    chosen = [
        q for topic in wanted for q in bank.select(topic=topic, difficulty=difficulty, packs=packs)
    ]
    return [q for q in chosen if q.stage in stages]


@dataclass(frozen=True)
class ClaimedPost:
    """A day's post this process holds the claim on, with all it needs to send it."""

    post_id: int
    schedule_id: int
    day: date
    place: Place
    bank: QuestionBank
    question: Question
    reveal_at: datetime
    scheduled_at: datetime


@dataclass(frozen=True)
class SentPost:
    """A post that went out and still has to be recorded."""

    claim: ClaimedPost
    message_ref: str
    thread_ref: str | None


class DailyService:
    def __init__(
        self, banks: BankRegistry, grader: Grader, rules: DailyRules, instance: str
    ) -> None:
        self._banks = banks
        self._grader = grader
        self._rules = rules
        self._instance = instance

    # --- posting -----------------------------------------------------------------------

    @property
    def claim_lease(self) -> timedelta:
        """How long a claim is its holder's before another process may take it over."""
        return self._rules.claim_lease

    async def claim_many(
        self, uow: UowFactory, wanted: Sequence[tuple[int, date | None]], now: datetime
    ) -> list[ClaimedPost]:
        """Claim many days' posts in one short transaction; what another holds is left out.

        A fan-out of thousands then costs the single SQLite writer one transaction per batch,
        not two per post. A day of None means today in the schedule's own zone, and only for
        an enabled schedule (what a cron job posts).
        """
        async with uow() as u:
            found = await u.claims.places({s for s, _ in wanted})
            keys: dict[tuple[int, date], None] = {}  # ordered and without repeats
            for schedule_id, maybe_day in wanted:
                entry = found.get(schedule_id)
                if entry is None or (maybe_day is None and not entry[0].enabled):
                    continue
                keys[(schedule_id, maybe_day or recurrence(entry[0]).local_date(now))] = None
            existing = await u.claims.existing(keys)
            fresh = [k for k in keys if k not in existing]
            counts = await u.claims.question_counts({found[s][0].channel_id for s, _ in fresh})
            banks: dict[int, QuestionBank] = {}
            for schedule_id, _ in keys:
                workspace_id = found[schedule_id][2].id
                if workspace_id not in banks:
                    banks[workspace_id] = await self._banks.for_workspace(u, workspace_id)
            picks: dict[tuple[int, date], str] = {}
            pools: dict[tuple[object, ...], list[Question]] = {}
            for n, key in enumerate(fresh, 1):
                schedule, channel, workspace = found[key[0]]
                picked = self._pick(
                    banks[workspace.id], schedule, channel, workspace, counts, key[1], pools
                )
                if picked is not None:
                    picks[key] = picked
                if n % YIELD_EVERY == 0:
                    await asyncio.sleep(0)  # let the senders run: they pace the posts
            # The writes last: SQLite holds its one write lock from the first until commit.
            taken = await u.claims.take_over_many(
                [p.id for p in existing.values() if p.status == "claimed"],
                now - self._rules.claim_lease,
                self._instance,
                now,
            )
            held = {k: (p.id, p.question_id) for k, p in existing.items() if p.id in taken}
            inserted = await u.claims.claim_many(
                [
                    NewClaim(schedule_id, found[schedule_id][0].channel_id, day, question_id)
                    for (schedule_id, day), question_id in picks.items()
                ],
                self._instance,
                now,
            )
            if held or inserted:
                await u.commit()
        held |= {k: (post_id, picks[k]) for k, post_id in inserted.items()}
        claimed = []
        for key in keys:
            if key not in held:
                continue
            schedule, channel, workspace = found[key[0]]
            post_id, question_id = held[key]
            bank = banks[workspace.id]
            question = bank.get(question_id)
            if question is None:
                log.error("cannot post daily %s: question %s is gone", post_id, question_id)
                continue
            rec = recurrence(schedule)
            claimed.append(
                ClaimedPost(
                    post_id=post_id,
                    schedule_id=key[0],
                    day=key[1],
                    place=Place(
                        workspace.platform,
                        workspace.external_id,
                        channel.external_id,
                        None,
                        channel.name,
                    ),
                    bank=bank,
                    question=question,
                    reveal_at=self._reveal_at(schedule, rec, key[1], now),
                    scheduled_at=rec.instant(key[1]),
                )
            )
        return claimed

    def _pick(
        self,
        bank: QuestionBank,
        schedule: Schedule,
        channel: Channel,
        workspace: Workspace,
        counts: dict[int, dict[str, int]],
        day: date,
        pools: dict[tuple[object, ...], list[Question]],
    ) -> str | None:
        """The day's question for a schedule, or None (logged) when its filters match none.

        pools caches each filter's pool, sorted, for the rest of the batch.
        """
        stages = schedule_stages(schedule.stages)
        filters = (
            id(bank),
            tuple(schedule.topics),
            schedule.difficulty,
            tuple(schedule.packs),
            stages,
        )
        pool = pools.get(filters)
        if pool is None:
            pool = pools[filters] = sorted(
                question_pool(
                    bank,
                    list(schedule.topics),
                    Difficulty(schedule.difficulty) if schedule.difficulty else None,
                    list(schedule.packs),
                    stages,
                ),
                key=lambda q: q.id,
            )
        if not pool:
            log.error("schedule %s has no questions left to post", schedule.id)
            return None
        key = f"{workspace.platform}:{workspace.external_id}:{channel.external_id}"
        return _pick_from_sorted(pool, counts.get(channel.id, {}), key, day).id

    async def send(
        self, chats: Callable[[str], ChatPort | None], claim: ClaimedPost, now: datetime
    ) -> SentPost | None:
        """Post a claimed day and open its thread; None (logged) when that failed.

        A failed post keeps its claim, which a later sweep takes over after the lease.
        """
        chat = chats(claim.place.platform)
        if chat is None:
            log.error("cannot post daily %s: no chat for %s", claim.post_id, claim.place.platform)
            return None
        message = daily_views.daily_question(
            claim.bank, claim.post_id, claim.day, claim.question, reads_thread_replies(chat)
        )
        try:
            ref = await chat.post(claim.place, message)
            thread = await chat.open_thread(ref, f"Daily question {claim.day:%-d %b}")
        except Exception:
            log.exception(
                "daily post %s failed; the claim is retried after its lease", claim.post_id
            )
            return None
        metrics.POSTS_SENT.labels(claim.place.platform, "daily").inc()
        metrics.SCHEDULER_LAG.observe(max(0.0, (now - claim.scheduled_at).total_seconds()))
        return SentPost(claim, ref.message_id, thread.thread)

    async def renew_claim(self, uow: UowFactory, claim: ClaimedPost, now: datetime) -> bool:
        """Extend a claim before a late send; False when another process took it over."""
        async with uow() as u:
            renewed = await u.claims.renew(claim.post_id, self._instance, now)
            await u.commit()
        return renewed

    async def record_posted(self, uow: UowFactory, sent: Sequence[SentPost], now: datetime) -> None:
        """The posts are out: record them in one transaction, retrying, since a lost record
        means a repost once the claim's lease runs out."""
        rows = [
            PostedRecord(s.claim.post_id, s.message_ref, s.thread_ref, now, s.claim.reveal_at)
            for s in sent
        ]
        for attempt in range(1, RECORD_ATTEMPTS + 1):
            try:
                async with uow() as u:
                    await u.claims.record_posted_many(rows)
                    await u.commit()
                return
            except (Unavailable, OSError, TimeoutError):
                if attempt == RECORD_ATTEMPTS:
                    log.error("%d daily posts were sent but could not be recorded", len(rows))
                    raise
                await asyncio.sleep(0.5 * attempt)

    async def due_posts(self, uow: UowFactory, now: datetime) -> list[tuple[int, date]]:
        """Days whose post time passed within the catch-up window and were not posted."""
        candidates: dict[int, date] = {}
        # Schedules that recur alike share their latest post: worked out once for all of them.
        latest_of: dict[tuple[str, str, str], tuple[date, datetime] | None] = {}
        async with uow() as u:
            for schedule in await u.schedules.enabled():
                key = (schedule.post_time, schedule.timezone, schedule.days)
                if key not in latest_of:
                    latest_of[key] = recurrence_of(*key).latest_at_or_before(now)
                latest = latest_of[key]
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
        store = turn.uow.daily_answers
        facts = PostFacts(
            post.id,
            post.channel_id,
            post.question_id,
            post.status,
            post.local_date,
            await store.schedule_days(post.schedule_id),
        )
        entry = DailyEntry(turn.ids, facts, turn.bank, text, event_ref)
        (feedback,) = await record_daily_answers(
            store, self._grader, [entry], turn.now, cards=turn.uow.reviews
        )
        if feedback is not None:
            turn.tell(feedback)

    @property
    def grader(self) -> Grader:
        return self._grader

    async def answer_from_form(
        self, turn: Turn, post_id: int, text: str, event_ref: str | None
    ) -> None:
        post = await turn.uow.daily_posts.get(post_id)
        if post is None or post.channel_id != turn.ids.channel_id:
            turn.tell(views.info("That daily question is not from this channel."))
            return
        await self.answer(turn, post, text, event_ref)

    # --- helpers ----------------------------------------------------------------------

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

    async def _place_and_workspace(self, u: UnitOfWork, channel_id: int) -> tuple[Place, int]:
        channel = await u.directory.get_channel(channel_id)
        assert channel is not None
        workspace = await u.directory.get_workspace(channel.workspace_id)
        assert workspace is not None
        place = Place(
            workspace.platform, workspace.external_id, channel.external_id, None, channel.name
        )
        return place, workspace.id
