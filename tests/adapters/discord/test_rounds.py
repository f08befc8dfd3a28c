"""Mock rounds on Discord, end to end: the real client against the local stand-in."""

from __future__ import annotations

import json

from bot.app.root import App
from bot.rounds.roles import find_role
from questions.schema import Stage
from tests.adapters.discord.conftest import StartRuntime
from tests.adapters.discord.flows import (
    good_answer,
    start_round,
    thread_messages,
    titles,
    wait_new_ask_or_card,
    would_ping,
)
from tests.adapters.discord.standin import CHANNEL_ID, EPHEMERAL, FakeDiscord, StoredMessage

CALLBACK = r"/interactions/{}/[^/]+/callback"


async def answer_by_message(
    fake: FakeDiscord, bot: App, thread_id: int, ask: StoredMessage
) -> StoredMessage:
    seen = len(thread_messages(fake, thread_id))
    await fake.say("alice", thread_id, good_answer(bot, ask))
    return await wait_new_ask_or_card(fake, thread_id, seen)


async def answer_by_modal(
    fake: FakeDiscord, bot: App, thread_id: int, ask: StoredMessage
) -> StoredMessage:
    answer_button = next(c for c in ask.custom_ids() if c.startswith("ibf|"))
    interaction_id = await fake.press("alice", ask, answer_button)
    modal = await fake.wait_for(
        lambda: fake.calls_to("POST", rf"/interactions/{interaction_id}/[^/]+/callback")
    )
    body = modal[0].body
    assert body["type"] == 9, "the Answer button opens a modal as its first response"
    form = body["data"]
    answer_input = form["components"][0]["component"]
    assert answer_input["style"] == 2
    assert answer_input["max_length"] == 4000
    seen = len(thread_messages(fake, thread_id))
    await fake.submit("alice", thread_id, form["custom_id"], good_answer(bot, ask))
    return await wait_new_ask_or_card(fake, thread_id, seen)


async def test_a_mock_round_runs_from_the_slash_command_to_the_scorecard_in_thread_messages(
    fake: FakeDiscord, bot: App, start_runtime: StartRuntime
) -> None:
    await start_runtime()
    thread_id, ask = await start_round(fake, "alice", 2)

    intro = fake.in_channel(CHANNEL_ID)[0]
    assert intro.title == "Mock interview for Alice"
    thread_call = fake.calls_to("POST", rf"/channels/{CHANNEL_ID}/messages/\d+/threads")[0]
    assert thread_call.body["auto_archive_duration"] == 1440
    assert thread_call.path.endswith(f"/{thread_id}/threads"), "the thread starts from the intro"
    assert ask.title == "Question 1 of 2"
    assert ask.embeds[0]["footer"]["text"].count(" · ") == 2  # topic · difficulty · stage
    labels = [c["label"] for row in ask.payload["components"] for c in row["components"]]
    assert labels == ["Answer", "Hint", "Skip", "End"]

    while ask.title != "Scorecard":
        ask = await answer_by_message(fake, bot, thread_id, ask)

    seen = titles(fake, thread_id)
    assert sum(t.startswith("Score: ") for t in seen) == 2
    assert seen[-1] == "Scorecard"
    assert "Total:" in ask.embeds[0]["description"]
    # the slash command was answered (deferred, then its placeholder cleared) within the round
    callback = fake.calls_to("POST", r"/interactions/\d+/[^/]+/callback")[0]
    assert callback.body["type"] in (4, 5)
    for call in fake.calls_to("POST", r"/channels/\d+/messages"):
        assert call.body["allowed_mentions"] == {"parse": []}, call.body


async def test_a_mock_round_runs_through_the_answer_button_and_its_modal(
    fake: FakeDiscord, bot: App, start_runtime: StartRuntime
) -> None:
    await start_runtime(settings=None)
    thread_id, ask = await start_round(fake, "alice", 2)
    while ask.title != "Scorecard":
        ask = await answer_by_modal(fake, bot, thread_id, ask)
    assert sum(t.startswith("Score: ") for t in titles(fake, thread_id)) == 2
    # every interaction (command, button presses, modal submits) got its first response in time
    await fake.wait_for(lambda: len(fake.first_response_s) >= 5)
    assert max(fake.first_response_s.values()) < 3.0, fake.first_response_s
    # each modal submit was acknowledged without a visible message (deferred update)
    acks = [c.body["type"] for c in fake.calls_to("POST", r"/interactions/\d+/[^/]+/callback")]
    assert acks.count(9) >= 2
    assert 6 in acks


async def test_hint_button_answers_in_the_thread_and_acks_the_press_silently(
    fake: FakeDiscord, bot: App, start_runtime: StartRuntime
) -> None:
    await start_runtime()
    thread_id, ask = await start_round(fake, "alice", 1)
    hint = next(c for c in ask.custom_ids() if c.startswith("ib|round:hint|"))
    seen = len(thread_messages(fake, thread_id))
    await fake.press("alice", ask, hint)
    note = await fake.wait_for(lambda: thread_messages(fake, thread_id)[seen:])
    assert "Hint 1" in note[0].content
    await fake.wait_for(
        lambda: any(
            c.body["type"] == 6 for c in fake.calls_to("POST", r"/interactions/\d+/[^/]+/callback")
        )
    )
    # someone else pressing Alice's buttons gets a private note, not her round
    await fake.press("bob", ask, hint)
    ephemeral = await fake.wait_for(
        lambda: [m for m in fake.ephemerals() if "someone else" in m.text()]
    )
    assert ephemeral[0].payload["flags"] & EPHEMERAL


async def test_an_answer_containing_everyone_is_echoed_without_pinging_anyone(
    fake: FakeDiscord, bot: App, start_runtime: StartRuntime
) -> None:
    await start_runtime()
    thread_id, _ask = await start_round(fake, "alice", 1)
    await fake.say("alice", thread_id, "@everyone <@&810000000000000001> @here overfitting")
    await fake.wait_for(lambda: any(t.startswith("Score: ") for t in titles(fake, thread_id)))
    # a member whose display name is a mass mention sees it echoed back in their stats
    fake.user("mallory", display="@everyone")
    await fake.slash("mallory", ["stats"])
    await fake.wait_for(lambda: [m for m in fake.ephemerals() if "@everyone" in m.text()])

    sent = fake.calls_to("POST", r"/channels/\d+/messages") + fake.calls_to(
        "POST", r"/webhooks/\d+/[^/]+"
    )
    sent += [c for c in fake.calls_to("POST", r"/interactions/.*") if c.body.get("data")]
    assert sent
    for call in sent:
        body = (
            call.body.get("data", call.body) if call.path.startswith("/interactions") else call.body
        )
        if "content" in body or "embeds" in body:
            assert body.get("allowed_mentions") is not None, call.path
            assert would_ping(body) == [], body
    echoed = [c for c in sent if "@everyone" in str(c.body.get("data", c.body).get("content"))]
    assert echoed, "the display name came back as message content"


async def test_topic_and_time_zone_options_autocomplete(
    fake: FakeDiscord, bot: App, start_runtime: StartRuntime
) -> None:
    await start_runtime()
    topic = await fake.autocomplete("alice", ["mock"], "topic", "metr")
    zone = await fake.autocomplete("carol", ["daily", "set"], "tz", "berl")
    calls = await fake.wait_for(
        lambda: (
            len(fake.calls_to("POST", r"/interactions/\d+/[^/]+/callback")) == 2
            and fake.calls_to("POST", r"/interactions/\d+/[^/]+/callback")
        )
    )
    by_id = {c.path.split("/")[2]: c.body for c in calls}
    assert by_id[topic]["type"] == 8
    assert by_id[topic]["data"]["choices"] == [
        {"name": "Evaluation and metrics (evaluation)", "value": "evaluation"}
    ]
    assert {"name": "Europe/Berlin", "value": "Europe/Berlin"} in by_id[zone]["data"]["choices"]


async def test_a_role_loop_starts_from_the_loop_option_with_the_grammars_rules(
    fake: FakeDiscord, bot: App, start_runtime: StartRuntime
) -> None:
    await start_runtime()
    refused = await fake.slash("alice", ["mock"], {"loop": "data-scientist", "count": 3})
    callback = await fake.wait_for(lambda: fake.calls_to("POST", CALLBACK.format(refused)))
    told = json.dumps(callback[0].body)
    assert "A loop asks one question per stage; leave out the count." in told
    assert callback[0].body["data"]["flags"] & EPHEMERAL
    assert not fake.threads

    await fake.slash("alice", ["mock"], {"loop": "data-scientist"})
    thread_id: int = await fake.wait_for(lambda: next(iter(fake.threads), None))
    ask = await wait_new_ask_or_card(fake, thread_id, 0)
    intro = fake.in_channel(CHANNEL_ID)[0]
    assert intro.title == "Data scientist interview loop for Alice"
    role = find_role("data-scientist")
    assert role is not None
    assert (ask.title or "").startswith("Question 1 of ")
    title, _, stage = ask.embeds[0]["footer"]["text"].split(" · ")
    topic = next(t.id for t in bot.bank.topics if t.title == title)
    assert topic in role.topics[Stage(stage)], "the stage draws from the role's topics"


async def test_an_unknown_topic_option_is_answered_with_a_suggestion(
    fake: FakeDiscord, bot: App, start_runtime: StartRuntime
) -> None:
    await start_runtime()
    asked = await fake.slash("alice", ["mock"], {"topic": "evalution", "count": 2})
    callback = await fake.wait_for(lambda: fake.calls_to("POST", CALLBACK.format(asked)))
    told = json.dumps(callback[0].body)
    assert "I don't know the topic `evalution`. Did you mean `evaluation`?" in told
    assert not fake.threads


async def test_web_answers_only_the_caller(
    fake: FakeDiscord, bot: App, start_runtime: StartRuntime
) -> None:
    await start_runtime()
    await fake.slash("alice", ["web"])
    told = await fake.wait_for(lambda: [m for m in fake.ephemerals() if "dashboard" in m.text()])
    assert "INTERVIEW_BOT_WEB_SECRET" in told[-1].text()
