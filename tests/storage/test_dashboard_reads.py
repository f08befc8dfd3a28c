"""The dashboard's read-side queries on SQLite and PostgreSQL, over a workspace built the way
members build it: daily questions answered in their threads, a named group, another workspace."""

from __future__ import annotations

from datetime import date

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
        assert channel_group.channel_name == "c1"
        assert (owls.channel_id, owls.channel_name) == (None, None)
        assert await uow.dashboard.member_group(owls.id, ann.id) == owls
        assert await uow.dashboard.member_group(owls.id, dan.id) == owls
        assert await uow.dashboard.member_group(channel_group.id, dan.id) is None
        assert await uow.dashboard.member_group(10_000, ann.id) is None

        streaks = await uow.dashboard.streaks(ann.id, [channel_group.id, owls.id])
        assert list(streaks) == [channel_group.id]
        assert streaks[channel_group.id].current == 2
        assert await uow.dashboard.streaks(ann.id, []) == {}

        days = await uow.dashboard.channel_days(channel_group.channel_id, 60)
        assert [(d.local_date, d.answered) for d in days] == [
            (date(2026, 3, 3), 2),
            (date(2026, 3, 2), 2),
        ]
        assert days[0].mean_score is not None
        assert days[0].mean_score < days[1].mean_score  # cat's poor answer on Tuesday
        assert len(await uow.dashboard.channel_days(channel_group.channel_id, 1)) == 1

        scored = await uow.dashboard.scored_answers(ann.id)
        assert len(scored) == 2
        assert scored[0].submitted_at < scored[1].submitted_at
        assert all(a.submitted_at.tzinfo is not None for a in scored)
        assert all(a.points > 0 for a in scored)
        summary = await uow.stats.answer_summary(ann.id)
        assert summary.points == sum(a.points for a in scored)
        assert await uow.dashboard.scored_answers(dan.id) == []

        recent = await uow.dashboard.recent_feedback(ann.id, 1)
        assert len(recent) == 1
        assert recent[0].kind == "daily"
        assert ANN_ANSWER_WORDS in recent[0].text
        assert recent[0].covered
        assert recent[0].submitted_at == scored[-1].submitted_at
