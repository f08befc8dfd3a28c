"""The /interview grammar: arguments in any order, told apart by kind; friendly errors."""

from __future__ import annotations

import pytest

from bot.commands import CommandError, End, Help, Hint, Mock, Resume, Skip, Topics, parse
from questions.schema import Difficulty


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mock", Mock()),
        ("mock 3", Mock(count=3)),
        ("mock metrics hard 5", Mock("metrics", 5, Difficulty.HARD)),
        ("mock 5 HARD metrics", Mock("metrics", 5, Difficulty.HARD)),
        ("mock easy", Mock(difficulty=Difficulty.EASY)),
        ("mock deep learning 2", Mock("deep learning", 2)),
        ("mock topic=metrics count=4 difficulty=medium", Mock("metrics", 4, Difficulty.MEDIUM)),
        ("  MOCK   metrics  ", Mock("metrics")),
        ("end", End()),
        ("stop", End()),
        ("skip", Skip()),
        ("hint", Hint()),
        ("resume", Resume()),
        ("topics", Topics()),
        ("help", Help()),
        ("help mock", Help("mock")),
        ("", Help()),
    ],
)
def test_commands_parse(text: str, expected: object) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "message", "subject"),
    [
        ("mock 0", "`0` is out of range", "mock"),
        ("mock 500", "`500` is out of range", "mock"),
        ("mock -2", "`-2` is out of range", "mock"),
        ("mock 2.5", "whole number from 1 to 20, not `2.5`", "mock"),
        ("mock count=abc", "whole number from 1 to 20, not `abc`", "mock"),
        ("mock 3 4", "number of questions only once", "mock"),
        ("mock easy hard", "difficulty only once", "mock"),
        ("mock difficulty=extreme", "`extreme` is not one of easy, medium or hard", "mock"),
        ("skip now", "takes no arguments", "skip"),
        ("hitn", "Did you mean `/interview hint`?", None),
        ("frobnicate", "I don't know the command `frobnicate`.", None),
    ],
)
def test_bad_commands_say_what_is_wrong(text: str, message: str, subject: str | None) -> None:
    with pytest.raises(CommandError) as caught:
        parse(text)
    assert message in caught.value.message
    assert caught.value.help_subject == subject


def test_echoed_input_is_clipped_and_cannot_break_formatting() -> None:
    with pytest.raises(CommandError) as caught:
        parse("x`" + "y" * 300)
    assert "`x'" in caught.value.message
    assert len(caught.value.message) < 120


def test_unbalanced_quotes_do_not_crash() -> None:
    assert parse('mock "metrics 3') == Mock('"metrics', 3)
