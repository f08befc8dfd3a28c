"""The dashboard over aiohttp: its routes, mounted beside Slack's HTTP endpoint or served alone.

Every page checks its link's signature before it reads anything (bot/dashboard/links.py), then
builds its data in one unit of work through the engine's page rules (bot/dashboard/pages.py).
Refusals get a friendly page and status 403, never data.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiohttp import web

from adapters.web.render import SECURITY_HEADERS, Renderer
from bot.dashboard.links import PREFIX, LinkRefused, LinkSigner, Viewer
from bot.dashboard.pages import PERIOD_LABELS, DashboardPages, NotAllowed, NotFound
from bot.ports.clock import Clock
from bot.ports.storage import DATABASE_DOWN, UnitOfWork

log = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
BASE = f"/{PREFIX}/"
MAX_QUERY_PARAMS = 8
REFUSALS = {
    "forged": ("This link doesn't work", "The link is not one the bot made, or it was changed."),
    "expired": ("This link has expired", "Dashboard links work for 7 days."),
    "not allowed": (
        "This page isn't open to you",
        "It belongs to a group you are not in, or to another workspace.",
    ),
}

CHART_ROWS = 10
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Page = tuple[str, dict[str, Any]]


class Dashboard:
    """The pages, each a GET under /dashboard/, reading through the engine's units of work."""

    def __init__(
        self,
        signer: LinkSigner,
        pages: DashboardPages,
        units: Callable[[], UnitOfWork],
        clock: Clock,
    ) -> None:
        self._signer = signer
        self._pages = pages
        self._units = units
        self._clock = clock
        self._render = Renderer()

    def mount(self, app: web.Application) -> None:
        app.router.add_get(BASE, self._index)
        app.router.add_get(f"/{PREFIX}", self._to_index)
        for name, page in (
            ("me", self._me),
            ("person", self._person),
            ("group", self._group),
            ("channel", self._channel),
            ("topics", self._topics),
        ):
            app.router.add_get(BASE + name, self._guarded(name, page))

    def _html(self, template: str, status: int = 200, **context: Any) -> web.Response:
        response = web.Response(
            text=self._render.page(template, **context), status=status, content_type="text/html"
        )
        response.headers.update(SECURITY_HEADERS)
        return response

    def refused(self, reason: str) -> web.Response:
        heading, message = REFUSALS[reason]
        return self._html("refused.html", 403, heading=heading, message=message, nav=())

    async def _index(self, _request: web.Request) -> web.Response:
        return self._html("index.html", nav=())

    async def _to_index(self, _request: web.Request) -> web.Response:
        raise web.HTTPFound(BASE)

    def _guarded(
        self, name: str, page: Callable[[UnitOfWork, Viewer, dict[str, str]], Awaitable[Page]]
    ) -> Handler:
        async def handle(request: web.Request) -> web.StreamResponse:
            query = request.query
            if len(query) > MAX_QUERY_PARAMS or len(set(query.keys())) != len(query):
                return self.refused("forged")
            params = {k: query[k] for k in query}
            try:
                viewer = self._signer.verify(name, params, self._now())
                async with self._units() as uow:
                    template, context = await page(uow, viewer, params)
            except LinkRefused as exc:
                return self.refused(exc.reason)
            except NotAllowed:
                return self.refused("not allowed")
            except (NotFound, ValueError, KeyError):
                return self._missing()
            except DATABASE_DOWN:
                log.warning("dashboard page %s: the database is unreachable", name)
                return self._html(
                    "refused.html",
                    503,
                    heading="The dashboard is resting",
                    message="Its database can't be reached right now; try again in a minute.",
                    nav=(),
                )
            return self._html(template, **context, **self._links(viewer))

        return handle

    def _missing(self) -> web.Response:
        return self._html(
            "refused.html",
            404,
            heading="Nothing here",
            message="This page doesn't exist (any more).",
            nav=(),
        )

    def _now(self) -> datetime:
        return self._clock.now()

    def _links(self, viewer: Viewer) -> dict[str, Any]:
        def link(name: str, **params: str | int) -> str:
            return self._signer.path(viewer, name, **params)

        nav = [("My progress", link("me")), ("My topics", link("topics"))]
        return {"link": link, "nav": nav}

    async def _me(self, uow: UnitOfWork, viewer: Viewer, params: dict[str, str]) -> Page:
        return "me.html", {"page": await self._pages.personal(uow, viewer, self._now())}

    async def _person(self, uow: UnitOfWork, viewer: Viewer, params: dict[str, str]) -> Page:
        page = await self._pages.personal(uow, viewer, self._now(), int(params["id"]))
        return "me.html", {"page": page}

    async def _group(self, uow: UnitOfWork, viewer: Viewer, params: dict[str, str]) -> Page:
        period = params.get("period", "week")
        page = await self._pages.board(uow, viewer, int(params["id"]), period, self._now())
        return "board.html", {
            "page": page,
            "periods": list(PERIOD_LABELS.items()),
            "chart_rows": [(row.name, row.points) for row in page.rows[:CHART_ROWS]],
        }

    async def _channel(self, uow: UnitOfWork, viewer: Viewer, params: dict[str, str]) -> Page:
        page = await self._pages.channel(uow, viewer, int(params["id"]))
        return "channel.html", {
            "page": page,
            "chart_rows": [(f"{d.day:%Y-%m-%d}", d.answered) for d in page.days[:CHART_ROWS]],
        }

    async def _topics(self, uow: UnitOfWork, viewer: Viewer, params: dict[str, str]) -> Page:
        page = await self._pages.topics(uow, viewer)
        return "topics.html", {
            "page": page,
            "chart_rows": [(t.title, round(t.mean)) for t in page.topics],
        }
