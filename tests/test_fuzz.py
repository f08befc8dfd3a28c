"""Hypothesis over what users type: commands, answers, packs. Never a crash, always a clear word."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app.json_limits import JsonLimitError, read_json_file
from bot.commands import Command, CommandError, parse
from bot.grading import Rubric, RubricGrader
from questions.loader import PackError, PackSource, load_sources
from storage.database import session_factory
from storage.transfer import TransferError, import_workspace
from tests.support.databases import migrated_database
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


HOSTILE_STRINGS = st.sampled_from(
    [
        "<!channel> <!here> @everyone @here <@U0ADMIN> <@&123456>",
        "[click](https://evil.example) <https://evil.example|click>",
        "*bold* _it_ ~strike~ `code` ```block```",
        "\x00\x07\x1b[31m\u202e\u200b",
        "x" * 12_000,
        "&anchor *alias",
    ]
)
HOSTILE_QUESTION = st.fixed_dictionaries(
    {
        "id": st.one_of(st.just("q-hostile"), st.text(max_size=12)),
        "topic": st.sampled_from(["evaluation", "nope", ""]),
        "difficulty": st.sampled_from(["easy", "brutal"]),
        "stage": st.sampled_from(["theory", "coding", "?"]),
        "prompt": st.one_of(HOSTILE_STRINGS, st.text(max_size=50)),
        "answer": st.one_of(HOSTILE_STRINGS, st.text(max_size=50)),
        "key_points": st.lists(
            st.fixed_dictionaries(
                {"point": HOSTILE_STRINGS, "phrasings": st.lists(HOSTILE_STRINGS, max_size=3)}
            ),
            max_size=3,
        ),
        "hints": st.lists(HOSTILE_STRINGS, max_size=2),
    }
)
HOSTILE_PACK = st.one_of(
    st.builds(lambda qs: yaml.safe_dump({"questions": qs}), st.lists(HOSTILE_QUESTION, max_size=3)),
    st.binary(max_size=600).map(lambda raw: raw.decode("utf-8", errors="replace")),
    st.integers(1, 4000).map(lambda n: "questions: " + "[" * n + "]" * n),
    st.integers(2, 12).map(
        lambda n: (
            "a: &a [x, x]\n"
            + "".join(f"l{i}: &l{i} [*{'a' if i == 0 else f'l{i - 1}'}]\n" for i in range(n))
            + "questions: []\n"
        )
    ),
)


@settings(max_examples=120, deadline=None)
@given(HOSTILE_PACK)
def test_hostile_pack_files_load_or_are_refused_quickly(text: str) -> None:
    started = time.perf_counter()
    problems: list[str] | None = None
    try:
        load_sources([PackSource("fuzz", Path("fuzz.yaml"), text)], base=fixture_bank())
    except PackError as exc:
        problems = [str(p) for p in exc.problems]
    assert time.perf_counter() - started < 1.0
    if problems is not None:
        assert problems
        assert all(p.startswith("fuzz.yaml") for p in problems)
        assert all("\n" not in p for p in problems)


def _export_like(leaf: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(
                st.sampled_from(["format", "version", "workspace", "users", "x"]), inner
            ),
        ),
        max_leaves=20,
    )


IMPORT_BYTES = st.one_of(
    st.binary(max_size=800),
    _export_like(st.one_of(HOSTILE_STRINGS, st.integers(), st.none(), st.booleans())).map(
        lambda value: json.dumps(value).encode()
    ),
    st.builds(
        lambda version, users: json.dumps(
            {
                "format": "interview-bot-export",
                "version": version,
                "workspace": {"platform": "console", "external_id": "fuzz"},
                "users": users,
            }
        ).encode(),
        st.integers(0, 3),
        st.lists(st.dictionaries(st.sampled_from(["id", "name", "points"]), HOSTILE_STRINGS)),
    ),
    st.integers(30, 5000).map(lambda n: (b"[" * n) + (b"]" * n)),
)


@pytest.fixture
async def import_target(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    async with migrated_database("sqlite", tmp_path) as (engine, _url):
        yield engine


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(IMPORT_BYTES)
async def test_hostile_import_files_are_restored_or_refused_in_one_line(
    import_target: AsyncEngine, tmp_path: Path, raw: bytes
) -> None:
    path = tmp_path / "fuzz.json"
    path.write_bytes(raw)
    started = time.perf_counter()
    refusal: str | None = None
    try:
        data = read_json_file(path)
        async with session_factory(import_target)() as session:
            try:
                await import_workspace(session, data)
            finally:
                await session.rollback()
    except (JsonLimitError, TransferError) as exc:
        refusal = str(exc)
    assert time.perf_counter() - started < 2.0
    if refusal is not None:
        assert refusal
        assert "\n" not in refusal
