"""The bolt AsyncApp: one listener per kind of request, each acking before any engine work.

Bolt answers Slack's HTTP request as soon as `ack()` is called (Events API requests are acked
by bolt before the listener starts) and runs the listener as a task on the loop that also
reads new requests. So a listener does no engine work itself: it translates what it needs
from the payload and queues a job (adapters/slack/work.py), and a few workers run the jobs in
arrival order. The 3-second deadline never waits on the database, grading or posting, and a
burst of replies cannot crowd the HTTP side off the loop. Only opening a modal runs in the
listener, because its trigger expires 3 s after the click. Lazy listeners would run the work
in one task per request, which is what the queue avoids; they exist for FaaS anyway.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_bolt.listener.async_builtins import AsyncTokenRevocationListeners
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import translate
from adapters.slack.authorize import CachedAuthorize, quiet_bolt_missing_installation
from adapters.slack.blocks import ANSWER_VIEW, answer_modal
from adapters.slack.chat import PLATFORM, SlackChat
from adapters.slack.people import People
from adapters.slack.tokens import TokenSource
from adapters.slack.work import WorkQueue
from bot.engine import Engine
from bot.events import InboundEvent
from bot.ports.chat import ChatError

log = logging.getLogger(__name__)

COMMAND = "/interview"
ANY_ACTION = re.compile(r".+")
CANNOT_POST = (
    "I can't post in this channel yet. Invite me first (`/invite @interview-bot`), then try again."
)

Body = dict[str, Any]


class _ClientOverToken(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment by itself and warns that the client we
    pass wins over it; that is intended here (the client carries the same token)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


@dataclass
class SlackParts:
    """What the listeners work with; built once by the runtime."""

    engine: Engine
    chat: SlackChat
    people: People
    work: WorkQueue
    tokens: TokenSource
    installation_store: AsyncInstallationStore | None = None
    authorization: CachedAuthorize | None = None


def _workspace(context: AsyncBoltContext, body: Body) -> str:
    team = body.get("team")
    return (
        context.team_id
        or str(body.get("team_id") or "")
        or (str(team.get("id") or "") if isinstance(team, dict) else "")
    )


def build_bolt_app(
    parts: SlackParts,
    client: AsyncWebClient,
    signing_secret: str | None,
    oauth_settings: AsyncOAuthSettings | None = None,
    verify_requests: bool = True,
    not_installed_message: str | None = None,
) -> AsyncApp:
    bolt_logger = logging.getLogger("slack_bolt.AsyncApp")
    if not any(isinstance(f, _ClientOverToken) for f in bolt_logger.filters):
        bolt_logger.addFilter(_ClientOverToken())
    quiet_bolt_missing_installation(logging.getLogger("slack_bolt.AsyncMultiTeamsAuthorization"))
    app = AsyncApp(
        client=client,
        signing_secret=signing_secret or "",
        oauth_settings=oauth_settings,
        # Bolt takes an AsyncAuthorize as is (its hint only names plain callables).
        authorize=parts.authorization,  # type: ignore[arg-type]
        user_facing_authorize_error_message=not_installed_message,
        process_before_response=False,
        request_verification_enabled=verify_requests,
    )
    # Bolt gives its app logger the root level; its DEBUG lines echo request bodies.
    if app.logger.getEffectiveLevel() < logging.INFO:
        app.logger.setLevel(logging.INFO)
    _Listeners(parts).register(app)
    return app


class _Listeners:
    def __init__(self, parts: SlackParts) -> None:
        self._p = parts

    def register(self, app: AsyncApp) -> None:
        app.use(self.remember_token)
        app.command(COMMAND)(self.command)
        app.event("message")(self.message)
        app.action(ANY_ACTION)(self.action)
        app.view_submission(ANSWER_VIEW)(self.view_submission)
        app.event("app_home_opened")(self.home_opened)
        app.event("app_uninstalled")(self.app_uninstalled)
        app.event("tokens_revoked")(self.tokens_revoked)

    async def remember_token(
        self, context: AsyncBoltContext, next: Callable[[], Awaitable[None]]
    ) -> None:
        """Runs after bolt's authorisation, for every request."""
        if context.team_id and context.bot_token:
            self._p.tokens.remember(context.team_id, context.bot_token)
        await next()

    async def _handle(self, event: InboundEvent) -> None:
        await self._p.engine.handle(event, self._p.chat)

    async def command(
        self, ack: AsyncAck, body: Body, context: AsyncBoltContext, respond: AsyncRespond
    ) -> None:
        workspace = _workspace(context, body)

        async def job() -> None:
            actor = await self._p.people.actor(
                workspace, str(body.get("user_id", "")), str(body.get("user_name", ""))
            )
            try:
                await self._handle(translate.slash_command(body, workspace, actor))
            except ChatError as exc:
                log.warning("a command could not be answered in its channel: %s", exc)
                await respond(text=CANNOT_POST, response_type="ephemeral")

        # Queued (and counted) before the ack; it cannot start until this listener returns.
        self._p.work.submit(job)
        await ack()

    async def message(self, body: Body, event: Body, context: AsyncBoltContext) -> None:
        if not translate.is_thread_reply(event):
            return
        workspace = _workspace(context, body)
        event_id = str(body.get("event_id") or f"msg:{event.get('ts')}")

        async def job() -> None:
            actor = await self._p.people.actor(workspace, str(event["user"]))
            await self._handle(translate.message_posted(event, workspace, actor, event_id))

        self._p.work.submit(job)

    async def action(
        self, ack: AsyncAck, body: Body, action: Body, context: AsyncBoltContext
    ) -> None:
        with self._p.work.track():
            await ack()
            workspace = _workspace(context, body)
            user = _user(body)
            actor = await self._p.people.actor(
                workspace, str(user.get("id", "")), str(user.get("name", ""))
            )
            click = translate.button_pressed(body, action, workspace, actor)
            if isinstance(click, translate.OpenForm):
                # The trigger expires 3 s after the click: open the modal before anything else.
                view = answer_modal(click.form, click.metadata)
                await self._p.chat.open_modal(workspace, click.trigger_id, view)
            elif click is not None:
                self._p.work.submit(functools.partial(self._handle, click))

    async def view_submission(self, ack: AsyncAck, body: Body, context: AsyncBoltContext) -> None:
        workspace = _workspace(context, body)
        user = _user(body)

        async def job() -> None:
            actor = await self._p.people.actor(
                workspace, str(user.get("id", "")), str(user.get("name", ""))
            )
            submitted = translate.modal_submitted(body, workspace, actor)
            if submitted is not None:
                await self._handle(submitted)

        self._p.work.submit(job)
        await ack()

    async def home_opened(self, body: Body, event: Body, context: AsyncBoltContext) -> None:
        if event.get("tab", "home") != "home":
            return
        workspace = _workspace(context, body)
        user_id = str(event.get("user", ""))

        async def job() -> None:
            actor = await self._p.people.actor(workspace, user_id)
            summary = await self._p.engine.home(PLATFORM, workspace, user_id, actor.display_name)
            await self._p.chat.publish_home(workspace, user_id, summary)

        self._p.work.submit(job)

    def _forget(self, workspace: str, context: AsyncBoltContext) -> None:
        self._p.tokens.forget(workspace)
        if self._p.authorization is not None:
            self._p.authorization.forget(workspace, context.enterprise_id)

    async def app_uninstalled(self, body: Body, context: AsyncBoltContext) -> None:
        workspace = _workspace(context, body)
        self._forget(workspace, context)

        async def job() -> None:
            stopped = await self._p.engine.workspace_gone(PLATFORM, workspace)
            log.info("app uninstalled from %s; %d schedules stopped", workspace, stopped)
            if self._p.installation_store is not None:
                revocation = AsyncTokenRevocationListeners(self._p.installation_store)
                await revocation.handle_app_uninstalled_events(context)
            self._forget(workspace, context)

        self._p.work.submit(job)

    async def tokens_revoked(self, body: Body, event: Body, context: AsyncBoltContext) -> None:
        workspace = _workspace(context, body)
        tokens = event.get("tokens") if isinstance(event.get("tokens"), dict) else {}
        assert isinstance(tokens, dict)
        self._forget(workspace, context)

        async def job() -> None:
            if self._p.installation_store is not None:
                revocation = AsyncTokenRevocationListeners(self._p.installation_store)
                await revocation.handle_tokens_revoked_events(event, context)
            if tokens.get("bot"):
                stopped = await self._p.engine.workspace_gone(PLATFORM, workspace)
                log.info("bot token revoked in %s; %d schedules stopped", workspace, stopped)
            self._forget(workspace, context)

        self._p.work.submit(job)


def _user(body: Body) -> Body:
    user = body.get("user")
    return user if isinstance(user, dict) else {}
