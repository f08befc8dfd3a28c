"""The `/interview` app command group: typed Discord options in, the engine's commands out.

Each handler only builds the engine's command (``Mock(topic="metrics", count=5)``,
``DailySet(time="09:00", tz="UTC")``) from its options and hands it to the runner; the engine
checks it by the same rules as typed text. No rule lives here.

Discord applies ``default_member_permissions`` to top-level commands only, so the schedule
subcommands are guarded by a check at run time (Manage Server), and the engine checks again.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from functools import cache
from typing import Any, Literal, Protocol

import discord
from discord import app_commands

from adapters.discord.pair_commands import add_pair_commands
from bot.commands import (
    MAX_COUNT,
    MIN_COUNT,
    Command,
    Daily,
    DailySet,
    End,
    Group,
    Help,
    Hint,
    Leaderboard,
    Mock,
    Privacy,
    Resume,
    Review,
    ReviewRemind,
    Skip,
    Stats,
    Topics,
    Web,
)
from questions.schema import Difficulty

CHOICES_LIMIT = 25
ADMIN_ONLY = "Only members with the Manage Server permission can change the daily schedule."

Interaction = discord.Interaction[Any]


class CommandRunner(Protocol):
    async def run(self, interaction: Interaction, command: Command) -> None:
        """Hand the command to the engine and answer the interaction."""
        ...

    def topic_names(self) -> Sequence[tuple[str, str]]:
        """(id, title) of every topic, for autocomplete."""
        ...


GENERAL_LOOP = "general"
LoopChoice = Literal["general", "ml-engineer", "data-scientist", "research"]


def mock_command(
    topic: str | None, count: int | None, difficulty: str | None, loop: str | None
) -> Mock:
    """The mock command of the options; `loop` names a role, or general for mixed topics."""
    return Mock(
        topic=topic,
        count=count,
        difficulty=Difficulty(difficulty) if difficulty else None,
        loop=loop is not None,
        role=loop if loop and loop != GENERAL_LOOP else None,
    )


def _choices(pairs: Sequence[tuple[str, str]], current: str) -> list[app_commands.Choice[str]]:
    needle = current.strip().lower()
    found = [
        app_commands.Choice(name=f"{title} ({value})"[:100], value=value[:100])
        for value, title in pairs
        if not needle or needle in value.lower() or needle in title.lower()
    ]
    return found[:CHOICES_LIMIT]


@cache
def _zones() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


def zone_choices(current: str) -> list[app_commands.Choice[str]]:
    needle = current.strip().lower().replace(" ", "_")
    zones = [z for z in _zones() if needle in z.lower()] if needle else ["UTC", *_zones()]
    return [app_commands.Choice(name=z, value=z) for z in zones[:CHOICES_LIMIT]]


async def require_manage_server(interaction: Interaction) -> bool:
    """The run-time half of the schedule guard (Discord hides nothing on subcommands)."""
    if interaction.permissions.manage_guild:
        return True
    raise app_commands.CheckFailure(ADMIN_ONLY)


def build_interview_group(runner: CommandRunner) -> app_commands.Group:
    """The whole `/interview` tree, its handlers bound to runner."""
    interview = app_commands.Group(
        name="interview",
        description="Machine-learning interview practice: mock rounds, daily questions, stats.",
        guild_only=True,
    )

    async def topic_autocomplete(
        interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return _choices(runner.topic_names(), current)

    async def zone_autocomplete(
        interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return zone_choices(current)

    @interview.command(name="mock", description="Start a mock interview in a thread.")
    @app_commands.describe(
        topic="Topic to practise (leave empty for mixed topics)",
        count=f"Number of questions ({MIN_COUNT}-{MAX_COUNT})",
        difficulty="Only questions of this difficulty",
        loop="A full interview loop, one question per stage, shaped like this role's",
    )
    @app_commands.autocomplete(topic=topic_autocomplete)
    async def mock(
        interaction: Interaction,
        topic: str | None = None,
        count: app_commands.Range[int, 1, 20] | None = None,
        difficulty: Literal["easy", "medium", "hard"] | None = None,
        loop: LoopChoice | None = None,
    ) -> None:
        await runner.run(interaction, mock_command(topic, count, difficulty, loop))

    def simple(name: str, description: str, command: Command) -> None:
        async def handler(interaction: Interaction) -> None:
            await runner.run(interaction, command)

        interview.command(name=name, description=description)(handler)

    simple("end", "End your round now and get its scorecard.", End())
    simple("skip", "Skip the current question (it scores 0).", Skip())
    simple("hint", "A hint for the current question (costs points).", Hint())
    simple("resume", "Continue your paused round.", Resume())
    simple("topics", "The topics and their short names.", Topics())
    simple("web", "A private link to your dashboard in the browser.", Web())

    @interview.command(name="stats", description="Streaks, points and scores.")
    @app_commands.describe(user="Whose stats (default: yours)")
    async def stats(interaction: Interaction, user: discord.User | None = None) -> None:
        await runner.run(interaction, Stats(str(user.id) if user else None))

    @interview.command(name="leaderboard", description="Top 10 by points, with streaks.")
    @app_commands.describe(period="week, month or all time", group="A study group's name")
    async def leaderboard(
        interaction: Interaction,
        period: Literal["week", "month", "all"] | None = None,
        group: str | None = None,
    ) -> None:
        await runner.run(interaction, Leaderboard(period or "week", group))

    @interview.command(name="help", description="How to use the bot.")
    @app_commands.describe(command="A command to explain, such as mock or daily")
    async def help_(interaction: Interaction, command: str | None = None) -> None:
        await runner.run(interaction, Help(command))

    _add_daily(interview, runner, zone_autocomplete, topic_autocomplete)
    _add_groups(interview, runner)
    _add_privacy(interview, runner)
    _add_review(interview, runner, zone_autocomplete)
    add_pair_commands(interview, runner.run, topic_autocomplete)
    return interview


def _add_daily(
    interview: app_commands.Group,
    runner: CommandRunner,
    zone_autocomplete: Any,
    topic_autocomplete: Any,
) -> None:
    daily = app_commands.Group(
        name="daily", description="The channel's daily question.", parent=interview
    )

    @daily.command(name="set", description="Post a daily question here (Manage Server).")
    @app_commands.describe(
        time="Local time of the post, HH:MM (24-hour)",
        tz="IANA time zone such as Europe/Berlin",
        days="Which days: mon-fri, mon,wed,fri or daily",
        topics="Only these topics (comma-separated)",
        stages="Only these stages, or all (default: theory, system-design, coding)",
        difficulty="Only this difficulty",
        reveal="Local time of the reveal, HH:MM (default: before the next post)",
    )
    @app_commands.autocomplete(tz=zone_autocomplete, topics=topic_autocomplete)
    @app_commands.check(require_manage_server)
    async def daily_set(
        interaction: Interaction,
        time: str,
        tz: str | None = None,
        days: str | None = None,
        topics: str | None = None,
        difficulty: Literal["easy", "medium", "hard", "any"] | None = None,
        reveal: str | None = None,
        stages: str | None = None,
    ) -> None:
        command = DailySet(
            time=time,
            tz=tz,
            days=days,
            topics=topics,
            difficulty=difficulty,
            reveal=reveal,
            stages=stages,
        )
        await runner.run(interaction, command)

    @daily.command(name="off", description="Stop the daily question here (Manage Server).")
    @app_commands.check(require_manage_server)
    async def daily_off(interaction: Interaction) -> None:
        await runner.run(interaction, Daily("off"))

    @daily.command(name="now", description="Post today's question now (Manage Server).")
    @app_commands.check(require_manage_server)
    async def daily_now(interaction: Interaction) -> None:
        await runner.run(interaction, Daily("now"))

    @daily.command(name="status", description="When the next daily question comes.")
    async def daily_status(interaction: Interaction) -> None:
        await runner.run(interaction, Daily("status"))


def _add_groups(interview: app_commands.Group, runner: CommandRunner) -> None:
    group = app_commands.Group(name="group", description="Study groups.", parent=interview)

    def named(action: str, description: str) -> None:
        @app_commands.describe(name="The group's name")
        async def handler(interaction: Interaction, name: app_commands.Range[str, 1, 80]) -> None:
            await runner.run(interaction, Group(action, name))

        group.command(name=action, description=description)(handler)

    named("create", "Create a study group.")
    named("join", "Join a study group.")
    named("leave", "Leave a study group.")

    @group.command(name="list", description="The study groups here and yours.")
    async def group_list(interaction: Interaction) -> None:
        await runner.run(interaction, Group("list"))


def _add_privacy(interview: app_commands.Group, runner: CommandRunner) -> None:
    privacy = app_commands.Group(name="privacy", description="Your data.", parent=interview)

    @privacy.command(name="export", description="Get a copy of your data.")
    async def export(interaction: Interaction) -> None:
        await runner.run(interaction, Privacy("export"))

    @privacy.command(name="delete", description="Delete your data.")
    async def delete(interaction: Interaction) -> None:
        await runner.run(interaction, Privacy("delete"))


def _add_review(interview: app_commands.Group, runner: CommandRunner, zones: Any) -> None:
    review = app_commands.Group(
        name="review", description="Spaced review of what you missed.", parent=interview
    )

    @review.command(name="start", description="A round of your due review cards.")
    @app_commands.describe(count=f"At most this many cards ({MIN_COUNT}-{MAX_COUNT})")
    async def start(
        interaction: Interaction, count: app_commands.Range[int, 1, 20] | None = None
    ) -> None:
        await runner.run(interaction, Review(count))

    @review.command(name="remind", description="A private nudge once a day when cards are due.")
    @app_commands.describe(time="Local time, HH:MM (24-hour)", tz="IANA time zone")
    @app_commands.autocomplete(tz=zones)
    async def remind(interaction: Interaction, time: str, tz: str | None = None) -> None:
        await runner.run(interaction, ReviewRemind(time, tz))

    @review.command(name="remind-off", description="No more review nudges.")
    async def remind_off(interaction: Interaction) -> None:
        await runner.run(interaction, ReviewRemind(None))


class IdleRunner:
    """A runner for building the tree where nothing runs (command sync)."""

    async def run(self, interaction: Interaction, command: Command) -> None:
        raise RuntimeError("commands do not run during sync")

    def topic_names(self) -> Sequence[tuple[str, str]]:
        return ()
