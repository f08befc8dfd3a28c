"""Mentions and markup from users and from a workspace's own pack stay inert wherever the
bot repeats them on Discord: no pings, and no link whose target hides behind its text."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from bot.app.config import Settings
from bot.app.root import build_app
from bot.ports.clock import ManualClock
from tests.adapters.discord.conftest import StartRuntime
from tests.adapters.discord.flows import thread_messages, would_ping
from tests.adapters.discord.standin import FakeDiscord
from tests.support.harness import START
from tests.support.hostile import HOSTILE, hostile_bank

# The hostile link as Discord would render it: unescaped brackets before its parenthesis.
DISGUISED_LINK = re.compile(r"(?<!\\)\[free prize(?:\\)?\]\(https://evil")


async def test_discord_never_lets_hostile_text_ping_or_link(
    tmp_path: Path, fake: FakeDiscord, start_runtime: StartRuntime
) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'hostile.db'}")
    app = await build_app(settings, clock=ManualClock(START), bank=hostile_bank(tmp_path))
    try:
        await start_runtime(app=app)
        fake.user("mallory", display=HOSTILE)
        await fake.slash("mallory", ["mock"], {"topic": "hostile", "count": 1})
        thread_id: int = await fake.wait_for(lambda: next(iter(fake.threads), None))
        await fake.wait_for(
            lambda: [m for m in thread_messages(fake, thread_id) if "recall" in m.text()]
        )
        await fake.slash("mallory", ["hint"], channel_id=thread_id)
        await fake.say("mallory", thread_id, f"Actual positives found. {HOSTILE}")
        await fake.wait_for(
            lambda: any(m.title.startswith("Score: ") for m in thread_messages(fake, thread_id))
        )
        await fake.slash("mallory", ["group", "create"], {"name": HOSTILE[:80]})
        await fake.slash("mallory", ["leaderboard"], {"period": "all"})
        await fake.slash("mallory", ["stats"])
        await fake.wait_for(lambda: len(fake.ephemerals()) >= 3)
    finally:
        await app.close()
    bodies = _sent_bodies(fake)
    assert any("What is recall?" in json.dumps(b) for b in bodies)
    for body in bodies:
        assert body.get("allowed_mentions") is not None, body
        assert would_ping(body) == [], body
        assert DISGUISED_LINK.search(json.dumps(body)) is None, body


def _sent_bodies(fake: FakeDiscord) -> list[dict[str, Any]]:
    calls = fake.calls_to("POST", r"/channels/\d+/messages")
    calls += fake.calls_to("PATCH", r"/webhooks/\d+/[^/]+/messages/.+")
    calls += fake.calls_to("POST", r"/webhooks/\d+/[^/]+")
    calls += [c for c in fake.calls_to("POST", r"/interactions/.*") if c.body.get("data")]
    bodies = []
    for call in calls:
        body = (
            call.body.get("data", call.body) if call.path.startswith("/interactions") else call.body
        )
        if "content" in body or "embeds" in body:
            bodies.append(body)
    assert bodies
    return bodies
