"""Commands built from typed options (Discord's slash commands) meet the text grammar's rules
and its messages, word for word."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.commands import (
    Command,
    CommandError,
    Daily,
    DailySet,
    Group,
    Help,
    Leaderboard,
    Mock,
    Privacy,
    check,
    mock_words,
    parse,
)
from questions.schema import Difficulty
from tests.support.harness import Harness


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (Mock(topic="  deep   learning "), Mock(topic="deep learning")),
        (Mock(topic="", pack=" ML "), Mock(pack="ml")),
        (Mock(loop=True, role="DS"), Mock(loop=True, role="data-scientist")),
        (Mock(role="research"), Mock(loop=True, role="research")),
        (Help("Mock please"), Help("mock")),
        (Help("  "), Help()),
        (Group("join", "  study   buddies "), Group("join", "study buddies")),
        (Leaderboard("month", " "), Leaderboard("month")),
        (Daily("status"), Daily("status")),
        (Privacy("export"), Privacy("export")),
    ],
)
def test_typed_commands_are_tidied_like_typed_words(typed: Command, expected: Command) -> None:
    assert check(typed) == expected


@pytest.mark.parametrize(
    ("typed", "text"),
    [
        (Mock(count=25), "mock 25"),
        (Mock(count=0), "mock 0"),
        (Mock(loop=True, count=3), "mock loop 3"),
        (Mock(loop=True, topic="metrics"), "mock loop metrics"),
        (Mock(role="astronaut"), "mock role=astronaut"),
        (Group("join", " "), "group join"),
        (Group("rename", "x"), "group rename x"),
        (Privacy("shred"), "privacy shred"),
        (Daily("now", ("x",)), "daily now x"),
    ],
)
def test_typed_commands_are_refused_with_the_grammars_message(typed: Command, text: str) -> None:
    with pytest.raises(CommandError) as from_text:
        parse(text)
    with pytest.raises(CommandError) as from_typed:
        check(typed)
    assert from_typed.value.message == from_text.value.message
    assert from_typed.value.help_subject == from_text.value.help_subject


@pytest.mark.parametrize(
    "mock",
    [
        Mock(),
        Mock(count=3, difficulty=Difficulty.HARD),
        Mock(topic="deep learning", count=2),
        Mock(topic="it's 5", pack="team"),
        Mock(loop=True),
        Mock(loop=True, role="ml-engineer", difficulty=Difficulty.EASY),
    ],
)
def test_a_mock_command_reads_back_from_its_words(mock: Mock) -> None:
    """The "Start new" button of a paused round carries these words."""
    assert parse(f"mock {mock_words(mock)}") == mock


def test_blank_schedule_options_count_as_left_out() -> None:
    typed = DailySet(time=" 09:00 ", tz="UTC", days="", reveal="  ")
    assert typed.settings() == {"time": "09:00", "tz": "UTC"}


@pytest.mark.parametrize(
    ("typed", "text"),
    [
        (DailySet(tz="UTC"), "tz=UTC"),
        (DailySet(time="25:00"), "time=25:00"),
        (DailySet(time="9am", tz="Mars/Olympus"), "time=9am tz=Mars/Olympus"),
        (DailySet(time="09:00", days="funday"), "time=09:00 days=funday"),
        (DailySet(time="09:00", topics="astrology"), "time=09:00 topics=astrology"),
        (DailySet(time="09:00", topics="evaluaton"), "time=09:00 topics=evaluaton"),
        (
            DailySet(time="09:00", topics="behavioral", difficulty="hard"),
            "time=09:00 topics=behavioral difficulty=hard",
        ),
    ],
)
async def test_a_typed_schedule_is_refused_as_its_text_is(
    h_memory: Harness, typed: DailySet, text: str
) -> None:
    h = h_memory
    await h.command(f"daily set {text}", admin=True)
    await h.typed(typed, admin=True)
    from_text, from_typed = (m.message for m in h.chat.private_to("alice")[-2:])
    assert from_typed == from_text
    assert await h.engine.enabled_schedules() == []


async def test_a_typed_schedule_is_set_and_updated_like_the_text_one(h_memory: Harness) -> None:
    h = h_memory
    h.clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    await h.typed(DailySet(time="09:00", tz="Europe/Berlin", days="mon-fri"), user="bob")
    assert "Only workspace admins" in h.chat.private_to("bob")[-1].message.body
    await h.typed(DailySet(time="09:00", tz="Europe/Berlin", days="mon-fri"), admin=True)
    status = h.chat.private_to("alice")[-1].message
    assert "Posts at 09:00 Europe/Berlin, mon-fri." in status.body
    await h.typed(DailySet(time="10:30", tz=""), admin=True)
    assert "Posts at 10:30 Europe/Berlin, mon-fri." in h.chat.private_to("alice")[-1].message.body
    assert len(await h.engine.enabled_schedules()) == 1
