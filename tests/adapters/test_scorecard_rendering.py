"""Scorecards with no difference to name (a tie, or every answer at 0) as Slack and Discord
show them: plain words, no "strongest" pick, and the way forward when nothing scored."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from adapters.discord.embeds import render
from adapters.slack.blocks import fallback_text, message_blocks
from bot import views
from bot.messages import RichMessage
from questions.bank import QuestionBank
from questions.loader import load_bank
from questions.schema import Question

Show = Callable[[RichMessage], str]


@pytest.fixture(scope="module")
def bank() -> QuestionBank:
    return load_bank()


def card(bank: QuestionBank, scores: list[int]) -> RichMessage:
    topics: dict[str, Question] = {}
    for question in bank.select():
        topics.setdefault(question.topic, question)
    questions = list(topics.values())[: len(scores)]
    lines = [
        views.ScoreLine(i, q, "answered", score, None, 0)
        for i, (q, score) in enumerate(zip(questions, scores, strict=True))
    ]
    return views.scorecard(bank, lines, ended_early=False)


def slack_text(message: RichMessage) -> str:
    return fallback_text(message) + str(message_blocks(message))


def discord_text(message: RichMessage) -> str:
    return " ".join(
        f"{e.title} {e.description} " + " ".join(f"{f.name} {f.value}" for f in e.fields)
        for part in render(message)
        for e in part.embeds
    )


@pytest.mark.parametrize("show", [slack_text, discord_text], ids=["slack", "discord"])
def test_a_tie_names_no_strongest_topic(bank: QuestionBank, show: Show) -> None:
    text = show(card(bank, [60, 60, 60]))
    assert "Total: 60/100" in text
    assert "every topic scored 60, so none stands out" in text
    assert "Strongest" not in text
    assert "Weakest" not in text


@pytest.mark.parametrize("show", [slack_text, discord_text], ids=["slack", "discord"])
def test_all_zero_points_to_hints_and_model_answers(bank: QuestionBank, show: Show) -> None:
    text = show(card(bank, [0, 0]))
    assert "every answer scored 0, so none stands out" in text
    assert "/interview hint" in text
    assert "model answers" in text
    assert "Strongest" not in text


def test_a_shared_top_score_names_every_topic_that_reached_it(bank: QuestionBank) -> None:
    message = card(bank, [80, 80, 40])
    first, second, third = (f.name.split(" · ")[1] for f in message.fields)
    assert f"Strongest topic: {first}, {second} (80)." in message.body
    assert f"Weakest topic: {third} (40)." in message.body
