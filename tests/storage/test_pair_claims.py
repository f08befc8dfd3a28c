"""The pairing queue on real databases: one request is paired once, whichever replica asks."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.ports.clock import ManualClock
from storage.database import create_engine, session_factory
from storage.export_format import TransferError
from storage.models import User
from storage.pair_models import PairRequest, PairSession
from storage.unit_of_work import UnitOfWorkFactory
from tests.conftest import BACKENDS
from tests.support.databases import POSTGRES_URL, migrated_database
from tests.support.harness import START, Harness, fixture_bank


@pytest.fixture
async def two_replicas(tmp_path: Path) -> AsyncIterator[tuple[Harness, Harness]]:
    """Two engines, each with its own connection pool and caches, on one PostgreSQL schema."""
    async with migrated_database("postgres", tmp_path) as (database, _url):
        async with database.connect() as conn:
            schema = (await conn.execute(text("SHOW search_path"))).scalar_one()
        other = create_engine(
            POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}}
        )
        try:
            bank = fixture_bank()
            replicas = (
                Harness(database, bank, ManualClock(START)),
                Harness(other, bank, ManualClock(START)),
            )
            replicas[1]._ids = itertools.count(10**6)  # its own platform event ids
            yield replicas
        finally:
            await other.dispose()


async def _rows(database: AsyncEngine, model: type) -> list:  # type: ignore[type-arg]
    async with UnitOfWorkFactory(session_factory(database))() as uow:
        return list((await uow.session.execute(select(model).order_by(model.id))).scalars())


@pytest.mark.postgres
async def test_two_replicas_never_pair_one_request_twice(
    two_replicas: tuple[Harness, Harness],
) -> None:
    first, second = two_replicas
    assert first.database is not None
    rounds = 8
    for n in range(rounds):
        await first.command("pair", user=f"waiting{n}")
        # Two members queue at the same moment, each through another replica.
        await asyncio.gather(
            first.command("pair", user=f"left{n}"), second.command("pair", user=f"right{n}")
        )
        sessions = await _rows(first.database, PairSession)
        requests = {r.id: r for r in await _rows(first.database, PairRequest)}
        assert len(sessions) == n + 1, "exactly one pairing per waiting request"
        statuses = Counter(r.status for r in requests.values())
        assert statuses["paired"] == n + 1
        assert statuses["waiting"] == 1, "the one who lost the race waits in the queue"
        loser = next(r for r in requests.values() if r.status == "waiting")
        users = {u.id: u.external_id for u in await _rows(first.database, User)}
        assert users[sessions[-1].user_a_id] == f"waiting{n}"
        name = users[loser.user_id]
        assert {name, users[sessions[-1].user_b_id]} == {f"left{n}", f"right{n}"}
        replica = first if name.startswith("left") else second
        await replica.command("pair cancel", user=name)
        statuses = Counter(r.status for r in await _rows(first.database, PairRequest))
        assert statuses["waiting"] == 0


@pytest.mark.postgres
async def test_a_claim_is_won_once_while_the_other_waits_on_it(
    two_replicas: tuple[Harness, Harness],
) -> None:
    first, second = two_replicas
    await first.command("pair", user="alice")
    assert first.database is not None
    assert second.database is not None
    (request,) = await _rows(first.database, PairRequest)
    one = UnitOfWorkFactory(session_factory(first.database))()
    two = UnitOfWorkFactory(session_factory(second.database))()
    async with one, two:
        assert await one.pairs.claim(request.id, request.user_id)
        racing = asyncio.create_task(two.pairs.claim(request.id, request.user_id))
        await asyncio.sleep(0.3)
        assert not racing.done(), "the second claim waits for the first to commit"
        await one.commit()
        assert await racing is False
        await two.commit()


@pytest.mark.parametrize("kind", BACKENDS)
async def test_an_invitation_keeps_the_reference_of_its_direct_message(
    kind: str, tmp_path: Path
) -> None:
    async with migrated_database(kind, tmp_path) as (database, _url):
        units = UnitOfWorkFactory(session_factory(database))
        ref = json.dumps(["discord", "1" * 19, "2" * 19, "3" * 19])
        async with units() as uow:
            ids = [
                await uow.directory.identify("test", "W1", "C1", "c1", f"u{n}", f"U{n}", START)
                for n in range(2)
            ]
            ws, ch = ids[0].workspace_id, ids[0].channel_id
            later = START + timedelta(minutes=30)
            invite = await uow.pairs.queue(
                ws, ch, ids[0].user_id, None, None, None, ids[1].user_id, START, later
            )
            assert invite.invite_ref is None, "nothing is kept before the message went out"
            await uow.commit()
        async with units() as uow:
            await uow.pairs.set_invite_ref(invite.id, ref)
            await uow.commit()
        async with units() as uow:
            kept = await uow.pairs.get_request(invite.id)
            assert kept is not None
            assert kept.invite_ref == ref
            [due] = await uow.pairs.expired(later)
            assert due.invite_ref == ref, "the sweep that expires it can edit the message"


@pytest.mark.parametrize("kind", BACKENDS)
async def test_queue_blocks_and_counts_round_trip(kind: str, tmp_path: Path) -> None:
    async with migrated_database(kind, tmp_path) as (database, _url):
        units = UnitOfWorkFactory(session_factory(database))
        async with units() as uow:
            ids = [
                await uow.directory.identify("test", "W1", "C1", "c1", f"u{n}", f"U{n}", START)
                for n in range(3)
            ]
            a, b, c = (i.user_id for i in ids)
            ws, ch = ids[0].workspace_id, ids[0].channel_id
            later = START + timedelta(minutes=30)
            queued = await uow.pairs.queue(ws, ch, a, None, "evaluation", None, None, START, later)
            await uow.pairs.queue(ws, ch, c, None, None, None, b, START, later)
            assert [r.id for r in await uow.pairs.candidates(ws, None, b, START)] == [queued.id]
            assert await uow.pairs.candidates(ws, None, b, later) == []
            assert await uow.pairs.next_expiry() == later
            assert await uow.pairs.block(b, a, START)
            assert not await uow.pairs.block(b, a, START)
            assert await uow.pairs.blocked_between(a) == {b}
            assert await uow.pairs.unblock(b, a)
            assert await uow.pairs.claim(queued.id, b)
            assert not await uow.pairs.claim(queued.id, c)
            session = await uow.pairs.open_session(ws, ch, a, b, "evaluation", None, START)
            side = await uow.pairs.add_side(session.id, 0, a, b, "t-roc-auc")
            side.status, side.finished_at, side.interviewer_points = "done", START, 8
            side.checklist = {"1": "covered"}
            side.answer_text = "ranking quality"
            await uow.commit()
        async with units() as uow:
            assert (await uow.pairs.counts(a)).as_interviewer == 1
            assert (await uow.pairs.counts(a)).interviewer_points == 8
            assert (await uow.pairs.counts(b)).as_candidate == 1
            (stored,) = await uow.pairs.sides(session.id)
            assert stored.checklist == {"1": "covered"}
            assert await uow.pairs.forget(a) == 1
            await uow.commit()
        async with units() as uow:
            (stored,) = await uow.pairs.sides(session.id)
            assert stored.interviewer_id is None
            assert stored.checklist == {}
            assert stored.candidate_id == b
            assert stored.answer_text == "ranking quality"
            assert await uow.pairs.waiting_for(ws, a) is None
            assert await uow.pairs.waiting_for(ws, c) is not None


async def test_pair_sessions_and_blocks_survive_export_and_import(tmp_path: Path) -> None:
    from storage.export import export_workspace
    from storage.transfer import import_workspace
    from tests.support.harness import answer_covering
    from tests.support.pair_flow import finish, paired, press, question_of

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    async with migrated_database("sqlite", tmp_path / "a") as (source, _url):
        h = Harness(source, fixture_bank(), ManualClock(START))
        await paired(h, "regularisation medium")
        await h.say(answer_covering(h.bank, question_of(h, "alice")), h.thread, user="bob")
        await press(h, "alice", "Ask follow-up")
        await h.say("An elastic net, when features are correlated.", h.thread, user="bob")
        await finish(h, "alice", "4 Clear.")
        await h.command("stats", user="carol")
        await h.command("pair block Carol", user="bob")
        async with session_factory(source)() as session:
            original = await export_workspace(session, "test", "W1")
    (session_out,) = original["pair_sessions"]
    assert [s["rating"] for s in session_out["sides"]] == [4]
    assert isinstance(session_out["sides"][0]["follow_up_score"], int)
    assert session_out["sides"][0]["candidate"] == "bob"
    assert original["pair_blocks"][0]["user"] == "bob"
    async with migrated_database("sqlite", tmp_path / "b") as (target, _url):
        async with session_factory(target)() as session:
            summary = await import_workspace(session, original)
            await session.commit()
        assert summary.counts()["pair_sessions"] == 1
        async with session_factory(target)() as session:
            assert await export_workspace(session, "test", "W1") == original
        older = json.loads(json.dumps(original))  # written before follow-up grades were kept
        older["workspace"]["id"] = "W3"
        del older["pair_sessions"][0]["sides"][0]["follow_up_score"]
        async with session_factory(target)() as session:
            await import_workspace(session, older)
            await session.commit()
        async with session_factory(target)() as session:
            again = await export_workspace(session, "test", "W3")
        assert again["pair_sessions"][0]["sides"][0]["follow_up_score"] is None
        broken = json.loads(json.dumps(original))
        broken["workspace"]["id"] = "W2"
        broken["pair_sessions"][0]["sides"][0]["candidate"] = "zed"
        with pytest.raises(TransferError, match=r"pair_sessions\[0\]: unknown user 'zed'"):
            async with session_factory(target)() as session:
                await import_workspace(session, broken)
