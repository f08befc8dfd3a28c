"""Inbound events, already translated out of any platform's payload."""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.commands import Command


@dataclass(frozen=True)
class Place:
    """Where something happens: a channel, or a thread inside it."""

    platform: str
    workspace: str
    channel: str
    thread: str | None = None
    channel_name: str = ""

    def in_thread(self, thread: str) -> Place:
        return replace(self, thread=thread)

    def top_level(self) -> Place:
        return replace(self, thread=None)


@dataclass(frozen=True)
class Actor:
    user_id: str
    display_name: str
    is_admin: bool = False


@dataclass(frozen=True)
class SlashCommand:
    """`/interview <text>`; text is everything after the command name. A platform whose
    options arrive typed (Discord) hands the command already built instead, with no text."""

    place: Place
    actor: Actor
    text: str
    event_id: str | None = None
    command: Command | None = None

    @classmethod
    def typed(
        cls, place: Place, actor: Actor, command: Command, event_id: str | None = None
    ) -> SlashCommand:
        return cls(place, actor, "", event_id, command)


@dataclass(frozen=True)
class MessagePosted:
    place: Place
    actor: Actor
    text: str
    message_id: str
    event_id: str | None = None


@dataclass(frozen=True)
class ButtonPressed:
    place: Place
    actor: Actor
    action_id: str
    value: str
    message_id: str | None = None
    event_id: str | None = None


@dataclass(frozen=True)
class ModalSubmitted:
    place: Place
    actor: Actor
    action_id: str
    value: str
    text: str
    event_id: str | None = None


InboundEvent = SlashCommand | MessagePosted | ButtonPressed | ModalSubmitted
