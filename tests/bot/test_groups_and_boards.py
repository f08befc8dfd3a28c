"""Study groups, leaderboards and stats as members see them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PIL import Image as PILImage

from tests.bot.test_daily import daily_posts, post_thread, question_of, schedule
from tests.support.harness import Harness, answer_covering


async def answer_today(h: Harness, users: list[str], good: bool = True) -> None:
    thread = post_thread(h)
    text = answer_covering(h.bank, question_of(h)) if good else "No idea, sorry about that one."
    for user in users:
        await h.say(text, thread, user=user)


async def test_groups_can_be_created_joined_left_and_listed(h_memory: Harness) -> None:
    h = h_memory
    await h.command("group create ML Study")
    assert "Created the study group `ml-study`" in h.chat.private_to("alice")[-1].message.body
    await h.command("group create ml-study", user="bob")
    assert "exists already" in h.chat.private_to("bob")[-1].message.body
    await h.command("group join ml-study", user="bob")
    assert "You joined `ml-study`" in h.chat.private_to("bob")[-1].message.body
    await h.command("group join ml-study", user="bob")
    assert "already in" in h.chat.private_to("bob")[-1].message.body
    await h.command("group join ml-studdy", user="cat")
    assert "Did you mean `ml-study`?" in h.chat.private_to("cat")[-1].message.body
    await h.command("group create #sneaky", user="cat")
    assert "Group names have" in h.chat.private_to("cat")[-1].message.body
    await h.command("group list", user="bob")
    assert "`ml-study` — 2 members (you)" in h.chat.private_to("bob")[-1].message.body
    await h.command("group leave ml-study", user="bob")
    await h.command("group list", user="bob")
    assert "`ml-study` — 1 member\n" in h.chat.private_to("bob")[-1].message.body + "\n"


async def test_weekly_leaderboard_ranks_by_points_with_ties_to_the_earliest(
    h_memory: Harness,
) -> None:
    h = h_memory
    h.clock.set(datetime(2026, 3, 2, 7, 0, tzinfo=UTC))
    await schedule(h)
    await h.advance(timedelta(hours=2))
    await answer_today(h, ["ann", "ben"])
    await h.advance(timedelta(days=1))
    await answer_today(h, ["ben"])
    await answer_today(h, ["cat", "dan"], good=False)
    await h.command("leaderboard", user="dan")
    board = h.chat.private_to("dan")[-1].message
    assert board.title == "Leaderboard · #c1 · this week"
    lines = board.body.splitlines()
    assert lines[0].startswith("1. Ben — ")
    assert "🔥2" in lines[0]
    assert "2 answers" in lines[0]
    assert lines[1].startswith("2. Ann — ")
    assert (
        lines[-1].startswith("You: #") or lines[-1] == "You have no points here in this period yet."
    )


async def test_the_week_starts_on_monday_in_the_groups_zone(h_memory: Harness) -> None:
    h = h_memory
    h.clock.set(datetime(2026, 3, 2, 7, 0, tzinfo=UTC))
    await schedule(h, "time=09:00 tz=Europe/Berlin days=daily")
    await h.advance(timedelta(hours=2))
    await answer_today(h, ["ann"])
    await h.advance_to(datetime(2026, 3, 8, 22, 30, tzinfo=UTC))  # Sun 23:30 Berlin
    await h.command("leaderboard week", user="ann")
    assert h.chat.private_to("ann")[-1].message.body.startswith("1. Ann")
    h.clock.set(datetime(2026, 3, 8, 23, 30, tzinfo=UTC))  # Mon 00:30 Berlin: a new week
    await h.command("leaderboard", user="ann")
    assert "No points in `#c1` this week yet" in h.chat.private_to("ann")[-1].message.body
    await h.command("leaderboard all", user="ann")
    assert h.chat.private_to("ann")[-1].message.body.startswith("1. Ann")


async def test_answers_count_in_every_group_of_the_member(h_memory: Harness) -> None:
    h = h_memory
    h.clock.set(datetime(2026, 3, 2, 7, 0, tzinfo=UTC))
    await schedule(h)
    await h.command("group create night-owls", user="ann")
    await h.advance(timedelta(hours=2))
    await answer_today(h, ["ann", "ben"])
    await h.command("leaderboard week night-owls", user="ben")
    body = h.chat.private_to("ben")[-1].message.body
    assert body.startswith("1. Ann")
    assert "Ben" not in body.split("\n\n")[0]
    assert "You have no points here" in body


async def test_leaderboard_needs_a_group_where_the_channel_has_none(h_memory: Harness) -> None:
    h = h_memory
    await h.command("leaderboard", channel="C9")
    assert "This channel has no study group" in h.chat.private_to("alice")[-1].message.body


async def test_stats_show_streaks_scores_topics_recent_answers_and_a_picture(
    h_memory: Harness,
) -> None:
    h = h_memory
    h.clock.set(datetime(2026, 3, 2, 7, 0, tzinfo=UTC))
    await schedule(h)
    await h.advance(timedelta(hours=2))
    for _ in range(3):
        await answer_today(h, ["ann"])
        await h.advance(timedelta(days=1))
    await h.command("stats", user="ann")
    stats = h.chat.private_to("ann")[-1].message
    fields = {f.name: f.value for f in stats.fields}
    assert fields["Streak"] == "3 now · 3 longest · 0 freezes"
    assert fields["Answers"].startswith("3 · mean score ")
    assert int(fields["Points"]) > 0
    # every answer scored the same, so no topic is named strongest over another
    assert "Strongest topic" not in fields
    assert fields["Topics"].endswith("so none stands out")
    assert len(fields["Recent"].splitlines()) == 3
    assert stats.image is not None
    assert stats.image.data.startswith(b"\x89PNG")
    assert "3 answers on 3 of the last" in stats.image.alt_text
    from io import BytesIO

    assert PILImage.open(BytesIO(stats.image.data)).size[0] > 100
    await h.command("stats Ann", user="bob")
    assert h.chat.private_to("bob")[-1].message.title == "Stats · Ann"
    await h.command("stats nobody", user="bob")
    assert "I don't know anyone called `nobody`" in h.chat.private_to("bob")[-1].message.body


async def test_mock_answers_earn_practice_points_at_a_lower_rate(h_memory: Harness) -> None:
    h = h_memory
    await h.command("mock metrics 1 easy")
    await h.say(h.good_answer(), h.thread)
    await h.command("stats")
    points = int({f.name: f.value for f in h.chat.private_to("alice")[-1].message.fields}["Points"])
    assert 0 < points <= 3  # a quarter of an easy daily question's 10


async def test_help_explains_points_and_streaks(h_memory: Harness) -> None:
    h = h_memory
    await h.command("help")
    body = h.chat.private_to("alice")[-1].message.body
    assert "Points." in body
    assert "+5, +3 and +1" in body
    assert "freeze" in body
    assert daily_posts(h) == []


async def test_top_ten_and_the_callers_own_rank(h_memory: Harness) -> None:
    h = h_memory
    h.clock.set(datetime(2026, 3, 2, 7, 0, tzinfo=UTC))
    await schedule(h)
    await h.advance(timedelta(hours=2))
    thread, good = post_thread(h), answer_covering(h.bank, question_of(h))
    users = [f"u{n:02}" for n in range(1, 13)]
    for user in users:
        await h.say(good, thread, user=user)
        h.clock.advance(timedelta(seconds=1))
    await h.command("leaderboard", user="u12")
    lines = h.chat.private_to("u12")[-1].message.body.splitlines()
    ranked = [line.split(" — ")[0] for line in lines[:10]]
    assert ranked == [f"{n}. U{n:02}" for n in range(1, 11)], "ties go to whoever got there first"
    assert lines[-1] == f"You: #12 of 12 with {lines[9].split(' — ')[1].split(' pts')[0]} pts."


async def test_an_empty_or_off_topic_reply_does_not_keep_a_streak(h_memory: Harness) -> None:
    h = h_memory
    h.clock.set(datetime(2026, 3, 2, 7, 0, tzinfo=UTC))
    await schedule(h)
    await h.advance(timedelta(hours=2))
    await answer_today(h, ["ann"])
    await h.advance(timedelta(days=1))
    await h.say("My cat likes sunny windows and long naps on the sofa.", post_thread(h), user="ann")
    await h.command("stats", user="ann")
    fields = {f.name: f.value for f in h.chat.private_to("ann")[-1].message.fields}
    assert fields["Streak"].startswith("1 now")
    await answer_today(h, ["ann"])
    await h.command("stats", user="ann")
    fields = {f.name: f.value for f in h.chat.private_to("ann")[-1].message.fields}
    assert fields["Streak"].startswith("2 now"), "a real answer later the same day still counts"


async def test_home_summarises_streaks_points_and_recent_scores(h_memory: Harness) -> None:
    h = h_memory
    empty = await h.engine.home("test", "W1", "zed", "Zed")
    assert "No answers yet" in empty.body
    h.clock.set(datetime(2026, 3, 2, 7, 0, tzinfo=UTC))
    await schedule(h)
    await h.advance(timedelta(hours=2))
    await answer_today(h, ["ann"])
    home = await h.engine.home("test", "W1", "ann", "Ann")
    assert home.title == "Your interview practice"
    assert "🔥 #c1: 1 now · 1 longest · 0 freezes" in home.body
    assert len(home.fields) == 1


async def test_an_uninstalled_workspace_stops_posting_but_keeps_its_data(h_memory: Harness) -> None:
    h = h_memory
    h.clock.set(datetime(2026, 3, 2, 7, 0, tzinfo=UTC))
    await schedule(h)
    assert await h.engine.workspace_gone("test", "W1") == 1
    assert await h.engine.enabled_schedules() == []
    await h.advance(timedelta(days=1))
    assert daily_posts(h) == []
    assert await h.engine.workspace_gone("test", "W1") == 0
