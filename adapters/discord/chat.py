"""The engine's ChatPort on Discord: channel posts, thread replies, threads, private notes.

Every send names its allowed mentions: none at all, or only the one user a private note is
for, so no question or answer text can ever ping @everyone, @here, a role or a member.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Literal, TypeVar

import discord

from adapters.discord.embeds import Part, render
from adapters.discord.text import clip
from bot.events import Place
from bot.messages import Image, MessageRef, RichMessage
from bot.ports.chat import ChatError, UserRef

log = logging.getLogger(__name__)

THREAD_ARCHIVE_MINUTES: Literal[1440] = 1440  # one day
THREAD_NAME_LIMIT = 100
T = TypeVar("T")


def no_mentions() -> discord.AllowedMentions:
    return discord.AllowedMentions.none()


def only_user(user_id: str) -> discord.AllowedMentions:
    return discord.AllowedMentions(
        everyone=False, roles=False, replied_user=False, users=[discord.Object(int(user_id))]
    )


def send_kwargs(part: Part, allowed: discord.AllowedMentions) -> dict[str, Any]:
    """Keyword arguments for discord.py's send methods, leaving out what a part does not have."""
    kwargs: dict[str, Any] = {"allowed_mentions": allowed}
    if part.content:
        kwargs["content"] = part.content
    if part.embeds:
        kwargs["embeds"] = part.embeds
    view = part.view()
    if view is not None:
        kwargs["view"] = view
    file = part.file()
    if file is not None:
        kwargs["file"] = file
    return kwargs


async def platform_call(what: str, call: Callable[[], Awaitable[T]]) -> T:
    """Run a Discord call; a refusal or failure becomes the engine's ChatError."""
    try:
        return await call()
    except discord.HTTPException as exc:
        raise ChatError(f"Discord refused to {what}: {exc.status} {exc.text[:200]}") from exc
    except (TimeoutError, discord.ClientException, ValueError, OSError) as exc:
        raise ChatError(f"could not {what}: {exc}") from exc


class DiscordChat:
    """Sends through the client's REST session; the client need not be connected to the gateway."""

    def __init__(self, client: discord.Client, *, read_messages: bool = True) -> None:
        self._client = client
        # Without the message content intent a reply in a thread reaches the bot with no text:
        # the engine then points people at the Answer button (bot.ports.chat).
        self.replies_in_thread_readable = read_messages

    # --- ChatPort ----------------------------------------------------------------------------

    async def post(self, place: Place, message: RichMessage) -> MessageRef:
        first = await self._send(place.workspace, place.channel, render(message), no_mentions())
        return MessageRef(place.top_level(), first)

    async def reply(self, place: Place, message: RichMessage) -> MessageRef:
        target = place.thread or place.channel
        first = await self._send(place.workspace, target, render(message), no_mentions())
        return MessageRef(place, first)

    async def open_thread(self, message: MessageRef, name: str) -> Place:
        channel = self._channel(message.place.workspace, message.place.channel)
        partial = channel.get_partial_message(int(message.message_id))

        async def create() -> discord.Thread:
            return await partial.create_thread(
                name=clip(name, THREAD_NAME_LIMIT) or "Interview",
                auto_archive_duration=THREAD_ARCHIVE_MINUTES,
            )

        thread = await platform_call("open a thread", create)
        return message.place.in_thread(str(thread.id))

    async def post_private(self, place: Place, user_id: str, message: RichMessage) -> None:
        """Without an interaction at hand: a reply that mentions (and may ping) only that user."""
        target = place.thread or place.channel
        await self._send(
            place.workspace, target, render(message, mention_user=user_id), only_user(user_id)
        )

    async def send_direct(self, to: UserRef, message: RichMessage) -> MessageRef:
        """Create (or find) the DM channel with the user, then send there; it pings no one."""

        async def open_dm() -> Any:
            return await self._client.http.start_private_message(int(to.user_id))

        opened = await platform_call("open a direct message", open_dm)
        dm = self._client.get_partial_messageable(int(opened["id"]))
        parts = render(message)
        # A press in a DM carries no server: its buttons name it, and the channel they act for.
        home = to.workspace if to.channel is None else f"{to.workspace}/{to.channel}"
        for part in parts:
            part.home = home
        first = await self._send_parts(dm, parts, no_mentions())
        return MessageRef(Place(to.platform, to.workspace, str(opened["id"])), first)

    async def edit(self, message: MessageRef, new: RichMessage) -> None:
        target = message.place.thread or message.place.channel
        channel = self._channel(message.place.workspace, target)
        part = render(new)[0]
        partial = channel.get_partial_message(int(message.message_id))
        kwargs = send_kwargs(part, no_mentions())
        kwargs.pop("file", None)
        kwargs.setdefault("content", None)
        kwargs.setdefault("embeds", [])
        kwargs.setdefault("view", None)

        async def edit() -> None:
            await partial.edit(**kwargs)

        await platform_call("edit a message", edit)

    async def attach_image(self, place: Place, image: Image, comment: str = "") -> MessageRef:
        target = place.thread or place.channel
        part = Part(content=comment or None, image=image)
        first = await self._send(place.workspace, target, [part], no_mentions())
        return MessageRef(place, first)

    # --- sending -----------------------------------------------------------------------------

    def _channel(self, workspace: str, channel_id: str) -> discord.PartialMessageable:
        try:
            guild_id = int(workspace)
            return self._client.get_partial_messageable(int(channel_id), guild_id=guild_id)
        except ValueError as exc:
            raise ChatError(f"not a Discord channel: {workspace}/{channel_id}") from exc

    async def _send(
        self, workspace: str, channel_id: str, parts: list[Part], allowed: discord.AllowedMentions
    ) -> str:
        """Send each part in order; the id of the first is the message's reference."""
        return await self._send_parts(self._channel(workspace, channel_id), parts, allowed)

    @staticmethod
    async def _send_parts(
        channel: discord.PartialMessageable, parts: list[Part], allowed: discord.AllowedMentions
    ) -> str:
        ids: list[str] = []
        for part in parts:
            kwargs = send_kwargs(part, allowed)

            async def send(kwargs: dict[str, Any] = kwargs) -> discord.Message:
                return await channel.send(**kwargs)

            sent = await platform_call("send a message", send)
            ids.append(str(sent.id))
        return ids[0]
