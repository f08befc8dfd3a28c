"""Discord flavoured text: the engine's markdown, and clean splitting under Discord's limits."""

from __future__ import annotations

import re

# The engine writes Slack-style *bold* as well as **bold**; Discord reads *x* as italics.
_SINGLE_STAR = re.compile(r"(?<![*\w])\*(?!\*)(?=\S)([^*\n]+?)(?<=\S)\*(?![*\w])")
_FENCE = "```"
# Discord renders [text](https://…) in embeds and bot messages as a link whose target hides
# behind the text. The engine never writes one, so any such link came from a user (a name, a
# group, an answer, a workspace's own pack) and is shown as typed, with its address visible.
_MASKED_LINK = re.compile(r"\[([^\[\]\n]*)\]\((\s*<?[a-zA-Z][\w+.-]*:)")


def to_markdown(text: str) -> str:
    """The engine's markdown as Discord markdown: *bold* becomes **bold**, the rest is the same,
    but for links in disguise, which lose their disguise."""
    return _SINGLE_STAR.sub(r"**\1**", inert_links(text))


def inert_links(text: str) -> str:
    return _MASKED_LINK.sub(r"\[\1\]\(\2", text)


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most limit characters, cut at a paragraph, line, sentence or word end.

    A cut inside a ``` code block closes the block and reopens it in the next piece, so each
    piece renders on its own.
    """
    if limit < 16:
        raise ValueError("limit too small to split cleanly")
    pieces: list[str] = []
    rest = text.strip("\n")
    reopen = ""
    while rest:
        rest = reopen + rest
        if len(rest) <= limit:
            pieces.append(rest)
            break
        budget = limit - len(_FENCE) - 1  # room to close a code block if we cut inside one
        cut = _cut_point(rest, budget)
        piece, rest = rest[:cut].rstrip(), rest[cut:].lstrip(" \n")
        reopen = ""
        if piece.count(_FENCE) % 2 == 1:
            language = _open_fence_language(piece)
            piece += "\n" + _FENCE
            reopen = _FENCE + language + "\n"
        pieces.append(piece)
    return [p for p in pieces if p.strip()]


def _cut_point(text: str, budget: int) -> int:
    window = text[:budget]
    floor = budget // 2  # never leave a piece less than half full for a nicer cut
    for separator in ("\n\n", "\n", ". ", "! ", "? ", "; ", ", ", " "):
        at = window.rfind(separator, floor)
        if at != -1:
            return at + len(separator.rstrip(" ")) if separator.strip() else at
    return budget


def _open_fence_language(piece: str) -> str:
    last = piece.rfind(_FENCE)
    line = piece[last + len(_FENCE) :].split("\n", 1)[0]
    return line if line.isalnum() else ""


def clip(text: str, limit: int) -> str:
    """Shorten to limit characters with an ellipsis, for names and titles that cannot split."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
