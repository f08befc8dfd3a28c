"""The dashboard's rules on the in-memory unit of work: the link `/interview web` hands out,
who may see which page, and the progress figures the pages show."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.commands import parse
from bot.dashboard.links import LinkRefused, LinkSigner, Viewer
from bot.dashboard.pages import DashboardPages, ForecastDay, NotAllowed, NotFound
from bot.dashboard.progress import (
    TopicTotal,
    activity,
    direction,
    strongest_and_weakest,
    topic_trends,
)
from bot.ports.dashboard import ScoredAnswer
from bot.ports.storage import UnitOfWork
from tests.adapters.web.scenario import LINK, PUBLIC_URL, SECRET, link_for, with_dashboard
from tests.support.harness import Harness

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


def test_a_signed_link_opens_only_its_own_page_for_its_own_viewer() -> None:
    signer = LinkSigner(SECRET, PUBLIC_URL + "/")
    viewer = signer.issue(3, 41, NOW)
    assert viewer.expires == int((NOW + timedelta(days=7)).timestamp())
    url = signer.url(viewer, "group", id=7, period="week")
    assert url.startswith("https://bot.example.com/practice/dashboard/group?")
    query = dict(
        p.split("=", 1)
        for p in signer.path(viewer, "group", id=7, period="week").split("?", 1)[1].split("&")
    )
    assert signer.verify("group", query, NOW) == viewer
    refused = {
        "another page": lambda: signer.verify("channel", query, NOW),
        "another group": lambda: signer.verify("group", {**query, "id": "8"}, NOW),
        "another user": lambda: signer.verify(
            "group", {**query, "v": "3.42." + str(viewer.expires)}, NOW
        ),
        "another workspace": lambda: signer.verify(
            "group", {**query, "v": "4.41." + str(viewer.expires)}, NOW
        ),
        "a longer life": lambda: signer.verify("group", {**query, "v": "3.41.9999999999"}, NOW),
        "another secret": lambda: LinkSigner("x" * 32, PUBLIC_URL).verify("group", query, NOW),
        "no token": lambda: signer.verify("group", {"id": "7"}, NOW),
        "a broken token": lambda: signer.verify("group", {**query, "v": "three.41.1"}, NOW),
    }
    for case, attempt in refused.items():
        with pytest.raises(LinkRefused) as caught:
            attempt()
        assert caught.value.reason == "forged", case
    with pytest.raises(LinkRefused) as late:
        signer.verify("group", query, NOW + timedelta(days=7))
    assert late.value.reason == "expired"


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 16"):
        LinkSigner("short", PUBLIC_URL)


async def test_web_answers_privately_with_a_link_when_set_up(h_memory: Harness) -> None:
    h = h_memory
    await h.command("web", user="ann")
    told = h.chat.private_to("ann")[-1]
    assert "INTERVIEW_BOT_WEB_SECRET" in told.message.body
    assert LINK.search(told.message.body) is None
    with_dashboard(h)
    url = await link_for(h, "ann")
    message = h.chat.private_to("ann")[-1]
    assert message.kind == "private"
    assert "works for 7 days" in message.message.body
    assert url.startswith(PUBLIC_URL + "/dashboard/me?v=")
    assert not any(url in s.message.body for s in h.chat.sent if s.kind != "private")
    await h.command("web now", user="ann")
    assert "takes no arguments" in h.chat.private_to("ann")[-1].message.body
    await h.command("help web", user="ann")
    assert "/interview web" in h.chat.private_to("ann")[-1].message.body
    assert parse("web") == parse("  web ")


async def play_round(h: Harness, user: str, good: bool = True) -> None:
    await h.command("mock regularisation 1 medium", user=user)
    await h.say(h.good_answer() if good else "I am not sure at all.", h.thread, user=user)
    await h.command("end", user=user)


async def viewers(h: Harness) -> dict[str, Viewer]:
    """Each person's viewer, as their link names them."""
    out = {}
    for user in ("ann", "ben", "cat"):
        url = await link_for(h, user)
        token = url.split("v=", 1)[1].split("&", 1)[0]
        out[user] = Viewer.from_token(token)
    return out


async def test_pages_show_members_what_they_may_see_and_nothing_more(h_memory: Harness) -> None:
    h = with_dashboard(h_memory)
    await play_round(h, "ann")
    await h.advance(timedelta(days=2))
    await play_round(h, "ann", good=False)
    await play_round(h, "ben")
    await h.command("group create owls", user="ann")
    await h.command("group join owls", user="ben")
    who = await viewers(h)
    pages = DashboardPages(h.bank)
    now = h.clock.now()
    async with h.uow() as uow:
        mine = await pages.personal(uow, who["ann"], now)
        assert mine.is_owner
        assert mine.summary.answers == 2
        assert mine.activity.total == 2
        assert [r.feedback is not None for r in mine.recent] == [True, True]
        assert mine.recent[0].score < mine.recent[1].score  # newest first: the poor one
        assert [g.name for g in mine.groups] == ["owls"]
        assert mine.trends[0].answers == 2
        assert mine.trends[0].direction == "new"
        # Her weak last answer made a review card, due within the two weeks drawn.
        assert len(mine.forecast) == 14
        assert sum(d.due for d in mine.forecast) >= 1
        seen = await pages.personal(uow, who["ben"], now, person_id=who["ann"].user_id)
        assert not seen.is_owner
        assert seen.forecast == ()  # nobody else sees her reviews
        assert [r.feedback for r in seen.recent] == [None, None]
        assert [r.score for r in seen.recent] == [r.score for r in mine.recent]
        with pytest.raises(NotAllowed):
            await pages.personal(uow, who["cat"], now, person_id=who["ann"].user_id)
        group_id = mine.groups[0].id
        board = await pages.board(uow, who["ben"], group_id, "all", now)
        # Ann's two answers outscore Ben's one.
        assert [(r.name, r.is_viewer) for r in board.rows] == [("Ann", False), ("Ben", True)]
        assert board.viewer_row == board.rows[1]
        with pytest.raises(NotAllowed):
            await pages.board(uow, who["cat"], group_id, "week", now)
        with pytest.raises(NotFound):
            await pages.board(uow, who["ann"], group_id, "decade", now)
        with pytest.raises(NotFound):
            await pages.channel(uow, who["ann"], group_id)  # a named group has no channel
        topics = await pages.topics(uow, who["ann"])
        assert [(t.answers, t.best) for t in topics.topics] == [(2, mine.recent[1].score)]
        gone = Viewer(who["ann"].workspace_id + 1, who["ann"].user_id, who["ann"].expires)
        with pytest.raises(NotAllowed):
            await pages.personal(uow, gone, now)


async def test_a_review_forecast_shows_only_when_one_is_given(h_memory: Harness) -> None:
    h = with_dashboard(h_memory)
    await play_round(h, "ann")
    await h.command("group create owls", user="ann")
    await h.command("group join owls", user="ben")
    who = await viewers(h)
    asked: list[tuple[int, date]] = []

    async def forecast(uow: UnitOfWork, user_id: int, today: date) -> Sequence[ForecastDay]:
        asked.append((user_id, today))
        return [
            ForecastDay(today + timedelta(days=1), 3),
            ForecastDay(today + timedelta(days=2), 1),
        ]

    pages = DashboardPages(h.bank, forecast=forecast)
    async with h.uow() as uow:
        mine = await pages.personal(uow, who["ann"], h.clock.now())
        other = await pages.personal(uow, who["ben"], h.clock.now(), who["ann"].user_id)
    assert [d.due for d in mine.forecast] == [3, 1]
    assert other.forecast == ()
    assert asked == [(who["ann"].user_id, h.clock.now().date())]


def test_a_trend_needs_enough_answers_and_a_real_change() -> None:
    assert direction([40, 90, 90]) == "new"
    assert direction([40, 50, 60, 70]) == "rising"
    assert direction([70, 60, 50, 40]) == "falling"
    assert direction([60, 62, 58, 61]) == "steady"


def test_monthly_trends_per_topic(h_memory: Harness) -> None:
    bank = h_memory.bank
    question = bank.questions[0]
    other = next(q for q in bank.questions if q.topic != question.topic)
    zone = ZoneInfo("Europe/Berlin")
    answers = [
        ScoredAnswer(question.id, 40, datetime(2026, 1, 5, 9, tzinfo=UTC)),
        ScoredAnswer(question.id, 50, datetime(2026, 1, 20, 9, tzinfo=UTC)),
        ScoredAnswer(question.id, 80, datetime(2026, 3, 1, 9, tzinfo=UTC)),
        ScoredAnswer(question.id, 90, datetime(2026, 3, 3, 9, tzinfo=UTC)),
        ScoredAnswer(other.id, 70, datetime(2026, 2, 28, 23, 30, tzinfo=UTC)),  # 1 Mar in Berlin
        ScoredAnswer(other.id, 10, datetime(2024, 2, 1, 9, tzinfo=UTC)),  # out of the window
    ]
    trends = topic_trends(answers, bank, zone, date(2026, 3, 4))
    first, second = trends
    assert first.topic == question.topic
    assert [(m.month, m.mean, m.answers) for m in first.months] == [
        (date(2026, 1, 1), 45.0, 2),
        (date(2026, 3, 1), 85.0, 2),
    ]
    assert first.direction == "rising"
    assert [(m.month, m.answers) for m in second.months] == [(date(2026, 3, 1), 1)]


def test_the_year_of_activity_runs_in_whole_weeks_up_to_today() -> None:
    zone = ZoneInfo("America/New_York")
    today = date(2026, 3, 4)  # a Wednesday
    answers = [
        ScoredAnswer("q", 50, datetime(2026, 3, 4, 3, tzinfo=UTC)),  # 3 Mar in New York
        ScoredAnswer("q", 50, datetime(2026, 3, 4, 15, tzinfo=UTC)),
        ScoredAnswer("q", 50, datetime(2024, 3, 4, 15, tzinfo=UTC)),
    ]
    year = activity(answers, zone, today)
    weeks = year.columns
    assert len(weeks) == 52
    assert weeks[0][0][0].weekday() == 0
    assert year.counts == {date(2026, 3, 3): 1, date(2026, 3, 4): 1}
    assert [count for _, count in weeks[-1]] == [0, 1, 1, None, None, None, None]


def test_strongest_and_weakest_never_share_a_topic() -> None:
    def total(name: str, mean: float, answers: int) -> TopicTotal:
        return TopicTotal(name, name.title(), answers, mean, int(mean), date(2026, 3, 1))

    totals = [
        total("a", 90, 3),
        total("b", 80, 2),
        total("c", 99, 1),  # one lucky answer is not a strength
        total("d", 30, 4),
        total("e", 55, 2),
    ]
    strongest, weakest = strongest_and_weakest(totals)
    assert [t.topic for t in strongest] == ["a", "b", "e"]
    assert [t.topic for t in weakest] == ["d"]
    lonely_strong, lonely_weak = strongest_and_weakest([total("a", 50, 1)])
    assert [t.topic for t in lonely_strong] == ["a"]
    assert lonely_weak == []
