"""A chat that passes every call to another: adapters wrap their chat in one for a single
event, to change where the presser's private replies go."""

from __future__ import annotations

from bot.events import Place
from bot.messages import Image, MessageRef, RichMessage
from bot.ports.chat import ChatPort, UserRef, reads_thread_replies


class ChatRelay:
    def __init__(self, chat: ChatPort) -> None:
        self._chat = chat
        self.replies_in_thread_readable = reads_thread_replies(chat)

    async def post(self, place: Place, message: RichMessage) -> MessageRef:
        return await self._chat.post(place, message)

    async def reply(self, place: Place, message: RichMessage) -> MessageRef:
        return await self._chat.reply(place, message)

    async def open_thread(self, message: MessageRef, name: str) -> Place:
        return await self._chat.open_thread(message, name)

    async def post_private(self, place: Place, user_id: str, message: RichMessage) -> None:
        await self._chat.post_private(place, user_id, message)

    async def send_direct(self, to: UserRef, message: RichMessage) -> MessageRef:
        return await self._chat.send_direct(to, message)

    async def edit(self, message: MessageRef, new: RichMessage) -> None:
        await self._chat.edit(message, new)

    async def attach_image(self, place: Place, image: Image, comment: str = "") -> MessageRef:
        return await self._chat.attach_image(place, image, comment)
