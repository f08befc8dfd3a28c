"""Everything one handled event works with: its unit of work, chat, place, actor and time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.events import Actor, Place
from bot.messages import RichMessage
from bot.ports import ChatPort
from storage.repositories import Identity
from storage.unit_of_work import UnitOfWork


@dataclass
class Turn:
    uow: UnitOfWork
    chat: ChatPort
    place: Place
    actor: Actor
    ids: Identity
    now: datetime

    async def tell(self, message: RichMessage) -> None:
        """Answer the actor alone, where they spoke."""
        await self.chat.post_private(self.place, self.actor.user_id, message)
