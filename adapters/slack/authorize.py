"""Which installation an inbound Slack request acts for, remembered per workspace.

Bolt's installation-store authorisation reads the store and calls `auth.test` for every
request, so each thread reply cost a Web API round trip and a slice of the workspace's Web
API budget. Here a workspace's result is kept for a while and dropped at once when the
workspace uninstalls, revokes its tokens or installs again (on this replica; other replicas
drop theirs when the entry expires). A workspace with no installation is never cached, so a
fresh install works at once, and it is logged once rather than on every request.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import (
    AsyncAuthorize,
    AsyncInstallationStoreAuthorize,
)
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore

log = logging.getLogger(__name__)

CACHE_SECONDS = 600.0
_NOT_FOUND_LOGGED_MAX = 10_000

Workspace = tuple[str, str]  # (enterprise id or "", team id or "")


def install_message(public_url: str | None) -> str:
    """What a user of a workspace without an installation is told, instead of bolt's
    "no longer available, please reinstall", which misleads a first-time workspace."""
    if public_url:
        where = f"<{public_url.rstrip('/')}/slack/install|the install page>"
    else:
        where = "the bot's install page (`/slack/install` on its public address)"
    return (
        "interview-bot isn't installed in this workspace yet. "
        f"A workspace admin can add it from {where}; Slack asks an admin to approve it."
    )


class CachedAuthorize(AsyncAuthorize):
    """Bolt's installation-store authorisation with a per-workspace cache in front."""

    def __init__(
        self,
        inner: AsyncInstallationStoreAuthorize,
        clock: Callable[[], float] = time.monotonic,
        ttl_s: float = CACHE_SECONDS,
    ) -> None:
        self._inner = inner
        self._clock = clock
        self._ttl = ttl_s
        self._cache: dict[Workspace, tuple[AuthorizeResult, float]] = {}
        self._not_found_logged: set[Workspace] = set()

    async def __call__(
        self,
        *,
        context: AsyncBoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        actor_enterprise_id: str | None = None,
        actor_team_id: str | None = None,
        actor_user_id: str | None = None,
    ) -> AuthorizeResult | None:
        key = (enterprise_id or "", team_id or "")
        hit = self._cache.get(key)
        if hit is not None and hit[1] > self._clock():
            return hit[0]
        result: AuthorizeResult | None = await self._inner(
            context=context, enterprise_id=enterprise_id, team_id=team_id, user_id=user_id
        )
        if result is None:
            self._cache.pop(key, None)
            self._log_not_installed(key)
            return None
        # Only a bot-token result is the same for everyone in the workspace.
        if result.user_token is None and result.user_id is None:
            self._cache[key] = (result, self._clock() + self._ttl)
        return result

    def forget(self, team_id: str | None, enterprise_id: str | None = None) -> None:
        self._cache.pop((enterprise_id or "", team_id or ""), None)
        self._not_found_logged.discard((enterprise_id or "", team_id or ""))

    def _log_not_installed(self, key: Workspace) -> None:
        if key in self._not_found_logged:
            return
        if len(self._not_found_logged) >= _NOT_FOUND_LOGGED_MAX:
            self._not_found_logged.clear()
        self._not_found_logged.add(key)
        log.warning(
            "a request came from Slack workspace %s, which has no installation; "
            "it was pointed to the install page (logged once per workspace)",
            key[1] or key[0] or "(unknown)",
        )

    def __repr__(self) -> str:
        return f"CachedAuthorize({len(self._cache)} cached)"


class NotifyingInstallationStore(AsyncSQLAlchemyInstallationStore):
    """slack_sdk's store, telling the caches when a workspace installs (again), so a new
    token is used from the next request on."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.on_saved: list[Callable[[str | None, str | None], None]] = []

    async def async_save(self, installation: Installation) -> None:
        await super().async_save(installation)
        for listener in self.on_saved:
            listener(installation.team_id, installation.enterprise_id)


class _QuietMissingInstallation(logging.Filter):
    """Bolt logs an error for every request from a workspace without an installation;
    CachedAuthorize logs it once per workspace instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "the AuthorizeResult (returned value from authorize) for it was not found" not in (
            record.getMessage()
        )


def quiet_bolt_missing_installation(logger: logging.Logger) -> None:
    if not any(isinstance(f, _QuietMissingInstallation) for f in logger.filters):
        logger.addFilter(_QuietMissingInstallation())
