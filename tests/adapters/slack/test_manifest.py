"""The manifests ask for exactly the scopes the OAuth flow requests and the events handled."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from adapters.slack.oauth import BOT_SCOPES

DEPLOY = Path(__file__).resolve().parents[3] / "deploy" / "slack"
EVENTS = {"message.channels", "message.groups", "message.im", "app_home_opened"}


@pytest.mark.parametrize("name", ["manifest.yaml", "manifest-socket.yaml"])
def test_manifest_matches_the_adapter(name: str) -> None:
    manifest = yaml.safe_load((DEPLOY / name).read_text())
    assert tuple(manifest["oauth_config"]["scopes"]["bot"]) == BOT_SCOPES
    assert EVENTS | {"app_uninstalled", "tokens_revoked"} <= set(
        manifest["settings"]["event_subscriptions"]["bot_events"]
    )
    assert manifest["features"]["slash_commands"][0]["command"] == "/interview"
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["settings"]["socket_mode_enabled"] is (name == "manifest-socket.yaml")
