"""Slack payloads as engine events. Pure functions: the listeners resolve the actor first.

Every event gets an `event_id` so the engine can drop Slack's retries: the Events API's own
`event_id`, a command's or a click's `trigger_id`, a modal's view id.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from adapters.slack.blocks import ACTS_FOR, ANSWER_BLOCK, ANSWER_INPUT, FORM_PREFIX, unpack_form
from bot.events import Actor, ButtonPressed, MessagePosted, ModalSubmitted, Place, SlashCommand
from bot.messages import AnswerForm

PLATFORM = "slack"
# Message subtypes that are still a person writing in a thread ("also send to channel").
ANSWER_SUBTYPES = frozenset({"thread_broadcast"})

Payload = dict[str, Any]


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _dict(value: Any) -> Payload:
    return value if isinstance(value, dict) else {}


def _event_id(prefix: str, unique: str) -> str | None:
    """An id for deduplication, or none at all: an empty one would swallow every later event."""
    return f"{prefix}:{unique}" if unique else None


def slash_command(body: Payload, workspace: str, actor: Actor) -> SlashCommand:
    place = Place(
        PLATFORM, workspace, _str(body.get("channel_id")), None, _str(body.get("channel_name"))
    )
    text = _str(body.get("text")).strip()
    return SlashCommand(place, actor, text, _event_id("cmd", _str(body.get("trigger_id"))))


def is_thread_reply(event: Payload) -> bool:
    """A person's new message inside a thread: not a bot, not an edit, not another subtype."""
    subtype = event.get("subtype")
    if subtype is not None and subtype not in ANSWER_SUBTYPES:
        return False
    if event.get("bot_id") or event.get("bot_profile") or not _str(event.get("user")):
        return False
    thread, ts = _str(event.get("thread_ts")), _str(event.get("ts"))
    return bool(thread) and thread != ts


def message_posted(event: Payload, workspace: str, actor: Actor, event_id: str) -> MessagePosted:
    place = Place(PLATFORM, workspace, _str(event.get("channel")), _str(event.get("thread_ts")))
    return MessagePosted(place, actor, _str(event.get("text")), _str(event.get("ts")), event_id)


@dataclass(frozen=True)
class OpenForm:
    """A click on a button that opens the answer modal rather than going to the engine."""

    trigger_id: str
    form: AnswerForm
    metadata: dict[str, str]


def _click_place(body: Payload, workspace: str) -> Place:
    """Where a button was pressed; a top-level message's own ts is the thread it roots."""
    container = _dict(body.get("container"))
    message = _dict(body.get("message"))
    channel = _dict(body.get("channel"))
    channel_id = _str(channel.get("id")) or _str(container.get("channel_id"))
    thread = _str(container.get("thread_ts")) or _str(message.get("thread_ts"))
    if not thread and not container.get("is_ephemeral"):
        thread = _str(message.get("ts")) or _str(container.get("message_ts"))
    return Place(PLATFORM, workspace, channel_id, thread or None, _str(channel.get("name")))


def pressed_in_direct(body: Payload, click: ButtonPressed) -> Place | None:
    """The DM a press came from, when its buttons act for another channel (see ACTS_FOR)."""
    clicked = _click_place(body, click.place.workspace)
    return clicked.top_level() if clicked.channel != click.place.channel else None


def button_pressed(
    body: Payload, action: Payload, workspace: str, actor: Actor
) -> ButtonPressed | OpenForm | None:
    action_id = _str(action.get("action_id"))
    value = _str(action.get("value"))
    place = _click_place(body, workspace)
    acts_for = _str(action.get("block_id"))
    if acts_for.startswith(ACTS_FOR) and acts_for != ACTS_FOR:
        # A direct message's button acting for a channel (an invitation's): it counts there.
        place = Place(PLATFORM, workspace, acts_for.removeprefix(ACTS_FOR), None, "")
    trigger_id = _str(body.get("trigger_id"))
    if action_id.startswith(FORM_PREFIX):
        unpacked = unpack_form(value)
        if unpacked is None:
            return None
        engine_value, form = unpacked
        metadata = {
            "action_id": action_id.removeprefix(FORM_PREFIX),
            "value": engine_value,
            "channel": place.channel,
            "channel_name": place.channel_name,
            "thread": place.thread or "",
        }
        return OpenForm(trigger_id, form, metadata)
    if not action_id:
        return None
    message_ts = _str(_dict(body.get("container")).get("message_ts")) or None
    return ButtonPressed(place, actor, action_id, value, message_ts, _event_id("act", trigger_id))


def modal_submitted(body: Payload, workspace: str, actor: Actor) -> ModalSubmitted | None:
    view = _dict(body.get("view"))
    try:
        metadata = json.loads(_str(view.get("private_metadata")) or "{}")
    except ValueError:
        return None
    if not isinstance(metadata, dict) or not metadata.get("action_id"):
        return None
    values = _dict(_dict(view.get("state")).get("values"))
    text = _str(_dict(_dict(values.get(ANSWER_BLOCK)).get(ANSWER_INPUT)).get("value"))
    place = Place(
        PLATFORM,
        workspace,
        _str(metadata.get("channel")),
        _str(metadata.get("thread")) or None,
        _str(metadata.get("channel_name")),
    )
    return ModalSubmitted(
        place,
        actor,
        _str(metadata["action_id"]),
        _str(metadata.get("value")),
        text,
        event_id=_event_id("view", _str(view.get("id"))),
    )
