"""The receiving process: Slack's HTTP endpoint, in an interpreter of its own.

In the engine's process an ack shares one interpreter with grading and the engine's
statements: on its loop it waits for the step under way, and on a thread of its own for the
interpreter lock, so its tail was twice the ack-only bolt app's. Here nothing else runs. The
front desk (adapters/slack/front_desk.py) keeps and acks what it can and hands each item over
on the control line; every other request (bolt's decisions, OAuth, the dashboard, health,
metrics) is passed to the engine's own HTTP app on loopback, as it came, and answered with what
that returns.

Started by adapters/slack/receiver.py with two inherited sockets: the listening one and the
control line. The process ends when the control line closes (the engine's process stopped it,
or died), finishing the requests in flight first; items it acked that were not handed over
stay in the inbox for the next run.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import logging
import signal
import socket
import sys
from datetime import timedelta
from typing import Final

import aiohttp
from aiohttp import web
from multidict import CIMultiDict
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.request.async_request import AsyncBoltRequest

from adapters.slack import receiver_wire as wire
from adapters.slack.front_desk import FrontDesk, KnownTeams
from bot.app import logs
from bot.app.heap import HeapTrimmer, glibc_trim
from bot.inbox import Inbox
from bot.ports.clock import SystemClock
from bot.ports.records import InboxItem
from storage.database import inbox_units_at

log = logging.getLogger(__name__)

EVENTS_PATH: Final = "/slack/events"
MAX_BODY_BYTES: Final = 1024 * 1024
PASS_TIMEOUT_S: Final = 60
# Headers that belong to one connection, not to the request or response passed along.
_HOP_BY_HOP: Final = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "content-length",
        "content-encoding",
    }
)
_PR_SET_PDEATHSIG: Final = 1


class Relay:
    """The control line's writing end. Items are handed over after the ack has gone out: a
    write to the line wakes the engine's process, and on a busy machine the kernel may give
    it this process's CPU there and then, with the ack still unsent. So items are gathered
    and written once the current request is answered, in one write, and answers to the
    engine's questions follow every item gathered before them."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self._writer = writer
        self._items: list[bytes] = []
        self._flush: asyncio.Handle | None = None

    def hand_over(self, item: InboxItem) -> None:
        self._items.append(wire.item_line(item))
        if self._flush is None:
            self._flush = asyncio.get_running_loop().call_soon(self.flush)

    def answer(self, message: dict[str, object]) -> None:
        self.flush()
        self._writer.write(wire.line(message))

    def flush(self) -> None:
        if self._flush is not None:
            self._flush.cancel()
            self._flush = None
        if self._items:
            self._writer.write(b"".join(self._items))
            self._items.clear()

    async def drain(self) -> None:
        self.flush()
        with contextlib.suppress(ConnectionError):
            await self._writer.drain()


class Front:
    """The endpoint: the front desk first, the engine's app for everything else."""

    def __init__(self, desk: FrontDesk, engine_url: str) -> None:
        self.desk = desk
        self._engine_url = engine_url.rstrip("/")
        self.refusal: str | None = None
        self.in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._session = aiohttp.ClientSession(
            cookie_jar=aiohttp.DummyCookieJar(),
            timeout=aiohttp.ClientTimeout(total=PASS_TIMEOUT_S),
        )

    def app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY_BYTES)
        app.router.add_post(EVENTS_PATH, self._events)
        app.router.add_route("*", "/{path:.*}", self._pass_on)
        return app

    async def close(self) -> None:
        await self._session.close()

    async def _events(self, request: web.Request) -> web.StreamResponse:
        if self.refusal is not None:
            # Not acked, so Slack sends it again later (or to a replica that stays).
            return web.Response(status=503, text=self.refusal)
        self.in_flight += 1
        self._idle.clear()
        try:
            body = await request.read()
            bolt_request = AsyncBoltRequest(
                body=body.decode("utf-8", errors="replace"),
                query=request.query_string,
                headers=request.headers,  # type: ignore[arg-type]
            )
            response = await self.desk.take(bolt_request)
            if response is None:
                return await self._pass_on(request)
            return await to_aiohttp_response(response)
        finally:
            self.in_flight -= 1
            if not self.in_flight:
                self._idle.set()

    async def _pass_on(self, request: web.Request) -> web.Response:
        """To the engine's app as it came (its Host header included) and back as it went;
        cookies are never kept in between."""
        headers = [(k, v) for k, v in request.headers.items() if k.lower() not in _HOP_BY_HOP]
        body = await request.read()
        try:
            async with self._session.request(
                request.method,
                self._engine_url + request.rel_url.raw_path_qs,
                headers=headers,
                data=body if body else None,
                allow_redirects=False,
                skip_auto_headers=("User-Agent", "Accept-Encoding", "Content-Type"),
            ) as answer:
                payload = await answer.read()
                passed = CIMultiDict(
                    (k, v) for k, v in answer.headers.items() if k.lower() not in _HOP_BY_HOP
                )
                return web.Response(status=answer.status, body=payload, headers=passed)
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("a request could not be passed to the engine (%s)", type(exc).__name__)
            return web.Response(status=502, text="unavailable")

    async def settled(self) -> None:
        await self._idle.wait()


async def _obey(
    reader: asyncio.StreamReader, relay: Relay, front: Front, teams: KnownTeams
) -> None:
    """Follow the engine's process until it closes the line."""
    while raw := await reader.readline():
        message = wire.read(raw)
        if "team" in message:
            if message.get("known"):
                teams.add(str(message["team"]))
            else:
                teams.discard(str(message["team"]))
        elif "refuse" in message:
            reason = message["refuse"]
            front.refusal = str(reason) if reason is not None else None
        elif "settle" in message:
            await front.settled()
            relay.answer({"settled": message["settle"]})
        elif "sync" in message:
            relay.answer({"synced": message["sync"]})


async def serve(listening: socket.socket, control: socket.socket) -> None:
    reader, writer = await asyncio.open_connection(sock=control, limit=wire.MAX_LINE_BYTES)
    config = wire.config_from(wire.read(await reader.readline()))
    logs.configure(config.log_level, config.json_logs)
    teams = KnownTeams()
    clock = SystemClock()
    relay = Relay(writer)
    async with contextlib.AsyncExitStack() as stack:
        stack.push_async_callback(relay.drain)
        try:
            units, inline = await stack.enter_async_context(inbox_units_at(config.inbox))
        except Exception as exc:
            reason = f"the inbox could not be opened ({type(exc).__name__})"
            writer.write(wire.line({"error": reason}))
            return
        keeper = Inbox(
            units,
            clock,
            lease=timedelta(seconds=config.lease_s),
            inline=inline,
            handled_elsewhere=True,
        )
        desk = FrontDesk(
            signing_secret=config.signing_secret,
            teams=teams,
            keeper=keeper,
            clock=clock,
            hand_over=relay.hand_over,
        )
        front = Front(desk, config.engine_url)
        stack.push_async_callback(front.close)
        runner = web.AppRunner(front.app(), access_log=None)
        await runner.setup()
        stack.callback(
            lambda: log.info("the Slack receiver kept and acked %d requests itself", desk.taken)
        )
        # Stops listening, then finishes what is in flight.
        stack.push_async_callback(runner.cleanup)
        await web.SockSite(runner, listening).start()
        # Like the engine's process: start-up's objects out of the collector's full passes,
        # and freed memory handed back to the system now and then.
        gc.collect()
        gc.freeze()
        trimmer = HeapTrimmer(config.heap_trim_s, glibc_trim())
        trimmer.start()
        stack.push_async_callback(trimmer.stop)
        writer.write(wire.line({"ready": True}))
        await _obey(reader, relay, front, teams)


def _end_with_parent() -> None:
    """On Linux, be stopped if the engine's process dies without closing the line."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def main() -> None:
    listening_fd, control_fd = int(sys.argv[1]), int(sys.argv[2])
    # Ctrl-C reaches the whole process group: the engine's process decides when this one ends.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _end_with_parent()
    listening = socket.socket(fileno=listening_fd)
    control = socket.socket(fileno=control_fd)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(listening, control))


if __name__ == "__main__":
    main()
