"""Inbound events as JSON text, for platforms whose payloads cannot be replayed as they came.

A Discord interaction object cannot be rebuilt after a restart, but the engine event made from
it can: the item keeps the event itself (typed commands included) and whoever takes the item
hands it straight to the engine.
"""

from __future__ import annotations

import dataclasses
import json
import typing
from enum import Enum
from types import UnionType
from typing import Any

from bot import commands
from bot.events import (
    Actor,
    ButtonPressed,
    InboundEvent,
    MessagePosted,
    ModalSubmitted,
    Place,
    SlashCommand,
)

_EVENTS: dict[str, type[Any]] = {
    cls.__name__: cls for cls in (SlashCommand, MessagePosted, ButtonPressed, ModalSubmitted)
}
_COMMANDS: dict[str, type[Any]] = {cls.__name__: cls for cls in typing.get_args(commands.Command)}


def encode_event(event: InboundEvent) -> str:
    fields = {f.name: getattr(event, f.name) for f in dataclasses.fields(event)}
    fields["place"] = dataclasses.asdict(event.place)
    fields["actor"] = dataclasses.asdict(event.actor)
    command = fields.pop("command", None)
    if command is not None:
        fields["command"] = {"type": type(command).__name__, "fields": _plain(command)}
    return json.dumps({"type": type(event).__name__, "fields": fields}, separators=(",", ":"))


def decode_event(text: str) -> InboundEvent:
    raw = json.loads(text)
    cls = _EVENTS[raw["type"]]
    fields = dict(raw["fields"])
    fields["place"] = Place(**fields["place"])
    fields["actor"] = Actor(**fields["actor"])
    command = fields.pop("command", None)
    if command is not None:
        fields["command"] = _read_command(command["type"], command["fields"])
    event: InboundEvent = cls(**fields)
    return event


def _plain(command: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for field in dataclasses.fields(command):
        value = getattr(command, field.name)
        if isinstance(value, Enum):
            value = value.value
        elif isinstance(value, tuple):
            value = list(value)
        found[field.name] = value
    return found


def _read_command(name: str, raw: dict[str, Any]) -> Any:
    cls = _COMMANDS[name]
    hints = typing.get_type_hints(cls, vars(commands))
    values: dict[str, Any] = {}
    for key, value in raw.items():
        values[key] = _typed(hints[key], value)
    return cls(**values)


def _typed(hint: Any, value: Any) -> Any:
    """Enums and tuples back from their JSON form; other values are stored as they are."""
    if value is None:
        return None
    options = typing.get_args(hint) if isinstance(hint, UnionType) else (hint,)
    for option in options:
        if isinstance(option, type) and issubclass(option, Enum):
            return option(value)
        if typing.get_origin(option) is tuple:
            return tuple(value)
    return value
