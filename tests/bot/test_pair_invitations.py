"""An invitation's direct message once the invitation ends: edited to say how, its buttons
gone, whichever way it ended; a failed edit changes nothing else."""

from __future__ import annotations

from datetime import timedelta

from bot.messages import MessageRef, RichMessage
from bot.outbox import Outbox
from bot.pairs import invitations
from tests.support.fakes import Sent
from tests.support.harness import Harness


async def invited(h: Harness) -> Sent:
    """Bob is known (he queued and left); Alice invites him: his invitation DM."""
    await h.command("pair", user="bob")
    await h.command("pair cancel", user="bob")
    await h.command("pair with bob", user="alice")
    return invitation_to(h, "bob")


def invitation_to(h: Harness, user: str) -> Sent:
    """The user's latest invitation DM, as sent."""
    return [s for s in h.chat.direct_to(user) if s.message.buttons][-1]


def only_edit_of(h: Harness, sent: Sent) -> RichMessage:
    [edit] = h.chat.edits_of(sent.message_id)
    assert edit.place == sent.place, "the DM itself is edited"
    assert not edit.message.buttons, "an ended invitation keeps no buttons"
    return edit.message


async def test_an_ended_invitation_dm_says_how_it_ended_without_buttons(h_both: Harness) -> None:
    h = h_both
    invite = await invited(h)
    decline = invite.message.buttons[1]
    await h.press(decline.action_id, decline.value, user="bob", channel="D-bob")
    assert (
        only_edit_of(h, invite).body
        == "Declined: you turned down Alice's pair interview invitation."
    )

    await h.command("pair with bob", user="alice")
    invite = invitation_to(h, "bob")
    await h.command("pair cancel", user="alice")
    assert only_edit_of(h, invite).body == "Alice withdrew the pair interview invitation."

    await h.command("pair with bob", user="alice")
    invite = invitation_to(h, "bob")
    await h.advance(timedelta(minutes=31))
    assert only_edit_of(h, invite).body.startswith("This invitation expired")

    await h.command("pair with bob", user="alice")
    invite = invitation_to(h, "bob")
    accept = invite.message.buttons[0]
    await h.press(accept.action_id, accept.value, user="bob", channel="D-bob")
    assert only_edit_of(h, invite).body == "You accepted — the interview is in #c1."
    assert h.chat.threads, "the pair was made"


async def test_a_failed_edit_never_breaks_the_answer(h_memory: Harness) -> None:
    h = h_memory
    await invited(h)
    h.chat.fail_edits = True  # the DM was deleted
    accept = invitation_to(h, "bob").message.buttons[0]
    await h.press(accept.action_id, accept.value, user="bob", channel="D-bob")
    assert [s.message.title for s in h.chat.sent if s.kind == "post"] == [
        "Pair interview: Alice and Bob"
    ]
    assert h.chat.direct_to("alice")[-1].message.body.startswith("You are paired with Bob")
    assert not [s for s in h.chat.sent if s.kind == "edit"]


async def test_an_invitation_that_ended_before_its_dm_was_kept_is_edited_at_once(
    h_memory: Harness,
) -> None:
    h = h_memory
    invite = await invited(h)
    async with h.uow() as uow:
        request = await uow.pairs.get_request(int(invite.message.buttons[0].value))
        assert request is not None
        assert request.invite_ref is not None
        assert await uow.pairs.set_status(request.id, "declined", "waiting")
        late = Outbox()
        ref = MessageRef(invite.place, invite.message_id)
        await invitations.keep(uow, h.chat, {invitations.keep_key(request.id): ref}, late)
        await uow.commit()
    await late.deliver()
    assert only_edit_of(h, invite).body.startswith("Declined")
