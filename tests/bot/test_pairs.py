"""Peer mock interviews as two members live them: queue, pair, interview, swap, scores."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from bot.commands import CommandError, parse
from bot.events import ButtonPressed
from bot.pairs.grammar import Pair
from bot.pairs.sessions import parse_rating
from questions.schema import Difficulty
from tests.support.harness import Harness, answer_covering
from tests.support.pair_flow import finish, my_notes, paired, panel_of, press, question_of


def test_grammar_reads_every_pair_form() -> None:
    assert parse("pair") == Pair()
    assert parse("pair metrics hard group=ml") == Pair("join", "metrics", Difficulty.HARD, "ml")
    assert parse("pair with <@U123|bob> easy").member == "U123"  # type: ignore[union-attr]
    assert parse("pair with @bob") == Pair("invite", member="bob")
    assert parse("pair cancel") == Pair("cancel")
    assert parse("pair swap") == Pair("swap")
    assert parse("pair block <@!42>") == Pair("block", member="42")
    assert parse("pair unblock @bob") == Pair("unblock", member="bob")
    for bad in ("pair with", "pair block", "pair cancel now", "pair level=extreme"):
        with pytest.raises(CommandError):
            parse(bad)


def test_a_rating_leads_the_note() -> None:
    assert parse_rating("4 clear on the trade-off") == (4, "clear on the trade-off")
    assert parse_rating("5/5: great") == (5, "great")
    assert parse_rating("3") == (3, "")
    assert parse_rating("great answer") is None
    assert parse_rating("7 too high") is None
    assert parse_rating("4.5 half") is None


async def test_two_members_queue_and_get_a_thread_with_roles(h_both: Harness) -> None:
    h = h_both
    await h.command("pair regularisation", user="alice")
    assert "pairing queue" in h.chat.private_to("alice")[-1].message.body
    assert not h.chat.threads
    await h.command("pair regularisation", user="bob")
    assert not [s for s in h.chat.sent if s.kind == "private" and s.to_user == "alice"][1:]
    await my_notes(h, "bob")
    assert "Only this round's interviewer" in h.chat.private_to("bob")[-1].message.body
    await my_notes(h, "alice")
    intro = next(s for s in h.chat.sent if s.kind == "post")
    assert intro.message.title == "Pair interview: Alice and Bob"
    assert intro.message.mention_user_id is None, "nobody is pinged"
    start = h.chat.in_thread(h.thread)[0]
    assert start.message.title == "Round 1: Alice interviews Bob"
    notes = panel_of(h, "alice").message
    question = h.bank.get(question_of(h, "alice"))
    assert question is not None
    assert question.topic == "regularisation"
    assert question.answer[:40] in notes.body
    labels = [b.label for b in notes.buttons]
    assert labels[:3] == ["1 covered", "1 half", "1 missed"]
    assert labels[-1] == "Finish"
    assert notes.buttons[-1].form is not None
    assert not [
        s for s in h.chat.private_to("bob") if "Interviewer notes" in (s.message.title or "")
    ]


async def test_full_session_with_swap_scores_each_side_once(h_both: Harness) -> None:
    h = h_both
    await paired(h)
    first_q = question_of(h, "alice")
    await h.say(answer_covering(h.bank, first_q), h.thread, user="bob")
    await h.say("Nice, go on.", h.thread, user="alice")  # the interviewer's words are not graded
    await press(h, "alice", "1 covered")
    assert "1. ✅" in panel_of(h, "alice").message.fields[0].value
    await press(h, "alice", "2 missed")
    await finish(h, "alice", "4 Clear on sparsity; mention the prior view.")
    done = h.chat.in_thread(h.thread)[-1].message
    assert done.title == "Round 1 done: Bob as candidate"
    assert "Alice's rating:* 4/5 — Clear on sparsity" in done.body
    assert "Bot's grade:* " in done.body
    assert "disagree on point 2 (marked ⚠)" in done.body
    assert [b.label for b in done.buttons] == ["Swap roles"]
    await press(h, "bob", "Swap roles", thread=h.thread)
    assert h.chat.in_thread(h.thread)[-1].message.title == "Round 2: Bob interviews Alice"
    second_q = question_of(h, "bob")
    assert second_q != first_q
    second = h.bank.get(second_q)
    first = h.bank.get(first_q)
    assert second is not None
    assert first is not None
    assert second.topic == first.topic, "the same topic; the same difficulty when there is one"
    await h.say(answer_covering(h.bank, second_q), h.thread, user="alice")
    await finish(h, "bob", "5 great")
    titles = [s.message.title for s in h.chat.in_thread(h.thread)]
    assert titles[-2:] == ["Round 2 done: Alice as candidate", "Pair interview finished"]
    await h.command("pair swap", user="alice", thread=h.thread)
    assert "over" in h.chat.private_to("alice")[-1].message.body
    async with h.uow() as uow:
        alice = await uow.directory.find_user(1, "alice")
        bob = await uow.directory.find_user(1, "bob")
        assert alice is not None
        assert bob is not None
        for member in (alice, bob):
            counts = await uow.pairs.counts(member.id)
            assert (counts.as_candidate, counts.as_interviewer) == (1, 1)
            assert counts.interviewer_points > 0
        summary = await uow.stats.answer_summary(bob.id)
        assert summary.answers == 1
        assert summary.points > 0
        # Each candidate's graded answer made a review card, as any graded answer does.
        cards = await uow.reviews.cards({(bob.id, first_q), (alice.id, second_q)})
        assert set(cards) == {(bob.id, first_q), (alice.id, second_q)}
        assert cards[(bob.id, first_q)].reps == 1


async def test_only_the_interviewer_or_an_admin_may_tick_and_only_the_two_may_swap(
    h_memory: Harness,
) -> None:
    h = h_memory
    await paired(h)
    mark = panel_of(h, "alice").message.buttons[0]
    await h.press(mark.action_id, mark.value, user="bob", thread=h.thread)
    assert "Only this round's interviewer" in h.chat.private_to("bob")[-1].message.body
    await h.press(mark.action_id, mark.value, user="carol", thread=h.thread)
    assert "Only this round's interviewer" in h.chat.private_to("carol")[-1].message.body
    await h.say(answer_covering(h.bank, question_of(h, "alice")), h.thread, user="bob")
    await finish(h, "alice", "3 ok")
    swap = h.chat.in_thread(h.thread)[-1].message.buttons[0]
    await h.press(swap.action_id, swap.value, user="carol", thread=h.thread)
    assert "Only the two members" in h.chat.private_to("carol")[-1].message.body
    await h.send(
        ButtonPressed(
            h.place("C1", h.thread),
            h.actor("dana", admin=True),
            swap.action_id,
            swap.value,
            None,
            h.event_id(),
        )
    )
    assert h.chat.in_thread(h.thread)[-1].message.title == "Round 2: Bob interviews Alice"


async def test_finish_without_a_rating_keeps_the_note_and_changes_nothing(
    h_memory: Harness,
) -> None:
    h = h_memory
    await paired(h)
    await finish(h, "alice", "no answer yet")
    told = h.chat.private_to("alice")[-1].message.body
    assert "rating from 1 to 5" in told
    assert "no answer yet" in told
    await finish(h, "alice", "4 fine")
    assert "has not answered" in h.chat.private_to("alice")[-1].message.body
    await h.say(answer_covering(h.bank, question_of(h, "alice")), h.thread, user="bob")
    await finish(h, "alice", "4 fine")
    assert h.chat.in_thread(h.thread)[-1].message.title == "Round 1 done: Bob as candidate"


async def test_a_queued_request_expires_after_30_minutes(h_both: Harness) -> None:
    h = h_both
    await h.command("pair", user="alice")
    await h.advance(timedelta(minutes=31))
    assert "request expired" in h.chat.direct_to("alice")[-1].message.body
    await h.command("pair", user="bob")
    assert not h.chat.threads, "an expired request is not paired"
    assert "pairing queue" in h.chat.private_to("bob")[-1].message.body


async def test_cancel_leaves_the_queue(h_memory: Harness) -> None:
    h = h_memory
    await h.command("pair", user="alice")
    await h.command("pair", user="alice")
    assert "already have a pairing request" in h.chat.private_to("alice")[-1].message.body
    await h.command("pair cancel", user="alice")
    assert h.chat.private_to("alice")[-1].message.body == "You left the pairing queue."
    await h.command("pair", user="bob")
    assert not h.chat.threads


async def test_filters_must_agree_and_groups_keep_their_own_queue(h_memory: Harness) -> None:
    h = h_memory
    await h.command("pair regularisation", user="alice")
    await h.command("pair evaluation", user="bob")
    assert not h.chat.threads
    await h.command("group create ml", user="carol")
    await h.command("pair group=ml", user="carol")
    assert not h.chat.threads, "a group's queue is apart from the workspace's"
    await h.command("pair easy", user="dana")
    assert h.chat.threads, "an open topic matches a waiting one"
    await my_notes(h, "alice")
    assert h.chat.sent[-1].kind in ("reply", "private")
    intro = [s for s in h.chat.sent if s.kind == "post"][-1]
    assert intro.message.title == "Pair interview: Alice and Dana"
    question = h.bank.get(question_of(h, "alice"))
    assert question is not None
    assert (question.topic, question.difficulty.value) == ("regularisation", "easy")


async def test_blocked_members_are_never_paired(h_memory: Harness) -> None:
    h = h_memory
    await h.command("pair", user="bob")
    await h.command("pair cancel", user="bob")
    await h.command("pair block bob", user="alice")
    assert "will not be paired" in h.chat.private_to("alice")[-1].message.body
    await h.command("pair", user="bob")
    await h.command("pair", user="alice")
    assert not h.chat.threads
    await h.command("pair cancel", user="alice")
    await h.command("pair unblock Bob", user="alice")
    await h.command("pair", user="alice")
    assert h.chat.threads


async def test_an_invitation_is_accepted_or_declined_by_the_invitee_alone(
    h_memory: Harness,
) -> None:
    h = h_memory
    await h.command("pair", user="bob")
    await h.command("pair cancel", user="bob")
    await h.command("pair with @bob easy", user="alice")
    assert "Invitation sent to Bob by direct message" in h.chat.private_to("alice")[-1].message.body
    assert h.chat.private_to("bob")[-1].message.body == "You left the pairing queue."
    invite = h.chat.direct_to("bob")[-1].message
    assert invite.title == "Peer mock interview invitation"
    assert "in a thread in #c1" in invite.body
    accept, decline = invite.buttons
    await h.press(accept.action_id, accept.value, user="carol")
    assert "for someone else" in h.chat.private_to("carol")[-1].message.body
    await h.press(decline.action_id, decline.value, user="bob", channel="D-bob")
    assert "Bob declined" in h.chat.direct_to("alice")[-1].message.body
    await h.command("pair with bob", user="alice")
    accept = h.chat.direct_to("bob")[-1].message.buttons[0]
    await h.press(accept.action_id, accept.value, user="bob", channel="D-bob")
    posts = [s for s in h.chat.sent if s.kind == "post"]
    assert [s.message.title for s in posts] == ["Pair interview: Alice and Bob"]
    assert posts[0].place.channel == "C1", "the thread opens where Alice invited, not in a DM"
    told = h.chat.direct_to("alice")[-1].message.body
    assert told.startswith("You are paired with Bob: your pair interview thread is in #")
    assert "thread is in #" in h.chat.private_to("bob")[-1].message.body
    await h.press(accept.action_id, accept.value, user="bob", channel="D-bob")
    assert "no longer open" in h.chat.private_to("bob")[-1].message.body


async def test_a_withdrawn_or_expired_invitation_is_told_to_the_invitee(
    h_memory: Harness,
) -> None:
    h = h_memory
    await h.command("pair", user="bob")
    await h.command("pair cancel", user="bob")
    await h.command("pair with bob", user="alice")
    await h.command("pair cancel", user="alice")
    assert h.chat.private_to("alice")[-1].message.body == "You withdrew your invitation to Bob."
    assert "Alice withdrew" in h.chat.direct_to("bob")[-1].message.body
    accept = h.chat.direct_to("bob")[0].message.buttons[0]
    await h.press(accept.action_id, accept.value, user="bob", channel="D-bob")
    assert "no longer open" in h.chat.private_to("bob")[-1].message.body
    await h.command("pair with bob", user="alice")
    await h.advance(timedelta(minutes=31))
    assert "invitation to Bob expired" in h.chat.direct_to("alice")[-1].message.body
    assert "from Alice expired" in h.chat.direct_to("bob")[-1].message.body


async def test_an_idle_session_closes_with_what_was_done(h_both: Harness) -> None:
    h = h_both
    await paired(h)
    await h.say(answer_covering(h.bank, question_of(h, "alice")), h.thread, user="bob")
    await h.advance(timedelta(minutes=31))
    closed = h.chat.in_thread(h.thread)[-1].message
    assert closed.title == "Pair interview closed after 30 idle minutes"
    assert "Round 1: Bob answered, interviewed by Alice — rating —/5" in closed.body
    await h.command("pair", user="alice")
    assert "pairing queue" in h.chat.private_to("alice")[-1].message.body


async def test_stats_count_pair_sessions_by_role_and_privacy_removes_a_side(
    h_memory: Harness,
) -> None:
    h = h_memory
    await paired(h)
    await h.say(answer_covering(h.bank, question_of(h, "alice")), h.thread, user="bob")
    await finish(h, "alice", "4 good")
    await h.command("stats", user="alice")
    stats = h.chat.private_to("alice")[-1].message
    fields = {f.name: f.value for f in stats.fields}
    assert fields["Pair sessions"].startswith("0 as candidate · 1 as interviewer")
    await h.command("stats", user="bob")
    fields = {f.name: f.value for f in h.chat.private_to("bob")[-1].message.fields}
    assert fields["Pair sessions"].startswith("1 as candidate · 0 as interviewer")
    await h.command("privacy export", user="alice")
    export = h.chat.private_to("alice")[-1].message.attachment
    assert export is not None
    assert b'"role": "interviewer"' in export.data
    await h.press("privacy:delete", "alice", user="alice")
    async with h.uow() as uow:
        bob = await uow.directory.find_user(1, "bob")
        assert bob is not None
        ((_session, side),) = await uow.pairs.data_of(bob.id)
        assert side.interviewer_id is None
        assert side.note == ""
        assert side.rating is None
        assert side.candidate_id == bob.id
        assert side.answer_text


async def test_the_leaderboard_counts_interviewing_and_shows_a_pairs_column(
    h_both: Harness,
) -> None:
    h = h_both
    for user in ("alice", "bob"):
        await h.command("group create ml" if user == "alice" else "group join ml", user=user)
    await paired(h)
    await h.say(answer_covering(h.bank, question_of(h, "alice")), h.thread, user="bob")
    await finish(h, "alice", "4 good")
    await h.command("leaderboard week ml", user="alice")
    board = h.chat.private_to("alice")[-1].message.body
    lines = {line.split(" — ")[0][3:]: line for line in board.splitlines() if " — " in line}
    assert "· 1 pair" in lines["Bob"]
    assert "0 answers · 1 pair" in lines["Alice"], "interviewing alone puts you on the board"
    assert int(lines["Alice"].split(" — ")[1].split(" pts")[0]) > 0


async def test_the_follow_up_is_asked_in_the_thread_and_graded_too(h_memory: Harness) -> None:
    h = h_memory
    await paired(h, "regularisation medium")
    assert question_of(h, "alice") == "t-l1-l2"
    await h.say(answer_covering(h.bank, "t-l1-l2"), h.thread, user="bob")
    await press(h, "alice", "Ask follow-up")
    asked = h.chat.in_thread(h.thread)[-1].message
    assert asked.title == "Follow-up from Alice"
    assert asked.body == "When would you combine both penalties?"
    assert "Ask follow-up" not in [b.label for b in panel_of(h, "alice").message.buttons]
    assert "Follow-up asked:" in panel_of(h, "alice").message.body
    await h.say("I would use an elastic net when features are correlated.", h.thread, user="bob")
    await finish(h, "alice", "5 thorough")
    done = h.chat.in_thread(h.thread)[-1].message
    async with h.uow() as uow:
        session = await uow.pairs.open_session_of(1)
        assert session is not None
        (side,) = await uow.pairs.sides(session.id)
    assert side.follow_up_score is not None, "the follow-up's grade is kept with the side"
    assert f"Bot's grade of the follow-up answer:* {side.follow_up_score}/100" in done.body
    await h.command("privacy export", user="bob")
    export = h.chat.private_to("bob")[-1].message.attachment
    assert export is not None
    mine = json.loads(export.data)["pair_sessions"][0]
    assert mine["follow_up_score"] == side.follow_up_score
    assert mine["follow_up_answer"].startswith("I would use an elastic net")
    # only one medium regularisation question: the swap takes the nearest the bank has
    await press(h, "alice", "Swap roles", thread=h.thread)
    await my_notes(h, "bob")
    second = h.bank.get(question_of(h, "bob"))
    assert second is not None
    assert second.id != "t-l1-l2"
    assert second.topic == "regularisation"


async def test_talking_in_the_thread_keeps_a_session_open(h_memory: Harness) -> None:
    h = h_memory
    await paired(h)
    await h.advance(timedelta(minutes=20))
    await h.say("Take your time; think about the penalty's shape.", h.thread, user="alice")
    await h.advance(timedelta(minutes=20))
    assert h.chat.in_thread(h.thread)[-1].message.title != (
        "Pair interview closed after 30 idle minutes"
    )
    await h.advance(timedelta(minutes=11))
    assert h.chat.in_thread(h.thread)[-1].message.title == (
        "Pair interview closed after 30 idle minutes"
    )


async def test_accepting_an_invitation_leaves_the_queue(h_memory: Harness) -> None:
    h = h_memory
    await h.command("pair", user="alice")
    await h.command("pair cancel", user="alice")
    await h.command("pair", user="bob")
    await h.command("pair with bob", user="alice")
    accept = h.chat.direct_to("bob")[-1].message.buttons[0]
    await h.press(accept.action_id, accept.value, user="bob")
    assert [s.message.title for s in h.chat.sent if s.kind == "post"] == [
        "Pair interview: Alice and Bob"
    ]
    await h.command("pair", user="carol")
    assert "pairing queue" in h.chat.private_to("carol")[-1].message.body
    assert len(h.chat.threads) == 1, "Bob's old request no longer waits for a partner"
