"""`interview-bot discord sync|invite-url`: deliberate steps, never done on every start.

Syncing on each start burns Discord's daily command-create budget (200 per guild) and races
between shard processes; a guild sync updates at once, a global one can take a while.
"""

from __future__ import annotations

import asyncio
from typing import Annotated
from urllib.parse import urlencode

import discord
import typer

from adapters.discord.client import build_client, command_tree
from adapters.discord.commands import IdleRunner
from adapters.discord.settings import DiscordSettings, load_application_id, load_settings
from adapters.runtime import SettingsError

OAUTH_URL = "https://discord.com/oauth2/authorize"
SCOPES = ("bot", "applications.commands")


def bot_permissions() -> discord.Permissions:
    """What the bot does: read and post in channels and threads, open threads, embeds, files."""
    return discord.Permissions(
        view_channel=True,
        send_messages=True,
        send_messages_in_threads=True,
        create_public_threads=True,
        embed_links=True,
        attach_files=True,
        read_message_history=True,
    )


def invite_url(client_id: int) -> str:
    query = urlencode(
        {
            "client_id": str(client_id),
            "scope": " ".join(SCOPES),
            "permissions": str(bot_permissions().value),
        }
    )
    return f"{OAUTH_URL}?{query}"


async def sync_commands(settings: DiscordSettings, guild_id: int | None) -> list[str]:
    """Log in over REST only (no gateway) and upload the `/interview` commands."""
    client = build_client(settings, read_messages=False)
    tree = command_tree(client, IdleRunner())
    try:
        try:
            await client.login(settings.token.get_secret_value())
        except discord.LoginFailure:
            raise SettingsError("DISCORD_TOKEN was refused by Discord (401 Unauthorized)") from None
        guild = discord.Object(guild_id) if guild_id is not None else None
        if guild is not None:
            tree.copy_global_to(guild=guild)
        synced = await tree.sync(guild=guild)
        return [command.name for command in synced]
    finally:
        await client.close()


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def register(app: typer.Typer) -> None:
    """Add the `discord` command group to the project's CLI."""
    group = typer.Typer(help="Discord: sync the slash commands, print the invite link.")
    app.add_typer(group, name="discord")

    @group.command("sync")
    def sync(
        guild: Annotated[
            int | None,
            typer.Option(help="Sync to this server only (updates at once); omit for global."),
        ] = None,
    ) -> None:
        """Upload the /interview commands to Discord (run after install and after upgrades)."""
        try:
            names = asyncio.run(sync_commands(load_settings(), guild))
        except SettingsError as exc:
            _fail(str(exc))
            return
        except discord.HTTPException as exc:
            _fail(f"Discord refused the sync: HTTP {exc.status} {exc.text[:200]}")
            return
        where = f"server {guild}" if guild is not None else "all servers (global)"
        typer.echo(f"synced {len(names)} command(s) to {where}: {', '.join(names)}")

    @group.command("invite-url")
    def invite() -> None:
        """Print the link that adds the bot to a server, with the scopes and permissions needed."""
        try:
            client_id = _client_id()
        except SettingsError as exc:
            _fail(str(exc))
            return
        typer.echo(invite_url(client_id))


def _client_id() -> int:
    """DISCORD_APPLICATION_ID if set (no token needed), else the id inside DISCORD_TOKEN."""
    application_id = load_application_id()
    if application_id is not None:
        return application_id
    client_id = load_settings().client_id()
    if client_id is None:
        raise SettingsError(
            "set DISCORD_APPLICATION_ID (the application id from the developer portal)"
        )
    return client_id
