"""Fakes of the engine's ports: a chat that records, with ids a test can predict."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from bot.events import Place
from bot.messages import Image, MessageRef, RichMessage
from bot.ports.chat import UserRef


@dataclass(frozen=True)
class Sent:
    kind: str  # post | reply | private | direct | edit | image
    place: Place
    message: RichMessage
    to_user: str | None = None
    message_id: str = ""

    @property
    def text(self) -> str:
        parts = [self.message.title or "", self.message.body, self.message.context or ""]
        parts += [f"{f.name}: {f.value}" for f in self.message.fields]
        return "\n".join(p for p in parts if p)


class FakeChat:
    """Records every call; optionally fails the next N calls like a flaky platform."""

    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self.threads: list[Place] = []
        self._ids = itertools.count(1)
        self.fail_next = 0
        self.fail_edits = False  # True: every edit fails, as for a deleted message
        self.replies_in_thread_readable = True  # False: a platform that withholds reply text

    def _id(self) -> str:
        return f"m{next(self._ids)}"

    def _maybe_fail(self) -> None:
        if self.fail_next:
            self.fail_next -= 1
            from bot.ports.chat import ChatError

            raise ChatError("platform unavailable")

    async def post(self, place: Place, message: RichMessage) -> MessageRef:
        self._maybe_fail()
        ref = MessageRef(place.top_level(), self._id())
        self.sent.append(Sent("post", place.top_level(), message, message_id=ref.message_id))
        return ref

    async def reply(self, place: Place, message: RichMessage) -> MessageRef:
        self._maybe_fail()
        assert place.thread, "reply() needs a thread"
        ref = MessageRef(place, self._id())
        self.sent.append(Sent("reply", place, message, message_id=ref.message_id))
        return ref

    async def open_thread(self, message: MessageRef, name: str) -> Place:
        self._maybe_fail()
        thread = message.place.in_thread(f"t-{message.message_id}")
        self.threads.append(thread)
        return thread

    async def post_private(self, place: Place, user_id: str, message: RichMessage) -> None:
        self._maybe_fail()
        self.sent.append(Sent("private", place, message, to_user=user_id))

    async def send_direct(self, to: UserRef, message: RichMessage) -> MessageRef:
        self._maybe_fail()
        place = Place(to.platform, to.workspace, f"@{to.user_id}", None)
        ref = MessageRef(place, self._id())
        self.sent.append(
            Sent("direct", place, message, to_user=to.user_id, message_id=ref.message_id)
        )
        return ref

    async def edit(self, message: MessageRef, new: RichMessage) -> None:
        if self.fail_edits:
            from bot.ports.chat import ChatError

            raise ChatError("unknown message")
        self.sent.append(Sent("edit", message.place, new, message_id=message.message_id))

    async def attach_image(self, place: Place, image: Image, comment: str = "") -> MessageRef:
        ref = MessageRef(place, self._id())
        self.sent.append(Sent("image", place, RichMessage(body=comment, image=image)))
        return ref

    # --- reading what happened -------------------------------------------------------

    def clear(self) -> None:
        self.sent.clear()

    def titles(self) -> list[str]:
        return [s.message.title or "" for s in self.sent]

    def in_thread(self, thread: str) -> list[Sent]:
        return [s for s in self.sent if s.place.thread == thread and s.kind == "reply"]

    def edits_of(self, message_id: str) -> list[Sent]:
        return [s for s in self.sent if s.kind == "edit" and s.message_id == message_id]

    def direct_to(self, user: str) -> list[Sent]:
        return [s for s in self.sent if s.kind == "direct" and s.to_user == user]

    def private_to(self, user: str) -> list[Sent]:
        return [s for s in self.sent if s.kind == "private" and s.to_user == user]

    def last(self) -> Sent:
        return self.sent[-1]

    def all_text(self) -> str:
        return "\n---\n".join(s.text for s in self.sent)
