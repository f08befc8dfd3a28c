"""Block Kit rendering: Slack's limits, escaping, and the answer form's round trip."""

from __future__ import annotations

import json

from adapters.slack.blocks import (
    MESSAGE_BLOCKS,
    SECTION_CHARS,
    SHORTENED,
    answer_modal,
    fallback_text,
    message_blocks,
    unpack_form,
)
from adapters.slack.mrkdwn import split, to_mrkdwn
from bot import views
from bot.messages import AnswerForm, Field, RichMessage


def texts(blocks: list[dict[str, object]]) -> list[str]:
    found = []
    for block in blocks:
        text = block.get("text")
        if isinstance(text, dict):
            found.append(str(text["text"]))
    return found


def test_mentions_links_and_markup_from_users_arrive_as_plain_text() -> None:
    nasty = "<!channel> <!here> <@U0ADMIN> <https://evil.example|click> & **really**"
    rendered = to_mrkdwn(nasty)
    assert "<" not in rendered
    assert ">" not in rendered.replace("&gt;", "")
    assert rendered.startswith("&lt;!channel&gt; &lt;!here&gt; &lt;@U0ADMIN&gt;")
    assert rendered.endswith("&amp; *really*")
    assert "<" not in fallback_text(RichMessage(body=nasty, title="<!everyone>"))


def test_the_one_intended_mention_is_written_by_the_adapter_only() -> None:
    pinged = message_blocks(RichMessage(body="your turn", mention_user_id="U0ALICE"))
    assert texts(pinged)[0] == "<@U0ALICE> your turn"
    forged = message_blocks(RichMessage(body="x", mention_user_id="<!channel>"))
    assert texts(forged)[0] == "x"


def test_long_text_is_split_into_sections_of_at_most_3000_characters() -> None:
    body = "\n".join(f"Line {i}: " + "word " * 40 for i in range(200))
    blocks = message_blocks(RichMessage(body=body, title="Long"))
    sections = [b for b in blocks if b["type"] == "section"]
    assert len(sections) > 3
    assert all(len(b["text"]["text"]) <= SECTION_CHARS for b in sections)
    joined = " ".join(b["text"]["text"] for b in sections)
    assert joined.split() == body.split()


def test_splitting_never_cuts_an_entity() -> None:
    pieces = split(to_mrkdwn("&<>" * 2000), 3000)
    assert all(len(p) <= 3000 for p in pieces)
    assert all(p.endswith(";") for p in pieces)
    assert "".join(pieces) == to_mrkdwn("&<>" * 2000)


def test_more_than_50_blocks_are_shortened_keeping_the_buttons() -> None:
    message = RichMessage(
        title="Many",
        body="body",
        context="ctx",
        fields=tuple(Field(f"F{i}", "v" * 100, inline=False) for i in range(80)),
        buttons=views.round_buttons(7),
    )
    blocks = message_blocks(message)
    assert len(blocks) == MESSAGE_BLOCKS
    assert blocks[-1]["type"] == "actions"
    assert blocks[-2]["type"] == "context"
    assert SHORTENED in texts(blocks)


def test_inline_fields_go_ten_to_a_section() -> None:
    message = RichMessage(body="b", fields=tuple(Field(f"F{i}", "v") for i in range(12)))
    sections = [b for b in message_blocks(message) if "fields" in b]
    assert [len(b["fields"]) for b in sections] == [10, 2]


def test_a_form_button_carries_its_form_and_round_trips() -> None:
    question = message_blocks(RichMessage(body="Q", buttons=views.round_buttons(42)))
    actions = next(b for b in question if b["type"] == "actions")
    answer, hint = actions["elements"][0], actions["elements"][1]
    assert answer["action_id"] == "form:round:answer"
    assert answer["style"] == "primary"
    assert hint == {
        "type": "button",
        "text": {"type": "plain_text", "text": "Hint", "emoji": True},
        "action_id": "round:hint",
        "value": "42",
    }
    unpacked = unpack_form(answer["value"])
    assert unpacked is not None
    value, form = unpacked
    assert value == "42"
    assert form.title == "Your answer"
    assert unpack_form("42") is None


def test_the_answer_modal_respects_slacks_input_limits() -> None:
    form = AnswerForm(
        title="A title much longer than Slack allows", label="Answer", max_length=4000
    )
    modal = answer_modal(form, {"action_id": "round:answer", "value": "1"})
    element = modal["blocks"][0]["element"]
    assert element["max_length"] == 3000
    assert element["multiline"] is True
    assert len(modal["title"]["text"]) <= 24
    assert json.loads(modal["private_metadata"])["value"] == "1"
