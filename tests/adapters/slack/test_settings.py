"""Start-up settings: one clear line naming the variable, never its value."""

from __future__ import annotations

import pytest

from adapters.runtime import SettingsError
from adapters.slack.runtime import start_slack
from adapters.slack.settings import load_settings
from bot.app.root import App
from bot.grading import RubricGrader
from tests.adapters.slack.driver import SIGNING_SECRET
from tests.adapters.slack.standin import BOT_TOKEN, FakeSlack
from tests.support.harness import Harness

GOOD = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET}
OAUTH = {
    "SLACK_CLIENT_ID": "1.2",
    "SLACK_CLIENT_SECRET": "client-secret-value",
    "SLACK_SIGNING_SECRET": SIGNING_SECRET,
}


def problem(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], mode: str = "http") -> str:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as raised:
        load_settings(mode)
    message = str(raised.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize(
    ("env", "mode", "named"),
    [
        ({}, "http", "SLACK_BOT_TOKEN is not set"),
        ({"SLACK_BOT_TOKEN": "xoxp-user-token-secret"}, "http", "SLACK_BOT_TOKEN is malformed"),
        ({"SLACK_BOT_TOKEN": BOT_TOKEN}, "http", "SLACK_SIGNING_SECRET is not set"),
        (GOOD, "socket", "SLACK_APP_TOKEN is not set"),
        (GOOD | {"SLACK_APP_TOKEN": "xoxb-wrong-kind"}, "socket", "SLACK_APP_TOKEN is malformed"),
        (GOOD | {"SLACK_API_URL": "slack dot com"}, "http", "SLACK_API_URL is malformed"),
        (GOOD | {"SLACK_ADMIN_USER_IDS": "bob,U0OK"}, "http", "SLACK_ADMIN_USER_IDS is malformed"),
        ({"SLACK_CLIENT_ID": "1.2"} | GOOD, "http", "SLACK_CLIENT_SECRET is not set"),
        ({"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "s"}, "socket", "needs --mode http"),
        (OAUTH, "http", "INTERVIEW_BOT_ENCRYPTION_KEY is not set"),
        (
            OAUTH | {"INTERVIEW_BOT_ENCRYPTION_KEY": "not-a-fernet-key-at-all"},
            "http",
            "INTERVIEW_BOT_ENCRYPTION_KEY must be a Fernet key",
        ),
    ],
)
def test_a_missing_or_malformed_setting_is_named(
    clean_env: pytest.MonkeyPatch, env: dict[str, str], mode: str, named: str
) -> None:
    message = problem(clean_env, env, mode)
    assert named in message
    for value in env.values():
        if len(value) > 8:
            assert value not in message


def test_good_settings_load(clean_env: pytest.MonkeyPatch) -> None:
    for name, value in (GOOD | {"SLACK_ADMIN_USER_IDS": " U0A, W0B "}).items():
        clean_env.setenv(name, value)
    settings = load_settings("http")
    assert settings.admins == {"U0A", "W0B"}
    assert settings.api_url == "https://slack.com/api/"
    assert BOT_TOKEN not in repr(settings)


async def test_a_token_slack_refuses_stops_start_up(
    h: Harness, slack: FakeSlack, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("SLACK_BOT_TOKEN", "xoxb-revoked-long-ago")
    clean_env.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    clean_env.setenv("SLACK_API_URL", slack.api_url)
    app = App(h.engine, h.bank, h.database, h.clock, RubricGrader())
    with pytest.raises(
        SettingsError, match=r"^SLACK_BOT_TOKEN was refused by Slack \(invalid_auth\)$"
    ):
        await start_slack(app, mode="http", host="127.0.0.1", port=0)
