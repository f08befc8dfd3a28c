"""The inbox's rules on the in-memory unit of work: grouped writes, removal, items left behind."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.commands import Daily, DailySet, Mock
from bot.events import (
    Actor,
    ButtonPressed,
    InboundEvent,
    MessagePosted,
    ModalSubmitted,
    Place,
    SlashCommand,
)
from bot.inbox import Inbox
from bot.inbox.codec import Reply, decode, encode
from bot.inbox.events import decode_event, encode_event
from bot.inbox.keeper import MAX_ATTEMPTS
from bot.messages import AnswerForm, Attachment, Button, ButtonStyle, Field, Image, RichMessage
from bot.ports.chat import UserRef
from bot.ports.clock import ManualClock
from bot.ports.records import InboxItem
from questions.schema import Difficulty
from tests.support.harness import Harness
from tests.support.memory import MemoryDatabase

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)


def item(n: int, platform: str = "slack") -> InboxItem:
    return InboxItem(platform, f"Ev{n:04d}", "message", f'{{"n": {n}}}', START)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def db() -> MemoryDatabase:
    return MemoryDatabase()


async def pending(db: MemoryDatabase) -> int:
    async with db() as uow:
        return await uow.inbox.pending()


async def test_items_kept_together_share_one_write_and_are_gone_once_done(
    db: MemoryDatabase, clock: ManualClock
) -> None:
    inbox = Inbox(db, clock, LEASE)
    items = [item(n) for n in range(200)]
    await asyncio.gather(*(inbox.keep(i) for i in items))
    assert inbox.kept == 200
    assert inbox.groups <= 2  # the first request's own write, then everyone who came meanwhile
    assert await pending(db) == 200
    for i in items[:150]:
        inbox.done(i)
    await inbox.flush()
    assert await pending(db) == 50


async def test_an_item_left_behind_is_handled_once_its_lease_ran_out(
    db: MemoryDatabase, clock: ManualClock
) -> None:
    first_run = Inbox(db, clock, LEASE)
    await first_run.keep(item(1))  # acked, then the process died before handling it
    handled: list[str] = []

    async def handle(found: InboxItem) -> None:
        handled.append(found.key)

    restarted = Inbox(db, clock, LEASE)
    restarted.serve("slack", handle)
    assert await restarted.sweep() == 0  # still leased to the process that kept it
    clock.advance(LEASE)
    assert await restarted.sweep() == 1
    await restarted.flush()
    assert handled == ["Ev0001"]
    clock.advance(LEASE)
    assert await restarted.sweep() == 0
    assert await pending(db) == 0


async def test_a_failing_item_is_tried_again_and_dropped_after_its_attempts(
    db: MemoryDatabase, clock: ManualClock
) -> None:
    died = Inbox(db, clock, LEASE)  # kept them, then died
    await died.keep(item(1))
    await died.keep(item(2, platform="discord"))  # no handler here: never taken
    inbox = Inbox(db, clock, LEASE)
    tries = 0

    async def broken(found: InboxItem) -> None:
        nonlocal tries
        tries += 1
        raise RuntimeError("the platform said no")

    inbox.serve("slack", broken)
    for _ in range(MAX_ATTEMPTS + 1):
        clock.advance(LEASE)
        await inbox.sweep()
        await inbox.flush()
    assert tries == MAX_ATTEMPTS
    async with db() as uow:
        left = await uow.inbox.lease(["slack", "discord"], clock.now(), clock.now(), 10)
    assert [i.key for i in left] == ["Ev0002"]


async def test_the_sweeper_runs_in_the_background_until_closed(
    db: MemoryDatabase, clock: ManualClock
) -> None:
    await Inbox(db, clock, LEASE).keep(item(7))
    clock.advance(LEASE)
    seen = asyncio.Event()

    async def handle(found: InboxItem) -> None:
        seen.set()

    inbox = Inbox(db, clock, LEASE)
    inbox.serve("slack", handle)
    inbox.start(every_s=0.01)
    await asyncio.wait_for(seen.wait(), 5)
    await inbox.close()
    assert await pending(db) == 0


def test_a_lease_must_be_positive(db: MemoryDatabase, clock: ManualClock) -> None:
    with pytest.raises(ValueError, match="positive"):
        Inbox(db, clock, timedelta(0))


async def handled_then_died(h: Harness, command: str, user: str = "alice") -> Inbox:
    """The command handled and committed with its inbox item kept, then the process died
    before its replies went out: an inbox of another process, ready to take the item."""
    died = Inbox(h.uow, h.clock, LEASE)
    await died.keep(InboxItem("test", "ev-died", "command", "{}", h.clock.now()))
    await h.engine.handle(SlashCommand(h.place(), h.actor(user), command, "ev-died"), h.chat)
    inbox = Inbox(h.uow, h.clock, LEASE, chats=h.engine.chats)

    async def never(found: InboxItem) -> None:
        raise AssertionError("a committed event must not be handled again")

    inbox.serve("test", never)
    return inbox


async def taken_after_its_lease(h: Harness, inbox: Inbox) -> None:
    h.clock.advance(LEASE)
    assert await inbox.sweep() == 1
    await inbox.flush()


async def test_replies_committed_with_an_event_are_sent_by_whoever_takes_its_item(
    h_memory: Harness,
) -> None:
    h = h_memory
    inbox = await handled_then_died(h, "help")
    sent_first = [s.message for s in h.chat.sent]
    h.chat.clear()
    await taken_after_its_lease(h, inbox)
    assert [s.message for s in h.chat.sent] == sent_first
    assert await pending_in(h) == 0


async def test_a_direct_message_owed_by_a_committed_event_goes_to_the_person(
    h_memory: Harness,
) -> None:
    h = h_memory
    await h.command("pair", user="bob")
    await h.command("pair cancel", user="bob")
    inbox = await handled_then_died(h, "pair with bob")  # Alice invites Bob: a DM to him
    [first] = [s for s in h.chat.direct_to("bob") if s.message.buttons]
    h.chat.clear()
    await taken_after_its_lease(h, inbox)
    [again] = [s for s in h.chat.sent if s.kind == "direct"]
    assert again.to_user == "bob"
    assert again.message == first.message
    assert not [s for s in h.chat.sent if s.place.channel.startswith("@") and s.kind != "direct"]


def test_a_reply_survives_its_round_trip_through_text() -> None:
    message = RichMessage(
        "**Score** 80/100",
        title="Feedback",
        fields=(Field("Covered", "bias, variance"), Field("Missed", "noise", inline=False)),
        buttons=(
            Button("Answer", "round:answer", "7", ButtonStyle.PRIMARY, AnswerForm("A", "B", "C")),
            Button("End", "round:end", "7", ButtonStyle.DANGER),
        ),
        context="Question 1 of 2",
        image=Image("heat.png", b"\x89PNG\x00\xff", "a heatmap"),
        attachment=Attachment("data.json", b'{"a": 1}'),
        mention_user_id="U1",
        fallback="Feedback: 80",
    )
    reply = Reply(Place("slack", "T1", "C1", "171.1", "general"), message, "U1")
    direct = Reply(reply.place, message, None, UserRef("slack", "T1", "U2", "C1"))
    back, back_direct = decode(encode([reply, direct]))
    assert back == reply
    assert back_direct == direct
    assert back.message.fallback == "Feedback: 80"


async def pending_in(h: Harness) -> int:
    async with h.uow() as uow:
        return int(await uow.inbox.pending())


@pytest.mark.parametrize(
    "event",
    [
        SlashCommand(Place("discord", "G1", "C1", None, "general"), Actor("U1", "Ann"), "mock 2"),
        SlashCommand.typed(
            Place("discord", "G1", "C1"),
            Actor("U1", "Ann", is_admin=True),
            Mock(topic="statistics", count=3, difficulty=Difficulty("hard"), loop=True),
            "1234",
        ),
        SlashCommand.typed(Place("discord", "G1", "C1"), Actor("U1", "A"), Daily("set", ("a",))),
        SlashCommand.typed(Place("discord", "G1", "C1"), Actor("U1", "A"), DailySet(tz="UTC")),
        MessagePosted(Place("discord", "G1", "C1", "T1"), Actor("U2", "Bo"), "an answer", "9", "9"),
        ButtonPressed(Place("discord", "G1", "C1", "T1"), Actor("U2", "Bo"), "round:skip", "4"),
        ModalSubmitted(Place("discord", "G1", "C1"), Actor("U2", "Bo"), "daily:answer", "5", "x"),
    ],
)
def test_an_event_survives_its_round_trip_through_text(event: InboundEvent) -> None:
    assert decode_event(encode_event(event)) == event


async def test_items_this_process_is_still_handling_are_never_taken_twice(
    db: MemoryDatabase, clock: ManualClock
) -> None:
    inbox = Inbox(db, clock, LEASE)
    slow, failed = item(1), item(2)
    await inbox.keep(slow)  # acked, its handling queued behind a long backlog
    await inbox.keep(failed)
    handled: list[str] = []

    async def handle(found: InboxItem) -> None:
        handled.append(found.key)

    inbox.serve("slack", handle)
    inbox.release(failed)  # its handling raised: left for whoever takes it
    clock.advance(LEASE)
    assert await inbox.sweep() == 1  # the slow one's lease was renewed, not taken
    assert handled == ["Ev0002"]
    other = Inbox(db, clock, LEASE)  # another replica
    other.serve("slack", handle)
    clock.advance(LEASE / 2)
    assert await other.sweep() == 0
    inbox.done(slow)
    await inbox.flush()
    clock.advance(LEASE)
    assert await other.sweep() == 0
    assert handled == ["Ev0002"]


@pytest.mark.parametrize("inline", [True, False])
async def test_a_keeper_whose_items_another_process_handles_remembers_none_of_them(
    db: MemoryDatabase, clock: ManualClock, inline: bool
) -> None:
    receiving = Inbox(db, clock, LEASE, inline=inline, handled_elsewhere=True)
    handling = Inbox(db, clock, LEASE)
    items = [item(n) for n in range(50)]
    for kept in items:
        await receiving.keep(kept)
    assert receiving.kept == 50
    assert receiving.handling == 0  # a long-running receiver grows no record of what it kept
    assert await pending(db) == 50
    for kept in items:
        handling.adopt(kept)
    assert handling.handling == 50
    for kept in items:
        handling.done(kept)
    await handling.flush()
    assert handling.handling == 0
    assert await pending(db) == 0


async def test_an_item_handled_here_is_not_taken_again_while_its_removal_waits(
    db: MemoryDatabase, clock: ManualClock
) -> None:
    """Handled items are removed a little later; if a lease runs out meanwhile (a long batch
    on a busy machine), the next sweep must not hand the item, and a reply held for it, out
    a second time."""
    earlier = Inbox(db, clock, LEASE)  # the run that acked it, then died
    await earlier.keep(item(1))
    await earlier.flush()
    inbox = Inbox(db, clock, LEASE, held_units=db)
    handled: list[str] = []

    async def handle(found: InboxItem) -> None:
        handled.append(found.key)

    inbox.serve("slack", handle)
    clock.advance(LEASE)
    assert await inbox.sweep() == 1
    clock.advance(LEASE)  # its removal not written yet, its lease gone
    assert await inbox.sweep() == 0
    assert handled == ["Ev0001"]
    await inbox.flush()
    assert await pending(db) == 0
