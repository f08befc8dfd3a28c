"""The dashboard's read-side queries on SQLite and PostgreSQL, over a workspace built the way
members build it: daily questions answered in their threads, a named group, another workspace."""

from __future__ import annotations

from datetime import date, timedelta

from tests.adapters.web.scenario import ANN_ANSWER_WORDS, build, with_dashboard
from tests.support.harness import Harness


async def test_dashboard_reads(h_both: Harness) -> None:
    h = with_dashboard(h_both)
    await build(h)
    async with h.uow() as uow:
        ann = await uow.directory.find_user(1, "ann")
        dan = await uow.directory.find_user(1, "dan")
        assert ann is not None
        assert dan is not None
        person = await uow.dashboard.person(ann.id)
        assert person is not None
        assert (person.name, person.workspace_id) == ("Ann", 1)
        assert await uow.dashboard.person(10_000) is None
        groups = await uow.dashboard.groups_of(ann.id)
        assert [g.name for g in groups] == ["#c1", "night-owls"]
        channel_group, owls = groups
        assert channel_group.channel_id is not None
        assert owls.channel_id is None
        assert await uow.dashboard.group(owls.id) == owls
        assert await uow.dashboard.is_member(owls.id, dan.id)
        assert not await uow.dashboard.is_member(channel_group.id, dan.id)

        days = await uow.dashboard.channel_days(channel_group.channel_id, 60)
        assert [(d.local_date, d.answered) for d in days] == [
            (date(2026, 3, 3), 2),
            (date(2026, 3, 2), 2),
        ]
        assert days[0].mean_score is not None
        assert days[0].mean_score < days[1].mean_score  # cat's poor answer on Tuesday
        assert len(await uow.dashboard.channel_days(channel_group.channel_id, 1)) == 1

        since = h.clock.now() - timedelta(days=30)
        scored = await uow.dashboard.scored_answers(ann.id, since)
        assert len(scored) == 2
        assert scored[0].submitted_at < scored[1].submitted_at
        assert await uow.dashboard.scored_answers(ann.id, h.clock.now() + timedelta(days=1)) == []

        totals = await uow.dashboard.question_totals(ann.id)
        assert sum(t.answers for t in totals) == 2
        assert all(t.last_at.tzinfo is not None for t in totals)

        recent = await uow.dashboard.recent_feedback(ann.id, 1)
        assert len(recent) == 1
        assert recent[0].kind == "daily"
        assert ANN_ANSWER_WORDS in recent[0].text
        assert recent[0].covered
        assert recent[0].submitted_at == scored[-1].submitted_at
