"""Hypothesis over what users type: commands, answers, packs. Never a crash, always a clear word."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.commands import Command, CommandError, parse
from bot.grading import Rubric, RubricGrader
from questions.loader import PackError, PackSource, load_sources
from tests.support.harness import Harness, fixture_bank

WORDS = st.sampled_from(
    [
        "mock",
        "daily",
        "set",
        "group",
        "join",
        "leaderboard",
        "stats",
        "privacy",
        "loop",
        "hint",
        "skip",
        "end",
        "help",
        "topics",
        "3",
        "0",
        "-1",
        "99999",
        "hard",
        "easy",
        "metrics",
        "time=09:00",
        "tz=Europe/Berlin",
        "days=mon-fri",
        "tz=Mars/Base",
        "count=x",
        "pack=",
        "<!channel>",
        "@everyone",
        "`",
        '"',
        "'",
        "\u200b",
        "🔥",
        "ü",
        "\n",
        "=",
        "--",
    ]
)
COMMAND_TEXT = st.one_of(
    st.lists(WORDS, max_size=8).map(" ".join),
    st.text(max_size=300),
)
ANSWERS = st.one_of(
    st.text(max_size=2000),
    st.text(alphabet=st.characters(categories=["Zs", "Cf", "Mn", "So", "Lo"]), max_size=500),
    st.builds(lambda s, n: (s + " ") * n, st.text(min_size=1, max_size=40), st.integers(1, 1000)),
    st.sampled_from(
        ["", "\u200b\u200b\u200b", "**bold** _it_ `code` <@U123> <!here> @everyone", "x" * 40_000]
    ),
)


@given(COMMAND_TEXT)
def test_the_grammar_either_parses_or_explains(text: str) -> None:
    problem: CommandError | None = None
    command: Command | None = None
    try:
        command = parse(text)
    except CommandError as exc:
        problem = exc
    if problem is not None:
        assert problem.message
        assert "\n" not in problem.message
    else:
        assert command is not None


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(COMMAND_TEXT)
async def test_every_command_gets_a_reply_and_nothing_breaks(h: Harness, text: str) -> None:
    before = len(h.chat.sent)
    await h.command(text, user="fuzzer", admin=True)
    assert len(h.chat.sent) > before, f"no reply to {text!r}"


@settings(max_examples=80, deadline=None)
@given(ANSWERS)
def test_the_grader_scores_any_answer(answer: str) -> None:
    bank = fixture_bank()
    for question in bank.questions:
        result = RubricGrader().grade(Rubric.for_question(question), answer)
        assert 0 <= result.score <= 100
        assert result.advice
        assert "\n" not in result.advice


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ANSWERS)
async def test_answers_in_a_round_are_always_graded(h: Harness, answer: str) -> None:
    if not h.chat.threads or (h.chat.sent and h.chat.sent[-1].message.title == "Scorecard"):
        await h.command("end")
        await h.command("mock 20")
    before = len(h.chat.sent)
    await h.say(answer, h.thread)
    assert len(h.chat.sent) > before


PACK_TEXT = st.one_of(
    st.text(max_size=400),
    st.builds(
        lambda a, b, c: f"questions:\n  - id: {a}\n    topic: {b}\n    difficulty: {c}\n",
        st.text(max_size=20),
        st.text(max_size=20),
        st.text(max_size=10),
    ),
    st.sampled_from(
        ["- a\n- b", "{", "questions: 3", "topics: [1, 2]", "\x00", "questions:\n - ~"]
    ),
)


@settings(max_examples=150, deadline=None)
@given(PACK_TEXT)
def test_any_pack_text_loads_or_names_its_problems(text: str) -> None:
    problem: PackError | None = None
    try:
        load_sources([PackSource("fuzz", Path("fuzz.yaml"), text)], base=fixture_bank())
    except PackError as exc:
        problem = exc
    if problem is not None:
        assert problem.problems
        assert all(str(p).startswith("fuzz.yaml") for p in problem.problems)
