"""Mentions and markup from users and from a workspace's own pack stay inert wherever the
bot repeats them on Slack: display names, refused group names, answers and question text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from adapters.slack.mrkdwn import escape
from bot.app.root import App
from bot.grading import RubricGrader
from tests.adapters.slack.conftest import serving, token_env
from tests.adapters.slack.standin import FakeSlack
from tests.support.harness import harness
from tests.support.hostile import HOSTILE, hostile_bank


async def test_slack_never_lets_hostile_text_ping_or_link(
    tmp_path: Path, slack: FakeSlack, clean_env: pytest.MonkeyPatch
) -> None:
    slack.add_user("UMALLORY", HOSTILE)
    token_env(clean_env, slack)
    async with harness("sqlite", tmp_path, bank=hostile_bank(tmp_path)) as h:
        app = App(h.engine, h.bank, h.database, h.clock, RubricGrader())
        async with serving(h, slack, app) as bot:
            await bot.driver.command("mock hostile 1", user="UMALLORY")
            intro = await slack.wait_for(
                lambda: [c for c in slack.posts() if c.header.startswith("Mock interview")]
            )
            thread = intro[0].ts
            await slack.wait_for(lambda: [c for c in slack.in_thread(thread) if "recall" in c.raw])
            await bot.driver.command("hint", user="UMALLORY")
            await bot.driver.reply(thread, f"Actual positives found. {HOSTILE}", user="UMALLORY")
            await bot.driver.command(f"group create {HOSTILE}", user="UMALLORY")
            await bot.driver.command("leaderboard all", user="UMALLORY")
            await bot.driver.command("stats", user="UMALLORY")
            await bot.settle()
    shown = [c for c in slack.calls if c.method.startswith("chat.") or c.method == "views.open"]
    assert any(escape("What is recall?") in c.raw for c in shown)
    assert any(escape(HOSTILE) in c.raw for c in shown), "the hostile text was echoed, escaped"
    for call in shown:
        sent = "\n".join(_parsed_texts(call.args.get("text", ""), call.blocks))
        for control in ("<!channel>", "<!here>", "<@UADMIN>", "<https://evil"):
            assert control not in sent, (call.method, sent[:300])


def _parsed_texts(*found: Any) -> list[str]:
    """The text Slack parses for mentions and links: a message's `text` and every mrkdwn text
    object. (plain_text, such as a header, shows `<!channel>` as typed and pings nobody.)"""
    texts: list[str] = []
    for item in found:
        if isinstance(item, str):
            texts.append(item)
        elif isinstance(item, list):
            texts.extend(_parsed_texts(*item))
        elif isinstance(item, dict):
            if item.get("type") == "mrkdwn":
                texts.append(str(item.get("text", "")))
            texts.extend(_parsed_texts(*(v for v in item.values() if isinstance(v, dict | list))))
    return texts
