"""The `/interview pair ...` grammar, kept beside the capability it starts."""

from __future__ import annotations

import re
from dataclasses import dataclass

from questions.schema import Difficulty

PAIR_ACTIONS = ("join", "invite", "cancel", "swap", "block", "unblock")
_KEYED = re.compile(r"^(topic|difficulty|level|group)=(.*)$", re.IGNORECASE)
_MENTION = re.compile(r"^<@!?([^>|]+)(?:\|[^>]*)?>$")
_DIFFICULTIES = {d.value for d in Difficulty}


@dataclass(frozen=True)
class Pair:
    """`/interview pair`: join the queue (action join), invite someone, or manage pairing."""

    action: str = "join"
    topic: str | None = None
    difficulty: Difficulty | None = None
    group: str | None = None
    member: str | None = None


def member_ref(word: str) -> str:
    """A member as typed: a platform mention (<@U1>, <@!1>, <@U1|ann>) or @name, made bare."""
    word = word.strip()
    found = _MENTION.match(word)
    return found.group(1) if found else word.lstrip("@")


def parse_pair(args: list[str]) -> Pair:
    """Parse what follows `/interview pair`; CommandError with a fix-it message on bad input."""
    from bot.commands import CommandError, quote_input  # the shared grammar's error and echo

    first = args[0].lower() if args else ""
    if first in ("cancel", "leave", "swap"):
        if len(args) > 1:
            raise CommandError(f"`/interview pair {first}` takes no arguments.", "pair")
        return Pair("cancel" if first == "leave" else first)
    if first in ("block", "unblock"):
        if len(args) != 2:
            raise CommandError(f"Name one member: `/interview pair {first} @member`.", "pair")
        return Pair(first, member=member_ref(args[1]))
    action, member, rest = "join", None, args
    if first == "with":
        if len(args) < 2 or not member_ref(args[1]):
            raise CommandError("Name who to pair with: `/interview pair with @member`.", "pair")
        action, member, rest = "invite", member_ref(args[1]), args[2:]
    topic_words: list[str] = []
    difficulty: Difficulty | None = None
    group: str | None = None
    for word in rest:
        keyed = _KEYED.match(word)
        key, value = (keyed.group(1).lower(), keyed.group(2).strip()) if keyed else (None, word)
        if key in ("difficulty", "level") or (key is None and value.lower() in _DIFFICULTIES):
            if value.lower() not in _DIFFICULTIES:
                raise CommandError(
                    f"Difficulty `{quote_input(value)}` is not one of easy, medium or hard.", "pair"
                )
            if difficulty is not None:
                raise CommandError("Give the difficulty only once.", "pair")
            difficulty = Difficulty(value.lower())
        elif key == "group":
            if not value:
                raise CommandError("Name the group: `group=NAME`.", "pair")
            if action == "invite":
                raise CommandError("An invitation goes to one member, not a group.", "pair")
            group = value
        elif value:
            topic_words.append(value)
    return Pair(action, " ".join(topic_words) or None, difficulty, group, member)
