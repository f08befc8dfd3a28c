"""Limits on commands that post publicly or cost work, so one person (or one channel) cannot
flood a channel with threads or keep the bot busy: new rounds, `daily now`, stats pictures and
data exports.

Counts live in the database, one row per (who, action, window), bumped atomically, so every
replica sees the same count. Windows are fixed (10 minutes, an hour): simple, and the defaults
sit far above what a real study group does. Admins get a multiple of each limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from bot import views
from bot.turn import Turn

Scope = Literal["user", "channel"]


@dataclass(frozen=True)
class Limit:
    count: int  # 0 turns the limit off
    per: timedelta
    scope: Scope


@dataclass(frozen=True)
class LimitRules:
    """Each action's limits, and how many times more an admin may do it."""

    actions: Mapping[str, tuple[Limit, ...]]
    admin_factor: int = 4

    @classmethod
    def defaults(
        cls,
        rounds_per_user: int = 5,
        rounds_per_channel: int = 20,
        daily_now_per_channel: int = 3,
        stats_per_user: int = 10,
        exports_per_user: int = 3,
        admin_factor: int = 4,
    ) -> LimitRules:
        ten_minutes, hour = timedelta(minutes=10), timedelta(hours=1)
        return cls(
            {
                "new round": (
                    Limit(rounds_per_user, ten_minutes, "user"),
                    Limit(rounds_per_channel, ten_minutes, "channel"),
                ),
                "daily now": (Limit(daily_now_per_channel, hour, "channel"),),
                "stats": (Limit(stats_per_user, ten_minutes, "user"),),
                "data export": (Limit(exports_per_user, hour, "user"),),
            },
            admin_factor,
        )


_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def window_start(now: datetime, per: timedelta) -> datetime:
    """The start of the fixed window `now` falls in (windows count from a fixed epoch)."""
    return now - (now - _EPOCH) % per


class RateLimits:
    def __init__(self, rules: LimitRules) -> None:
        self._rules = rules

    async def allow(self, turn: Turn, action: str) -> bool:
        """Count this attempt; False (and a private note saying when to retry) over a limit."""
        counted: list[tuple[str, datetime]] = []
        for limit in self._rules.actions.get(action, ()):
            if limit.count <= 0:
                continue
            allowed = limit.count * (self._rules.admin_factor if turn.actor.is_admin else 1)
            key = (
                f"user:{turn.ids.user_id}"
                if limit.scope == "user"
                else f"channel:{turn.ids.channel_id}"
            )
            start = window_start(turn.now, limit.per)
            used = await turn.uow.limits.hit(key, action, start)
            if used > allowed:
                # What was not done spends nobody's other allowance.
                for other_key, other_start in counted:
                    await turn.uow.limits.give_back(other_key, action, other_start)
                wait = max(1, int((start + limit.per - turn.now).total_seconds() + 0.999))
                turn.tell(views.rate_limited(action, allowed, limit.per, limit.scope, wait))
                return False
            counted.append((key, start))
        return True
