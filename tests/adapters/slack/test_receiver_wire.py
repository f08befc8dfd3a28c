"""The control line between the engine's process and the receiving one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.slack import receiver_wire as wire
from bot.ports.records import InboxItem


def test_an_item_crosses_the_line_unchanged() -> None:
    item = InboxItem(
        "slack", "Ev0001", "message", '{"body": "caf\\u00e9 \\ud83d\\ude00"}', datetime.now(UTC)
    )
    raw = wire.item_line(item)
    assert raw.endswith(b"\n")
    assert raw.count(b"\n") == 1  # one line, whatever the payload holds
    assert wire.item_from(wire.read(raw)) == item


def test_the_config_crosses_the_line_unchanged() -> None:
    config = wire.Config("secret", "sqlite:///bot.inbox.db", 60.0, "http://127.0.0.1:9", "INFO")
    assert wire.config_from(wire.read(wire.config_line(config))) == config


@pytest.mark.parametrize("raw", [b"[1, 2]\n", b"not json\n", b'"text"\n'])
def test_a_line_that_is_not_an_object_is_refused(raw: bytes) -> None:
    with pytest.raises(ValueError, match=r".+"):
        wire.read(raw)


@pytest.mark.parametrize(
    "message",
    [
        {"item": {}},
        {"item": "text"},
        {
            "item": {
                "platform": "slack",
                "key": "k",
                "kind": "m",
                "payload": "{}",
                "received_at": "yesterday",
            }
        },
    ],
)
def test_an_item_that_is_not_whole_is_refused(message: dict[str, object]) -> None:
    with pytest.raises((KeyError, TypeError, ValueError)):
        wire.item_from(message)
