"""The durable inbox in memory: items by (platform, key), each with the end of its lease."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from bot.ports.records import InboxItem
from tests.support.memory.records import Repo


class Inbox(Repo):
    async def add(self, items: Sequence[InboxItem], lease_until: datetime) -> None:
        for item in items:
            self.d.inbox.setdefault((item.platform, item.key), (item, lease_until))

    async def remove(self, keys: Collection[tuple[str, str]]) -> None:
        for key in keys:
            self.d.inbox.pop(key, None)

    async def renew(self, keys: Collection[tuple[str, str]], until: datetime) -> None:
        for key in keys:
            if key in self.d.inbox:
                self.d.inbox[key] = (self.d.inbox[key][0], until)

    async def hold_replies(self, platform: str, replies: Mapping[str, str]) -> None:
        for key, text in replies.items():
            if (platform, key) in self.d.inbox:
                held, lease = self.d.inbox[(platform, key)]
                self.d.inbox[(platform, key)] = (replace(held, replies=text), lease)

    async def held(self, keys: Collection[tuple[str, str]]) -> dict[tuple[str, str], str]:
        found = {key: self.d.inbox[key][0].replies for key in keys if key in self.d.inbox}
        return {key: text for key, text in found.items() if text is not None}

    async def lease(
        self, platforms: Collection[str], now: datetime, until: datetime, limit: int
    ) -> list[InboxItem]:
        due = sorted(
            (item for item, lease in self.d.inbox.values() if lease <= now),
            key=lambda item: item.received_at,
        )
        taken = [item for item in due if item.platform in platforms][: max(limit, 0)]
        leased = [replace(item, attempts=item.attempts + 1) for item in taken]
        for item in leased:
            self.d.inbox[(item.platform, item.key)] = (item, until)
        return leased

    async def pending(self) -> int:
        return len(self.d.inbox)
