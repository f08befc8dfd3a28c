"""The receiver's front desk: which requests it acks by itself, and what it keeps first."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from types import TracebackType
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_bolt.request.async_request import AsyncBoltRequest

from adapters.slack.blocks import FORM_PREFIX
from adapters.slack.front_desk import FrontDesk, KnownTeams
from bot.inbox import Inbox
from bot.ports.clock import ManualClock
from bot.ports.records import InboxItem
from bot.ports.storage import StorageError
from tests.adapters.slack.driver import SIGNING_SECRET, signed_headers
from tests.support.memory import MemoryDatabase

TEAM = "T0DESK"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def reply_body(team: str = TEAM, **event: Any) -> str:
    message = {
        "type": "message",
        "channel": "C1",
        "user": "UALICE",
        "text": "bias is error from wrong assumptions",
        "ts": "1700000000.000200",
        "thread_ts": "1700000000.000100",
    } | event
    return json.dumps(
        {"team_id": team, "type": "event_callback", "event_id": "Ev0001", "event": message}
    )


def command_form(team: str = TEAM) -> str:
    return urlencode(
        {
            "team_id": team,
            "channel_id": "C1",
            "user_id": "UALICE",
            "user_name": "alice",
            "command": "/interview",
            "text": "mock 1",
            "response_url": "http://127.0.0.1:9/unused",
            "trigger_id": "trig.desk.1",
        }
    )


def click_form(action_id: str) -> str:
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": "UALICE", "name": "alice"},
        "trigger_id": "trig.desk.2",
        "actions": [{"action_id": action_id, "value": "x"}],
    }
    return urlencode({"payload": json.dumps(payload)})


def request(
    body: str,
    content_type: str = "application/json",
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
    headers: dict[str, str] | None = None,
) -> AsyncBoltRequest:
    signed = signed_headers(body, content_type, secret, timestamp) | (headers or {})
    return AsyncBoltRequest(body=body, headers={k.lower(): v for k, v in signed.items()})


class _Down:
    """A unit of work whose database is away."""

    async def __aenter__(self) -> _Down:
        raise StorageError("the database is away")

    async def __aexit__(
        self, _t: type[BaseException] | None, _e: BaseException | None, _tb: TracebackType | None
    ) -> None:
        return None


class Desk:
    def __init__(self, keeper: Inbox | None = None) -> None:
        self.db = MemoryDatabase()
        self.teams = KnownTeams()
        self.teams.add(TEAM)
        self.handed: list[InboxItem] = []
        self.desk = FrontDesk(
            signing_secret=SIGNING_SECRET,
            teams=self.teams,
            keeper=keeper or Inbox(self.db, ManualClock(START)),
            clock=ManualClock(START),
            hand_over=self.handed.append,
        )

    async def pending(self) -> int:
        async with self.db() as uow:
            return int(await uow.inbox.pending())


async def test_a_thread_answer_from_a_known_workspace_is_kept_handed_over_and_acked() -> None:
    desk = Desk()
    response = await desk.desk.take(request(reply_body()))
    assert response is not None
    assert (response.status, response.body) == (200, "")
    assert await desk.pending() == 1
    assert [(i.kind, i.key) for i in desk.handed] == [("message", "Ev0001")]
    assert json.loads(desk.handed[0].payload)["workspace"] == TEAM
    assert desk.desk.taken == 1


async def test_commands_are_acked_here_too() -> None:
    desk = Desk()
    response = await desk.desk.take(request(command_form(), "application/x-www-form-urlencoded"))
    assert response is not None
    assert response.status == 200
    assert [i.kind for i in desk.handed] == ["command"]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        pytest.param(reply_body(team="T0OTHER"), "application/json", id="unknown-workspace"),
        pytest.param(reply_body(bot_id="B1"), "application/json", id="a-bots-message"),
        pytest.param(reply_body(thread_ts=None), "application/json", id="top-level-message"),
        pytest.param(
            json.dumps({"type": "url_verification", "challenge": "c"}),
            "application/json",
            id="url-verification",
        ),
        pytest.param(
            json.dumps(
                {
                    "team_id": TEAM,
                    "type": "event_callback",
                    "event_id": "Ev0009",
                    "event": {"type": "app_uninstalled"},
                }
            ),
            "application/json",
            id="uninstall",
        ),
        pytest.param(
            click_form(f"{FORM_PREFIX}open"),
            "application/x-www-form-urlencoded",
            id="click-that-opens-a-form",
        ),
    ],
)
async def test_what_needs_a_decision_goes_to_bolt_and_nothing_is_kept(
    body: str, content_type: str
) -> None:
    desk = Desk()
    assert await desk.desk.take(request(body, content_type)) is None
    assert await desk.pending() == 0
    assert desk.handed == []


@pytest.mark.parametrize(
    "forged",
    [
        {"secret": "not-the-signing-secret"},
        {"timestamp": int(time.time()) - 600},
        {"headers": {"X-Slack-Request-Timestamp": "soon"}},
        {"headers": {"X-Slack-Signature": ""}},
    ],
    ids=["wrong-secret", "expired", "timestamp-not-a-number", "no-signature"],
)
async def test_a_request_without_a_good_signature_is_left_to_bolt(forged: dict[str, Any]) -> None:
    desk = Desk()
    assert await desk.desk.take(request(reply_body(), **forged)) is None
    assert await desk.pending() == 0


async def test_a_workspace_forgotten_goes_to_bolt_again() -> None:
    desk = Desk()
    desk.teams.discard(TEAM)
    assert await desk.desk.take(request(reply_body())) is None


async def test_a_request_that_cannot_be_kept_is_refused_and_not_handed_over() -> None:
    desk = Desk(keeper=Inbox(_Down, ManualClock(START), inline=True))  # type: ignore[arg-type]
    response = await desk.desk.take(request(reply_body()))
    assert response is not None
    assert response.status == 503
    assert desk.handed == []
