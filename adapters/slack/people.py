"""Who is speaking: a display name and whether they may change schedules.

Slack payloads carry a user id and at most a legacy username, so names and admin status come
from `users.info` (cached for a few minutes). An admin is a workspace admin or owner, or a
member of SLACK_ADMIN_USER_IDS; if `users.info` fails, only that list counts.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.tokens import TokenSource
from bot.events import Actor

log = logging.getLogger(__name__)

CACHE_SECONDS = 300.0
MAX_CACHED = 50_000


@dataclass(frozen=True)
class _Person:
    name: str
    is_admin: bool
    until: float


class People:
    def __init__(
        self,
        client: AsyncWebClient,
        tokens: TokenSource,
        admins: frozenset[str] = frozenset(),
        clock: Callable[[], float] = time.monotonic,
        ttl_s: float = CACHE_SECONDS,
    ) -> None:
        self._client = client
        self._tokens = tokens
        self._admins = admins
        self._clock = clock
        self._ttl = ttl_s
        self._cache: dict[tuple[str, str], _Person] = {}

    async def actor(self, workspace: str, user_id: str, fallback_name: str = "") -> Actor:
        person = await self._lookup(workspace, user_id)
        listed = user_id in self._admins
        if person is None:
            return Actor(user_id, fallback_name or user_id, is_admin=listed)
        return Actor(user_id, person.name or fallback_name or user_id, person.is_admin or listed)

    async def _lookup(self, workspace: str, user_id: str) -> _Person | None:
        key = (workspace, user_id)
        cached = self._cache.get(key)
        now = self._clock()
        if cached is not None and cached.until > now:
            return cached
        token = await self._tokens.bot_token(workspace)
        if not token:
            return None
        try:
            response = await self._client.users_info(user=user_id, token=token)
        except (SlackApiError, SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("users.info failed for %s (%s)", user_id, type(exc).__name__)
            return None
        user = response.get("user")
        if not isinstance(user, dict):
            return None
        profile = user.get("profile") if isinstance(user.get("profile"), dict) else {}
        assert isinstance(profile, dict)
        name = (
            profile.get("display_name")
            or profile.get("real_name")
            or user.get("real_name")
            or user.get("name")
            or ""
        )
        admin = bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))
        if len(self._cache) >= MAX_CACHED:
            self._cache.clear()
        person = _Person(str(name)[:80], admin, now + self._ttl)
        self._cache[key] = person
        return person
