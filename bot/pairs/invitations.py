"""An invitation's direct message after the invitation ends.

Its Accept and Decline buttons would only answer that the invitation is no longer open, so
once it ends (accepted, declined, expired, withdrawn) the message is edited to a plain line
saying how. The message's reference is known only after it was sent, which is after the
invitation's own commit: the engine hands it back here to be kept with the request, and an
invitation that ended in between is edited at once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from bot.events import Place
from bot.messages import MessageRef, RichMessage
from bot.outbox import Outbox
from bot.ports.chat import ChatPort
from bot.ports.records import PairRequest
from bot.ports.storage import UnitOfWork

KEEP_PREFIX = "pair-invite:"


def keep_key(request_id: int) -> str:
    """The name the invitation's sent reference is kept under in the outbox."""
    return f"{KEEP_PREFIX}{request_id}"


def encode_ref(ref: MessageRef) -> str:
    p = ref.place
    return json.dumps([p.platform, p.workspace, p.channel, ref.message_id], separators=(",", ":"))


def decode_ref(text: str) -> MessageRef | None:
    try:
        platform, workspace, channel, message_id = json.loads(text)
    except (ValueError, TypeError):
        return None
    return MessageRef(Place(str(platform), str(workspace), str(channel)), str(message_id))


def ended(status: str, inviter: str, channel: str) -> RichMessage:
    """What the invitation's message says once it ended with status, in place of its buttons."""
    match status:
        case "paired":
            said = f"You accepted — the interview is in #{channel}."
        case "declined":
            said = f"Declined: you turned down {inviter}'s pair interview invitation."
        case "expired":
            said = (
                f"This invitation expired: {inviter}'s pair interview invitation went unanswered."
            )
        case _:
            said = f"{inviter} withdrew the pair interview invitation."
    return RichMessage(body=said)


async def close(
    uow: UnitOfWork, chat: ChatPort, outbox: Outbox, request: PairRequest, status: str
) -> None:
    """Queue the edit of the invitation's message, when it was kept; after the commit, like
    every other message, and a failed edit is only logged."""
    ref = decode_ref(request.invite_ref) if request.invite_ref else None
    if ref is None:
        return
    outbox.edit(chat, ref, await _ending(uow, request, status))


async def keep(
    uow: UnitOfWork, chat: ChatPort, kept: Mapping[str, MessageRef], outbox: Outbox
) -> None:
    """Store each sent invitation's reference with its request; one that already ended (a
    quick answer, or a withdrawal) is edited right away instead."""
    for key, ref in kept.items():
        if not key.startswith(KEEP_PREFIX) or not key[len(KEEP_PREFIX) :].isdigit():
            continue
        request = await uow.pairs.get_request(int(key[len(KEEP_PREFIX) :]))
        if request is None:
            continue
        if request.status == "waiting":
            await uow.pairs.set_invite_ref(request.id, encode_ref(ref))
        else:
            outbox.edit(chat, ref, await _ending(uow, request, request.status))


async def _ending(uow: UnitOfWork, request: PairRequest, status: str) -> RichMessage:
    inviter = await uow.directory.get_user(request.user_id)
    channel = await uow.directory.get_channel(request.channel_id)
    name = inviter.display_name if inviter is not None else "A former member"
    where = (channel.name or channel.external_id) if channel is not None else "its channel"
    return ended(status, name, where)
