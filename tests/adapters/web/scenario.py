"""A small workspace for the dashboard's tests: a channel with daily questions answered over
two days, a named group, a mock round, and a second workspace next door."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from bot.dashboard.links import LinkSigner
from bot.events import Actor, Place, SlashCommand
from tests.bot.test_daily import post_thread, question_of, schedule
from tests.bot.test_groups_and_boards import answer_today as members_answer
from tests.support.harness import Harness, answer_covering

SECRET = "a test secret that is long enough"
PUBLIC_URL = "https://bot.example.com/practice"
LINK = re.compile(r"https?://\S+/dashboard/me\?\S+")
ANN_ANSWER_WORDS = "ann-only-words"


def signer() -> LinkSigner:
    return LinkSigner(SECRET, PUBLIC_URL)


def with_dashboard(h: Harness) -> Harness:
    h.web = signer()
    h.new_engine()
    return h


async def answer_today(h: Harness, users: list[str], good: bool = True) -> None:
    """As members answer in tests/bot; Ann's answers carry words only she wrote."""
    if "ann" in users:
        text = f"{answer_covering(h.bank, question_of(h))} {ANN_ANSWER_WORDS}"
        await h.say(text, post_thread(h), user="ann")
    await members_answer(h, [u for u in users if u != "ann"], good)


async def build(h: Harness) -> None:
    """#c1 posts Mon and Tue; ann answers well twice, ben once, cat poorly; dan joins a named
    group only; eve lives in another workspace."""
    h.clock.set(datetime(2026, 3, 2, 7, 0, tzinfo=UTC))
    await schedule(h)
    await h.advance(timedelta(hours=2))
    await answer_today(h, ["ann", "ben"])
    await h.advance(timedelta(days=1))
    await answer_today(h, ["ann"])
    await answer_today(h, ["cat"], good=False)
    await h.command("group create night-owls", user="ann")
    await h.command("group join night-owls", user="dan")
    await h.send(
        SlashCommand(
            Place("test", "W2", "C9", None, channel_name="c9"),
            Actor("eve", "Eve"),
            "group create w2-club",
            h.event_id(),
        )
    )


async def link_for(h: Harness, user: str, workspace: str = "W1") -> str:
    """The link `/interview web` hands the user, read from its private answer."""
    await h.send(
        SlashCommand(
            Place("test", workspace, "C1", None, channel_name="c1"),
            Actor(user, user.title()),
            "web",
            h.event_id(),
        )
    )
    body = h.chat.private_to(user)[-1].message.body
    found = LINK.search(body)
    assert found is not None, body
    return found.group(0)
