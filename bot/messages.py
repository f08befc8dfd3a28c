"""The neutral rich message the engine sends; each adapter renders it its own way."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bot.events import Place


class ButtonStyle(StrEnum):
    DEFAULT = "default"
    PRIMARY = "primary"
    DANGER = "danger"


@dataclass(frozen=True)
class AnswerForm:
    """A form with one long text input; a button carrying it opens the form when pressed."""

    title: str
    label: str
    placeholder: str = ""
    max_length: int = 4000


@dataclass(frozen=True)
class Button:
    label: str
    action_id: str
    value: str = ""
    style: ButtonStyle = ButtonStyle.DEFAULT
    form: AnswerForm | None = None


@dataclass(frozen=True)
class Field:
    name: str
    value: str
    inline: bool = True


@dataclass(frozen=True)
class Image:
    filename: str
    data: bytes
    alt_text: str


@dataclass(frozen=True)
class Attachment:
    """A file for the user to keep, such as their data export."""

    filename: str
    data: bytes
    mime_type: str = "application/json"


@dataclass(frozen=True)
class RichMessage:
    """Markdown body (bold, italics, code, bullets); user text never carries raw mention syntax."""

    body: str
    title: str | None = None
    fields: tuple[Field, ...] = ()
    buttons: tuple[Button, ...] = ()
    context: str | None = None
    image: Image | None = None
    attachment: Attachment | None = None
    mention_user_id: str | None = None
    fallback: str = field(default="", compare=False)

    @property
    def plain_text(self) -> str:
        """A one-piece text version for notifications and screen readers."""
        if self.fallback:
            return self.fallback
        return f"{self.title}\n{self.body}" if self.title else self.body


@dataclass(frozen=True)
class MessageRef:
    place: Place
    message_id: str
