"""A chat that cannot read thread replies gets texts that point at the Answer button."""

from __future__ import annotations

from datetime import timedelta

from tests.support.harness import Harness


async def test_intros_ask_for_thread_replies_where_the_chat_reads_them(h: Harness) -> None:
    await h.command("mock 2")
    assert "Answer each one by replying in this thread." in h.chat.sent[0].text


async def test_intros_say_press_answer_where_replies_stay_unread(h: Harness) -> None:
    h.chat.replies_in_thread_readable = False
    await h.command("mock 2")
    intro = h.chat.sent[0].text
    assert "Press Answer under each question to answer it." in intro
    assert "replying" not in intro
    await h.command("daily set time=09:30 tz=UTC days=daily", admin=True)
    await h.advance(timedelta(minutes=31))
    daily = [s for s in h.chat.sent if (s.message.title or "").startswith("Daily question ·")]
    assert len(daily) == 1
    assert "Press Answer to answer." in daily[0].text
    assert "Reply in this thread" not in daily[0].text
    assert [b.label for b in daily[0].message.buttons] == ["Answer"]
