"""The interaction at hand: its first response inside Discord's 3 s, private notes as ephemerals.

The engine does not know about interactions. While it handles one, it gets an
``InteractionChat``: the plain Discord chat, except that notes for the interaction's user
become ephemeral messages on that interaction. If the engine is slow, the interaction is
deferred before Discord's deadline; if it says nothing privately, the interaction is still
acknowledged at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import discord

from adapters.discord.chat import DiscordChat, no_mentions, platform_call, send_kwargs
from adapters.discord.embeds import Part, render
from adapters.relay import ChatRelay
from bot.events import Place
from bot.messages import RichMessage

log = logging.getLogger(__name__)

DEFER_AFTER_S = 1.5


class InteractionReplies:
    """Owns the interaction's responses; every use goes through one lock, in order."""

    def __init__(self, interaction: discord.Interaction[Any], defer_after: float = DEFER_AFTER_S):
        self.interaction = interaction
        self.user_id = str(interaction.user.id)
        self._defer_after = defer_after
        self._lock = asyncio.Lock()
        self._timers: list[asyncio.Task[None]] = []
        self._placeholder = False  # a "thinking…" response waiting to be replaced
        self.sent_private = 0

    @property
    def _is_command(self) -> bool:
        return self.interaction.type is discord.InteractionType.application_command

    async def __aenter__(self) -> InteractionReplies:
        self._timers.append(asyncio.create_task(self._defer_later(self._defer_after)))
        return self

    def hurry(self) -> None:
        """Acknowledge now instead of when the timer runs out: the bot has become busy."""
        if self._timers and not self._timers[0].done() and self._defer_after > 0:
            # The first timer keeps running: both check under the lock, so one acknowledges.
            self._defer_after = 0.0
            self._timers.append(asyncio.create_task(self._defer_later(0.0)))

    async def __aexit__(self, *exc: object) -> None:
        await self.finish()

    async def _defer_later(self, delay: float) -> None:
        await asyncio.sleep(delay)
        async with self._lock:
            if not self.interaction.response.is_done():
                await self._defer()

    async def _defer(self) -> None:
        """Acknowledge: a private "thinking…" for a command, a silent ack for a button or form."""
        if self._is_command:
            await self.interaction.response.defer(ephemeral=True, thinking=True)
            self._placeholder = True
        else:
            await self.interaction.response.defer()

    async def send_private(self, parts: list[Part]) -> None:
        async with self._lock:
            for part in parts:

                async def send(part: Part = part) -> None:
                    await self._send_one(part)

                await platform_call("send a private message", send)
                self.sent_private += 1

    async def _send_one(self, part: Part) -> None:
        kwargs = send_kwargs(part, no_mentions())
        response = self.interaction.response
        if not response.is_done():
            await response.send_message(ephemeral=True, **kwargs)
        elif self._placeholder:
            self._placeholder = False
            file = kwargs.pop("file", None)
            if file is not None:
                kwargs["attachments"] = [file]
            await self.interaction.edit_original_response(**kwargs)
        else:
            await self.interaction.followup.send(ephemeral=True, **kwargs)

    async def finish(self) -> None:
        """Stop the timer; make sure Discord got an answer, and clear a placeholder left unused."""
        for timer in self._timers:
            timer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await timer
        async with self._lock:
            try:
                if not self.interaction.response.is_done():
                    await self._defer()
                if self._placeholder:
                    self._placeholder = False
                    await self.interaction.delete_original_response()
            except discord.HTTPException:
                log.warning("could not complete interaction %s", self.interaction.id, exc_info=True)

    async def refuse(self, text: str) -> None:
        """A short private answer that ends the interaction (checks, wrong place)."""
        await self.send_private(render(RichMessage(body=text)))


class InteractionChat(ChatRelay):
    """The Discord chat with the interaction's user's private notes sent as ephemerals."""

    def __init__(self, chat: DiscordChat, replies: InteractionReplies) -> None:
        super().__init__(chat)
        self._replies = replies

    async def post_private(self, place: Place, user_id: str, message: RichMessage) -> None:
        if user_id != self._replies.user_id:
            await self._chat.post_private(place, user_id, message)
            return
        await self._replies.send_private(render(message))
