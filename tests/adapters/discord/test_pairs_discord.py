"""A pair session through the real discord.py client on the stand-in: the interviewer's notes
are ephemeral to whoever pressed *My notes*, and their buttons and finish form work."""

from __future__ import annotations

from sqlalchemy import select

from bot.app.root import App
from storage.models import Channel
from tests.adapters.discord.conftest import StartRuntime
from tests.adapters.discord.flows import thread_messages
from tests.adapters.discord.standin import (
    CHANNEL_ID,
    CHANNEL_NAME,
    EPHEMERAL,
    FakeDiscord,
    StoredMessage,
)
from tests.support.harness import answer_covering

NOTES = "Interviewer notes (only you see this)"


def custom_id(message: StoredMessage, label: str) -> str:
    return next(
        c["custom_id"]
        for row in message.payload["components"]
        for c in row["components"]
        if c["label"] == label
    )


def notes(fake: FakeDiscord) -> list[StoredMessage]:
    return [m for m in fake.ephemerals() if m.title == NOTES]


async def test_the_interviewer_sees_the_checklist_alone_and_its_buttons_work(
    fake: FakeDiscord, bot: App, start_runtime: StartRuntime
) -> None:
    await start_runtime()
    await fake.slash("alice", ["pair", "join"], {"topic": "regularisation"})
    await fake.wait_for(lambda: [m for m in fake.ephemerals() if "pairing queue" in m.text()])
    await fake.slash("bob", ["pair", "join"], {"topic": "regularisation"})
    thread_id: int = await fake.wait_for(lambda: next(iter(fake.threads), None))
    start = await fake.wait_for(
        lambda: next(
            (m for m in thread_messages(fake, thread_id) if m.title.startswith("Round")), None
        )
    )
    assert start.title == "Round 1: Alice interviews Bob"
    assert not notes(fake), "no notes are posted where others could read them"
    await fake.press("bob", start, custom_id(start, "My notes"))
    await fake.wait_for(lambda: [m for m in fake.ephemerals() if "Only this round's" in m.text()])
    await fake.press("alice", start, custom_id(start, "My notes"))
    panel = (await fake.wait_for(lambda: notes(fake)))[-1]
    assert panel.payload["flags"] & EPHEMERAL
    labels = [c["label"] for row in panel.payload["components"] for c in row["components"]]
    assert labels[:3] == ["1 covered", "1 half", "1 missed"]
    assert labels[-1] == "Finish"
    question = next(q for q in bot.bank.questions if q.prompt in panel.text())

    await fake.press("alice", panel, custom_id(panel, "2 half"))
    ticked = await fake.wait_for(lambda: [m for m in notes(fake) if "2. ◐" in m.text()])
    await fake.say("bob", thread_id, answer_covering(bot.bank, question.id))
    finish = custom_id(ticked[-1], "Finish")
    pressed = await fake.press("alice", ticked[-1], finish)
    modal = await fake.wait_for(
        lambda: fake.calls_to("POST", rf"/interactions/{pressed}/[^/]+/callback")
    )
    form = modal[0].body["data"]
    assert modal[0].body["type"] == 9
    assert form["title"] == "Finish: rating and note"
    await fake.submit("alice", thread_id, form["custom_id"], "5 Complete and clear.")
    done = await fake.wait_for(
        lambda: next(
            (m for m in thread_messages(fake, thread_id) if m.title.startswith("Round 1 done")),
            None,
        )
    )
    assert "5/5 — Complete and clear." in done.text()
    assert "Alice: half · bot: covered ⚠" in done.text()
    for call in fake.calls_to("POST", r"/channels/\d+/messages"):
        assert call.body["allowed_mentions"] == {"parse": []}, call.body


async def invited(fake: FakeDiscord, global_name: str | None = None) -> StoredMessage:
    """Bob is known on the server (then maybe renamed account-wide); Alice invites him."""
    await fake.slash("bob", ["stats"])
    await fake.wait_for(lambda: fake.ephemerals())
    bob = str(fake.user("bob", display=global_name)["id"])
    await fake.slash("alice", ["pair", "with"], members={"member": "bob"})
    return (await fake.wait_for(lambda: fake.direct_messages(bob)))[0]


async def invite_accepted(fake: FakeDiscord) -> int:
    """Alice invites Bob with `pair with`; Bob accepts from his DMs; the thread's id."""
    await fake.slash("bob", ["stats"])
    await fake.wait_for(lambda: fake.ephemerals())
    await fake.slash("alice", ["pair", "with"], members={"member": "bob"})
    await fake.wait_for(lambda: [m for m in fake.ephemerals() if "Invitation sent" in m.text()])
    bob = str(fake.user("bob")["id"])
    invitation = (await fake.wait_for(lambda: fake.direct_messages(bob)))[0]
    assert invitation.title == "Peer mock interview invitation"
    assert "Alice invites you" in invitation.text()
    assert not [m for m in fake.in_channel(CHANNEL_ID) if "invit" in m.text().lower()]
    await fake.press_direct("bob", invitation, custom_id(invitation, "Accept"))
    thread_id: int = await fake.wait_for(lambda: next(iter(fake.threads), None))
    alice = str(fake.user("alice")["id"])
    paired = await fake.wait_for(lambda: fake.direct_messages(alice))
    assert "You are paired with Bob" in paired[0].text()
    assert f"#{CHANNEL_NAME}" in paired[0].text()
    return thread_id


async def test_pair_with_invites_by_direct_message_and_accept_works_from_there(
    fake: FakeDiscord, bot: App, start_runtime: StartRuntime
) -> None:
    await start_runtime()
    thread_id = await invite_accepted(fake)
    assert fake.threads[thread_id]["parent_id"] == str(CHANNEL_ID), "opened in the channel"
    start = await fake.wait_for(
        lambda: next(
            (m for m in thread_messages(fake, thread_id) if m.title.startswith("Round")), None
        )
    )
    assert start.title == "Round 1: Alice interviews Bob"
    intro = next(m for m in fake.in_channel(CHANNEL_ID) if m.title.startswith("Pair interview"))
    assert intro.title == "Pair interview: Alice and Bob"


async def test_a_declined_invitation_is_told_to_the_inviter_privately(
    fake: FakeDiscord, bot: App, start_runtime: StartRuntime
) -> None:
    await start_runtime()
    invitation = await invited(fake)
    alice = str(fake.user("alice")["id"])
    await fake.press_direct("bob", invitation, custom_id(invitation, "Decline"))
    told = await fake.wait_for(lambda: fake.direct_messages(alice))
    assert "Bob declined your pair invitation" in told[0].text()
    assert not fake.threads
    edited = await fake.wait_for(
        lambda: fake.messages[invitation.id].payload.get("edited_timestamp")
    )
    assert edited
    assert fake.messages[invitation.id].text().startswith("Declined")
    assert not fake.messages[invitation.id].payload.get("components"), "no buttons are left"


async def test_the_roles_swap_by_command_in_the_thread(
    fake: FakeDiscord, bot: App, start_runtime: StartRuntime
) -> None:
    await start_runtime()
    thread_id = await invite_accepted(fake)
    start = await fake.wait_for(
        lambda: next(
            (m for m in thread_messages(fake, thread_id) if m.title.startswith("Round")), None
        )
    )
    await fake.slash("bob", ["pair", "swap"], channel_id=thread_id)
    await fake.wait_for(lambda: [m for m in fake.ephemerals() if "Finish round 1" in m.text()])
    await fake.press("alice", start, custom_id(start, "My notes"))
    panel = (await fake.wait_for(lambda: notes(fake)))[-1]
    question = next(q for q in bot.bank.questions if q.prompt in panel.text())
    await fake.say("bob", thread_id, answer_covering(bot.bank, question.id))
    pressed = await fake.press("alice", panel, custom_id(panel, "Finish"))
    modal = await fake.wait_for(
        lambda: fake.calls_to("POST", rf"/interactions/{pressed}/[^/]+/callback")
    )
    await fake.submit("alice", thread_id, modal[0].body["data"]["custom_id"], "4 Good.")
    await fake.wait_for(
        lambda: [m for m in thread_messages(fake, thread_id) if m.title.startswith("Round 1 done")]
    )
    await fake.slash("bob", ["pair", "swap"], channel_id=thread_id)
    second = await fake.wait_for(
        lambda: [m for m in thread_messages(fake, thread_id) if m.title.startswith("Round 2")]
    )
    assert second[0].title == "Round 2: Bob interviews Alice"
    await fake.press("bob", second[0], custom_id(second[0], "My notes"))
    swapped = await fake.wait_for(lambda: notes(fake)[1:])
    assert "Ask Alice:" in swapped[-1].text()
    assert question.prompt not in swapped[-1].text(), "the swap asks a new question"


async def channel_ids(bot: App) -> list[str]:
    async with bot.database.connect() as conn:
        return list((await conn.execute(select(Channel.external_id))).scalars())


async def test_an_accepted_invitation_counts_in_its_channel_and_its_dm_is_edited(
    fake: FakeDiscord, bot: App, start_runtime: StartRuntime
) -> None:
    await start_runtime()
    invitation = await invited(fake, global_name="Bobby Everywhere")
    alice = str(fake.user("alice")["id"])
    await fake.press_direct("bob", invitation, custom_id(invitation, "Accept"))
    paired = await fake.wait_for(lambda: fake.direct_messages(alice))
    assert "You are paired with Bob:" in paired[0].text()
    await fake.wait_for(lambda: fake.messages[invitation.id].payload.get("edited_timestamp"))
    dm = fake.messages[invitation.id]
    assert dm.text() == f"You accepted — the interview is in #{CHANNEL_NAME}."
    assert not dm.payload.get("components")
    assert await channel_ids(bot) == [str(CHANNEL_ID)], "the DM is no channel of the server"


async def test_a_withdrawn_invitation_says_so_in_the_dm(
    fake: FakeDiscord, bot: App, start_runtime: StartRuntime
) -> None:
    await start_runtime()
    first = await invited(fake)
    await fake.slash("alice", ["pair", "cancel"])
    await fake.wait_for(lambda: fake.messages[first.id].payload.get("edited_timestamp"))
    assert fake.messages[first.id].text() == "Alice withdrew the pair interview invitation."
    assert not fake.messages[first.id].payload.get("components")
