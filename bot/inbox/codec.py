"""Replies as JSON text, so an event's replies can be kept with its changes and sent later.

The engine commits an event's changes and the replies it owes in one transaction; if the
process dies before they went out, whoever takes the inbox item sends them (and does not
handle the event again). Only the engine's neutral message types appear here.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from bot.events import Place
from bot.messages import AnswerForm, Attachment, Button, ButtonStyle, Field, Image, RichMessage
from bot.ports.chat import UserRef


@dataclass(frozen=True)
class Reply:
    place: Place
    message: RichMessage
    private_to: str | None = None
    direct_to: UserRef | None = None  # a direct message: sent to the person, not to place


def encode(replies: list[Reply]) -> str:
    return json.dumps([_reply(r) for r in replies], separators=(",", ":"))


def decode(text: str) -> list[Reply]:
    return [_read_reply(raw) for raw in json.loads(text)]


def _reply(reply: Reply) -> dict[str, Any]:
    p = reply.place
    return {
        "place": [p.platform, p.workspace, p.channel, p.thread, p.channel_name],
        "to": reply.private_to,
        "message": _message(reply.message),
        "direct": _user(reply.direct_to) if reply.direct_to else None,
    }


def _user(to: UserRef) -> list[str | None]:
    return [to.platform, to.workspace, to.user_id, to.channel]


def _message(m: RichMessage) -> dict[str, Any]:
    return {
        "body": m.body,
        "title": m.title,
        "fields": [[f.name, f.value, f.inline] for f in m.fields],
        "buttons": [_button(b) for b in m.buttons],
        "context": m.context,
        "image": _bytes_part(m.image.filename, m.image.data, m.image.alt_text) if m.image else None,
        "attachment": (
            _bytes_part(m.attachment.filename, m.attachment.data, m.attachment.mime_type)
            if m.attachment
            else None
        ),
        "mention": m.mention_user_id,
        "fallback": m.fallback,
    }


def _button(b: Button) -> dict[str, Any]:
    form = b.form
    return {
        "label": b.label,
        "action_id": b.action_id,
        "value": b.value,
        "style": b.style.value,
        "form": [form.title, form.label, form.placeholder, form.max_length] if form else None,
    }


def _bytes_part(name: str, data: bytes, extra: str) -> list[str]:
    return [name, base64.b64encode(data).decode("ascii"), extra]


def _read_reply(raw: dict[str, Any]) -> Reply:
    platform, workspace, channel, thread, channel_name = raw["place"]
    place = Place(platform, workspace, channel, thread, channel_name)
    direct = raw.get("direct")  # absent from replies kept before direct messages were
    to = UserRef(*direct) if direct else None
    return Reply(place, _read_message(raw["message"]), raw.get("to"), to)


def _read_message(raw: dict[str, Any]) -> RichMessage:
    image = raw.get("image")
    attachment = raw.get("attachment")
    return RichMessage(
        body=raw["body"],
        title=raw.get("title"),
        fields=tuple(Field(name, value, inline) for name, value, inline in raw.get("fields", [])),
        buttons=tuple(_read_button(b) for b in raw.get("buttons", [])),
        context=raw.get("context"),
        image=Image(image[0], base64.b64decode(image[1]), image[2]) if image else None,
        attachment=(
            Attachment(attachment[0], base64.b64decode(attachment[1]), attachment[2])
            if attachment
            else None
        ),
        mention_user_id=raw.get("mention"),
        fallback=raw.get("fallback", ""),
    )


def _read_button(raw: dict[str, Any]) -> Button:
    form = raw.get("form")
    return Button(
        label=raw["label"],
        action_id=raw["action_id"],
        value=raw.get("value", ""),
        style=ButtonStyle(raw.get("style", ButtonStyle.DEFAULT.value)),
        form=AnswerForm(form[0], form[1], form[2], form[3]) if form else None,
    )
