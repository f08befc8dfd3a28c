"""Serve the dashboard: alone (`interview-bot web`, or `run` with INTERVIEW_BOT_WEB_PORT), or
mounted on the Slack HTTP app's own server."""

from __future__ import annotations

import logging

from aiohttp import web

from adapters.runtime import bound_port, listen
from adapters.web.server import BASE, HEALTH_PATH, Dashboard
from bot.app.root import App
from bot.dashboard.pages import DashboardPages

log = logging.getLogger(__name__)


def dashboard_for(bot: App) -> Dashboard | None:
    """The dashboard when its settings are there (a secret and a public URL), else None."""
    if bot.web is None or bot.units is None:
        return None
    return Dashboard(bot.web, DashboardPages(bot.bank), bot.units, bot.clock)


async def _health(_request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


class WebRuntime:
    """The dashboard and /healthz on a port of their own."""

    def __init__(self, dashboard: Dashboard, host: str, port: int) -> None:
        self._dashboard = dashboard
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None

    @property
    def port(self) -> int:
        """The port actually bound (useful when asked for port 0)."""
        return bound_port(self._runner, self._port)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get(HEALTH_PATH, _health)
        self._dashboard.mount(app)
        return app

    async def start(self) -> None:
        self._runner = await listen(self.app(), self._host, self._port, "web port")
        log.info("dashboard listening on %s:%d%s", self._host, self.port, BASE)

    async def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()
