"""The engine's markdown-ish text as Slack mrkdwn, escaped so that nobody can ping or link.

Everything the engine sends may carry text a user typed (answers, names), so all of it is
escaped: `&`, `<`, `>` become entities and `<!channel>`, `<@U…>` or `<https://…|links>` arrive as
plain text. The only control sequence the adapter writes itself is the one intended mention.
"""

from __future__ import annotations

import re

_BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_ENTITY_TAIL = re.compile(r"&[a-z]{0,3}$")


def escape(text: str) -> str:
    """Slack's three control characters as entities (Slack asks for exactly these)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_mrkdwn(text: str) -> str:
    """Escape, then turn markdown **bold** into Slack's *bold*; _italics_ and `code` match."""
    return _BOLD.sub(r"*\1*", escape(text))


def mention(user_id: str | None) -> str:
    """`<@U…>` for a well-formed user id, else nothing: a mention is never built from free text."""
    return f"<@{user_id}>" if user_id and _USER_ID.match(user_id) else ""


def clip(text: str, limit: int) -> str:
    """At most limit characters, with an ellipsis, never ending inside an entity like `&amp;`."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    cut = _ENTITY_TAIL.sub("", cut)
    return cut.rstrip() + "…"


def split(text: str, limit: int) -> list[str]:
    """Pieces of at most limit characters, cut at a line break, else a space, else anywhere.

    Works on escaped text and never cuts an entity in two.
    """
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = window.rfind("\n")
        if cut < limit // 2:
            cut = max(cut, window.rfind(" "))
        if cut < limit // 2:
            cut = limit
            tail = _ENTITY_TAIL.search(window)
            if tail is not None:
                cut = tail.start()
        piece, rest = rest[:cut].rstrip(), rest[cut:].lstrip("\n ")
        if piece:
            pieces.append(piece)
    if rest.strip():
        pieces.append(rest)
    return pieces
