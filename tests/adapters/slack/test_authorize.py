"""The per-workspace authorisation cache: kept for its time, dropped when told, never for a
workspace without an installation."""

from __future__ import annotations

from typing import Any, cast

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.context.async_context import AsyncBoltContext

from adapters.slack.authorize import CachedAuthorize, install_message


class CountingAuthorize:
    """Stands where bolt's store authorisation would read the store and call auth.test."""

    def __init__(self) -> None:
        self.calls = 0
        self.installed = {"T1": "xoxb-one"}

    async def __call__(self, **kwargs: Any) -> AuthorizeResult | None:
        self.calls += 1
        token = self.installed.get(kwargs["team_id"])
        if token is None:
            return None
        return AuthorizeResult(
            enterprise_id=None, team_id=kwargs["team_id"], bot_token=token, bot_user_id="UBOT"
        )


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def cached(inner: CountingAuthorize, clock: Clock) -> CachedAuthorize:
    return CachedAuthorize(cast(AsyncInstallationStoreAuthorize, inner), clock=clock, ttl_s=60)


async def ask(authorize: CachedAuthorize, team: str) -> AuthorizeResult | None:
    return await authorize(
        context=AsyncBoltContext(), enterprise_id=None, team_id=team, user_id="UALICE"
    )


async def test_one_lookup_per_workspace_until_it_expires() -> None:
    inner, clock = CountingAuthorize(), Clock()
    authorize = cached(inner, clock)
    for _ in range(5):
        result = await ask(authorize, "T1")
        assert result is not None
        assert result.bot_token == "xoxb-one"
    assert inner.calls == 1
    clock.now += 61
    await ask(authorize, "T1")
    assert inner.calls == 2


async def test_forget_and_missing_installations_are_looked_up_again() -> None:
    inner, clock = CountingAuthorize(), Clock()
    authorize = cached(inner, clock)
    assert await ask(authorize, "T2") is None
    inner.installed["T2"] = "xoxb-two"
    result = await ask(authorize, "T2")
    assert result is not None
    assert result.bot_token == "xoxb-two"
    inner.installed["T2"] = "xoxb-two-again"
    authorize.forget("T2")
    result = await ask(authorize, "T2")
    assert result is not None
    assert result.bot_token == "xoxb-two-again"
    assert inner.calls == 3


def test_the_install_message_names_the_page_and_the_admin() -> None:
    assert "<https://bot.example.com/slack/install|the install page>" in install_message(
        "https://bot.example.com/"
    )
    fallback = install_message(None)
    assert "/slack/install" in fallback
    assert "admin" in fallback
