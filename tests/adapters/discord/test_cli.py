"""`interview-bot discord sync|invite-url`, run through typer against the stand-in."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import discord
import pytest
import typer
from typer.testing import CliRunner

from adapters.discord.cli import register
from adapters.discord.client import use_api
from adapters.discord.settings import DEFAULT_API_URL
from tests.adapters.discord.conftest import APP_ID_TEXT, TOKEN
from tests.adapters.discord.standin import FakeDiscord

# view, send, send in threads, create public threads, embed links, attach files, read history
EXPECTED_PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 38) | (1 << 35) | (1 << 14) | (1 << 15)
EXPECTED_PERMISSIONS |= 1 << 16


@pytest.fixture
def served() -> Iterator[FakeDiscord]:
    """The stand-in on its own loop in a thread, since the CLI runs asyncio.run itself."""
    fake = FakeDiscord(TOKEN)
    loop = asyncio.new_event_loop()
    started = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(fake.start())
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert started.wait(10)
    try:
        yield fake
    finally:
        asyncio.run_coroutine_threadsafe(fake.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
        use_api(DEFAULT_API_URL)


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> typer.Typer:
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in ("DISCORD_SHARD_COUNT", "DISCORD_SHARD_IDS", "DISCORD_APPLICATION_ID"):
        monkeypatch.delenv(name, raising=False)
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """interview-bot"""

    register(app)
    return app


def test_sync_uploads_the_interview_group_to_one_guild(
    cli: typer.Typer, served: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    monkeypatch.setenv("DISCORD_API_URL", served.api_url)
    result = CliRunner().invoke(cli, ["discord", "sync", "--guild", "123456789012345678"])
    assert result.exit_code == 0, result.output
    assert "synced 1 command(s) to server 123456789012345678: interview" in result.output
    put = served.calls_to("PUT", rf"/applications/{APP_ID_TEXT}/guilds/123456789012345678/commands")
    assert len(put) == 1
    interview = put[0].body[0]
    assert interview["name"] == "interview"
    subcommands = {o["name"] for o in interview["options"]}
    assert {"mock", "daily", "group", "privacy", "stats", "leaderboard", "help"} <= subcommands
    assert not served.calls_to("GET", r"/gateway/bot"), "sync never opens the gateway"


def test_global_sync_and_a_refused_token(
    cli: typer.Typer, served: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCORD_API_URL", served.api_url)
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    ok = CliRunner().invoke(cli, ["discord", "sync"])
    assert ok.exit_code == 0, ok.output
    assert served.calls_to("PUT", rf"/applications/{APP_ID_TEXT}/commands")
    monkeypatch.setenv("DISCORD_TOKEN", "wrong")
    refused = CliRunner().invoke(cli, ["discord", "sync"])
    assert refused.exit_code == 2
    assert "DISCORD_TOKEN was refused" in refused.output


def test_invite_url_has_both_scopes_and_the_permissions_the_bot_uses(
    cli: typer.Typer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)  # the application id is read from the token
    result = CliRunner().invoke(cli, ["discord", "invite-url"])
    assert result.exit_code == 0, result.output
    url = urlparse(result.output.strip())
    query = parse_qs(url.query)
    assert url.netloc == "discord.com"
    assert query["client_id"] == [APP_ID_TEXT]
    assert query["scope"] == ["bot applications.commands"]
    assert int(query["permissions"][0]) == EXPECTED_PERMISSIONS
    assert not discord.Permissions(int(query["permissions"][0])).administrator

    monkeypatch.delenv("DISCORD_TOKEN")
    monkeypatch.setenv("DISCORD_APPLICATION_ID", "42")
    assert "client_id=42" in CliRunner().invoke(cli, ["discord", "invite-url"]).output


def test_invite_url_reads_the_application_id_from_a_dotenv_file(
    cli: typer.Typer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    (tmp_path / ".env").write_text("DISCORD_APPLICATION_ID=820000000000000042\n")
    result = CliRunner().invoke(cli, ["discord", "invite-url"])
    assert result.exit_code == 0, result.output
    assert parse_qs(urlparse(result.output.strip()).query)["client_id"] == ["820000000000000042"]


def test_an_application_id_that_is_not_a_number_stops_with_one_line(
    cli: typer.Typer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCORD_APPLICATION_ID", "my-app")
    result = CliRunner().invoke(cli, ["discord", "invite-url"])
    assert result.exit_code == 2
    assert "DISCORD_APPLICATION_ID must be a number" in result.output
