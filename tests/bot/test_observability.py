"""Metrics an operator scrapes and logs that never leak a token or an answer."""

from __future__ import annotations

import json
import logging

import pytest

from bot.app.logs import JsonFormatter, RedactingFilter, redact
from bot.ports import metrics
from tests.support.harness import Harness


def sample(name: str, **labels: str) -> float:
    body, _ = metrics.render()
    for line in body.decode().splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def test_events_latency_and_answers_are_counted(h_memory: Harness) -> None:
    h = h_memory
    before = sample("interview_bot_events_total", platform="test", kind="message", outcome="ok")
    graded = sample("interview_bot_answers_graded_total", source="mock")
    await h.command("mock metrics 1")
    await h.say(h.good_answer(), h.thread)
    after = sample("interview_bot_events_total", platform="test", kind="message", outcome="ok")
    assert after == before + 1
    assert sample("interview_bot_answers_graded_total", source="mock") == graded + 1
    assert sample("interview_bot_event_seconds_count", platform="test", kind="command") >= 1
    _, content_type = metrics.render()
    assert content_type.startswith("text/plain")


async def test_no_answer_text_is_logged_at_info(
    h_memory: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = h_memory
    secret_answer = "my very private answer about precision and recall 4242"
    with caplog.at_level(logging.INFO):
        await h.command("mock metrics 1")
        await h.say(secret_answer, h.thread)
    assert all("4242" not in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(
    "secret",
    [
        "xoxb-1234567890-abcdefghijkl",
        "xapp-1-A0123-456789-abcdef0123",
        "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GaBcDe.abcdefghijklmnopqrstuvwxyz0123",
        "Bearer sk-abcdefghijklmnop0123456789",
    ],
)
def test_tokens_are_masked_in_any_log_line(secret: str) -> None:
    assert secret not in redact(f"calling the API with {secret} now")
    record = logging.makeLogRecord({"msg": "token is %s", "args": (secret,), "levelname": "INFO"})
    RedactingFilter().filter(record)
    assert secret not in record.getMessage()


def test_json_lines_carry_the_message_and_extras() -> None:
    record = logging.makeLogRecord(
        {
            "msg": "posted %s",
            "args": ("daily",),
            "levelname": "INFO",
            "name": "bot",
            "channel": "C1",
        }
    )
    entry = json.loads(JsonFormatter().format(record))
    assert entry["msg"] == "posted daily"
    assert entry["channel"] == "C1"
    assert entry["level"] == "INFO"
