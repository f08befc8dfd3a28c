"""Payload translation: which messages are answers, and ids that dedupe retries."""

from __future__ import annotations

import pytest

from adapters.slack import translate
from bot.events import Actor

ALICE = Actor("UALICE", "Alice")
REPLY = {"type": "message", "user": "UALICE", "text": "hi", "ts": "2.0", "thread_ts": "1.0"}


@pytest.mark.parametrize(
    ("change", "is_answer"),
    [
        ({}, True),
        ({"subtype": "thread_broadcast"}, True),
        ({"subtype": "message_changed"}, False),
        ({"subtype": "message_deleted"}, False),
        ({"subtype": "bot_message", "bot_id": "B1"}, False),
        ({"bot_id": "B1"}, False),
        ({"thread_ts": "2.0"}, False),
        ({"thread_ts": None}, False),
        ({"user": None}, False),
    ],
)
def test_only_a_persons_new_thread_reply_is_an_answer(
    change: dict[str, object], is_answer: bool
) -> None:
    assert translate.is_thread_reply(REPLY | change) is is_answer


def test_a_reply_becomes_a_message_in_its_thread() -> None:
    posted = translate.message_posted(REPLY | {"channel": "C1"}, "T1", ALICE, "Ev1")
    assert (posted.place.channel, posted.place.thread, posted.message_id) == ("C1", "1.0", "2.0")
    assert posted.event_id == "Ev1"


def test_a_command_without_a_trigger_id_is_never_deduplicated_with_others() -> None:
    body = {"channel_id": "C1", "channel_name": "general", "text": " mock 3 "}
    command = translate.slash_command(body, "T1", ALICE)
    assert command.text == "mock 3"
    assert command.event_id is None
    assert translate.slash_command(body | {"trigger_id": "t.1"}, "T1", ALICE).event_id == "cmd:t.1"


def test_a_modal_with_foreign_metadata_is_ignored() -> None:
    body = {"view": {"id": "V1", "private_metadata": "not json", "state": {"values": {}}}}
    assert translate.modal_submitted(body, "T1", ALICE) is None
