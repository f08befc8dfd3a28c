"""What the engine needs from a chat platform. Adapters implement it; tests fake it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.events import Place
from bot.messages import Image, MessageRef, RichMessage


@dataclass(frozen=True)
class UserRef:
    """A person on a platform, reachable without a channel: for direct messages."""

    platform: str
    workspace: str  # the platform's workspace (team, guild) id
    user_id: str  # the platform's user id
    # The channel the message acts for: a button pressed in the DM counts there, not in the DM.
    channel: str | None = None


class ChatPort(Protocol):
    async def post(self, place: Place, message: RichMessage) -> MessageRef:
        """Post at the top level of place's channel."""
        ...

    async def reply(self, place: Place, message: RichMessage) -> MessageRef:
        """Post in place's thread."""
        ...

    async def open_thread(self, message: MessageRef, name: str) -> Place:
        """Start a thread from a message; the returned place is inside it."""
        ...

    async def post_private(self, place: Place, user_id: str, message: RichMessage) -> None:
        """Show a message to one user only, in place's thread when it has one."""
        ...

    async def send_direct(self, to: UserRef, message: RichMessage) -> MessageRef:
        """A direct message to one person, outside any channel (a DM); its reference lets
        the sender edit it later (take its buttons away)."""
        ...

    async def edit(self, message: MessageRef, new: RichMessage) -> None: ...

    async def attach_image(self, place: Place, image: Image, comment: str = "") -> MessageRef: ...


def reads_thread_replies(chat: ChatPort) -> bool:
    """Whether a reply typed in a thread reaches the bot, so the texts may ask for one.

    A chat whose platform withholds message text (Discord without the message content
    permission) sets `replies_in_thread_readable = False`; answers then come through the
    Answer button alone. Chats that say nothing can read replies.
    """
    return getattr(chat, "replies_in_thread_readable", True) is not False


class ChatError(Exception):
    """A platform refused or failed a call; the engine rolls the event back."""


class ChatLookup:
    """Finds the chat of a platform for work that no inbound event carries (sweeps, schedules)."""

    def __init__(self, chats: dict[str, ChatPort] | None = None) -> None:
        self._chats = dict(chats or {})

    def register(self, platform: str, chat: ChatPort) -> None:
        self._chats[platform] = chat

    def __call__(self, platform: str) -> ChatPort | None:
        return self._chats.get(platform)
