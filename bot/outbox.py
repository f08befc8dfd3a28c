"""Messages wait here until their event's changes are committed, then go out in order.

Sending after the commit means a crash can never show a user a question whose round state
was lost; a platform hiccup is retried a few times, and `/interview resume` re-shows the
current question if a message still never arrived.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from bot.events import Place
from bot.messages import MessageRef, RichMessage
from bot.ports.chat import ChatPort, UserRef

log = logging.getLogger(__name__)

SEND_ATTEMPTS = 3
RETRY_DELAY_S = 0.5


@dataclass(frozen=True)
class Outgoing:
    chat: ChatPort
    place: Place
    message: RichMessage
    private_to: str | None = None
    direct_to: UserRef | None = None
    edit_of: MessageRef | None = None  # an edit of this message instead of a new one
    keep_as: str | None = None  # a name under which the sent message's reference is kept


@dataclass
class Outbox:
    pending: list[Outgoing] = field(default_factory=list)
    retry_delay_s: float = RETRY_DELAY_S
    # References of sent messages that asked to be kept (`keep_as`), for the engine to record.
    kept: dict[str, MessageRef] = field(default_factory=dict)

    def reply(self, chat: ChatPort, place: Place, message: RichMessage) -> None:
        self.pending.append(Outgoing(chat, place, message))

    def private(self, chat: ChatPort, place: Place, user_id: str, message: RichMessage) -> None:
        self.pending.append(Outgoing(chat, place, message, private_to=user_id))

    def direct(
        self, chat: ChatPort, to: UserRef, message: RichMessage, keep_as: str | None = None
    ) -> None:
        """A DM to one person; place is only where it is logged as going."""
        place = Place(to.platform, to.workspace, f"@{to.user_id}", None)
        self.pending.append(Outgoing(chat, place, message, direct_to=to, keep_as=keep_as))

    def edit(self, chat: ChatPort, message: MessageRef, new: RichMessage) -> None:
        """Replace a sent message; tried once, and a failure is only logged: the message may
        be gone, and nothing else depends on it."""
        self.pending.append(Outgoing(chat, message.place, new, edit_of=message))

    def discard(self) -> None:
        self.pending.clear()

    async def deliver(self) -> int:
        """Send everything in order; return how many could not be sent."""
        failed = 0
        items, self.pending = self.pending, []
        for item in items:
            if not await self._send(item):
                failed += 1
        return failed

    async def _send(self, item: Outgoing) -> bool:
        if item.edit_of is not None:
            try:
                await item.chat.edit(item.edit_of, item.message)
            except Exception:
                log.warning("could not edit message %s", item.edit_of.message_id, exc_info=True)
            return True
        for attempt in range(1, SEND_ATTEMPTS + 1):
            try:
                if item.direct_to is not None:
                    ref = await item.chat.send_direct(item.direct_to, item.message)
                    if item.keep_as is not None:
                        self.kept[item.keep_as] = ref
                elif item.private_to is not None:
                    await item.chat.post_private(item.place, item.private_to, item.message)
                elif item.place.thread:
                    await item.chat.reply(item.place, item.message)
                else:
                    await item.chat.post(item.place, item.message)
                return True
            except Exception:
                log.warning("send failed (attempt %d of %d)", attempt, SEND_ATTEMPTS, exc_info=True)
                if attempt < SEND_ATTEMPTS:
                    await asyncio.sleep(self.retry_delay_s * attempt)
        log.error("gave up sending a message to %s/%s", item.place.platform, item.place.channel)
        return False
