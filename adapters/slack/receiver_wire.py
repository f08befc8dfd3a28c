"""The control line between the engine's process and the receiving process: JSON, a line each.

The engine's process says first how to receive (`Config`), then which workspaces are known,
whether to refuse requests, and asks to settle (no request in flight) or to sync. The
receiving process answers `ready` (or `error`), hands over every item it kept and acked, and
answers settle and sync. The line is ordered, so an item sent before an answer has been read
before that answer.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from bot.ports.records import InboxItem

# Control lines are short; an item carries Slack's payload (bounded by the 1 MiB body limit).
MAX_LINE_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class Config:
    signing_secret: str
    inbox: str  # where to keep items: storage.inbox_units_at's address
    lease_s: float
    engine_url: str  # the engine's own HTTP app, for every request the front desk leaves
    log_level: str = "WARNING"
    json_logs: bool = False
    heap_trim_s: float = 0.0


def line(message: dict[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":")).encode() + b"\n"


def read(raw: bytes) -> dict[str, Any]:
    message = json.loads(raw)
    if not isinstance(message, dict):
        raise ValueError("a control line must hold a JSON object")
    return message


def config_line(config: Config) -> bytes:
    return line({"config": asdict(config)})


def config_from(message: dict[str, Any]) -> Config:
    return Config(**message["config"])


def item_line(item: InboxItem) -> bytes:
    return line(
        {
            "item": {
                "platform": item.platform,
                "key": item.key,
                "kind": item.kind,
                "payload": item.payload,
                "received_at": item.received_at.isoformat(),
            }
        }
    )


def item_from(message: dict[str, Any]) -> InboxItem:
    fields = message["item"]
    return InboxItem(
        str(fields["platform"]),
        str(fields["key"]),
        str(fields["kind"]),
        str(fields["payload"]),
        datetime.fromisoformat(str(fields["received_at"])),
    )
