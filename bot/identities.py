"""Recently seen workspaces, channels and users, so most events skip three upserts.

Keys include the names an event carries, so a renamed user or channel misses the cache and is
written once. A user deleted elsewhere makes a later write fail on its foreign key; the engine
then clears the cache and handles the event again.
"""

from __future__ import annotations

from collections import OrderedDict

from storage.repositories import Identity

Key = tuple[str, str, str, str, str, str]


class IdentityCache:
    def __init__(self, size: int = 20_000) -> None:
        self._size = size
        self._entries: OrderedDict[Key, Identity] = OrderedDict()

    def get(self, key: Key) -> Identity | None:
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
        return found

    def put(self, key: Key, identity: Identity) -> None:
        self._entries[key] = identity
        self._entries.move_to_end(key)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def forget_user(self, user_id: int) -> None:
        for key in [k for k, v in self._entries.items() if v.user_id == user_id]:
            del self._entries[key]

    def clear(self) -> None:
        self._entries.clear()
