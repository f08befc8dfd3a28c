"""A pair session through the real Slack app: the interviewer's checklist is ephemeral, its
buttons and the finish modal work, and nobody else can press them."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Channel
from tests.adapters.slack.conftest import Bot
from tests.adapters.slack.standin import Call
from tests.support.harness import answer_covering

NOTES = "Interviewer notes (only you see this)"


def notes_of(bot: Bot, user: str) -> Call:
    return [c for c in bot.slack.ephemerals(user) if c.header == NOTES][-1]


async def test_the_interviewer_ticks_the_checklist_and_finishes_with_a_rating(bot: Bot) -> None:
    assert (await bot.driver.command("pair regularisation", user="UALICE")).status == 200
    await bot.settle()
    assert "pairing queue" in bot.slack.ephemerals("UALICE")[-1].shown
    assert (await bot.driver.command("pair regularisation", user="UBOB")).status == 200
    await bot.settle()
    intro = next(c for c in bot.slack.posts() if c.header.startswith("Pair interview"))
    assert intro.header == "Pair interview: Alice and Bob"
    assert "<@" not in intro.raw, "the intro names the two without pinging anyone"
    thread = intro.ts
    start = bot.slack.in_thread(thread)[0]
    assert start.header == "Round 1: Alice interviews Bob"
    await bot.driver.click(start, "My notes", user="UALICE")
    await bot.settle()
    notes = notes_of(bot, "UALICE")
    assert notes.thread_ts == thread
    assert not [c for c in bot.slack.ephemerals("UBOB") if c.header == NOTES]
    labels = [b["text"]["text"] for b in notes.buttons()]
    assert labels[:3] == ["1 covered", "1 half", "1 missed"]
    assert labels[-1] == "Finish"
    question = next(q for q in bot.h.bank.questions if q.prompt in notes.shown)

    await bot.driver.click(notes, "1 covered", user="UBOB")
    await bot.settle()
    assert "Only this round's interviewer" in bot.slack.ephemerals("UBOB")[-1].shown
    await bot.driver.click(notes, "1 covered", user="UALICE")
    await bot.settle()
    assert "1. ✅" in notes_of(bot, "UALICE").shown

    await bot.driver.reply(thread, answer_covering(bot.h.bank, question.id), user="UBOB")
    await bot.settle()
    seen = len(bot.slack.of("views.open"))
    await bot.driver.click(notes_of(bot, "UALICE"), "Finish", user="UALICE")
    opened = await bot.slack.wait_for(
        lambda: bot.slack.of("views.open")[seen:], what="the finish form"
    )
    assert opened[0].view["title"]["text"] == "Finish: rating and note"
    await bot.driver.submit(opened[0], "4 Clear and complete.", user="UALICE")
    await bot.settle()
    done = bot.slack.in_thread(thread)[-1]
    assert done.header == "Round 1 done: Bob as candidate"
    assert "4/5 — Clear and complete." in done.shown
    assert "Bot's grade:* 100/100" in done.raw or "Bot's grade: 100/100" in done.shown
    assert [b["text"]["text"] for b in done.buttons()] == ["Swap roles"]
    await bot.driver.click(done, "Swap roles", user="UNOBODY")
    await bot.settle()
    assert "Only the two members" in bot.slack.ephemerals("UNOBODY")[-1].shown
    await bot.driver.click(done, "Swap roles", user="UBOB")
    await bot.settle()
    assert bot.slack.in_thread(thread)[-1].header == "Round 2: Bob interviews Alice"
    assert notes_of(bot, "UBOB").thread_ts == thread


def directs(bot: Bot, user: str) -> list[Call]:
    return [c for c in bot.slack.posts() if c.channel == f"D{user}"]


async def test_pair_with_invites_by_direct_message_and_the_invitee_declines_or_accepts(
    bot: Bot,
) -> None:
    await bot.driver.command("stats", user="UBOB")
    await bot.settle()
    assert (await bot.driver.command("pair with <@UBOB|bob>", user="UALICE")).status == 200
    await bot.settle()
    assert "Invitation sent to Bob" in bot.slack.ephemerals("UALICE")[-1].shown
    assert not [c for c in bot.slack.ephemerals("UBOB") if "invit" in c.shown.lower()]
    invitation = directs(bot, "UBOB")[-1]
    assert invitation.header == "Peer mock interview invitation"
    assert "Alice invites you" in invitation.shown
    assert [b["text"]["text"] for b in invitation.buttons()] == ["Accept", "Decline"]

    await bot.driver.click(invitation, "Decline", user="UBOB")
    await bot.settle()
    assert "Bob declined your pair invitation" in directs(bot, "UALICE")[-1].shown
    assert "You declined Alice's invitation" in bot.slack.ephemerals("UBOB")[-1].shown
    assert not [c for c in bot.slack.posts() if c.header.startswith("Pair interview")]

    await bot.driver.command("pair with <@UBOB|bob>", user="UALICE")
    await bot.settle()
    await bot.driver.click(directs(bot, "UBOB")[-1], "Accept", user="UBOB")
    await bot.settle()
    intro = next(c for c in bot.slack.posts() if c.header.startswith("Pair interview"))
    assert intro.channel == "C1", "the thread opens where Alice invited, not in a DM"
    assert bot.slack.in_thread(intro.ts)[0].header == "Round 1: Alice interviews Bob"
    assert "You are paired with Bob" in directs(bot, "UALICE")[-1].shown


def dm_updates(bot: Bot, invitation: Call) -> list[Call]:
    return [
        c
        for c in bot.slack.of("chat.update")
        if c.channel == invitation.channel and c.args.get("ts") == invitation.ts
    ]


async def channels_seen(bot: Bot) -> list[str]:
    async with bot.h.uow() as uow:
        return list((await uow.session.execute(select(Channel.external_id))).scalars())


async def ended_by(bot: Bot, act: str, user: str) -> Call:
    """Alice invites Bob; act (a button label, else a command) ends it: the DM's one edit."""
    await bot.driver.command("pair with <@UBOB|bob>", user="UALICE")
    await bot.settle()
    invitation = directs(bot, "UBOB")[-1]
    if act in ("Accept", "Decline"):
        await bot.driver.click(invitation, act, user=user)
    else:
        await bot.driver.command(act, user=user)
    await bot.settle()
    [edit] = dm_updates(bot, invitation)
    assert not edit.buttons(), "the edited invitation has no buttons left"
    return edit


async def test_an_ended_invitation_loses_its_buttons_and_says_how_it_ended(bot: Bot) -> None:
    await bot.driver.command("stats", user="UBOB")
    await bot.settle()
    assert (await ended_by(bot, "Decline", "UBOB")).shown.startswith("Declined")
    told = bot.slack.ephemerals("UBOB")[-1]
    assert "You declined Alice's invitation" in told.shown
    assert told.channel == "DUBOB", "the presser hears back in the DM they pressed in"
    assert "DUBOB" not in await channels_seen(bot), "a press in the DM counts in #C1"
    withdrawn = await ended_by(bot, "pair cancel", "UALICE")
    assert "Alice withdrew the pair interview invitation" in withdrawn.shown
    accepted = await ended_by(bot, "Accept", "UBOB")
    assert accepted.shown.startswith("You accepted — the interview is in #")
    assert sorted(await channels_seen(bot)) == ["C1"]
