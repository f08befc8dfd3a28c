"""What a Discord user does and sees, in terms of the stand-in: for the adapter's tests."""

from __future__ import annotations

import re
from typing import Any

from bot.app.root import App
from tests.adapters.discord.standin import FakeDiscord, StoredMessage
from tests.support.harness import answer_covering

ASKS = re.compile(r"^(Question \d+ of \d+|Follow-up to question \d+)$")
MENTION = re.compile(r"<@[!&]?(\d+)>")


def thread_messages(fake: FakeDiscord, thread_id: int) -> list[StoredMessage]:
    return fake.in_channel(thread_id)


def titles(fake: FakeDiscord, thread_id: int) -> list[str]:
    return [m.title for m in thread_messages(fake, thread_id)]


def last_ask(fake: FakeDiscord, thread_id: int) -> StoredMessage | None:
    asks = [m for m in thread_messages(fake, thread_id) if ASKS.match(m.title)]
    return asks[-1] if asks else None


def good_answer(bot: App, ask: StoredMessage) -> str:
    """An answer covering every key point of the asked question (follow-ups get a fixed one)."""
    if ask.title.startswith("Follow-up"):
        return "I would use an elastic net and favour recall since missed cancer is costly."
    prompt = ask.embeds[0]["description"]
    question = next(q for q in bot.bank.questions if q.prompt == prompt)
    return answer_covering(bot.bank, question.id)


async def wait_new_ask_or_card(fake: FakeDiscord, thread_id: int, seen: int) -> StoredMessage:
    """The next question, follow-up or scorecard after `seen` messages of the thread."""

    def check() -> StoredMessage | None:
        fresh = thread_messages(fake, thread_id)[seen:]
        return next((m for m in fresh if ASKS.match(m.title) or m.title == "Scorecard"), None)

    found: StoredMessage = await fake.wait_for(check)
    return found


async def start_round(fake: FakeDiscord, user: str, count: int) -> tuple[int, StoredMessage]:
    """`/interview mock count:N`; the round's thread id and its first question."""
    await fake.slash(user, ["mock"], {"count": count})
    thread_id: int = await fake.wait_for(lambda: next(iter(fake.threads), None))
    first = await wait_new_ask_or_card(fake, thread_id, 0)
    return thread_id, first


def would_ping(call_body: dict[str, Any]) -> list[str]:
    """Who a sent message could notify, by Discord's rules for content and allowed_mentions."""
    content = str(call_body.get("content") or "")
    allowed = call_body.get("allowed_mentions")
    parse = set(allowed.get("parse", ["everyone", "users", "roles"])) if allowed else None
    users = {str(u) for u in (allowed or {}).get("users", [])}
    pings: list[str] = []
    everyone_allowed = parse is None or "everyone" in parse
    if everyone_allowed and ("@everyone" in content or "@here" in content):
        pings.append("@everyone/@here")
    for found in MENTION.finditer(content):
        is_role = found.group(0).startswith("<@&")
        kind = "roles" if is_role else "users"
        if parse is None or kind in parse or (not is_role and found.group(1) in users):
            pings.append(found.group(0))
    return pings
