"""ChatPort for the terminal: threads are indented, private replies are marked."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

from adapters.console.render import to_text
from bot.events import Place
from bot.messages import Button, Image, MessageRef, RichMessage
from bot.ports.chat import UserRef


def new_id() -> str:
    """Ids unique across restarts, since rounds keep their thread ids in the database."""
    return uuid.uuid4().hex[:8]


class ConsoleChat:
    def __init__(
        self,
        write: Callable[[str], None],
        bot_name: str = "interview-bot",
        image_dir: Path | None = None,
    ) -> None:
        self._write = write
        self._bot = bot_name
        self._image_dir = image_dir or Path(tempfile.gettempdir()) / "interview-bot"
        self.active_thread: str | None = None
        self.last_buttons: tuple[Button, ...] = ()
        self.messages: dict[str, RichMessage] = {}

    def _show(self, place: Place, message: RichMessage, header: str) -> None:
        indent = "    │ " if place.thread else ""
        self._write(f"{indent}{header}")
        for line in to_text(message):
            self._write(f"{indent}  {line}" if line else indent.rstrip())
        if message.image is not None:
            path = self._save(message.image.filename, message.image.data)
            self._write(f"{indent}  [picture saved to {path}]")
        if message.attachment is not None:
            path = self._save(message.attachment.filename, message.attachment.data)
            self._write(f"{indent}  [file saved to {path}]")
        if message.buttons:
            self.last_buttons = message.buttons

    def _save(self, filename: str, data: bytes) -> Path:
        """A terminal cannot show a picture or hand over a file: save it for the user to open."""
        self._image_dir.mkdir(parents=True, exist_ok=True)
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in filename)
        path = self._image_dir / (safe or "file")
        path.write_bytes(data)
        return path

    async def post(self, place: Place, message: RichMessage) -> MessageRef:
        ref = MessageRef(place.top_level(), new_id())
        self.messages[ref.message_id] = message
        self._show(
            place.top_level(), message, f"[{self._bot} in #{place.channel_name or place.channel}]"
        )
        return ref

    async def reply(self, place: Place, message: RichMessage) -> MessageRef:
        ref = MessageRef(place, new_id())
        self.messages[ref.message_id] = message
        if place.thread:
            self.active_thread = place.thread
        self._show(place, message, f"[{self._bot} in thread {place.thread}]")
        return ref

    async def open_thread(self, message: MessageRef, name: str) -> Place:
        thread = message.place.in_thread(message.message_id)
        self.active_thread = message.message_id
        self._write(f"    ┌ thread {message.message_id}: {name}")
        return thread

    async def post_private(self, place: Place, user_id: str, message: RichMessage) -> None:
        self._show(place, message, f"[{self._bot} → only {user_id}]")

    async def send_direct(self, to: UserRef, message: RichMessage) -> MessageRef:
        """A direct message: shown at the top level, marked as meant for that person alone."""
        place = Place(to.platform, to.workspace, f"@{to.user_id}", None)
        ref = MessageRef(place, new_id())
        self.messages[ref.message_id] = message
        self._show(place, message, f"[{self._bot} → direct message to {to.user_id}]")
        return ref

    async def edit(self, message: MessageRef, new: RichMessage) -> None:
        self.messages[message.message_id] = new
        self._show(message.place, new, f"[{self._bot} edited {message.message_id}]")

    async def attach_image(self, place: Place, image: Image, comment: str = "") -> MessageRef:
        ref = MessageRef(place, new_id())
        self._show(place, RichMessage(body=comment, image=image), f"[{self._bot} image]")
        return ref
