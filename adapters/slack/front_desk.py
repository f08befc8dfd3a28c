"""Acks that need nothing from the engine, given by the receiving process itself.

Most of what Slack sends (thread answers, commands, clicks, form submissions, the home tab)
is acked with an empty 200 once it is kept in the inbox; what the engine then does with it
happens after the ack. The front desk does exactly that in the receiving process for
workspaces bolt has already authorised: check the signature, keep the item through a keeper
of the receiver's own, hand the item over to the engine's process, answer 200. Everything else
(the first request from a workspace, URL verification, a click that opens a form, uninstalls,
anything it cannot check) goes to bolt in the engine's process as before, so bolt still
decides every case that needs a decision.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Final

from slack_bolt import BoltResponse
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from adapters.slack.inbox import ACTION, COMMAND, FORM, HOME, MESSAGE, to_item
from bot.inbox import Inbox
from bot.ports.clock import Clock
from bot.ports.records import InboxItem
from bot.ports.storage import DATABASE_DOWN, StorageError

log = logging.getLogger(__name__)

# The kinds whose listener does nothing but ack (the middleware queues their work).
PLAIN_ACKS: Final = frozenset({COMMAND, MESSAGE, ACTION, FORM, HOME})


class KnownTeams:
    """Workspaces whose requests bolt authorised in this process and that were not lost since
    (uninstalled, token revoked). The engine's process learns them; the receiving process
    holds a copy, told of every change (`watch`). A stale copy only sends a request the slow
    way, through bolt."""

    def __init__(self) -> None:
        self._teams: set[str] = set()
        self._watchers: list[Callable[[str, bool], None]] = []

    def watch(self, watcher: Callable[[str, bool], None]) -> None:
        """Call watcher(team, known) on every change, after telling it of the teams known now."""
        for team in sorted(self._teams):
            watcher(team, True)
        self._watchers.append(watcher)

    def add(self, team: str) -> None:
        if team and team not in self._teams:
            self._teams.add(team)
            self._tell(team, True)

    def discard(self, team: str) -> None:
        if team in self._teams:
            self._teams.discard(team)
            self._tell(team, False)

    def __contains__(self, team: object) -> bool:
        return team in self._teams

    def _tell(self, team: str, known: bool) -> None:
        for watcher in self._watchers:
            watcher(team, known)


class FrontDesk:
    def __init__(
        self,
        *,
        signing_secret: str,
        teams: KnownTeams,
        keeper: Inbox,
        clock: Clock,
        hand_over: Callable[[InboxItem], None],
    ) -> None:
        self._verifier = SignatureVerifier(signing_secret)
        self._teams = teams
        self._keeper = keeper
        self._clock = clock
        self._hand_over = hand_over
        self.taken = 0

    async def take(self, request: AsyncBoltRequest) -> BoltResponse | None:
        """The ack of a request kept here; None when bolt should see it instead."""
        if not self._signed(request):
            return None  # bolt refuses it, and logs why
        context, team = request.context, request.context.team_id
        if not team or context.is_enterprise_install or team not in self._teams:
            return None
        item = to_item(request.body, context, team, self._clock.now())
        if item is None or item.kind not in PLAIN_ACKS:
            return None
        try:
            await self._keeper.keep(item)
        except (*DATABASE_DOWN, StorageError) as exc:
            log.warning("a Slack request could not be kept (%s)", type(exc).__name__)
            return BoltResponse(status=503, body="busy")
        self._hand_over(item)
        self.taken += 1
        return BoltResponse(status=200, body="")

    def _signed(self, request: AsyncBoltRequest) -> bool:
        timestamp = _first(request, "x-slack-request-timestamp")
        signature = _first(request, "x-slack-signature")
        try:
            return self._verifier.is_valid(request.raw_body, timestamp, signature)
        except ValueError:
            return False  # a timestamp that is not a number


def _first(request: AsyncBoltRequest, name: str) -> str | None:
    values = request.headers.get(name)
    return values[0] if values else None
