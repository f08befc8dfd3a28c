"""Slack tokens at rest: sealed by the store, by the migration for rows stored before, and
resealed on rotation; a missing or wrong key is one clear line naming the variable."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from typer.testing import CliRunner

from adapters.cli import app as cli_app
from storage.migrate import upgrade
from storage.secrets import (
    KEY_VARIABLE,
    SEALED_PREFIX,
    SecretBox,
    SecretKeyError,
    count_plain_tokens,
)
from tests.conftest import BACKENDS
from tests.support.databases import migrated_database

PLAIN_BOT = "xoxb-1111-2222-plain-bot-token"
PLAIN_USER = "xoxp-3333-4444-plain-user-token"


def test_sealed_values_open_and_plain_ones_pass_through() -> None:
    box = SecretBox([Fernet.generate_key().decode()])
    sealed = box.seal(PLAIN_BOT)
    assert sealed.startswith(SEALED_PREFIX)
    assert PLAIN_BOT not in sealed
    assert box.seal(sealed) == sealed
    assert box.open(sealed) == PLAIN_BOT
    assert box.open(PLAIN_BOT) == PLAIN_BOT


def test_rotation_reseals_with_the_first_key() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    sealed_old = SecretBox([old]).seal(PLAIN_BOT)
    both = SecretBox.from_setting(f"{new}, {old}")
    moved = both.reseal(sealed_old)
    assert SecretBox([new]).open(moved) == PLAIN_BOT
    with pytest.raises(SecretKeyError, match=KEY_VARIABLE):
        SecretBox([new]).open(sealed_old)


@pytest.mark.parametrize("setting", ["", "  ", "short", "x" * 44])
def test_a_missing_or_malformed_key_is_named(setting: str) -> None:
    with pytest.raises(SecretKeyError) as raised:
        SecretBox.from_setting(setting)
    assert KEY_VARIABLE in str(raised.value)
    assert "\n" not in str(raised.value)


async def _store_plain_tokens(engine: AsyncEngine) -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC).replace(tzinfo=None)
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO slack_bots (client_id, app_id, team_id, bot_token, bot_id, "
                "bot_user_id, is_enterprise_install, installed_at) VALUES "
                "('1.2', 'A1', 'T1', :token, 'B1', 'U1', false, :now)"
            ),
            {"token": PLAIN_BOT, "now": now},
        )
        await conn.execute(
            text(
                "INSERT INTO slack_installations (client_id, app_id, team_id, bot_token, bot_id, "
                "bot_user_id, user_id, user_token, is_enterprise_install, token_type, "
                "installed_at) VALUES ('1.2', 'A1', 'T1', :bot, 'B1', 'U1', 'U9', :user, false, "
                "'bot', :now)"
            ),
            {"bot": PLAIN_BOT, "user": PLAIN_USER, "now": now},
        )


async def _stored(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as conn:
        bots = (await conn.execute(text("SELECT bot_token FROM slack_bots"))).scalars().all()
        rows = (
            await conn.execute(text("SELECT bot_token, user_token FROM slack_installations"))
        ).all()
    return [*bots, *(v for row in rows for v in row)]


@pytest.mark.parametrize("kind", BACKENDS)
async def test_the_migration_seals_tokens_stored_in_plain_text(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = Fernet.generate_key().decode()
    async with migrated_database(kind, tmp_path, revision="0005") as (engine, _url):
        await _store_plain_tokens(engine)
        monkeypatch.delenv(KEY_VARIABLE, raising=False)
        monkeypatch.chdir(tmp_path)  # no .env to read a key from
        with pytest.raises(SecretKeyError) as refused:
            await upgrade(engine)
        assert f"3 Slack tokens are stored in plain text: set {KEY_VARIABLE}" in str(refused.value)
        assert await _stored(engine) == [PLAIN_BOT, PLAIN_BOT, PLAIN_USER]

        monkeypatch.setenv(KEY_VARIABLE, key)
        await upgrade(engine)
        stored = await _stored(engine)
        assert all(v.startswith(SEALED_PREFIX) for v in stored)
        assert [SecretBox([key]).open(v) for v in stored] == [PLAIN_BOT, PLAIN_BOT, PLAIN_USER]
        async with engine.connect() as conn:
            assert await conn.run_sync(count_plain_tokens) == 0


async def test_the_rotate_command_reseals_every_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(KEY_VARIABLE, old)
    async with migrated_database("sqlite", tmp_path, revision="0005") as (engine, url):
        await _store_plain_tokens(engine)
        await upgrade(engine)
        monkeypatch.setenv(KEY_VARIABLE, f"{new},{old}")
        # The command runs its own event loop.
        result = await asyncio.to_thread(
            CliRunner().invoke, cli_app, ["secrets", "rotate", "--db", url]
        )
        assert result.exit_code == 0, result.output
        assert "resealed 3 stored tokens with the first key" in result.stdout
        assert [SecretBox([new]).open(v) for v in await _stored(engine)] == [
            PLAIN_BOT,
            PLAIN_BOT,
            PLAIN_USER,
        ]


def test_new_key_prints_a_usable_key() -> None:
    result = CliRunner().invoke(cli_app, ["secrets", "new-key"])
    assert result.exit_code == 0
    assert (
        SecretBox.from_setting(result.stdout.strip()).open(
            SecretBox.from_setting(result.stdout.strip()).seal("x")
        )
        == "x"
    )
