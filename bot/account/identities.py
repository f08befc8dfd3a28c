"""Recently seen workspaces, channels and users, so most events skip three upserts.

Keys include the names an event carries, so a renamed user or channel misses the cache and is
written once. A user deleted elsewhere makes a later write fail on its foreign key; the engine
then clears the cache and handles the event again.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

from bot.events import Actor, Place
from bot.ports.records import Identity

Key = tuple[str, str, str, str, str, str]
K = TypeVar("K")
V = TypeVar("V")


def identity_key(place: Place, actor: Actor) -> Key:
    """Everything `directory.identify` writes, so any change in it misses the cache."""
    return (
        place.platform,
        place.workspace,
        place.channel,
        place.channel_name,
        actor.user_id,
        actor.display_name,
    )


class LruCache(Generic[K, V]):
    """A bounded map that drops the least recently used entry, so a long run stays small."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
        return found

    def put(self, key: K, value: V) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def forget(self, key: K) -> None:
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()


class IdentityCache(LruCache[Key, Identity]):
    def __init__(self, size: int = 20_000) -> None:
        super().__init__(size)

    def forget_user(self, user_id: int) -> None:
        for key in [k for k, v in self._entries.items() if v.user_id == user_id]:
            del self._entries[key]
