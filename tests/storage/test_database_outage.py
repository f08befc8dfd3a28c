"""The database unreachable for 30 s: events fail cleanly, nothing half-written, then recovery."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from bot.ports.clock import ManualClock
from storage.database import create_engine
from storage.models import Answer, RoundQuestion
from tests.support.databases import POSTGRES_URL, migrated_database
from tests.support.harness import START, Harness, fixture_bank
from tests.support.tcp_proxy import TcpProxy

OUTAGE_S = 30

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
async def through_proxy(tmp_path: Path) -> AsyncIterator[tuple[Harness, TcpProxy]]:
    async with migrated_database("postgres", tmp_path) as (direct, _url):
        async with direct.connect() as conn:
            schema = (await conn.execute(text("select current_schema()"))).scalar_one()
        target = make_url(POSTGRES_URL)
        proxy = TcpProxy(target.host or "127.0.0.1", target.port or 5432)
        await proxy.start()
        proxied = make_url(POSTGRES_URL).set(host="127.0.0.1", port=proxy.port)
        database = create_engine(
            proxied.render_as_string(hide_password=False),
            connect_args={"server_settings": {"search_path": schema}, "timeout": 5},
        )
        try:
            yield Harness(database, fixture_bank(), ManualClock(START)), proxy
        finally:
            await proxy.cut()
            await database.dispose()


async def count_answers(h: Harness) -> int:
    async with h.uow() as uow:
        return int((await uow.session.execute(select(func.count(Answer.id)))).scalar_one())


async def test_events_fail_cleanly_and_the_bot_recovers(
    through_proxy: tuple[Harness, TcpProxy],
) -> None:
    h, proxy = through_proxy
    await h.command("mock metrics 2")
    thread = h.thread
    answer = h.good_answer()
    await proxy.cut()
    for _ in range(3):  # answers arrive during the outage
        await h.say(answer, thread)
        await asyncio.sleep(OUTAGE_S / 3)
    notices = [s.message.body for s in h.chat.private_to("alice")]
    assert (
        notices.count(
            "Sorry, I can't reach my database right now, so nothing was saved. "
            "Please try again in a minute."
        )
        == 3
    )
    assert await h.engine.tick() == 0, "scheduled work waits instead of crashing"
    await proxy.restore()
    assert await count_answers(h) == 0, "nothing half-written"
    await h.say(answer, thread)
    assert await count_answers(h) == 1
    async with h.uow() as uow:
        asked = list((await uow.session.execute(select(RoundQuestion))).scalars())
    assert asked[0].score is not None
    assert any((s.message.title or "").startswith("Score: ") for s in h.chat.sent)
