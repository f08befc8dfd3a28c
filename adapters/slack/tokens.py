"""Which bot token speaks for a workspace: the one configured, or the one its install saved."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore

CACHE_SECONDS = 60.0


class TokenSource(Protocol):
    async def bot_token(self, workspace: str) -> str | None: ...

    def forget(self, workspace: str) -> None: ...

    def remember(self, workspace: str, token: str) -> None:
        """A token bolt has just authorised a request with: the freshest there is."""
        ...


class StaticToken:
    """Single-workspace mode: one bot token from SLACK_BOT_TOKEN."""

    def __init__(self, token: str) -> None:
        self._token = token

    async def bot_token(self, workspace: str) -> str | None:
        return self._token

    def forget(self, workspace: str) -> None:
        return None

    def remember(self, workspace: str, token: str) -> None:
        return None

    def __repr__(self) -> str:
        return "StaticToken(<redacted>)"


class InstalledTokens:
    """Multi-workspace mode: each workspace's bot token from the installation store.

    Cached for a minute so a busy thread does not cost a query per post; an uninstall or a
    revocation drops the entry at once. Every authorised request renews its workspace's entry
    from bolt's result, so handling a request never needs the store: the engine may post while
    its unit of work holds the database, and on SQLite that is the only connection.
    """

    def __init__(
        self,
        store: AsyncInstallationStore,
        clock: Callable[[], float] = time.monotonic,
        ttl_s: float = CACHE_SECONDS,
    ) -> None:
        self._store = store
        self._clock = clock
        self._ttl = ttl_s
        self._cache: dict[str, tuple[str | None, float]] = {}

    async def bot_token(self, workspace: str) -> str | None:
        cached = self._cache.get(workspace)
        if cached is not None and cached[1] > self._clock():
            return cached[0]
        bot = await self._store.async_find_bot(enterprise_id=None, team_id=workspace)
        token = bot.bot_token if bot is not None else None
        self._cache[workspace] = (token, self._clock() + self._ttl)
        return token

    def forget(self, workspace: str) -> None:
        self._cache.pop(workspace, None)

    def remember(self, workspace: str, token: str) -> None:
        self._cache[workspace] = (token, self._clock() + self._ttl)

    def __repr__(self) -> str:
        return f"InstalledTokens({len(self._cache)} cached)"
