"""The discord.py client: intents, sharding, the command tree, and where the API lives.

Where the API lives: discord.py keeps the REST base in ``discord.http.Route.BASE`` and the
gateway in ``DiscordWebSocket.DEFAULT_GATEWAY``. A plain ``Client`` (2.7) never asks
``GET /gateway/bot``, and neither does an ``AutoShardedClient`` given a shard count, so when
the REST base points at a proxy or a local stand-in we ask that base for the gateway ourselves.
"""

from __future__ import annotations

from typing import Any, Protocol

import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket

from adapters.discord.commands import CommandRunner, build_interview_group
from adapters.discord.components import EngineButton, Press
from adapters.discord.settings import DEFAULT_API_URL, DiscordSettings

DISCORD_GATEWAY = yarl.URL("wss://gateway.discord.gg/")


def intents(read_messages: bool) -> discord.Intents:
    """Guilds (channels, threads) and guild messages; message content only when allowed."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.message_content = read_messages
    return wanted


def use_api(api_url: str) -> None:
    """Point every REST route (and interaction webhooks, which share them) at api_url."""
    discord.http.Route.BASE = api_url.rstrip("/")
    if api_url.rstrip("/") == DEFAULT_API_URL:
        DiscordWebSocket.DEFAULT_GATEWAY = DISCORD_GATEWAY


async def use_gateway_of_api(client: discord.Client) -> yarl.URL:
    """Take the gateway URL from the configured base's GET /gateway/bot (after login)."""
    _shards, url, _limits = await client.http.get_bot_gateway()
    gateway = yarl.URL(url)
    DiscordWebSocket.DEFAULT_GATEWAY = gateway
    return gateway


def build_client(
    settings: DiscordSettings, *, read_messages: bool, guild_ready_timeout: float = 2.0
) -> discord.Client:
    options: dict[str, Any] = {
        "intents": intents(read_messages),
        "allowed_mentions": discord.AllowedMentions.none(),
        "member_cache_flags": discord.MemberCacheFlags.none(),
        "chunk_guilds_at_startup": False,
        "max_messages": None,
        "guild_ready_timeout": guild_ready_timeout,
    }
    use_api(settings.api_url)
    if settings.sharded:
        ids = settings.shard_id_list
        if ids is not None:
            options["shard_ids"] = ids
        return discord.AutoShardedClient(shard_count=settings.shard_count, **options)
    return discord.Client(**options)


def command_tree(client: discord.Client, runner: CommandRunner) -> app_commands.CommandTree[Any]:
    tree: app_commands.CommandTree[Any] = app_commands.CommandTree(client)
    tree.add_command(build_interview_group(runner))
    return tree


class Listener(CommandRunner, Protocol):
    """What the client calls into; the Bridge implements it."""

    async def on_button(self, interaction: discord.Interaction[Any], press: Press) -> None: ...

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None: ...

    async def on_message(self, message: discord.Message) -> None: ...

    async def on_guild_remove(self, guild: discord.Guild) -> None: ...

    async def on_command_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None: ...


def wire(client: discord.Client, listener: Listener) -> app_commands.CommandTree[Any]:
    """Attach the command tree, the stateless buttons and the event handlers to client."""
    tree = command_tree(client, listener)
    tree.error(listener.on_command_error)
    client.add_dynamic_items(EngineButton)

    async def on_engine_button(interaction: discord.Interaction[Any], press: Press) -> None:
        await listener.on_button(interaction, press)

    async def on_interaction(interaction: discord.Interaction[Any]) -> None:
        await listener.on_interaction(interaction)

    async def on_message(message: discord.Message) -> None:
        await listener.on_message(message)

    async def on_guild_remove(guild: discord.Guild) -> None:
        await listener.on_guild_remove(guild)

    for handler in (on_engine_button, on_interaction, on_message, on_guild_remove):
        client.event(handler)
    return tree
