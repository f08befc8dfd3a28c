"""Discord events in, engine events out: commands, buttons, modal submits and thread messages.

Translation only. Place: workspace is the guild, channel the (parent) channel, thread the
thread channel. Actor: is_admin is the Manage Server permission. event_id is the interaction
or message id, so the engine drops a replay.

Each event is kept in the inbox (as the engine event, since an interaction cannot be rebuilt
after a restart) before the engine works on it and forgotten once handled; one left behind by
a process that died is handed to the engine by the next run, its replies going to the channel.
While stopping, new interactions are told to try again and thread answers are kept for later.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Sequence
from typing import Any

import discord
from discord import app_commands

from adapters.discord.chat import DiscordChat
from adapters.discord.components import AnswerModal, Press, parse_modal_submit
from adapters.discord.replies import DEFER_AFTER_S, InteractionChat, InteractionReplies
from bot.commands import Command
from bot.engine import Engine
from bot.events import (
    Actor,
    ButtonPressed,
    InboundEvent,
    MessagePosted,
    ModalSubmitted,
    Place,
    SlashCommand,
)
from bot.inbox import Inbox
from bot.inbox.events import decode_event, encode_event
from bot.ports.chat import ChatError
from bot.ports.clock import Clock
from bot.ports.records import InboxItem
from bot.ports.storage import DATABASE_DOWN, StorageError
from questions.bank import QuestionBank

log = logging.getLogger(__name__)

PLATFORM = "discord"
THREAD_TYPES = (
    discord.ChannelType.public_thread,
    discord.ChannelType.private_thread,
    discord.ChannelType.news_thread,
)
_KNOWN_THREADS = 2048
# Interactions in hand past which a new one is acknowledged at once (the engine's own
# concurrency, 32 by default, is where events start to queue).
BUSY_IN_FLIGHT = 32
STOPPING = "I'm restarting right now; please try again in a minute."


class Bridge:
    def __init__(
        self,
        engine: Engine,
        bank: QuestionBank,
        chat: DiscordChat,
        client: discord.Client,
        *,
        read_messages: bool,
        defer_after: float = DEFER_AFTER_S,
        inbox: Inbox | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._engine = engine
        self._bank = bank
        self._chat = chat
        self._client = client
        self.read_messages = read_messages
        self._defer_after = defer_after
        self._answering: set[InteractionReplies] = set()  # interactions in hand now
        # thread id -> (parent channel id, parent name), for threads the cache does not hold.
        self._threads: OrderedDict[int, tuple[int, str]] = OrderedDict()
        self._inbox = inbox
        self._clock = clock
        self.stopping = False
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    # --- slash commands (CommandRunner) -------------------------------------------------

    def topic_names(self) -> Sequence[tuple[str, str]]:
        return [(t.id, t.title) for t in self._bank.topics]

    async def run(self, interaction: discord.Interaction[Any], command: Command) -> None:
        async with self._replies(interaction) as replies:
            if self.stopping:
                await replies.refuse(STOPPING)
                return
            place = self._interaction_place(interaction)
            if place is None:
                await replies.refuse("Use `/interview` in a server channel.")
                return
            event = SlashCommand.typed(place, _actor(interaction), command, str(interaction.id))
            await self._handle(event, InteractionChat(self._chat, replies), replies)

    async def on_command_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        if isinstance(error, app_commands.CheckFailure):
            message = str(error) or "You can't use that command here."
        else:
            log.error("command failed: %s", type(error).__name__, exc_info=error)
            message = "Something went wrong with that command; please try again."
        async with self._replies(interaction) as replies:
            await replies.refuse(message)

    # --- buttons and forms ------------------------------------------------------------

    async def on_button(self, interaction: discord.Interaction[Any], press: Press) -> None:
        if press.form is not None:
            await self._open_form(interaction, press)
            return
        async with self._replies(interaction) as replies:
            if self.stopping:
                await replies.refuse(STOPPING)
                return
            place = self._interaction_place(interaction) or _direct_place(interaction, press.home)
            if place is None:
                return
            message_id = str(interaction.message.id) if interaction.message else None
            event = ButtonPressed(
                place,
                self._actor_at(interaction, place),
                press.action_id,
                press.value,
                message_id,
                str(interaction.id),
            )
            await self._handle(event, InteractionChat(self._chat, replies), replies)

    async def _open_form(self, interaction: discord.Interaction[Any], press: Press) -> None:
        """A modal must be the first response: open it at once, the engine hears the submit."""
        assert press.form is not None
        try:
            await interaction.response.send_modal(
                AnswerModal(press.form, press.action_id, press.value, press.home)
            )
        except discord.HTTPException:
            log.warning("could not open the answer form", exc_info=True)

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """Modal submits, read from the raw data, so forms opened before a restart still work."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        answer = parse_modal_submit(dict(interaction.data or {}))
        if answer is None:
            return
        async with self._replies(interaction) as replies:
            if self.stopping:
                await replies.refuse(STOPPING)
                return
            place = self._interaction_place(interaction) or _direct_place(interaction, answer.home)
            if place is None:
                return
            event = ModalSubmitted(
                place,
                self._actor_at(interaction, place),
                answer.action_id,
                answer.value,
                answer.text,
                str(interaction.id),
            )
            await self._handle(event, InteractionChat(self._chat, replies), replies)

    # --- thread messages ---------------------------------------------------------------

    async def on_message(self, message: discord.Message) -> None:
        """An answer typed in a thread; needs the MESSAGE_CONTENT intent to carry its text."""
        if not self.read_messages or message.guild is None:
            return
        if message.author.bot or message.webhook_id is not None:
            return
        if message.type not in (discord.MessageType.default, discord.MessageType.reply):
            return
        if not message.content.strip():
            return
        place = await self._message_place(message)
        if place is None:
            return
        author = message.author
        is_admin = isinstance(author, discord.Member) and author.guild_permissions.manage_guild
        actor = Actor(str(author.id), author.display_name, is_admin)
        event = MessagePosted(place, actor, message.content, str(message.id), str(message.id))
        if self.stopping:
            # Kept, not handled: the next run (or another process) takes it after its lease.
            await self._keep(event)
            return
        await self._handle(event, self._chat)

    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """Removed from a server: stop its schedules, keep its data."""
        stopped = await self._engine.workspace_gone(PLATFORM, str(guild.id))
        log.info("left guild %s; %d schedules stopped", guild.id, stopped)

    # --- helpers ------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def _replies(
        self, interaction: discord.Interaction[Any]
    ) -> AsyncIterator[InteractionReplies]:
        """The interaction's responses. With many interactions already in hand their answers
        will come late, and a busy loop would fire the deferral timer late too: acknowledge
        at once instead, well inside Discord's three seconds."""
        busy = len(self._answering) >= BUSY_IN_FLIGHT
        async with InteractionReplies(interaction, 0.0 if busy else self._defer_after) as replies:
            if busy:
                for other in self._answering:  # those already waiting: acknowledge them too
                    other.hurry()
            self._answering.add(replies)
            try:
                yield replies
            finally:
                self._answering.discard(replies)

    async def _handle(
        self, event: InboundEvent, chat: Any, replies: InteractionReplies | None = None
    ) -> None:
        self._in_flight += 1
        self._idle.clear()
        try:
            item = await self._keep(event)
            try:
                await self._engine.handle(event, chat)
            except Exception:
                log.exception("the engine failed on a %s", type(event).__name__)
                if replies is not None and replies.sent_private == 0:
                    with contextlib.suppress(ChatError):
                        await replies.refuse("Something went wrong on my side; please try again.")
            if item is not None and self._inbox is not None:
                self._inbox.done(item)
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.set()

    async def _keep(self, event: InboundEvent) -> InboxItem | None:
        """Keep the event before the engine works on it; if the database cannot take it, the
        event is still handled from memory (Discord would not send it again)."""
        if self._inbox is None or self._clock is None or not event.event_id:
            return None
        item = InboxItem(
            PLATFORM, event.event_id, type(event).__name__, encode_event(event), self._clock.now()
        )
        try:
            await self._inbox.keep(item)
        except (*DATABASE_DOWN, StorageError) as exc:
            log.warning("a Discord event could not be kept (%s)", type(exc).__name__)
            return None
        return item

    async def handle_left_behind(self, item: InboxItem) -> None:
        """An event a process that died had kept: to the engine, replies to the channel."""
        await self._engine.handle(decode_event(item.payload), self._chat)

    async def drain(self, timeout_s: float) -> bool:
        """Stop taking interactions and wait for those in flight; False if some remained."""
        self.stopping = True
        try:
            await asyncio.wait_for(self._idle.wait(), timeout_s)
        except TimeoutError:
            return False
        return True

    def _actor_at(self, interaction: discord.Interaction[Any], place: Place) -> Actor:
        """The actor; from a DM, with their display name on the server the press belongs to,
        or no name when it is not known here (the stored one stays, not the account-wide one)."""
        if interaction.guild_id is not None:
            return _actor(interaction)
        guild = self._client.get_guild(int(place.workspace))
        member = guild.get_member(interaction.user.id) if guild is not None else None
        name = member.display_name if member is not None else ""
        return Actor(str(interaction.user.id), name, False)

    def _interaction_place(self, interaction: discord.Interaction[Any]) -> Place | None:
        if interaction.guild_id is None or interaction.channel is None:
            return None
        return _place(interaction.guild_id, interaction.channel)

    async def _message_place(self, message: discord.Message) -> Place | None:
        assert message.guild is not None
        channel = message.channel
        if isinstance(channel, discord.Thread):
            self._threads.pop(channel.id, None)
            return _place(message.guild.id, channel)
        if not isinstance(channel, discord.PartialMessageable):
            return None  # a top-level channel message: never an answer
        known = self._threads.get(channel.id)
        if known is None:
            known = await self._lookup_thread(channel.id)
            if known is None:
                return None
        parent_id, parent_name = known
        return Place(PLATFORM, str(message.guild.id), str(parent_id), str(channel.id), parent_name)

    async def _lookup_thread(self, channel_id: int) -> tuple[int, str] | None:
        """A thread the cache missed: ask once, remember a bounded number of answers."""
        try:
            fetched = await self._client.fetch_channel(channel_id)
        except discord.HTTPException:
            log.warning("could not look up channel %s", channel_id)
            return None
        if not isinstance(fetched, discord.Thread):
            return None
        parent = fetched.parent
        known = (fetched.parent_id, parent.name if parent else "")
        self._threads[channel_id] = known
        while len(self._threads) > _KNOWN_THREADS:
            self._threads.popitem(last=False)
        return known


def _place(guild_id: int, channel: Any) -> Place:
    if isinstance(channel, discord.Thread):
        parent = channel.parent
        return Place(
            PLATFORM,
            str(guild_id),
            str(channel.parent_id),
            str(channel.id),
            parent.name if parent else "",
        )
    return Place(PLATFORM, str(guild_id), str(channel.id), None, getattr(channel, "name", "") or "")


def _direct_place(interaction: discord.Interaction[Any], home: str | None) -> Place | None:
    """A press or form in a direct message: its custom id names the server, and the channel
    it acts for when the message has one (an invitation: the DM never becomes a channel of the
    server, and the stored channel name stays); otherwise the channel is the DM."""
    if interaction.guild_id is not None or home is None or interaction.channel is None:
        return None
    guild, _, channel = home.partition("/")
    if channel:
        return Place(PLATFORM, guild, channel, None, "")
    return Place(PLATFORM, guild, str(interaction.channel.id), None, "direct message")


def _actor(interaction: discord.Interaction[Any]) -> Actor:
    user = interaction.user
    return Actor(str(user.id), user.display_name, interaction.permissions.manage_guild)
