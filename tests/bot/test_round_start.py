"""Starting a round: the round is committed before its intro is posted, so no transaction waits
on the platform; a failed intro or a crash between the two steps never blocks the user."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from typing import Any

from bot.events import Place, SlashCommand
from bot.messages import MessageRef, RichMessage
from bot.rounds.starting import NOT_STARTED
from tests.support.harness import Harness
from tests.support.stored import rounds as rounds_in_db


def seen_at_post(h: Harness) -> list[list[tuple[str, str | None]]]:
    """Make the chat read the stored rounds (status, thread) in a fresh unit of work each
    time it posts; on the in-memory database that unit fails if the event's is still open."""
    seen: list[list[tuple[str, str | None]]] = []
    post = h.chat.post

    async def reading_post(place: Place, message: RichMessage) -> MessageRef:
        seen.append([(r.status, r.thread_ref) for r in await rounds_in_db(h)])
        return await post(place, message)

    h.chat.post = reading_post  # type: ignore[method-assign]
    return seen


def dies_on_post(h: Harness) -> None:
    """The next post never returns: the process stops there, as if it were killed."""

    async def dying_post(place: Place, message: RichMessage) -> MessageRef:
        raise asyncio.CancelledError

    h.chat.post = dying_post  # type: ignore[method-assign]


async def test_the_round_is_committed_before_its_intro_is_posted(h_both: Harness) -> None:
    h = h_both
    seen = seen_at_post(h)
    await h.command("mock metrics 2")
    assert seen == [[("active", None)]], "the intro waits for no open transaction"
    [round_] = await rounds_in_db(h)
    assert round_.thread_ref == h.thread
    assert round_.intro_message_ref == h.chat.sent[0].message_id
    assert h.chat.in_thread(h.thread)[0].message.title == "Question 1 of 2"


async def test_a_loop_round_starts_the_same_way(h_memory: Harness) -> None:
    h = h_memory
    seen = seen_at_post(h)
    await h.command("mock loop")
    assert seen == [[("active", None)]]
    assert (h.chat.in_thread(h.thread)[0].message.title or "").startswith("Question 1 of ")
    assert (await rounds_in_db(h))[0].thread_ref == h.thread


async def test_a_failed_intro_leaves_no_open_round_and_tells_the_user(h_both: Harness) -> None:
    h = h_both
    h.chat.fail_next = 1
    await h.command("mock metrics 2")
    assert [r.status for r in await rounds_in_db(h)] == ["ended"]
    assert [s.message.body for s in h.chat.private_to("alice")] == [NOT_STARTED]
    assert not h.chat.threads
    await h.command("mock metrics 2")
    assert h.chat.in_thread(h.thread)[0].message.title == "Question 1 of 2"
    assert [r.status for r in await rounds_in_db(h)] == ["ended", "active"]


async def test_a_second_start_while_the_first_is_posting_is_told_it_runs(
    h_memory: Harness,
) -> None:
    h = h_memory
    post = h.chat.post

    async def busy_post(place: Place, message: RichMessage) -> MessageRef:
        h.chat.post = post  # type: ignore[method-assign]
        await h.command("mock metrics 2")  # arrives while the intro waits on pacing
        return await post(place, message)

    h.chat.post = busy_post  # type: ignore[method-assign]
    await h.command("mock metrics 2")
    [told] = h.chat.private_to("alice")
    assert "already have a round going" in told.message.body
    assert len(await rounds_in_db(h)) == 1
    assert len(h.chat.threads) == 1


async def dies_mid_start(h: Harness) -> SlashCommand:
    """Start a round whose process dies after the round was committed, before its intro."""
    dies_on_post(h)
    event = SlashCommand(h.place(), h.actor(), "mock metrics 2", h.event_id())
    with contextlib.suppress(asyncio.CancelledError):
        await h.send(event)
    h.new_engine()  # the restart
    del h.chat.post  # whose chat posts again
    return event


async def test_a_start_cut_short_is_not_handled_again(h_both: Harness) -> None:
    h = h_both
    event = await dies_mid_start(h)
    assert [(r.status, r.thread_ref) for r in await rounds_in_db(h)] == [("active", None)]
    await h.send(event)  # the inbox's retry of the same event: it was committed, so skipped
    assert h.chat.sent == []
    assert len(await rounds_in_db(h)) == 1


async def test_a_start_cut_short_blocks_a_new_round_only_briefly(h_both: Harness) -> None:
    h = h_both
    await dies_mid_start(h)
    await h.command("mock metrics 2")
    assert "already have a round going" in h.chat.private_to("alice")[0].message.body
    await h.advance(timedelta(minutes=3))
    await h.command("mock metrics 2")
    assert h.chat.in_thread(h.thread)[0].message.title == "Question 1 of 2"
    states: list[Any] = [(r.status, r.thread_ref is None) for r in await rounds_in_db(h)]
    assert states == [("ended", True), ("active", False)]


async def test_the_idle_sweep_retires_a_start_cut_short(h_memory: Harness) -> None:
    h = h_memory
    await dies_mid_start(h)
    await h.advance(timedelta(minutes=31))
    assert [r.status for r in await rounds_in_db(h)] == ["ended"]
    assert h.chat.sent == [], "nothing to pause, so nothing to say"
    await h.command("review")
    assert "round open here" not in h.chat.all_text()
