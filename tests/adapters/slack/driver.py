"""Requests to the bot exactly as Slack sends them: form or JSON bodies, signed with
HMAC-SHA256 over `v0:{timestamp}:{body}` in X-Slack-Signature."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp

from tests.adapters.slack.standin import TEAM, Call, FakeSlack

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def signature(secret: str, timestamp: int, body: str) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(
    body: str, content_type: str, secret: str = SIGNING_SECRET, timestamp: int | None = None
) -> dict[str, str]:
    stamp = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(stamp),
        "X-Slack-Signature": signature(secret, stamp, body),
    }


@dataclass
class Sent:
    status: int
    elapsed_s: float
    body: str


class SlackDriver:
    """Plays Slack's part towards the bot's POST /slack/events."""

    def __init__(self, bot_url: str, slack: FakeSlack, team: str = TEAM) -> None:
        self.url = bot_url.rstrip("/") + "/slack/events"
        self.slack = slack
        self.team = team
        self._ids = itertools.count(1)
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> SlackDriver:
        self._session = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self._session is not None:
            await self._session.close()

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):06d}"

    async def send(
        self,
        body: str,
        content_type: str,
        extra: dict[str, str] | None = None,
        secret: str = SIGNING_SECRET,
        timestamp: int | None = None,
    ) -> Sent:
        assert self._session is not None
        headers = signed_headers(body, content_type, secret, timestamp) | (extra or {})
        started = time.perf_counter()
        async with self._session.post(self.url, data=body.encode(), headers=headers) as resp:
            text = await resp.text()
            return Sent(resp.status, time.perf_counter() - started, text)

    # --- what people do -----------------------------------------------------------------------

    async def command(
        self, text: str, user: str = "UALICE", channel: str = "C1", channel_name: str = "general"
    ) -> Sent:
        form = {
            "token": "deprecated-verification-token",
            "team_id": self.team,
            "team_domain": "test",
            "channel_id": channel,
            "channel_name": channel_name,
            "user_id": user,
            "user_name": user.lower(),
            "command": "/interview",
            "text": text,
            "api_app_id": "A0APP",
            "response_url": f"{self.slack.base_url}/response/{self.new_id('r')}",
            "trigger_id": self.new_id("trig."),
        }
        return await self.send(urlencode(form), "application/x-www-form-urlencoded")

    def event_body(self, event: dict[str, Any], event_id: str | None = None) -> str:
        envelope = {
            "token": "deprecated-verification-token",
            "team_id": self.team,
            "api_app_id": "A0APP",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or self.new_id("Ev"),
            "event_time": int(time.time()),
            "authorizations": [{"team_id": self.team, "user_id": "UBOT", "is_bot": True}],
        }
        return json.dumps(envelope)

    async def event(
        self, event: dict[str, Any], event_id: str | None = None, retry: int | None = None
    ) -> Sent:
        extra = {}
        if retry:
            extra = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        return await self.send(self.event_body(event, event_id), "application/json", extra)

    def reply_event(
        self, thread: str, text: str, user: str = "UALICE", channel: str = "C1"
    ) -> dict[str, Any]:
        return {
            "type": "message",
            "channel": channel,
            "channel_type": "channel",
            "user": user,
            "text": text,
            "ts": self.slack.next_ts(),
            "thread_ts": thread,
        }

    async def reply(
        self, thread: str, text: str, user: str = "UALICE", channel: str = "C1"
    ) -> Sent:
        return await self.event(self.reply_event(thread, text, user, channel))

    async def interact(self, payload: dict[str, Any]) -> Sent:
        body = urlencode({"payload": json.dumps(payload)})
        return await self.send(body, "application/x-www-form-urlencoded")

    def _user(self, user: str) -> dict[str, str]:
        return {"id": user, "username": user.lower(), "name": user.lower(), "team_id": self.team}

    async def click(self, message: Call, label: str, user: str = "UALICE") -> Sent:
        button = next(b for b in message.buttons() if b["text"]["text"] == label)
        block_id = next(
            (
                str(block.get("block_id") or "b1")
                for block in message.blocks
                if block.get("type") == "actions" and button in block.get("elements", [])
            ),
            "b1",
        )
        ts = message.ts
        payload = {
            "type": "block_actions",
            "team": {"id": self.team, "domain": "test"},
            "user": {
                "id": user,
                "username": user.lower(),
                "name": user.lower(),
                "team_id": self.team,
            },
            "api_app_id": "A0APP",
            "token": "deprecated-verification-token",
            "container": {
                "type": "message",
                "message_ts": ts,
                "channel_id": message.channel,
                "is_ephemeral": False,
                **({"thread_ts": message.thread_ts} if message.thread_ts else {}),
            },
            "trigger_id": self.new_id("trig."),
            "channel": {"id": message.channel, "name": "general"},
            "message": {
                "type": "message",
                "ts": ts,
                **({"thread_ts": message.thread_ts} if message.thread_ts else {}),
                "blocks": message.blocks,
            },
            "response_url": f"{self.slack.base_url}/response/{self.new_id('r')}",
            "actions": [
                {
                    "type": "button",
                    "action_id": button["action_id"],
                    "block_id": block_id,
                    "value": button["value"],
                    "action_ts": str(time.time()),
                }
            ],
        }
        return await self.interact(payload)

    async def submit(self, opened: Call, text: str, user: str = "UALICE") -> Sent:
        view = opened.view
        payload = {
            "type": "view_submission",
            "team": {"id": self.team, "domain": "test"},
            "user": {
                "id": user,
                "username": user.lower(),
                "name": user.lower(),
                "team_id": self.team,
            },
            "api_app_id": "A0APP",
            "token": "deprecated-verification-token",
            "trigger_id": self.new_id("trig."),
            "view": {
                "id": self.new_id("V"),
                "team_id": self.team,
                "type": "modal",
                "callback_id": view["callback_id"],
                "private_metadata": view["private_metadata"],
                "blocks": view["blocks"],
                "hash": "1.abc",
                "state": {
                    "values": {"answer": {"text": {"type": "plain_text_input", "value": text}}}
                },
            },
        }
        return await self.interact(payload)
