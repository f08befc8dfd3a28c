"""What every platform adapter gives the `run` command: a chat to register, start and stop."""

from __future__ import annotations

from typing import Protocol

from aiohttp import web

from bot.ports.chat import ChatPort


class PlatformRuntime(Protocol):
    platform: str
    chat: ChatPort

    async def start(self) -> None:
        """Connect or start serving; return once it is up (the work goes on in the background)."""
        ...

    async def stop(self) -> None:
        """Disconnect and release everything; safe to call twice."""
        ...


class SettingsError(Exception):
    """A missing or malformed setting; the message is one line naming the variable."""


async def listen(app: web.Application, host: str, port: int, option: str) -> web.AppRunner:
    """Serve app on host:port; a port that can't be had stops start-up naming `option`.

    No access log: a dashboard link's or an OAuth redirect's query string is a secret."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as exc:
        await runner.cleanup()
        raise SettingsError(
            f"{option} {port}: cannot listen on {host} ({exc.strerror or exc})"
        ) from None
    return runner


def bound_port(runner: web.AppRunner | None, asked: int) -> int:
    """The port actually bound (useful when asked for port 0)."""
    if runner is not None:
        for address in runner.addresses:
            if isinstance(address, tuple) and len(address) >= 2:
                return int(address[1])
    return asked
