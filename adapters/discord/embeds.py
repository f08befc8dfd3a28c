"""A neutral RichMessage as Discord messages: content or embeds, buttons, under every limit.

Short untitled notes go out as plain content; anything with a title, fields or a footer is an
embed. Text too long for one message is split cleanly over several; the buttons ride on the
last part, the picture on the first.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import discord

from adapters.discord.components import engine_button
from adapters.discord.text import clip, inert_links, split_text, to_markdown
from bot.messages import Button, Field, Image, RichMessage

CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_COUNT_LIMIT = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
MESSAGE_EMBED_CHARS = 6000
EMBEDS_PER_MESSAGE = 10
BUTTONS_PER_MESSAGE = 25
COLOUR = discord.Colour(0x5865F2)


@dataclass
class Part:
    """One Discord message's worth of a RichMessage."""

    content: str | None = None
    embeds: list[discord.Embed] = field(default_factory=list)
    buttons: tuple[Button, ...] = ()
    image: Image | None = None
    home: str | None = None  # the server its buttons belong to, when sent as a DM

    def view(self) -> discord.ui.View | None:
        return build_view(self.buttons, self.home)

    def file(self) -> discord.File | None:
        if self.image is None:
            return None
        return discord.File(
            io.BytesIO(self.image.data),
            filename=self.image.filename,
            description=clip(self.image.alt_text, 1024) or None,
        )


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


def render(message: RichMessage, mention_user: str | None = None) -> list[Part]:
    """The parts to send, in order; mention_user (or the message's own) is named in the first."""
    who = mention_user or message.mention_user_id
    prefix = f"{mention(who)} " if who else ""
    if message.title is None and not message.fields and not message.context:
        parts = _as_content(message, prefix)
    else:
        parts = _as_embeds(message, prefix.strip())
    if not parts:
        parts = [Part(content=prefix.strip() or "\u200b")]
    parts[-1].buttons = message.buttons[:BUTTONS_PER_MESSAGE]
    if message.image is not None:
        parts[0].image = message.image
        if parts[0].embeds:
            parts[0].embeds[0].set_image(url=f"attachment://{message.image.filename}")
    elif message.attachment is not None:  # a file to keep (a data export): sent, not shown
        kept = message.attachment
        parts[0].image = Image(kept.filename, kept.data, kept.filename)
    return parts


def build_view(buttons: tuple[Button, ...], home: str | None = None) -> discord.ui.View | None:
    if not buttons:
        return None
    view = discord.ui.View(timeout=None)
    for button in buttons:
        view.add_item(
            engine_button(
                button.label, button.action_id, button.value, button.style, button.form, home
            )
        )
    return view


def _as_content(message: RichMessage, prefix: str) -> list[Part]:
    pieces = split_text(to_markdown(message.body), CONTENT_LIMIT - len(prefix))
    return [Part(content=(prefix if i == 0 else "") + piece) for i, piece in enumerate(pieces)]


def _as_embeds(message: RichMessage, content: str) -> list[Part]:
    footer = clip(inert_links(message.context), FOOTER_LIMIT) if message.context else None
    budget = MESSAGE_EMBED_CHARS - len(footer or "")
    embeds = _build_embeds(message, budget)
    if footer:
        embeds[-1].set_footer(text=footer)
    parts = _pack(embeds)
    if content:
        parts[0].content = content
    return parts


def _build_embeds(message: RichMessage, budget: int) -> list[discord.Embed]:
    title = clip(inert_links(message.title), TITLE_LIMIT) if message.title else None
    descriptions = split_text(to_markdown(message.body), DESCRIPTION_LIMIT) if message.body else []
    embeds: list[discord.Embed] = []
    for index, text in enumerate(descriptions or [""]):
        embed = discord.Embed(colour=COLOUR, description=text or None)
        if index == 0 and title:
            embed.title = title
        embeds.append(embed)
    for name, value, inline in _field_pieces(message.fields):
        embed = embeds[-1]
        full = len(embed.fields) >= FIELD_COUNT_LIMIT
        if full or len(embed) + len(name) + len(value) > budget:
            embed = discord.Embed(colour=COLOUR)
            embeds.append(embed)
        embed.add_field(name=name, value=value, inline=inline)
    return embeds


def _field_pieces(fields: tuple[Field, ...]) -> list[tuple[str, str, bool]]:
    """Each field within the name and value limits; a long value continues in more fields."""
    pieces: list[tuple[str, str, bool]] = []
    for item in fields:
        name = clip(to_markdown(item.name), FIELD_NAME_LIMIT) or "\u200b"
        values = split_text(to_markdown(item.value), FIELD_VALUE_LIMIT) or ["\u200b"]
        for index, value in enumerate(values):
            label = name if index == 0 else clip(f"{name} (cont.)", FIELD_NAME_LIMIT)
            pieces.append((label, value, item.inline and len(values) == 1))
    return pieces


def _pack(embeds: list[discord.Embed]) -> list[Part]:
    """Embeds into messages: at most 10 each and 6000 characters over all of a message's."""
    parts: list[Part] = []
    current: list[discord.Embed] = []
    size = 0
    for embed in embeds:
        if current and (
            len(current) >= EMBEDS_PER_MESSAGE or size + len(embed) > MESSAGE_EMBED_CHARS
        ):
            parts.append(Part(embeds=current))
            current, size = [], 0
        current.append(embed)
        size += len(embed)
    if current:
        parts.append(Part(embeds=current))
    return parts
