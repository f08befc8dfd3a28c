"""Serve Slack: HTTP (aiohttp, signed requests) or Socket Mode, on one engine.

HTTP mode serves POST /slack/events for events, commands and interactivity, GET /healthz, and
in multi-workspace mode GET /slack/install and /slack/oauth_redirect. Socket Mode connects out
with SLACK_APP_TOKEN and needs no public URL.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import Awaitable, Callable

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from adapters.runtime import SettingsError, bound_port, listen
from adapters.slack.app import SlackParts, build_bolt_app
from adapters.slack.authorize import CachedAuthorize, install_message
from adapters.slack.chat import PLATFORM, SlackChat
from adapters.slack.front_desk import KnownTeams
from adapters.slack.oauth import INSTALL_PATH, REDIRECT_PATH, oauth_settings
from adapters.slack.people import People
from adapters.slack.receiver import ReceiverProcess, Receiving, receiving
from adapters.slack.settings import SlackSettings, load_settings
from adapters.slack.tokens import InstalledTokens, StaticToken, TokenSource
from adapters.slack.work import DEFAULT_BACKLOG_LIMIT, WorkQueue
from bot.app.root import App
from bot.ports import metrics
from bot.ports.chat import ChatPort

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"
RATE_LIMIT_RETRIES = 5
SERVER_ERROR_RETRIES = 3
REQUEST_TIMEOUT_S = 30
DRAIN_SECONDS = 10.0
MAX_BODY_BYTES = 1024 * 1024
BACKLOG_LIMIT = DEFAULT_BACKLOG_LIMIT
LOOPBACK = "127.0.0.1"
REFUSAL_CHECK_S = 0.1


def _web_client(settings: SlackSettings, session: aiohttp.ClientSession) -> AsyncWebClient:
    token = settings.bot_token.get_secret_value().strip() if settings.bot_token else None
    return AsyncWebClient(
        token=None if settings.multi_workspace else token,
        base_url=settings.api_url,
        session=session,
        timeout=REQUEST_TIMEOUT_S,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(),
            CountingRateLimitHandler(max_retry_count=RATE_LIMIT_RETRIES),
            AsyncServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES),
        ],
    )


class CountingRateLimitHandler(AsyncRateLimitErrorRetryHandler):
    """slack_sdk's 429 handling, plus a count operators can alert on."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is not None and response.status_code == 429:
            metrics.RATE_LIMITED.labels(PLATFORM).inc()
        return await super()._can_retry_async(
            state=state, request=request, response=response, error=error
        )


def _quiet_debug_logs(multi_workspace: bool) -> None:
    """Keep tokens out of DEBUG logs.

    slack_sdk and bolt log whole requests and responses at DEBUG (an OAuth exchange's response
    holds the new token); in multi-workspace mode the statement logs of SQLAlchemy (INFO) and
    aiosqlite (DEBUG) would print the installation store's parameters, tokens included.
    """
    floors = {"slack_sdk": logging.INFO, "slack_bolt": logging.INFO}
    if multi_workspace:
        floors |= {"sqlalchemy.engine": logging.WARNING, "aiosqlite": logging.INFO}
    for name, floor in floors.items():
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < floor:
            logger.setLevel(floor)


async def _check_bot_token(client: AsyncWebClient) -> str:
    """auth.test at start, so a wrong token stops start-up instead of every later post."""
    try:
        response = await client.auth_test()
    except SlackApiError as exc:
        data = exc.response.data if exc.response is not None else None
        code = data.get("error", "unknown_error") if isinstance(data, dict) else "unknown_error"
        raise SettingsError(f"SLACK_BOT_TOKEN was refused by Slack ({code})") from None
    except (SlackClientError, aiohttp.ClientError, OSError, TimeoutError) as exc:
        raise SettingsError(
            f"SLACK_API_URL: could not reach the Slack Web API ({type(exc).__name__})"
        ) from None
    return str(response.get("team_id") or "")


class SlackRuntime:
    platform = PLATFORM

    def __init__(
        self,
        *,
        chat: SlackChat,
        bolt: AsyncApp,
        work: WorkQueue,
        session: aiohttp.ClientSession,
        mode: str,
        host: str,
        port: int,
        app_token: str | None = None,
        mount: Callable[[web.Application], None] | None = None,
        drain_seconds: float = DRAIN_SECONDS,
        receiving: Receiving | None = None,
    ) -> None:
        self.chat: ChatPort = chat
        self._mount = mount
        self._client = chat.client
        self.bolt = bolt
        self.work = work
        self._session = session
        self._mode = mode
        self._host = host
        self._port = port
        self._app_token = app_token
        self._runner: web.AppRunner | None = None
        self._receiving = receiving
        self.receiver: ReceiverProcess | None = None
        self._refusals: asyncio.Task[None] | None = None
        self._socket: AsyncSocketModeHandler | None = None
        self._started = False
        self._stopped = False
        self._draining = False
        self._told: str | None = None
        self._drain_seconds = drain_seconds

    @property
    def port(self) -> int:
        """The port actually bound (useful when asked for port 0)."""
        if self.receiver is not None:
            return self.receiver.port
        return bound_port(self._runner, self._port)

    @property
    def acked_by_receiver(self) -> int:
        """Requests the receiving process kept and acked without bolt."""
        return self.receiver.handed_over if self.receiver is not None else 0

    async def sync(self) -> None:
        """Return once every item acked so far by the receiving process is in the work queue."""
        if self.receiver is not None:
            await self.receiver.sync()

    async def start(self) -> None:
        if self._started:
            return
        self._started = True
        if self._mode == "socket":
            await self._start_socket()
        else:
            await self._start_http()

    async def _start_http(self) -> None:
        app = web.Application(client_max_size=MAX_BODY_BYTES)
        app.router.add_post(EVENTS_PATH, self._events)
        app.router.add_get(HEALTH_PATH, self._health)
        app.router.add_get(METRICS_PATH, self._metrics)
        flow = self.bolt.oauth_flow
        if flow is not None:
            app.router.add_get(INSTALL_PATH, self._oauth_handler(flow, install=True))
            app.router.add_get(REDIRECT_PATH, self._oauth_handler(flow, install=False))
        if self._mount is not None:
            self._mount(app)  # the web dashboard's pages, beside the events endpoint
        if self._receiving is None:
            self._runner = await listen(app, self._host, self._port, "--port")
        else:
            # Everything the receiving process does not ack itself is passed on to this app.
            self._runner = await listen(app, LOOPBACK, 0, "--port")
            engine_url = f"http://{LOOPBACK}:{bound_port(self._runner, 0)}"
            receiver = self._receiving(self._host, self._port, engine_url)
            try:
                await receiver.start()
            except BaseException:
                await self._runner.cleanup()
                raise
            self.receiver = receiver
            self._refusals = asyncio.create_task(self._keep_telling_refusals(receiver))
        log.info("Slack HTTP mode listening on %s:%d%s", self._host, self.port, EVENTS_PATH)

    async def _start_socket(self) -> None:
        assert self._app_token is not None
        handler = AsyncSocketModeHandler(self.bolt, self._app_token, web_client=self._client)
        try:
            await handler.client.connect()  # type: ignore[no-untyped-call]
        except SlackApiError as exc:
            await handler.client.close()  # type: ignore[no-untyped-call]
            data = exc.response.data if exc.response is not None else None
            code = data.get("error", "unknown_error") if isinstance(data, dict) else "unknown_error"
            raise SettingsError(f"SLACK_APP_TOKEN was refused by Slack ({code})") from None
        self._socket = handler
        log.info("Slack Socket Mode connected")

    def _refusal(self) -> str | None:
        if self._draining:
            return "stopping"
        return "busy" if self.work.full else None

    async def _keep_telling_refusals(self, receiver: ReceiverProcess) -> None:
        """The receiver answers 503 while this process is stopping or its backlog is full."""
        while True:
            reason = self._refusal()
            if reason == "busy" and reason != self._told:
                log.warning("%d Slack requests queued; refusing new ones", self.work.backlog)
            self._told = reason
            receiver.refuse(reason)
            await asyncio.sleep(REFUSAL_CHECK_S)

    async def _events(self, request: web.Request) -> web.Response:
        if self._draining:
            # Shutting down: not acked, so Slack sends it again (to a replica that stays).
            return web.Response(status=503, text="stopping")
        if self.work.full:
            # Not acked, so Slack retries it later; the backlog stays bounded meanwhile.
            log.warning("%d Slack requests queued; refusing new ones", self.work.backlog)
            return web.Response(status=503, text="busy")
        response = await self.bolt.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(response)

    async def _metrics(self, _request: web.Request) -> web.Response:
        body, content_type = metrics.render()
        response = web.Response(body=body)
        response.headers["Content-Type"] = content_type
        return response

    async def _health(self, _request: web.Request) -> web.Response:
        return web.json_response(
            {
                "ok": not self._draining,
                "in_flight": self.work.busy,
                "queued": self.work.backlog,
                "peak_queued": self.work.peak_backlog,
            },
            status=503 if self._draining else 200,
        )

    @staticmethod
    def _oauth_handler(
        flow: AsyncOAuthFlow, install: bool
    ) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def handle(request: web.Request) -> web.StreamResponse:
            bolt_request = await to_bolt_request(request)
            if install:
                response = await flow.handle_installation(bolt_request)
            else:
                response = await flow.handle_callback(bolt_request)
            return await to_aiohttp_response(response)

        return handle

    async def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        # Take nothing new (503 to events, and to health checks so load balancers move on),
        # let the work in flight finish, then stop serving.
        self._draining = True
        if self._socket is not None:
            await self._socket.client.close()  # type: ignore[no-untyped-call]
        if self.receiver is not None:
            self.receiver.refuse("stopping")
            try:  # what it acked is in the work queue once this returns
                await asyncio.wait_for(self.receiver.settle(), self._drain_seconds)
            except TimeoutError:
                log.warning("the Slack receiver still had requests in flight; stopping anyway")
        left = await self.work.close(self._drain_seconds)
        if left:
            log.warning(
                "stopped with %d Slack events unfinished; they stay in the inbox for the next run",
                left,
            )
        if self._refusals is not None:
            self._refusals.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._refusals
        if self.receiver is not None:
            await self.receiver.stop()
        if self._runner is not None:
            await self._runner.cleanup()
        gc.unfreeze()
        await self._session.close()


def _freeze_start_up_heap() -> None:
    """Take what start-up built out of the cyclic collector's full passes.

    Start-up leaves some 170,000 long-lived objects (modules, ORM mappers, the question bank).
    Every full collection walked them all with the loop stopped, 100-180 ms, and under a burst
    of replies those pauses were the p99 of acks. Frozen, a full pass walks only what was made
    since (a few ms); `stop()` unfreezes, so nothing stays uncollectable after serving.
    """
    gc.collect()
    gc.freeze()


async def start_slack(
    bot: App,
    mode: str,
    host: str,
    port: int,
    mount: Callable[[web.Application], None] | None = None,
) -> SlackRuntime:
    """Check the settings, build the bolt app on the engine, and start serving."""
    settings = load_settings(mode)
    _quiet_debug_logs(settings.multi_workspace)
    session = aiohttp.ClientSession()
    teams = KnownTeams()
    try:
        client = _web_client(settings, session)
        store = None
        oauth = None
        authorization = None
        tokens: TokenSource
        if settings.multi_workspace:
            client_secret = (
                settings.client_secret.get_secret_value() if settings.client_secret else ""
            )
            client_id = str(settings.client_id).strip()
            oauth, store = oauth_settings(
                client_id, client_secret.strip(), bot.database, settings.secret_box()
            )
            tokens = InstalledTokens(store)
            authorization = CachedAuthorize(
                AsyncInstallationStoreAuthorize(
                    logger=logging.getLogger("slack_bolt.AsyncApp"),
                    installation_store=store,
                    client_id=client_id,
                    client_secret=client_secret.strip(),
                    bot_only=True,
                    client=client,
                )
            )
            store.on_saved.append(authorization.forget)
            store.on_saved.append(lambda team, _enterprise: tokens.forget(team or ""))
        else:
            # Bolt authorises every request with this one token: its workspace is known.
            teams.add(await _check_bot_token(client))
            assert client.token is not None
            tokens = StaticToken(client.token)
        chat = SlackChat(client, tokens, settings.pacing())
        work = WorkQueue(workers=bot.max_concurrent_events, backlog_limit=BACKLOG_LIMIT)
        parts = SlackParts(
            engine=bot.engine,
            chat=chat,
            people=People(client, tokens, settings.admins),
            work=work,
            tokens=tokens,
            clock=bot.clock,
            installation_store=store,
            authorization=authorization,
            inbox=bot.inbox,
            teams=teams,
        )
        secret = settings.signing_secret.get_secret_value() if settings.signing_secret else None
        bolt, take_over = build_bolt_app(
            parts,
            client,
            secret,
            oauth,
            verify_requests=mode == "http",
            not_installed_message=install_message(settings.public_url),
        )
        app_token = settings.app_token.get_secret_value().strip() if settings.app_token else None
        runtime = SlackRuntime(
            chat=chat,
            bolt=bolt,
            work=work,
            session=session,
            mode=mode,
            host=host,
            port=port,
            app_token=app_token,
            mount=mount,
            drain_seconds=bot.drain_seconds,
            receiving=receiving(bot, secret, teams, take_over) if mode == "http" else None,
        )
        await runtime.start()
        _freeze_start_up_heap()
    except BaseException:
        await session.close()
        raise
    return runtime
