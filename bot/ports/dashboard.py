"""What the web dashboard reads from storage: its records and its read-side repository.

Kept apart from bot/ports/storage.py so the dashboard's queries sit together; the unit of work
hands them out as `uow.dashboard`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from bot.ports.records import Streak


@dataclass(frozen=True)
class Person:
    id: int
    workspace_id: int
    external_id: str
    display_name: str

    @property
    def name(self) -> str:
        return self.display_name or self.external_id


@dataclass(frozen=True)
class GroupInfo:
    id: int
    workspace_id: int
    name: str
    channel_id: int | None
    timezone: str
    channel_name: str | None = None


@dataclass(frozen=True)
class ChannelDay:
    """One daily question of a channel: when, which, how many answered and how well."""

    post_id: int
    local_date: date
    question_id: str
    answered: int
    mean_score: float | None


@dataclass(frozen=True)
class ScoredAnswer:
    question_id: str
    score: int
    submitted_at: datetime
    points: int = 0


@dataclass(frozen=True)
class AnswerFeedback:
    """A recent answer with what the grader said about it."""

    question_id: str
    kind: str  # daily | mock
    score: int
    submitted_at: datetime
    text: str
    covered: tuple[str, ...]
    missed: tuple[str, ...]
    advice: str


class DashboardReads(Protocol):
    """Read-side queries behind the dashboard's pages; each is one indexed lookup, and a page
    makes as few as it can (each statement is a round trip to the database)."""

    async def person(self, user_id: int) -> Person | None: ...
    async def member_group(self, group_id: int, user_id: int) -> GroupInfo | None:
        """The group with its channel's name, when the user is a member of it; else None."""
        ...

    async def groups_of(self, user_id: int) -> list[GroupInfo]: ...
    async def streaks(self, user_id: int, group_ids: list[int]) -> Mapping[int, Streak]:
        """The user's streak in each of the given groups that has one, by group id (looked up
        by the (group, user) key, not by scanning every group for the user)."""
        ...

    async def channel_days(self, channel_id: int, limit: int) -> list[ChannelDay]:
        """The channel's posted daily questions, newest first, with counted answers."""
        ...

    async def scored_answers(self, user_id: int) -> list[ScoredAnswer]:
        """All of a user's first answers (no follow-ups), oldest first: totals, trends and
        the activity calendar are all shaped from this one read."""
        ...

    async def recent_feedback(self, user_id: int, limit: int) -> list[AnswerFeedback]: ...
