"""The daily schedule of a channel: set, turned off, shown, or asked to post now."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot import views
from bot.commands import CommandError
from bot.daily import views as daily_views
from bot.daily.calendar import days_from_key, days_key
from bot.daily.service import question_pool, recurrence
from bot.daily.spec import (
    DEFAULT_STAGES,
    ScheduleSpec,
    parse_time,
    parse_zone,
    schedule_stages,
    setting_values,
    spec_from_values,
)
from bot.messages import RichMessage
from bot.ports.records import Schedule, StudyGroup
from bot.turn import Turn
from questions.bank import QuestionBank
from questions.schema import Difficulty, Stage


class DailySchedules:
    async def set(self, turn: Turn, args: list[str] | Mapping[str, str]) -> bool:
        """args: the text's key=value words, or the settings by name (typed options)."""
        if not turn.actor.is_admin:
            turn.tell(views.info("Only workspace admins can change the daily schedule."))
            return False
        existing = await turn.uow.schedules.for_channel(turn.ids.channel_id)
        defaults = self._spec_of(existing) if existing else None
        values = setting_values(args) if isinstance(args, list) else args
        spec = spec_from_values(values, defaults)
        topics = tuple(turn.bank.resolve_topic(t) for t in spec.topics)
        unknown = [p for p in spec.packs if p not in turn.bank.pack_names]
        if unknown:
            known = ", ".join(turn.bank.pack_names)
            raise CommandError(
                f"Unknown pack `{unknown[0][:40]}`; this workspace has: {known}.", "daily"
            )
        stages = spec.stages or DEFAULT_STAGES
        if not question_pool(turn.bank, list(topics), spec.difficulty, list(spec.packs), stages):
            raise CommandError(
                "No questions match those topics, stages and difficulty; widen the filters "
                f"(this draws from {_stage_names(stages)}; `stages=all` allows every stage).",
                "daily",
            )
        schedule = existing or turn.uow.schedules.new(turn.ids.channel_id, turn.now)
        schedule.post_time = f"{spec.at:%H:%M}"
        schedule.timezone = spec.zone.key
        schedule.days = days_key(spec.weekdays)
        schedule.topics = list(topics)
        schedule.packs = list(spec.packs)
        schedule.stages = [s.value for s in spec.stages] or None
        schedule.difficulty = spec.difficulty.value if spec.difficulty else None
        schedule.reveal_time = f"{spec.reveal:%H:%M}" if spec.reveal else None
        schedule.enabled = True
        schedule.updated_at = turn.now
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

    def _spec_of(self, schedule: Schedule) -> ScheduleSpec:
        return ScheduleSpec(
            at=parse_time(schedule.post_time),
            zone=parse_zone(schedule.timezone),
            weekdays=days_from_key(schedule.days),
            topics=tuple(schedule.topics),
            packs=tuple(schedule.packs),
            stages=tuple(Stage(s) for s in schedule.stages or ()),
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
            stages=_stage_names(schedule_stages(schedule.stages))
            + ("" if schedule.stages else " (the default)"),
            difficulty=schedule.difficulty,
            reveal_time=schedule.reveal_time,
            enabled=schedule.enabled,
            next_post=upcoming[1] if upcoming else None,
            changed=changed,
        )

    async def _channel_group(self, turn: Turn, zone: str) -> StudyGroup:
        group = await turn.uow.groups.for_channel(turn.ids.channel_id)
        if group is None:
            name = f"#{turn.place.channel_name or turn.place.channel}"[:80]
            group = await turn.uow.groups.create(
                turn.ids.workspace_id, name, turn.ids.channel_id, zone, turn.now
            )
        group.timezone = zone
        return group


def _stage_names(stages: tuple[Stage, ...]) -> str:
    if set(stages) == set(Stage):
        return "every stage"
    return ", ".join(s.value.replace("-", " ") for s in stages)
