"""What every platform adapter gives the `run` command: a chat to register, start and stop."""

from __future__ import annotations

from typing import Protocol

from bot.ports.chat import ChatPort


class PlatformRuntime(Protocol):
    platform: str
    chat: ChatPort

    async def start(self) -> None:
        """Connect or start serving; return once it is up (the work goes on in the background)."""
        ...

    async def stop(self) -> None:
        """Disconnect and release everything; safe to call twice."""
        ...


class SettingsError(Exception):
    """A missing or malformed setting; the message is one line naming the variable."""
