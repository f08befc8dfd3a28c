"""Everything one handled event works with: its unit of work, chat, place, actor and time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.events import Actor, Place
from bot.messages import RichMessage
from bot.outbox import Outbox
from bot.ports.chat import ChatPort
from bot.ports.records import Identity
from bot.ports.storage import UnitOfWork
from questions.bank import QuestionBank


@dataclass
class Turn:
    uow: UnitOfWork
    chat: ChatPort
    place: Place
    actor: Actor
    ids: Identity
    now: datetime
    bank: QuestionBank
    outbox: Outbox = field(default_factory=Outbox)

    def say(self, place: Place, message: RichMessage) -> None:
        """Queue a message for place (a thread, usually), sent after the commit."""
        self.outbox.reply(self.chat, place, message)

    def tell(self, message: RichMessage) -> None:
        """Queue a message for the actor alone, where they spoke."""
        self.outbox.private(self.chat, self.place, self.actor.user_id, message)
