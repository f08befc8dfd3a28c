"""What each dashboard page shows, and who may see it.

Every builder starts from a verified viewer (bot/dashboard/links.py) and refuses with
NotAllowed when the viewer's user is gone or belongs to another workspace, or when the group,
channel or person asked for is outside what the viewer may see. Answer text and feedback are
shown to their owner only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.dashboard.links import Viewer
from bot.dashboard.progress import (
    Activity,
    TopicTotal,
    TopicTrend,
    activity,
    strongest_and_weakest,
    summary,
    topic_totals,
    topic_trends,
)
from bot.ports.dashboard import AnswerFeedback, GroupInfo, Person
from bot.ports.records import AnswerSummary
from bot.ports.storage import UnitOfWork
from bot.progress.boards import current_streak, period_start
from questions.bank import QuestionBank

BOARD_ROWS = 50
HISTORY_DAYS = 60
RECENT_ANSWERS = 10
PERIODS = ("week", "month", "all")
PERIOD_LABELS = {"week": "This week", "month": "This month", "all": "All time"}


class NotAllowed(Exception):
    """The viewer may not see this page; nothing of it is shown."""


class NotFound(Exception):
    """The page asks for something that does not exist (or no longer does)."""


@dataclass(frozen=True)
class ForecastDay:
    """How many review cards fall due on a day."""

    day: date
    due: int


FORECAST_DAYS = 14

# Another source of a review forecast (uow, user id, today) -> days; by default the review cards.
ForecastSource = Callable[[UnitOfWork, int, date], Awaitable[Sequence[ForecastDay]]]


@dataclass(frozen=True)
class StreakLine:
    group_id: int
    group: str
    current: int
    longest: int
    freezes: int


@dataclass(frozen=True)
class RecentLine:
    question: str
    topic: str
    kind: str
    score: int
    day: date
    # The owner's own answer and its feedback; None for anyone else.
    feedback: AnswerFeedback | None


@dataclass(frozen=True)
class PersonalPage:
    person: Person
    is_owner: bool
    zone: str
    summary: AnswerSummary
    activity: Activity
    streaks: list[StreakLine]
    trends: list[TopicTrend]
    strongest: list[TopicTotal]
    weakest: list[TopicTotal]
    recent: list[RecentLine]
    groups: list[GroupInfo]
    forecast: tuple[ForecastDay, ...] = ()


@dataclass(frozen=True)
class BoardRow:
    rank: int
    user_id: int
    name: str
    points: int
    answers: int
    streak: int
    longest: int
    is_viewer: bool


@dataclass(frozen=True)
class BoardPage:
    group: GroupInfo
    period: str
    rows: list[BoardRow]
    members_with_points: int
    viewer_row: BoardRow | None

    @property
    def label(self) -> str:
        return PERIOD_LABELS[self.period]


@dataclass(frozen=True)
class HistoryLine:
    day: date
    question: str
    topic: str
    answered: int
    mean_score: float | None


@dataclass(frozen=True)
class ChannelPage:
    group: GroupInfo
    channel_name: str
    days: list[HistoryLine]


@dataclass(frozen=True)
class TopicsPage:
    person: Person
    topics: list[TopicTotal] = field(default_factory=list)


def _prompt(bank: QuestionBank, question_id: str) -> tuple[str, str]:
    question = bank.get(question_id)
    if question is None:
        return question_id, ""
    return question.prompt, bank.topic_title(question.topic)


async def _reviews_ahead(
    uow: UnitOfWork, user_id: int, now: datetime, zone: ZoneInfo
) -> tuple[ForecastDay, ...]:
    """The owner's review cards falling due over the next two weeks; nothing when none do."""
    days = await uow.reviews.due_per_day(user_id, now, FORECAST_DAYS, zone.key)
    if not any(count for _, count in days):
        return ()
    return tuple(ForecastDay(day, count) for day, count in days)


class DashboardPages:
    """Builds each page inside one unit of work, for one verified viewer."""

    def __init__(self, bank: QuestionBank, forecast: ForecastSource | None = None) -> None:
        self._bank = bank
        self._forecast = forecast

    async def viewer(self, uow: UnitOfWork, viewer: Viewer) -> Person:
        person = await uow.dashboard.person(viewer.user_id)
        if person is None or person.workspace_id != viewer.workspace_id:
            raise NotAllowed("the link's user is not in its workspace")
        return person

    async def _zone(self, uow: UnitOfWork, user_id: int) -> ZoneInfo:
        groups = await uow.dashboard.groups_of(user_id)
        return ZoneInfo(groups[0].timezone) if groups else ZoneInfo("UTC")

    async def personal(
        self, uow: UnitOfWork, viewer: Viewer, now: datetime, person_id: int | None = None
    ) -> PersonalPage:
        me = await self.viewer(uow, viewer)
        person = me
        groups = await uow.dashboard.groups_of(me.id)
        if person_id is not None and person_id != me.id:
            other = await uow.dashboard.person(person_id)
            if other is None or other.workspace_id != me.workspace_id:
                raise NotAllowed("not a person of the viewer's workspace")
            mine = {g.id for g in groups}
            # Only the groups the two share are named on someone else's page.
            groups = [g for g in await uow.dashboard.groups_of(other.id) if g.id in mine]
            if not groups:
                raise NotAllowed("the viewer shares no group with that person")
            person = other
        is_owner = person.id == me.id
        zone = ZoneInfo(groups[0].timezone) if groups else ZoneInfo("UTC")
        today = now.astimezone(zone).date()
        answers = await uow.dashboard.scored_answers(person.id)
        totals = topic_totals(answers, self._bank, zone)
        strongest, weakest = strongest_and_weakest(totals)
        # Streaks in the groups shown: all of the owner's, only shared ones to anyone else.
        kept = await uow.dashboard.streaks(person.id, [g.id for g in groups])
        streaks = [
            StreakLine(g.id, g.name, s.current, s.longest, s.freezes)
            for g in groups
            if g.id in kept
            for s in [current_streak(kept[g.id], now, ZoneInfo(g.timezone))]
        ]
        recent = []
        for answer in await uow.dashboard.recent_feedback(person.id, RECENT_ANSWERS):
            prompt, topic = _prompt(self._bank, answer.question_id)
            recent.append(
                RecentLine(
                    prompt,
                    topic,
                    answer.kind,
                    answer.score,
                    answer.submitted_at.astimezone(zone).date(),
                    answer if is_owner else None,
                )
            )
        forecast: tuple[ForecastDay, ...] = ()
        if is_owner and self._forecast is not None:
            forecast = tuple(await self._forecast(uow, person.id, today))
        elif is_owner:
            forecast = await _reviews_ahead(uow, person.id, now, zone)
        return PersonalPage(
            person=person,
            is_owner=is_owner,
            zone=str(zone),
            summary=summary(answers),
            activity=activity(answers, zone, today),
            streaks=streaks,
            trends=topic_trends(answers, self._bank, zone, today),
            strongest=strongest,
            weakest=weakest,
            recent=recent,
            groups=groups,
            forecast=forecast,
        )

    async def _member_group(self, uow: UnitOfWork, viewer: Viewer, group_id: int) -> GroupInfo:
        """The group, when the viewer is a member and it is of the link's workspace. A member
        is a user of the group's workspace, so this also checks the link's user."""
        group = await uow.dashboard.member_group(group_id, viewer.user_id)
        if group is None:
            raise NotAllowed("the viewer is not a member of the group")
        if group.workspace_id != viewer.workspace_id:
            raise NotAllowed("not a group of the link's workspace")
        return group

    async def board(
        self, uow: UnitOfWork, viewer: Viewer, group_id: int, period: str, now: datetime
    ) -> BoardPage:
        if period not in PERIODS:
            raise NotFound(f"no period {period!r}")
        group = await self._member_group(uow, viewer, group_id)
        zone = ZoneInfo(group.timezone)
        rows = await uow.stats.leaderboard(group.id, period_start(period, now, zone), now)
        streaks = {s.user_id: s for s in await uow.streaks.of_group(group.id)}
        lines = []
        for rank, row in enumerate(rows, start=1):
            if rank > BOARD_ROWS and row.user_id != viewer.user_id:
                continue
            state = current_streak(streaks.get(row.user_id), now, zone)
            lines.append(
                BoardRow(
                    rank,
                    row.user_id,
                    row.name,
                    row.points,
                    row.answers,
                    state.current,
                    state.longest,
                    row.user_id == viewer.user_id,
                )
            )
        viewer_row = next((line for line in lines if line.is_viewer), None)
        return BoardPage(
            group, period, [r for r in lines if r.rank <= BOARD_ROWS], len(rows), viewer_row
        )

    async def channel(self, uow: UnitOfWork, viewer: Viewer, group_id: int) -> ChannelPage:
        group = await self._member_group(uow, viewer, group_id)
        if group.channel_id is None:
            raise NotFound("a named group has no channel of its own")
        days = []
        for day in await uow.dashboard.channel_days(group.channel_id, HISTORY_DAYS):
            prompt, topic = _prompt(self._bank, day.question_id)
            days.append(HistoryLine(day.local_date, prompt, topic, day.answered, day.mean_score))
        return ChannelPage(group, group.channel_name or group.name, days)

    async def topics(self, uow: UnitOfWork, viewer: Viewer) -> TopicsPage:
        me = await self.viewer(uow, viewer)
        zone = await self._zone(uow, me.id)
        answers = await uow.dashboard.scored_answers(me.id)
        return TopicsPage(me, topic_totals(answers, self._bank, zone))
