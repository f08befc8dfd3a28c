"""A user's own data: exported as a file; deleted only after they confirm."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from tests.bot.test_daily import post_thread, question_of, schedule
from tests.support.harness import Harness, answer_covering


async def answered_daily(h: Harness, users: list[str]) -> None:
    h.clock.set(datetime(2026, 3, 2, 7, 0, tzinfo=UTC))
    await schedule(h)
    await h.advance(timedelta(hours=2))
    for user in users:
        await h.say(answer_covering(h.bank, question_of(h)), post_thread(h), user=user)


async def test_export_sends_the_users_own_data_as_a_file(h_memory: Harness) -> None:
    h = h_memory
    await answered_daily(h, ["ann", "ben"])
    await h.command("group create owls", user="ann")
    await h.command("privacy export", user="ann")
    message = h.chat.private_to("ann")[-1].message
    assert message.attachment is not None
    assert message.attachment.filename == "interview-bot-data-ann.json"
    data = json.loads(message.attachment.data)
    assert data["user"]["id"] == "ann"
    assert len(data["answers"]) == 1
    assert data["answers"][0]["kind"] == "daily"
    assert set(data["answers"][0]) == {
        "question_id",
        "kind",
        "follow_up",
        "text",
        "score",
        "points",
        "counted",
        "covered",
        "missed",
        "advice",
        "created_at",
    }
    assert sorted(data["groups"]) == ["#c1", "owls"]
    assert [s["group"] for s in data["streaks"]] == ["#c1"]
    assert "ben" not in message.attachment.data.decode()


async def test_delete_asks_first_and_only_the_owner_can_confirm(h_memory: Harness) -> None:
    h = h_memory
    await answered_daily(h, ["ann", "ben"])
    await h.command("privacy delete", user="ann")
    ask = h.chat.private_to("ann")[-1].message
    assert ask.title == "Delete your data?"
    confirm, cancel = ask.buttons
    await h.press(cancel.action_id, cancel.value, user="ann")
    assert h.chat.private_to("ann")[-1].message.body == "Nothing was deleted."
    await h.press(confirm.action_id, confirm.value, user="ben")
    assert "Only the person who asked" in h.chat.private_to("ben")[-1].message.body
    await h.command("leaderboard", user="ben")
    assert "Ann" in h.chat.private_to("ben")[-1].message.body
    await h.press(confirm.action_id, confirm.value, user="ann")
    done = h.chat.private_to("ann")[-1].message.body
    assert done.startswith("Deleted 1 answer, 1 streak and 1 group membership.")
    await h.command("leaderboard", user="ben")
    board = h.chat.private_to("ben")[-1].message.body
    assert "Ann" not in board
    assert board.startswith("1. Ben")
    await h.command("stats", user="ann")
    assert "has not answered anything yet" in h.chat.private_to("ann")[-1].message.body


async def test_privacy_needs_a_known_action(h_memory: Harness) -> None:
    h = h_memory
    await h.command("privacy")
    assert "`/interview privacy export`" in h.chat.private_to("alice")[-1].message.body


async def test_a_user_deleted_by_another_process_is_recreated_not_crashed_on(
    h_both: Harness,
) -> None:
    h = h_both
    first = h.new_engine()
    await h.command("topics", user="ann")  # this process now knows ann's ids
    other = h.new_engine()
    await h.command("privacy delete", user="ann")
    confirm = h.chat.private_to("ann")[-1].message.buttons[0]
    await h.press(confirm.action_id, confirm.value, user="ann")
    h.engine = first  # back to the process whose cache still holds ann
    await h.command("mock metrics 1", user="ann")
    assert h.chat.threads, "the round started for a freshly recreated ann"
    assert other is not first
