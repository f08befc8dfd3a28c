"""Neutral messages as Block Kit: a header, the body, fields, a context line and buttons.

Slack's limits shape it: 3000 characters per section text, 2000 per section field, 10 fields per
section, 150 per header, 75 per button label, 50 blocks per message (100 on a Home tab). Text
that does not fit is split across sections, and past the block limit the message is shortened
with a note, keeping its buttons. Every mrkdwn text is `verbatim`, so Slack does not turn
words into links or mentions on its own.
"""

from __future__ import annotations

import json
from typing import Any

from adapters.slack.mrkdwn import clip, escape, mention, split, to_mrkdwn
from bot.messages import AnswerForm, Button, ButtonStyle, Field, RichMessage

Block = dict[str, Any]

MESSAGE_BLOCKS = 50
HOME_BLOCKS = 100
SECTION_CHARS = 3000
FIELD_CHARS = 2000
FIELDS_PER_SECTION = 10
HEADER_CHARS = 150
BUTTON_LABEL_CHARS = 75
BUTTON_VALUE_CHARS = 2000
BUTTONS_PER_BLOCK = 25
FALLBACK_CHARS = 3000
MODAL_TITLE_CHARS = 24
INPUT_MAX_CHARS = 3000
PLACEHOLDER_CHARS = 150

FORM_PREFIX = "form:"
"""Marks a button that opens the answer modal; the engine's action id follows it."""

ANSWER_VIEW = "answer_form"
ANSWER_BLOCK = "answer"
# The buttons of a direct message that act for a channel carry it in their block's id: a press
# in the DM then counts in that channel, and the DM never becomes a channel of the workspace.
ACTS_FOR = "acts-for:"
ANSWER_INPUT = "text"
SHORTENED = "_…the rest did not fit in one Slack message._"


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit) or " ", "emoji": True}


def _section(text: str) -> Block:
    return {"type": "section", "text": _mrkdwn(text)}


def _field_text(field: Field, limit: int) -> str:
    return clip(f"*{to_mrkdwn(field.name)}*\n{to_mrkdwn(field.value)}", limit)


def _content(message: RichMessage) -> list[Block]:
    """Body and fields, before any block limit."""
    blocks: list[Block] = []
    body = to_mrkdwn(message.body)
    if ping := mention(message.mention_user_id):
        body = f"{ping} {body}"
    blocks.extend(_section(piece) for piece in split(body, SECTION_CHARS))
    inline: list[Field] = []

    def flush_inline() -> None:
        for start in range(0, len(inline), FIELDS_PER_SECTION):
            group = inline[start : start + FIELDS_PER_SECTION]
            blocks.append(
                {"type": "section", "fields": [_mrkdwn(_field_text(f, FIELD_CHARS)) for f in group]}
            )
        inline.clear()

    for field in message.fields:
        if field.inline:
            inline.append(field)
            continue
        flush_inline()
        text = f"*{to_mrkdwn(field.name)}*\n{to_mrkdwn(field.value)}"
        blocks.extend(_section(piece) for piece in split(text, SECTION_CHARS))
    flush_inline()
    return blocks


def form_value(button: Button, form: AnswerForm) -> str:
    """A form button's value: the engine's value plus the form, so a click can open it."""
    packed = {
        "value": button.value,
        "title": form.title,
        "label": form.label,
        "placeholder": form.placeholder,
        "max_length": form.max_length,
    }
    return json.dumps(packed, separators=(",", ":"))


def unpack_form(value: str) -> tuple[str, AnswerForm] | None:
    """The engine's value and the form from a form button's value; None if it is not one."""
    try:
        packed = json.loads(value)
        form = AnswerForm(
            title=str(packed["title"]),
            label=str(packed["label"]),
            placeholder=str(packed.get("placeholder", "")),
            max_length=int(packed.get("max_length", INPUT_MAX_CHARS)),
        )
        return str(packed["value"]), form
    except (ValueError, TypeError, KeyError):
        return None


def _button(button: Button) -> Block:
    if button.form is not None:
        action_id, value = FORM_PREFIX + button.action_id, form_value(button, button.form)
    else:
        action_id, value = button.action_id, button.value
    element: Block = {
        "type": "button",
        "text": _plain(button.label, BUTTON_LABEL_CHARS),
        "action_id": action_id,
        "value": value[:BUTTON_VALUE_CHARS],
    }
    if button.style is ButtonStyle.PRIMARY:
        element["style"] = "primary"
    elif button.style is ButtonStyle.DANGER:
        element["style"] = "danger"
    return element


def message_blocks(
    message: RichMessage, max_blocks: int = MESSAGE_BLOCKS, acts_for: str | None = None
) -> list[Block]:
    head: list[Block] = []
    if message.title:
        head.append({"type": "header", "text": _plain(message.title, HEADER_CHARS)})
    tail: list[Block] = []
    if message.context:
        tail.append(
            {"type": "context", "elements": [_mrkdwn(clip(to_mrkdwn(message.context), 3000))]}
        )
    buttons = message.buttons[:BUTTONS_PER_BLOCK]
    if buttons:
        actions: Block = {"type": "actions", "elements": [_button(b) for b in buttons]}
        if acts_for:
            actions["block_id"] = ACTS_FOR + acts_for
        tail.append(actions)
    content = _content(message)
    room = max_blocks - len(head) - len(tail)
    if len(content) > room:
        content = [*content[: max(room - 1, 0)], _section(SHORTENED)]
    return [*head, *content, *tail]


def fallback_text(message: RichMessage) -> str:
    """The notification text: escaped, short, and carrying the one intended mention."""
    text = clip(escape(message.plain_text), FALLBACK_CHARS)
    ping = mention(message.mention_user_id)
    return f"{ping} {text}" if ping else text


def home_view(message: RichMessage) -> dict[str, Any]:
    return {"type": "home", "blocks": message_blocks(message, max_blocks=HOME_BLOCKS)}


def answer_modal(form: AnswerForm, metadata: dict[str, str]) -> dict[str, Any]:
    """A modal with one paragraph input; metadata says where the answer belongs."""
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": ANSWER_INPUT,
        "multiline": True,
        "max_length": max(1, min(form.max_length, INPUT_MAX_CHARS)),
    }
    if form.placeholder:
        element["placeholder"] = _plain(form.placeholder, PLACEHOLDER_CHARS)
    return {
        "type": "modal",
        "callback_id": ANSWER_VIEW,
        "title": _plain(form.title, MODAL_TITLE_CHARS),
        "submit": _plain("Send", MODAL_TITLE_CHARS),
        "close": _plain("Cancel", MODAL_TITLE_CHARS),
        "private_metadata": json.dumps(metadata, separators=(",", ":")),
        "blocks": [
            {
                "type": "input",
                "block_id": ANSWER_BLOCK,
                "label": _plain(form.label, 2000),
                "element": element,
            }
        ],
    }
