"""Leaderboards and personal stats: read-side views over answers and streaks."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot import views
from bot.commands import CommandError
from bot.daily.calendar import days_from_key
from bot.messages import Field, Image, RichMessage
from bot.pairs.progress import pairs_column, with_pairs
from bot.ports.records import Streak, StudyGroup, User
from bot.ports.storage import UnitOfWork
from bot.progress.groups import GroupService
from bot.progress.heatmap import heatmap_alt_text, render_heatmap
from bot.progress.streaks import StreakState, standing
from bot.review import views as review_views
from bot.turn import Turn
from bot.views import plural
from questions.bank import QuestionBank

TOP = 10


def _short(bank: QuestionBank, question_id: str) -> str:
    """A question named by the start of its prompt, short enough for a list line."""
    question = bank.get(question_id)
    if question is None:
        return question_id
    return question.prompt if len(question.prompt) <= 50 else question.prompt[:49] + "…"


HEATMAP_WEEKS = 12


def period_start(period: str, now: datetime, zone: ZoneInfo) -> datetime | None:
    """Weeks start on Monday, months on the 1st, both at midnight in the group's zone."""
    local = now.astimezone(zone)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "week":
        return (midnight - timedelta(days=local.weekday())).replace(fold=0)
    if period == "month":
        return midnight.replace(day=1, fold=0)
    return None


def current_streak(streak: Streak | None, now: datetime, zone: ZoneInfo) -> StreakState:
    if streak is None:
        return StreakState()
    state = StreakState(streak.current, streak.longest, streak.freezes, streak.last_day)
    weekdays = days_from_key(streak.schedule_days) if streak.schedule_days else frozenset(range(7))
    return standing(state, now.astimezone(zone).date(), weekdays)


class Boards:
    def __init__(self, groups: GroupService) -> None:
        self._groups = groups

    async def leaderboard(self, turn: Turn, period: str, group_name: str | None) -> None:
        group = await self._group_for(turn, group_name)
        zone = ZoneInfo(group.timezone)
        since = period_start(period, turn.now, zone)
        rows = await turn.uow.stats.leaderboard(group.id, since, turn.now)
        ranked = await with_pairs(turn.uow, rows, group.id, since, turn.now)
        rows = [row for row, _ in ranked]
        streaks = {s.user_id: s for s in await turn.uow.streaks.of_group(group.id)}
        label = {"week": "this week", "month": "this month", "all": "all time"}[period]
        if not rows:
            turn.tell(
                views.info(
                    f"No points in `{group.name}` {label} yet. "
                    "Answer the daily question to get on the board."
                )
            )
            return
        lines = []
        for rank, (row, pairs) in enumerate(ranked[:TOP], start=1):
            streak = current_streak(streaks.get(row.user_id), turn.now, zone).current
            flame = f" · 🔥{streak}" if streak else ""
            lines.append(
                f"{rank}. {row.name} — {row.points} pts{flame} · {plural(row.answers, 'answer')}"
                + pairs_column(pairs)
            )
        mine = next((i for i, r in enumerate(rows, start=1) if r.user_id == turn.ids.user_id), None)
        footer = (
            f"You: #{mine} of {len(rows)} with {rows[mine - 1].points} pts."
            if mine
            else "You have no points here in this period yet."
        )
        turn.tell(
            RichMessage(
                title=f"Leaderboard · {group.name} · {label}", body="\n".join([*lines, "", footer])
            )
        )

    async def stats(self, turn: Turn, who: str | None) -> None:
        user = await self._user(turn, who)
        group = await turn.uow.groups.for_channel(turn.ids.channel_id)
        zone = ZoneInfo(group.timezone) if group else ZoneInfo("UTC")
        summary = await turn.uow.stats.answer_summary(user.id)
        name = user.display_name or user.external_id
        pairs = await turn.uow.pairs.counts(user.id)
        if summary.answers == 0 and not (pairs.as_candidate or pairs.as_interviewer):
            turn.tell(views.info(f"{name} has not answered anything yet."))
            return
        streak_rows = await turn.uow.streaks.of_user(user.id)
        chosen = next((s for s, g in streak_rows if group and g.id == group.id), None)
        if chosen is None and streak_rows:
            chosen = max((s for s, _ in streak_rows), key=lambda s: (s.current, s.longest))
        streak = current_streak(chosen, turn.now, zone)
        topic_scores: dict[str, list[float]] = {}
        for question_id, mean, count in await turn.uow.stats.mean_score_by_question(user.id):
            question = turn.bank.get(question_id)
            if question is not None:
                topic_scores.setdefault(question.topic, []).extend([mean] * count)
        fields = [
            Field(
                "Streak",
                f"{streak.current} now · {streak.longest} longest · "
                f"{plural(streak.freezes, 'freeze')}",
            ),
            Field("Answers", f"{summary.answers} · mean score {round(summary.mean_score or 0)}"),
            Field("Points", str(summary.points + pairs.interviewer_points)),
            Field(
                "Pair sessions",
                f"{pairs.as_candidate} as candidate · {pairs.as_interviewer} as interviewer "
                f"({pairs.interviewer_points} pts for interviewing)",
            ),
        ]
        week = await turn.uow.reviews.summary(user.id, turn.now, turn.now + timedelta(days=7))
        fields.append(review_views.stats_field(week))
        means = {turn.bank.topic_title(t): sum(v) / len(v) for t, v in topic_scores.items()}
        fields.extend(Field(label, value) for label, value in views.standing(means, "topic"))
        recent = await turn.uow.stats.recent_answers(user.id)
        fields.append(
            Field(
                "Recent",
                "\n".join(
                    f"{r.submitted_at.astimezone(zone):%d %b} · {r.kind} · "
                    f"{_short(turn.bank, r.question_id)} · {r.score}"
                    for r in recent
                ),
                inline=False,
            )
        )
        today = turn.now.astimezone(zone).date()
        since = turn.now - timedelta(weeks=HEATMAP_WEEKS + 1)
        counts = Counter(
            t.astimezone(zone).date() for t in await turn.uow.stats.answer_times(user.id, since)
        )
        picture = Image(
            filename=f"activity-{user.external_id}.png",
            data=render_heatmap(
                counts, today, HEATMAP_WEEKS, title=f"{name}: last {HEATMAP_WEEKS} weeks"
            ),
            alt_text=heatmap_alt_text(counts, today, HEATMAP_WEEKS),
        )
        turn.tell(
            RichMessage(
                title=f"Stats · {name}", body=picture.alt_text, fields=tuple(fields), image=picture
            )
        )

    async def summary(
        self, uow: UnitOfWork, bank: QuestionBank, user_id: int, now: datetime
    ) -> RichMessage:
        """Streaks per group, points and recent scores, without the picture."""
        summary = await uow.stats.answer_summary(user_id)
        lines = [
            f"*Points:* {summary.points} · *answers:* {summary.answers}"
            + (
                f" · *mean score:* {round(summary.mean_score)}"
                if summary.mean_score is not None
                else ""
            )
        ]
        for streak, group in await uow.streaks.of_user(user_id):
            state = current_streak(streak, now, ZoneInfo(group.timezone))
            lines.append(
                f"🔥 {group.name}: {state.current} now · {state.longest} longest · "
                f"{plural(state.freezes, 'freeze')}"
            )
        recent = await uow.stats.recent_answers(user_id)
        fields = tuple(
            Field(
                f"{r.submitted_at:%d %b} · {r.kind}", f"{_short(bank, r.question_id)} · {r.score}"
            )
            for r in recent
        )
        if summary.answers == 0:
            lines.append("No answers yet: try `/interview mock` or answer today's daily question.")
        return RichMessage(title="Your interview practice", body="\n".join(lines), fields=fields)

    async def _user(self, turn: Turn, who: str | None) -> User:
        if who is None:
            me = await turn.uow.directory.get_user(turn.ids.user_id)
            assert me is not None
            return me
        user = await turn.uow.directory.find_user(turn.ids.workspace_id, who.lstrip("@"))
        if user is None:
            raise CommandError(f"I don't know anyone called `{who[:40]}` here yet.", "stats")
        return user

    async def _group_for(self, turn: Turn, name: str | None) -> StudyGroup:
        if name:
            return await self._groups.find(turn, name)
        group = await turn.uow.groups.for_channel(turn.ids.channel_id)
        if group is not None:
            return group
        mine = await turn.uow.groups.of_user(turn.ids.user_id)
        if len(mine) == 1:
            return mine[0]
        raise CommandError(
            "This channel has no study group: name one, e.g. "
            "`/interview leaderboard week my-group`.",
            "leaderboard",
        )
