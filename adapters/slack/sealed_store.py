"""slack_sdk's installation store with every token sealed before it reaches the database."""

from __future__ import annotations

import copy
from typing import Any, TypeVar

from slack_sdk.oauth.installation_store import Bot, Installation

from adapters.slack.authorize import NotifyingInstallationStore
from storage.secrets import SecretBox

_BOT_FIELDS = ("bot_token", "bot_refresh_token")
_INSTALLATION_FIELDS = (*_BOT_FIELDS, "user_token", "user_refresh_token")

Held = TypeVar("Held", Bot, Installation)


class SealedInstallationStore(NotifyingInstallationStore):
    """Seals tokens on the way in and opens them on the way out; the rest is slack_sdk's."""

    def __init__(self, *args: Any, box: SecretBox, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._box = box

    async def async_save(self, installation: Installation) -> None:
        await super().async_save(self._sealed(installation, _INSTALLATION_FIELDS))

    async def async_save_bot(self, bot: Bot) -> None:
        await super().async_save_bot(self._sealed(bot, _BOT_FIELDS))

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        bot = await super().async_find_bot(
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )
        return self._opened(bot, _BOT_FIELDS) if bot is not None else None

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        found = await super().async_find_installation(
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
            is_enterprise_install=is_enterprise_install,
        )
        return self._opened(found, _INSTALLATION_FIELDS) if found is not None else None

    def _sealed(self, held: Held, fields: tuple[str, ...]) -> Held:
        sealed = copy.copy(held)
        for name in fields:
            value = getattr(held, name, None)
            if value:
                setattr(sealed, name, self._box.seal(value))
        return sealed

    def _opened(self, held: Held, fields: tuple[str, ...]) -> Held:
        for name in fields:
            value = getattr(held, name, None)
            if value:
                setattr(held, name, self._box.open(value))
        return held

    def __repr__(self) -> str:
        return "SealedInstallationStore(<tokens sealed>)"
