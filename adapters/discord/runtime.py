"""Start and stop the Discord side of `interview-bot run`."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import discord

from adapters.discord.bridge import PLATFORM, Bridge
from adapters.discord.chat import DiscordChat
from adapters.discord.client import build_client, use_gateway_of_api, wire
from adapters.discord.replies import DEFER_AFTER_S
from adapters.discord.settings import DiscordSettings, load_settings
from adapters.runtime import SettingsError
from bot.app.root import App
from bot.ports.chat import ChatPort

log = logging.getLogger(__name__)

READY_TIMEOUT_S = 90.0


class DiscordRuntime:
    """One client on the gateway; rebuilt without the privileged intent if Discord refuses it."""

    platform = PLATFORM

    def __init__(
        self,
        bot: App,
        settings: DiscordSettings,
        *,
        defer_after: float = DEFER_AFTER_S,
        guild_ready_timeout: float = 2.0,
        ready_timeout: float = READY_TIMEOUT_S,
    ) -> None:
        self._bot = bot
        self._settings = settings
        self._defer_after = defer_after
        self._guild_ready_timeout = guild_ready_timeout
        self._ready_timeout = ready_timeout
        self.read_messages = settings.message_content
        self.client = self._new_client()
        self.chat: ChatPort = DiscordChat(self.client, read_messages=self.read_messages)
        self._task: asyncio.Task[None] | None = None

    def _new_client(self) -> discord.Client:
        client = build_client(
            self._settings,
            read_messages=self.read_messages,
            guild_ready_timeout=self._guild_ready_timeout,
        )
        self.bridge = Bridge(
            self._bot.engine,
            self._bot.bank,
            DiscordChat(client, read_messages=self.read_messages),
            client,
            read_messages=self.read_messages,
            defer_after=self._defer_after,
            inbox=self._bot.inbox,
            clock=self._bot.clock,
        )
        wire(client, self.bridge)
        if self._bot.inbox is not None:
            self._bot.inbox.serve(PLATFORM, self.bridge.handle_left_behind)
        return client

    async def start(self) -> None:
        try:
            await self._connect()
        except discord.PrivilegedIntentsRequired:
            if not self.read_messages:
                raise
            log.warning(
                "the Message Content intent is not enabled for this bot in the developer portal; "
                "answers are taken through the Answer button only"
            )
            await self.client.close()
            self.read_messages = False
            self.client = self._new_client()
            self.chat = DiscordChat(self.client, read_messages=False)
            await self._connect()

    async def _connect(self) -> None:
        token = self._settings.token.get_secret_value()
        try:
            await self.client.login(token)
        except discord.LoginFailure:
            await self.client.close()
            raise SettingsError("DISCORD_TOKEN was refused by Discord (401 Unauthorized)") from None
        except (discord.HTTPException, OSError) as exc:
            await self.client.close()
            raise SettingsError(
                f"cannot reach the Discord API at {self._settings.api_url}: {_reason(exc)}"
            ) from None
        except BaseException:
            await self.client.close()
            raise
        if self._settings.api_url_overridden:
            try:
                await use_gateway_of_api(self.client)
            except discord.GatewayNotFound:
                await self.client.close()
                raise SettingsError(
                    f"DISCORD_API_URL {self._settings.api_url} has no GET /gateway/bot"
                ) from None
        self._task = asyncio.create_task(self.client.connect(reconnect=True))
        ready = asyncio.create_task(self.client.wait_until_ready())
        done, _ = await asyncio.wait(
            {self._task, ready}, timeout=self._ready_timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if ready in done:
            log.info("connected to Discord as %s", self.client.user)
            return
        ready.cancel()
        if self._task in done:
            self._task.result()  # raises what stopped the connection
        await self.stop()
        raise SettingsError(f"no READY from the Discord gateway within {self._ready_timeout:.0f} s")

    async def stop(self) -> None:
        if not await self.bridge.drain(self._bot.drain_seconds):
            log.warning("stopped with Discord events unfinished; they stay in the inbox")
        await self.client.close()
        if self._task is not None:
            task, self._task = self._task, None
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await task


def _reason(exc: BaseException) -> str:
    if isinstance(exc, discord.HTTPException):
        return f"HTTP {exc.status}"
    return type(exc).__name__


async def start_discord(bot: App, settings: DiscordSettings | None = None) -> DiscordRuntime:
    """Read the settings, log in, connect to the gateway; return once READY arrived."""
    runtime = DiscordRuntime(bot, settings or load_settings())
    await runtime.start()
    return runtime
