"""The storage port's contract, held by SQLite, PostgreSQL and the in-memory fake alike.

Engine rules are tested on the fake; these scenarios are what lets them trust it. Each one
runs on all three, so a rule the SQL keeps and the fake forgets (or the other way round)
fails here first: daily claims and their leases, recording and revealing posts, batched daily
answers with places, replacements and streaks, and the read side built on them.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import get_type_hints

import pytest

from bot.grading import GradeResult
from bot.ports import storage as port
from bot.ports.records import (
    AnswerRecord,
    Identity,
    NewClaim,
    PostedRecord,
    StreakUpdate,
)
from bot.ports.storage import UnitOfWork
from storage.database import session_factory
from storage.unit_of_work import UnitOfWorkFactory
from tests.conftest import BACKENDS
from tests.support.databases import migrated_database
from tests.support.memory import Data, MemoryDatabase, MemoryUnitOfWork

NOW = datetime(2026, 5, 4, 7, 0, tzinfo=UTC)
DAY = date(2026, 5, 4)
LEASE = timedelta(minutes=5)

Units = Callable[[], UnitOfWork]


@pytest.fixture(params=["memory", *BACKENDS])
async def uow(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Units]:
    if request.param == "memory":
        yield MemoryDatabase()
        return
    async with migrated_database(request.param, tmp_path) as (engine, _url):
        yield UnitOfWorkFactory(session_factory(engine))


async def scheduled_channel(uow: Units, channel: str = "C1") -> tuple[Identity, int]:
    """A channel with a weekday schedule; the identity of its first user and the schedule id."""
    async with uow() as u:
        ids = await u.directory.identify("slack", "T1", channel, channel.lower(), "U1", "Ada", NOW)
        schedule = u.schedules.new(ids.channel_id, NOW)
        schedule.post_time, schedule.timezone, schedule.days = "09:00", "UTC", "mon,tue,wed,thu,fri"
        schedule.topics, schedule.packs, schedule.updated_at = ["evaluation"], [], NOW
        await u.commit()
    async with uow() as u:
        found = await u.schedules.for_channel(ids.channel_id)
    assert found is not None
    return ids, found.id


async def claimed_post(uow: Units, ids: Identity, schedule_id: int, question: str = "q1") -> int:
    async with uow() as u:
        taken = await u.claims.claim_many(
            [NewClaim(schedule_id, ids.channel_id, DAY, question)], "one", NOW
        )
        await u.commit()
    return taken[(schedule_id, DAY)]


async def posted(uow: Units, post_id: int, thread: str = "T-1") -> None:
    async with uow() as u:
        reveal = NOW + timedelta(hours=23)
        await u.claims.record_posted_many([PostedRecord(post_id, "M-1", thread, NOW, reveal)])
        await u.commit()


def answer(ids: Identity, post_id: int, score: int, rank: int, at: datetime) -> AnswerRecord:
    return AnswerRecord.graded(
        ids,
        "q1",
        "daily",
        f"an answer worth {score}",
        GradeResult(score, ("a",), ("b",), "More."),
        score=score,
        points=score // 10,
        event_ref=None,
        now=at,
        daily_post_id=post_id,
        answer_rank=rank,
        counted=True,
    )


async def test_a_day_is_claimed_once_and_taken_over_only_past_its_lease(uow: Units) -> None:
    ids, schedule_id = await scheduled_channel(uow)
    key = (schedule_id, DAY)
    post_id = await claimed_post(uow, ids, schedule_id)
    async with uow() as u:
        again = [NewClaim(schedule_id, ids.channel_id, DAY, "q2")]
        assert await u.claims.claim_many(again, "two", NOW) == {}, "the day is taken"
        [(schedule, channel, workspace)] = (await u.claims.places([schedule_id])).values()
        assert (schedule.days, channel.external_id, workspace.external_id) == (
            "mon,tue,wed,thu,fri",
            "C1",
            "T1",
        )
        existing = await u.claims.existing([key, (schedule_id, DAY + timedelta(days=1))])
        assert list(existing) == [key]
        assert existing[key].question_id == "q1"
        assert await u.claims.question_counts([ids.channel_id]) == {ids.channel_id: {"q1": 1}}
        assert await u.daily_posts.claims_on({DAY}) == {key: ("claimed", NOW)}
        assert await u.daily_posts.being_posted(ids.channel_id, NOW - LEASE)
        assert not await u.daily_posts.being_posted(ids.channel_id, NOW + timedelta(seconds=1))
        assert not await u.claims.renew(post_id, "two", NOW), "only the holder renews"
        assert await u.claims.take_over_many([post_id], NOW, "two", NOW) == set(), "fresh"
        later = NOW + LEASE + timedelta(seconds=1)
        assert await u.claims.take_over_many([post_id], later - LEASE, "two", later) == {post_id}
        assert await u.claims.renew(post_id, "two", later)
        await u.commit()
    async with uow() as u:
        post = await u.daily_posts.for_day(schedule_id, DAY)
    assert post is not None
    assert (post.id, post.status) == (post_id, "claimed")


async def test_a_recorded_post_is_found_by_its_thread_and_revealed_when_due(uow: Units) -> None:
    ids, schedule_id = await scheduled_channel(uow)
    post_id = await claimed_post(uow, ids, schedule_id)
    reveal = NOW + timedelta(hours=23)
    async with uow() as u:
        assert await u.daily_posts.due_reveals(reveal) == [], "not posted yet"
    await posted(uow, post_id)
    async with uow() as u:
        by_thread = await u.daily_posts.by_thread(ids.channel_id, "T-1")
        assert by_thread is not None
        assert (by_thread.id, by_thread.status) == (post_id, "posted")
        assert await u.daily_posts.by_thread(ids.channel_id, "T-2") is None
        assert await u.daily_posts.next_reveal_after(NOW) == reveal
        assert await u.daily_posts.due_reveals(reveal - timedelta(seconds=1)) == []
        [due] = await u.daily_posts.due_reveals(reveal)
        due.status, due.revealed_at = "revealed", reveal
        await u.commit()
    async with uow() as u:
        post = await u.daily_posts.get(post_id)
        assert post is not None
        assert (post.status, post.revealed_at) == ("revealed", reveal)
        assert await u.daily_posts.next_reveal_after(NOW) is None
        assert await u.daily_posts.due_reveals(reveal) == []


async def test_batched_answers_take_places_replace_and_advance_streaks(uow: Units) -> None:
    ids, schedule_id = await scheduled_channel(uow)
    post_id = await claimed_post(uow, ids, schedule_id)
    await posted(uow, post_id)
    async with uow() as u:
        group = await u.groups.create(ids.workspace_id, "#c1", ids.channel_id, "UTC", NOW)
        await u.commit()
    async with uow() as u:
        store = u.daily_answers
        assert await store.claim_events("slack", ["e1", "e2"], NOW) == {"e1", "e2"}
        assert await store.claim_events("slack", ["e2", "e3"], NOW) == {"e3"}
        await store.release_events("slack", ["e3"])
        people = await store.users(ids.workspace_id, {"U1": "", "U2": "Bo"}, NOW)
        assert people["U1"] == ids.user_id, "an empty name finds the known user"
        [facts] = (await store.posts([post_id])).values()
        assert (facts.status, facts.local_date, facts.schedule_days) == (
            "posted",
            DAY,
            "mon,tue,wed,thu,fri",
        )
        assert await store.schedule_days(schedule_id) == "mon,tue,wed,thu,fri"
        assert await store.take_ranks(post_id, 2) == 0
        assert await store.take_ranks(post_id, 1) == 2
        bo = Identity(ids.workspace_id, ids.channel_id, people["U2"])
        await store.add_answers([answer(ids, post_id, 60, 0, NOW), answer(bo, post_id, 90, 1, NOW)])
        assert await store.channel_groups([ids.channel_id]) == {ids.channel_id: group.id}
        await store.join({(group.id, ids.user_id), (group.id, bo.user_id)}, NOW)
        await store.join({(group.id, ids.user_id)}, NOW)  # already there: nothing changes
        rows = await store.lock_streaks([ids.user_id, bo.user_id], NOW)
        assert [(r.user_id, r.current, r.last_day) for r in rows] == [
            (ids.user_id, 0, None),
            (bo.user_id, 0, None),
        ]
        await store.save_streaks(
            [StreakUpdate(group.id, r.user_id, 1, 1, 0, DAY, "mon-fri", NOW) for r in rows]
        )
        await u.commit()
    async with uow() as u:
        store = u.daily_answers
        assert await store.claim_events("slack", ["e3"], NOW) == {"e3"}, "released"
        earlier = await store.earlier_answers({(post_id, ids.user_id), (post_id, 999)})
        assert list(earlier) == [(post_id, ids.user_id)]
        assert earlier[(post_id, ids.user_id)].answer_rank == 0
        await store.uncount([earlier[(post_id, ids.user_id)].id])
        await store.add_answers([answer(ids, post_id, 70, 0, NOW + timedelta(minutes=1))])
        await u.commit()
    async with uow() as u:
        counted = await u.answers.counted_for_post(post_id)
        assert [(a.score, user.display_name) for a, user in counted] == [(90, "Bo"), (70, "Ada")]
        streaks = await u.streaks.of_group(group.id)
        assert sorted((s.current, s.last_day, s.schedule_days) for s in streaks) == [
            (1, DAY, "mon-fri"),
            (1, DAY, "mon-fri"),
        ]
        [(streak, in_group)] = await u.streaks.of_user(ids.user_id)
        assert (streak.longest, in_group.name) == (1, "#c1")
        board = await u.stats.leaderboard(group.id, None, NOW + timedelta(hours=1))
        assert [(r.name, r.points, r.answers) for r in board] == [("Bo", 9, 1), ("Ada", 7, 1)]
        summary = await u.stats.answer_summary(ids.user_id)
        assert (summary.answers, summary.mean_score, summary.points) == (2, 65.0, 7)
        assert await u.stats.mean_score_by_question(ids.user_id) == [("q1", 65.0, 2)]
        recent = await u.stats.recent_answers(ids.user_id)
        assert [(r.score, r.points, r.kind) for r in recent] == [(70, 7, "daily"), (60, 0, "daily")]
        assert len(await u.stats.answer_times(ids.user_id, NOW + timedelta(seconds=30))) == 1


async def test_a_persons_data_is_copied_then_deleted_whole(uow: Units) -> None:
    ids, schedule_id = await scheduled_channel(uow)
    post_id = await claimed_post(uow, ids, schedule_id)
    async with uow() as u:
        group = await u.groups.create(ids.workspace_id, "study", None, "UTC", NOW)
        assert await u.groups.join(group.id, ids.user_id, NOW)
        await u.daily_answers.add_answers([answer(ids, post_id, 80, 0, NOW)])
        await u.daily_answers.lock_streaks([ids.user_id], NOW)
        await u.commit()
    async with uow() as u:
        data = await u.people.data_of(ids.user_id)
        assert [a.score for a in data.answers] == [80]
        assert [name for _, name in data.streaks] == ["study"]
        assert list(data.groups) == ["study"]
        deleted = await u.people.delete(ids.user_id)
        assert (deleted.answers, deleted.streaks, deleted.groups) == (1, 1, 1)
        await u.commit()
    async with uow() as u:
        assert await u.directory.get_user(ids.user_id) is None
        assert await u.answers.counted_for_post(post_id) == []
        assert [n for _, n in await u.groups.in_workspace(ids.workspace_id)] == [0]


async def test_groups_packs_and_an_uninstalled_workspaces_schedules(uow: Units) -> None:
    ids, schedule_id = await scheduled_channel(uow)
    await scheduled_channel(uow, "C2")
    async with uow() as u:
        mine = await u.groups.create(ids.workspace_id, "#c1", ids.channel_id, "UTC", NOW)
        await u.groups.create(ids.workspace_id, "evenings", None, "UTC", NOW)
        assert await u.groups.join(mine.id, ids.user_id, NOW)
        assert not await u.groups.join(mine.id, ids.user_id, NOW)
        assert not await u.packs.save(ids.workspace_id, "team", [{"a.yaml": "x"}], 2, NOW)
        assert await u.packs.save(ids.workspace_id, "team", [{"a.yaml": "y"}], 3, NOW)
        await u.commit()
    async with uow() as u:
        listed = [(g.name, n) for g, n in await u.groups.in_workspace(ids.workspace_id)]
        assert listed == [("#c1", 1), ("evenings", 0)], "channel groups first"
        found = await u.groups.by_name(ids.workspace_id, "evenings")
        assert found is not None
        assert [g.name for g in await u.groups.of_user(ids.user_id)] == ["#c1"]
        assert await u.groups.leave(mine.id, ids.user_id)
        assert not await u.groups.leave(mine.id, ids.user_id)
        [pack] = await u.packs.of_workspace(ids.workspace_id)
        assert pack.files == [{"a.yaml": "y"}]
        assert await u.packs.version(ids.workspace_id) == (1, NOW)
        assert len(await u.schedules.enabled()) == 2
        assert await u.schedules.disable_workspace("slack", "T1", NOW) == 2
        assert await u.schedules.disable_workspace("slack", "T1", NOW) == 0
        await u.commit()
    async with uow() as u:
        assert await u.schedules.enabled() == []
        schedule = await u.schedules.get(schedule_id)
        assert schedule is not None
        assert not schedule.enabled


def test_the_fake_offers_every_repository_method_the_port_declares() -> None:
    """A repository or method added to the port without its in-memory twin fails here."""
    unit = MemoryUnitOfWork(MemoryDatabase())
    unit._bind(Data())
    gaps = []
    for name, member in vars(port.UnitOfWork).items():
        if not isinstance(member, property):
            continue
        protocol = get_type_hints(member.fget)["return"]
        fake = getattr(unit, name, None)
        for method, declared in vars(protocol).items():
            if method.startswith("_") or not callable(declared):
                continue
            mine = getattr(fake, method, None)
            if mine is None:
                gaps.append(f"{name}.{method} is missing")
                continue
            wanted = list(inspect.signature(declared).parameters)[1:]
            if list(inspect.signature(mine).parameters) != wanted:
                gaps.append(f"{name}.{method} takes other parameters than {wanted}")
    assert gaps == []
