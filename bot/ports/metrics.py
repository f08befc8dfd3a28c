"""Prometheus metrics: what operators watch to know the bot is healthy."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from prometheus_client import start_http_server as _start_http_server

EVENTS = Counter(
    "interview_bot_events_total",
    "Inbound events handled, by platform, kind and outcome.",
    ["platform", "kind", "outcome"],
)
EVENT_SECONDS = Histogram(
    "interview_bot_event_seconds",
    "Time to handle one inbound event, from receipt to the last reply sent.",
    ["platform", "kind"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
ANSWERS_GRADED = Counter(
    "interview_bot_answers_graded_total", "Answers graded, by source.", ["source"]
)
POSTS_SENT = Counter(
    "interview_bot_posts_sent_total",
    "Scheduled posts sent, by platform and kind.",
    ["platform", "kind"],
)
RATE_LIMITED = Counter(
    "interview_bot_platform_rate_limited_total",
    "Responses with HTTP 429 from a platform API.",
    ["platform"],
)
SCHEDULER_LAG = Histogram(
    "interview_bot_scheduler_lag_seconds",
    "Delay from a daily question's scheduled time to its post.",
    buckets=(0.5, 1, 2, 5, 10, 30, 60, 300, 1800, 3600, 21600),
)


def render() -> tuple[bytes, str]:
    """The exposition body and its content type, for an adapter's /metrics route."""
    return generate_latest(), CONTENT_TYPE_LATEST


def serve(port: int, host: str = "0.0.0.0") -> None:
    """A port of its own, for processes with no HTTP server (the Discord gateway)."""
    _start_http_server(port, addr=host)
