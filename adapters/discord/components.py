"""Buttons and the answer modal, stateless so they keep working across restarts.

A button carries the engine's action id and opaque value in its custom_id; pressing it
dispatches the custom client event ``engine_button``, which the bridge handles. Modal submits
are read from the raw interaction by custom_id (see ``parse_modal_submit``), so a form opened
before a restart still reaches the engine after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import discord

from adapters.discord.text import clip
from bot.messages import AnswerForm, ButtonStyle

CUSTOM_ID_LIMIT = 100
MODAL_TITLE_LIMIT = 45
LABEL_LIMIT = 45
BUTTON_LABEL_LIMIT = 80
PLACEHOLDER_LIMIT = 100
TEXT_INPUT_LIMIT = 4000
ANSWER_INPUT_ID = "answer"

_BUTTON_PREFIX = "ib"
_FORM_BUTTON_PREFIX = "ibf"
_MODAL_PREFIX = "ibm"
_ID = r"(?P<action>[a-z_]+:[a-z_]+)\|(?P<value>[^|]*)"
# A button sent in a direct message carries its server (`ib@GUILD|...`), and may carry the
# channel it acts for (`ib@GUILD/CHANNEL|...`): a press from a DM has no guild of its own, and
# the engine needs the workspace (and channel) it belongs to.
_HOME = r"(?:@(?P<home>\d+(?:/\d+)?))?"
BUTTON_TEMPLATE = re.compile(rf"(?P<kind>{_BUTTON_PREFIX}|{_FORM_BUTTON_PREFIX}){_HOME}\|{_ID}")
MODAL_TEMPLATE = re.compile(rf"{_MODAL_PREFIX}{_HOME}\|{_ID}")
DEFAULT_FORM = AnswerForm(title="Your answer", label="Answer", placeholder="Type your answer…")

# The form each action opens, as last rendered: the engine's forms are fixed per action, and a
# press after a restart falls back to DEFAULT_FORM until the action is rendered again.
_forms: dict[str, AnswerForm] = {}

_STYLES = {
    ButtonStyle.PRIMARY: discord.ButtonStyle.primary,
    ButtonStyle.DANGER: discord.ButtonStyle.danger,
    ButtonStyle.DEFAULT: discord.ButtonStyle.secondary,
}


def encode(prefix: str, action_id: str, value: str) -> str:
    """prefix|action|value, the value shortened to fit Discord's 100-character custom_id."""
    head = f"{prefix}|{action_id}|"
    return head + value.replace("|", "/")[: CUSTOM_ID_LIMIT - len(head)]


@dataclass(frozen=True)
class Press:
    action_id: str
    value: str
    form: AnswerForm | None = None
    home: str | None = None  # the server (and channel) of a button pressed in a direct message


def decode(template: re.Pattern[str], custom_id: str) -> Press | None:
    match = template.fullmatch(custom_id)
    return Press(match["action"], match["value"], home=match["home"]) if match else None


def form_for(action_id: str) -> AnswerForm:
    return _forms.get(action_id, DEFAULT_FORM)


class EngineButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=BUTTON_TEMPLATE):
    """One engine button; rebuilt from its custom_id whenever pressed."""

    def __init__(
        self,
        label: str,
        action_id: str,
        value: str,
        style: discord.ButtonStyle,
        has_form: bool,
        home: str | None = None,
    ) -> None:
        # A button with a form says so in its custom_id, so a press knows to open the modal.
        prefix = _FORM_BUTTON_PREFIX if has_form else _BUTTON_PREFIX
        if home is not None:
            prefix = f"{prefix}@{home}"
        super().__init__(
            discord.ui.Button(
                label=clip(label, BUTTON_LABEL_LIMIT),
                style=style,
                custom_id=encode(prefix, action_id, value),
            )
        )
        self.press = Press(action_id, value, form_for(action_id) if has_form else None, home)

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[discord.Client],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> EngineButton:
        label = getattr(item, "label", None) or ""
        style = getattr(item, "style", discord.ButtonStyle.secondary)
        has_form = match["kind"] == _FORM_BUTTON_PREFIX
        return cls(
            label, match["action"], match["value"], style, has_form=has_form, home=match["home"]
        )

    async def callback(self, interaction: discord.Interaction[discord.Client]) -> None:
        interaction.client.dispatch("engine_button", interaction, self.press)


def engine_button(
    label: str,
    action_id: str,
    value: str,
    style: ButtonStyle,
    form: AnswerForm | None,
    home: str | None = None,
) -> EngineButton:
    if form is not None:
        _forms[action_id] = form
    return EngineButton(label, action_id, value, _STYLES[style], form is not None, home)


class AnswerModal(discord.ui.Modal):
    """One paragraph input; the submit is handled from the raw interaction, not here."""

    def __init__(
        self, form: AnswerForm, action_id: str, value: str, home: str | None = None
    ) -> None:
        # Opened from a DM, the form names the server as its button did.
        prefix = _MODAL_PREFIX if home is None else f"{_MODAL_PREFIX}@{home}"
        super().__init__(
            title=clip(form.title or "Your answer", MODAL_TITLE_LIMIT),
            custom_id=encode(prefix, action_id, value),
            timeout=600,
        )
        self.answer: discord.ui.TextInput[AnswerModal] = discord.ui.TextInput(
            style=discord.TextStyle.paragraph,
            custom_id=ANSWER_INPUT_ID,
            placeholder=clip(form.placeholder, PLACEHOLDER_LIMIT) or None,
            max_length=max(1, min(form.max_length, TEXT_INPUT_LIMIT)),
            required=True,
        )
        self.add_item(
            discord.ui.Label(text=clip(form.label or "Answer", LABEL_LIMIT), component=self.answer)
        )


@dataclass(frozen=True)
class ModalAnswer:
    action_id: str
    value: str
    text: str
    home: str | None = None  # the server of a form submitted in a direct message


def parse_modal_submit(data: dict[str, Any]) -> ModalAnswer | None:
    """Our modal's action, value and typed text from a MODAL_SUBMIT interaction's data."""
    press = decode(MODAL_TEMPLATE, str(data.get("custom_id", "")))
    if press is None:
        return None
    text = _find_input(data.get("components") or [])
    return ModalAnswer(press.action_id, press.value, text or "", press.home)


def _find_input(components: list[Any]) -> str | None:
    """The answer input's value, in a Label (type 18) or a legacy action row (type 1)."""
    for component in components:
        if not isinstance(component, dict):
            continue
        if component.get("custom_id") == ANSWER_INPUT_ID and "value" in component:
            return str(component["value"])
        nested = list(component.get("components") or [])
        if isinstance(component.get("component"), dict):
            nested.append(component["component"])
        found = _find_input(nested)
        if found is not None:
            return found
    return None
