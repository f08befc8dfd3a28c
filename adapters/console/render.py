"""Neutral messages as readable terminal text."""

from __future__ import annotations

import re

from bot.messages import RichMessage

_BOLD = re.compile(r"\*\*(.+?)\*\*|\*(.+?)\*")


def to_text(message: RichMessage) -> list[str]:
    lines: list[str] = []
    if message.title:
        lines.append(f"== {message.title} ==")
    if message.body:
        lines.extend(_BOLD.sub(lambda m: m.group(1) or m.group(2), message.body).splitlines())
    for field in message.fields:
        value = field.value.splitlines() or [""]
        lines.append(f"{field.name}: {value[0]}")
        lines.extend(f"    {rest}" for rest in value[1:])
    if message.context:
        lines.append(f"({message.context})")
    if message.buttons:
        lines.append("  ".join(f"[{b.label}]" for b in message.buttons) + "   (:press LABEL)")
    return lines
