"""Neutral messages as Discord messages, within every limit, split where a reader would split."""

from __future__ import annotations

import re

from adapters.discord.components import (
    BUTTON_TEMPLATE,
    CUSTOM_ID_LIMIT,
    AnswerModal,
    Press,
    decode,
    parse_modal_submit,
)
from adapters.discord.embeds import (
    CONTENT_LIMIT,
    DESCRIPTION_LIMIT,
    EMBEDS_PER_MESSAGE,
    FIELD_COUNT_LIMIT,
    FIELD_VALUE_LIMIT,
    MESSAGE_EMBED_CHARS,
    Part,
    render,
)
from adapters.discord.text import split_text, to_markdown
from bot.messages import AnswerForm, Button, ButtonStyle, Field, Image, RichMessage

SENTENCE = "Regularisation trades a little bias for a lot less variance in practice. "


def within_limits(parts: list[Part]) -> None:
    for part in parts:
        assert len(part.content or "") <= CONTENT_LIMIT
        assert len(part.embeds) <= EMBEDS_PER_MESSAGE
        assert sum(len(e) for e in part.embeds) <= MESSAGE_EMBED_CHARS
        for embed in part.embeds:
            assert len(embed.description or "") <= DESCRIPTION_LIMIT
            assert len(embed.fields) <= FIELD_COUNT_LIMIT
            assert all(len(f.value or "") <= FIELD_VALUE_LIMIT for f in embed.fields)


def words(text: str) -> list[str]:
    return re.findall(r"\S+", text)


def test_a_long_titled_body_is_split_over_embeds_and_messages_without_losing_a_word() -> None:
    body = "\n\n".join(SENTENCE * 20 for _ in range(12))  # ~17,000 characters
    parts = render(RichMessage(title="Model answer", body=body, context="Regularisation · hard"))
    within_limits(parts)
    assert len(parts) >= 3
    descriptions = [e.description or "" for p in parts for e in p.embeds]
    assert words(" ".join(descriptions)) == words(body)
    assert all(d.rstrip().endswith(".") for d in descriptions), "cut at sentence ends"
    assert parts[0].embeds[0].title == "Model answer"
    assert parts[-1].embeds[-1].footer.text == "Regularisation · hard"


def test_many_and_long_fields_continue_in_more_fields_and_embeds() -> None:
    fields = tuple(Field(f"Q{i}", f"{i}/100") for i in range(40))
    fields += (Field("Model answer", SENTENCE * 40, inline=False),)
    parts = render(RichMessage(title="Scorecard", body="Total", fields=fields))
    within_limits(parts)
    names = [f.name for p in parts for e in p.embeds for f in e.fields]
    assert names[:40] == [f"Q{i}" for i in range(40)]
    assert names[40] == "Model answer"
    assert names[41] == "Model answer (cont.)"


def test_an_untitled_note_is_plain_content_split_at_two_thousand_characters() -> None:
    parts = render(RichMessage(body=SENTENCE * 70))
    within_limits(parts)
    assert len(parts) == 3
    assert all(p.content and not p.embeds for p in parts)
    assert words(" ".join(p.content or "" for p in parts)) == words(SENTENCE * 70)


def test_a_code_block_cut_in_two_is_closed_and_reopened() -> None:
    code = "```python\n" + "\n".join(f"x_{i} = {i} * weight" for i in range(200)) + "\n```"
    pieces = split_text(code, 1000)
    assert len(pieces) > 1
    for piece in pieces:
        assert piece.count("```") % 2 == 0, piece[:40]
    assert pieces[1].startswith("```python\n")


def test_engine_markdown_becomes_discord_markdown() -> None:
    assert to_markdown("*Total: 80/100* over 2") == "**Total: 80/100** over 2"
    assert to_markdown("**already bold** and _italic_") == "**already bold** and _italic_"
    assert to_markdown("• one\n• two") == "• one\n• two"
    assert to_markdown("2*3*4 stays") == "2*3*4 stays"


def test_buttons_ride_on_the_last_part_and_carry_action_and_value() -> None:
    form = AnswerForm(title="Your answer", label="Answer")
    buttons = (
        Button("Answer", "round:answer", "7", ButtonStyle.PRIMARY, form),
        Button("Start new", "round:restart", "7:" + "metrics " * 30),
    )
    parts = render(RichMessage(body=SENTENCE * 40, buttons=buttons))
    assert parts[0].buttons == ()
    assert parts[-1].buttons == buttons
    view = parts[-1].view()
    assert view is not None
    ids = [c["custom_id"] for row in view.to_components() for c in row["components"]]
    assert ids[0] == "ibf|round:answer|7"
    assert len(ids[1]) <= CUSTOM_ID_LIMIT
    press = decode(BUTTON_TEMPLATE, ids[1])
    assert press is not None
    assert press.action_id == "round:restart"
    assert press.value.startswith("7:metrics")


def test_buttons_sent_as_a_direct_message_name_their_server_and_so_does_their_form() -> None:
    form = AnswerForm(title="Finish", label="Rating")
    parts = render(
        RichMessage(body="b", buttons=(Button("Finish", "pair:finish", "4", form=form),))
    )
    parts[-1].home = "810000000000000001"
    view = parts[-1].view()
    assert view is not None
    (custom_id,) = [c["custom_id"] for row in view.to_components() for c in row["components"]]
    assert custom_id == "ibf@810000000000000001|pair:finish|4"
    press = decode(BUTTON_TEMPLATE, custom_id)
    assert press == Press("pair:finish", "4", home="810000000000000001")
    modal = AnswerModal(form, press.action_id, press.value, press.home)
    submitted = parse_modal_submit({"custom_id": modal.custom_id, "components": []})
    assert submitted is not None
    assert (submitted.action_id, submitted.value, submitted.home) == (
        "pair:finish",
        "4",
        "810000000000000001",
    )
    in_a_server = parse_modal_submit({"custom_id": "ibm|pair:finish|4", "components": []})
    assert in_a_server is not None
    assert in_a_server.home is None


def test_a_private_note_names_its_user_and_a_picture_is_attached() -> None:
    image = Image("activity.png", b"\x89PNG...", "12 weeks of answers")
    parts = render(RichMessage(title="Stats", body="b", image=image), mention_user="42")
    assert parts[0].content == "<@42>"
    assert parts[0].embeds[0].image.url == "attachment://activity.png"
    file = parts[0].file()
    assert file is not None
    assert file.filename == "activity.png"


def test_a_modal_submit_is_read_in_both_component_shapes() -> None:
    label = {"type": 18, "component": {"type": 4, "custom_id": "answer", "value": "L1 is sparse"}}
    row = {"type": 1, "components": [{"type": 4, "custom_id": "answer", "value": "L2 shrinks"}]}
    for component, text in ((label, "L1 is sparse"), (row, "L2 shrinks")):
        found = parse_modal_submit({"custom_id": "ibm|daily:answer|3", "components": [component]})
        assert found is not None
        assert (found.action_id, found.value, found.text) == ("daily:answer", "3", text)
    assert parse_modal_submit({"custom_id": "someone-elses", "components": []}) is None


def test_a_file_to_keep_is_sent_as_a_file_not_shown_as_a_picture() -> None:
    from bot.messages import Attachment

    message = RichMessage(
        title="Your data", body="Everything we keep.", attachment=Attachment("data.json", b"{}")
    )
    [part] = render(message)
    file = part.file()
    assert file is not None
    assert file.filename == "data.json"
    assert part.embeds[0].image.url is None


def test_links_in_disguise_show_their_address_and_code_is_left_alone() -> None:
    assert to_markdown("win [a prize](https://evil.example) now") == (
        "win \\[a prize\\]\\(https://evil.example) now"
    )
    assert to_markdown("`scores = fns[i](x)` and [1, 2](3)") == "`scores = fns[i](x)` and [1, 2](3)"
