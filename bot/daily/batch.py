"""Replies to a daily question, written a batch at a time.

Right after a daily post, a channel's answers arrive together. One transaction per answer
would make each wait for the database in turn; here the answers that arrive while one batch is
being written form the next batch, written with set-based statements in one transaction (group
commit). Anything out of the ordinary (a post not recorded yet, a reply from another channel,
a batch that fails for any reason) goes back to the engine's one-event-at-a-time path, which
stays the reference for every rule.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.account.identities import IdentityCache, Key, LruCache, identity_key
from bot.banks import BankRegistry
from bot.daily.answers import DailyEntry, record_daily_answers
from bot.daily.service import SentPost
from bot.events import InboundEvent
from bot.grading import Grader, GradeResult, Rubric, grade_answer
from bot.inbox.codec import Reply, encode
from bot.messages import RichMessage
from bot.ports.clock import Clock
from bot.ports.records import Identity, PostFacts
from bot.ports.storage import UnitOfWork
from questions.bank import QuestionBank

log = logging.getLogger(__name__)

MAX_BATCH = 64
MAX_PLACES = 10_000
BANK_CHECK_S = 5.0
GATHER_TURNS = 8
GRADE_SLICE_S = 0.01
ANSWERABLE = ("posted", "revealed")

ThreadKey = tuple[str, str, str, str]


@dataclass(frozen=True)
class Outcome:
    """How a batched answer ended: "ok" with feedback, "duplicate", or "fallback" (not
    written here: the caller handles it the ordinary way)."""

    status: str
    feedback: RichMessage | None = None


FALLBACK = Outcome("fallback")
DUPLICATE = Outcome("duplicate")


@dataclass
class _Pending:
    event: InboundEvent
    post_id: int
    text: str
    event_ref: str | None
    done: asyncio.Future[Outcome] = field(repr=False)

    @property
    def user_key(self) -> tuple[str, str, str]:
        place = self.event.place
        return (place.platform, place.workspace, self.event.actor.user_id)

    @property
    def identity_key(self) -> Key:
        return identity_key(self.event.place, self.event.actor)


class DailyThreads(LruCache[ThreadKey, int]):
    """Which threads are daily posts' threads: fixed once a post is recorded, so cached."""

    def __init__(self, size: int = 10_000) -> None:
        super().__init__(size)

    @staticmethod
    def key(platform: str, workspace: str, channel: str, thread: str) -> ThreadKey:
        return (platform, workspace, channel, thread)

    def remember(self, posts: Sequence[SentPost]) -> None:
        """The first replies to a fresh post come in a burst: knowing its thread already
        sends them straight to the batched path instead of one lookup (and commit) each."""
        for sent in posts:
            if sent.thread_ref is not None:
                place = sent.claim.place
                self.put(
                    self.key(place.platform, place.workspace, place.channel, sent.thread_ref),
                    sent.claim.post_id,
                )


class DailyAnswerBatcher:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        banks: BankRegistry,
        grader: Grader,
        clock: Clock,
        identities: IdentityCache,
        max_batch: int = MAX_BATCH,
    ) -> None:
        self._uow = uow_factory
        self._banks = banks
        self._grader = grader
        self._clock = clock
        self._identities = identities
        self._max_batch = max_batch
        self._queue: list[_Pending] = []
        self._places: dict[tuple[str, str, str, str], tuple[int, int]] = {}
        self._banks_seen: dict[int, tuple[float, QuestionBank]] = {}
        # post id -> (workspace id, question id): fixed once a post is recorded.
        self._questions: dict[int, tuple[int, str]] = {}
        self._writer: asyncio.Task[None] | None = None

    async def submit(
        self, event: InboundEvent, post_id: int, text: str, event_ref: str | None
    ) -> Outcome:
        done: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._queue.append(_Pending(event, post_id, text, event_ref, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._drain())
        return await done

    async def _drain(self) -> None:
        while self._queue:
            await self._gather()
            batch = self._take()
            try:
                outcomes = await self._write(batch, await self._pregrade(batch))
            except Exception as exc:
                # Nothing of the batch was committed; each answer goes the ordinary way, which
                # has its own retries and tells the user if the database is down.
                log.info(
                    "a batch of %d daily answers failed (%s: %s); handling each alone",
                    len(batch),
                    type(exc).__name__,
                    str(exc).splitlines()[0][:300] if str(exc) else "",
                )
                self._places.clear()  # a deleted workspace or channel is one way to get here
                self._banks_seen.clear()
                outcomes = [FALLBACK] * len(batch)
            except BaseException:
                for pending in batch:
                    if not pending.done.done():
                        pending.done.cancel()
                raise
            for pending, outcome in zip(batch, outcomes, strict=True):
                if not pending.done.done():
                    pending.done.set_result(outcome)

    async def _gather(self) -> None:
        """Give answers already on their way a few turns of the loop to join this batch."""
        for _ in range(GATHER_TURNS):
            if len(self._queue) >= self._max_batch:
                return
            await asyncio.sleep(0)

    def _take(self) -> list[_Pending]:
        """The oldest answers, at most one per user (a second waits for the next batch)."""
        batch: list[_Pending] = []
        rest: list[_Pending] = []
        users: set[tuple[str, str, str]] = set()
        for pending in self._queue:
            if len(batch) < self._max_batch and pending.user_key not in users:
                users.add(pending.user_key)
                batch.append(pending)
            else:
                rest.append(pending)
        self._queue = rest
        return batch

    async def _pregrade(self, batch: list[_Pending]) -> dict[int, tuple[QuestionBank, GradeResult]]:
        """Grade, before the transaction, the answers to posts seen before: the database (on
        SQLite its one writer) is then held for the statements only, not for grading."""
        graded: dict[int, tuple[QuestionBank, GradeResult]] = {}
        slice_started = time.perf_counter()
        for index, pending in enumerate(batch):
            known = self._questions.get(pending.post_id)
            seen = self._banks_seen.get(known[0]) if known is not None else None
            if known is None or seen is None:
                continue
            question = seen[1].get(known[1])
            if question is not None:
                rubric = Rubric.for_question(question)
                graded[index] = (seen[1], await grade_answer(self._grader, rubric, pending.text))
                if time.perf_counter() - slice_started > GRADE_SLICE_S:
                    # Grading is CPU work: let waiting acks through now and then (not after
                    # every answer, which on a busy loop would slow the batches down).
                    await asyncio.sleep(0)
                    slice_started = time.perf_counter()
        return graded

    async def _write(
        self, batch: list[_Pending], pregraded: dict[int, tuple[QuestionBank, GradeResult]]
    ) -> list[Outcome]:
        now = self._clock.now()
        outcomes: list[Outcome] = [FALLBACK] * len(batch)
        async with self._uow() as uow:
            store = uow.daily_answers
            # Claim first: the write lock (SQLite) is taken before anything is read.
            by_platform: dict[str, list[str]] = {}
            for pending in batch:
                if pending.event.event_id:
                    platform = pending.event.place.platform
                    by_platform.setdefault(platform, []).append(pending.event.event_id)
            claimed: set[tuple[str, str]] = set()
            for platform, event_ids in by_platform.items():
                for new_id in await store.claim_events(platform, event_ids, now):
                    claimed.add((platform, new_id))
            fresh: list[int] = []
            for index, pending in enumerate(batch):
                event_id = pending.event.event_id
                if event_id and (pending.event.place.platform, event_id) not in claimed:
                    outcomes[index] = DUPLICATE
                else:
                    fresh.append(index)
            learned: list[tuple[_Pending, Identity]] = []
            places: list[tuple[tuple[str, str, str, str], tuple[int, int]]] = []
            ids = await self._identify(uow, [batch[i] for i in fresh], now, learned, places)
            posts = await store.posts({batch[i].post_id for i in fresh})
            entries: list[DailyEntry] = []
            written: list[int] = []
            handed_back: dict[str, list[str]] = {}
            banks: dict[int, QuestionBank] = {}
            for index, identity in zip(fresh, ids, strict=True):
                pending = batch[index]
                post = posts.get(pending.post_id)
                if not _plain(post, identity):
                    if pending.event.event_id:
                        platform = pending.event.place.platform
                        handed_back.setdefault(platform, []).append(pending.event.event_id)
                    continue
                assert post is not None
                bank = banks.get(identity.workspace_id)
                if bank is None:
                    bank = await self._bank(uow, identity.workspace_id)
                    banks[identity.workspace_id] = bank
                bank_graded, result = pregraded.get(index, (None, None))
                entries.append(
                    DailyEntry(
                        identity,
                        post,
                        bank,
                        pending.text,
                        pending.event_ref,
                        result if bank_graded is bank else None,
                    )
                )
                written.append(index)
            for platform, event_ids in handed_back.items():
                await store.release_events(platform, event_ids)
            feedback = await record_daily_answers(
                store, self._grader, entries, now, cards=uow.reviews
            )
            await _hold_feedback(uow, [batch[i].event for i in written], feedback)
            await uow.commit()
        for pending, identity in learned:  # only once the rows surely exist
            self._identities.put(pending.identity_key, identity)
        if len(self._places) > MAX_PLACES:
            self._places.clear()
        self._places.update(places)
        if len(self._questions) > MAX_PLACES:
            self._questions.clear()
        for entry in entries:
            self._questions[entry.post.id] = (entry.ids.workspace_id, entry.post.question_id)
        for index, message in zip(written, feedback, strict=True):
            outcomes[index] = Outcome("ok", message)
        return outcomes

    async def _bank(self, uow: UnitOfWork, workspace_id: int) -> QuestionBank:
        """The workspace's bank, checked against its packs at most every BANK_CHECK_S: an
        answer only looks up the question its post already asked."""
        seen = self._banks_seen.get(workspace_id)
        if seen is not None and time.monotonic() - seen[0] < BANK_CHECK_S:
            return seen[1]
        bank = await self._banks.for_workspace(uow, workspace_id)
        if len(self._banks_seen) > MAX_PLACES:
            self._banks_seen.clear()
        self._banks_seen[workspace_id] = (time.monotonic(), bank)
        return bank

    async def _identify(
        self,
        uow: UnitOfWork,
        batch: list[_Pending],
        now: datetime,
        learned: list[tuple[_Pending, Identity]],
        places_learned: list[tuple[tuple[str, str, str, str], tuple[int, int]]],
    ) -> list[Identity]:
        """Identities from the cache; the rest with one user statement per workspace, taken
        in workspace order (so batches on other replicas lock users in the same order)."""
        found: dict[int, Identity] = {}
        missing: dict[tuple[str, str, str, str], list[int]] = {}
        for index, pending in enumerate(batch):
            cached = self._identities.get(pending.identity_key)
            if cached is not None:
                found[index] = cached
            else:
                place = pending.event.place
                where = (place.platform, place.workspace, place.channel, place.channel_name)
                missing.setdefault(where, []).append(index)
        placed: dict[int, tuple[int, int]] = {}
        people: dict[int, dict[str, str]] = {}
        for where, indexes in sorted(missing.items()):
            known = self._places.get(where)
            if known is None:
                platform, workspace, channel, channel_name = where
                workspace_id = await uow.directory.workspace(platform, workspace, now)
                channel_id = await uow.directory.channel(workspace_id, channel, channel_name, now)
                known = (workspace_id, channel_id)
                places_learned.append((where, known))
            for i in indexes:
                placed[i] = known
                actor = batch[i].event.actor
                people.setdefault(known[0], {})[actor.user_id] = actor.display_name
        user_ids = {
            workspace_id: await uow.daily_answers.users(workspace_id, people[workspace_id], now)
            for workspace_id in sorted(people)
        }
        for i, (workspace_id, channel_id) in placed.items():
            user_id = user_ids[workspace_id][batch[i].event.actor.user_id]
            found[i] = Identity(workspace_id, channel_id, user_id)
            learned.append((batch[i], found[i]))
        return [found[i] for i in range(len(batch))]


def _plain(post: PostFacts | None, identity: Identity) -> bool:
    """A reply this path can record: to a recorded post of the channel it was sent in."""
    return post is not None and post.status in ANSWERABLE and post.channel_id == identity.channel_id


async def _hold_feedback(
    uow: UnitOfWork, events: list[InboundEvent], feedback: Sequence[RichMessage | None]
) -> None:
    """Each answer's private feedback, committed with the answers (see Engine's replies)."""
    held: dict[str, dict[str, str]] = {}
    for event, message in zip(events, feedback, strict=True):
        if event.event_id and message is not None:
            reply = Reply(event.place, message, event.actor.user_id)
            held.setdefault(event.place.platform, {})[event.event_id] = encode([reply])
    for platform, replies in held.items():
        await uow.inbox.hold_replies(platform, replies)
