"""Many interactions at once: each is acknowledged inside Discord's three seconds."""

from __future__ import annotations

import asyncio

import pytest

from adapters.discord import bridge
from tests.adapters.discord.conftest import StartRuntime
from tests.adapters.discord.standin import Call, FakeDiscord

CALLBACK = r"/interactions/{}/[^/]+/callback"
EDIT_ORIGINAL = r"/webhooks/\d+/[^/]+/messages/@original"
MEMBERS = 12


async def test_past_the_busy_mark_interactions_are_acknowledged_at_once(
    fake: FakeDiscord, start_runtime: StartRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bridge, "BUSY_IN_FLIGHT", 2)
    await start_runtime(defer_after=30.0)  # the timer alone would answer far too late
    ids = await asyncio.gather(*(fake.slash(f"member{n}", ["topics"]) for n in range(MEMBERS)))
    await fake.wait_for(lambda: all(i in fake.first_response_s for i in ids), within=20.0)
    assert max(fake.first_response_s[i] for i in ids) < 3.0, fake.first_response_s
    kinds = [fake.calls_to("POST", CALLBACK.format(i))[0].body["type"] for i in ids]
    assert 5 in kinds, "some were acknowledged before their answer was ready"
    # Everyone still gets the topics: as the first response, or in place of the placeholder.
    deferred = kinds.count(5)

    def all_edited() -> list[Call]:
        found = fake.calls_to("PATCH", EDIT_ORIGINAL)
        return found if len(found) >= deferred else []

    edited = await fake.wait_for(all_edited)
    assert kinds.count(4) + len(edited) == MEMBERS
    assert all("Topics" in str(call.body) for call in edited)


async def test_one_interaction_at_a_time_is_answered_directly(
    fake: FakeDiscord, start_runtime: StartRuntime
) -> None:
    await start_runtime(defer_after=30.0)
    topics = await fake.slash("alice", ["topics"])
    await fake.wait_for(lambda: topics in fake.first_response_s)
    assert fake.calls_to("POST", CALLBACK.format(topics))[0].body["type"] == 4
