"""The bolt AsyncApp: one listener per kind of request, each acking before any engine work.

In HTTP mode requests are read by a receiving process of their own
(adapters/slack/receiver_main.py). Its front desk keeps and acks by itself the plain acks of
workspaces authorised here before; everything else is passed to this app in the engine's
process. Bolt answers as soon as `ack()` is called (Events API requests are acked by bolt
before the listener starts) and runs the listener as a task. So a listener does no engine work
itself: a global middleware keeps the request in the inbox (adapters/slack/inbox.py;
bot/inbox/) before anything acks it and, once the listeners have run or been started, queues
the item's work (adapters/slack/work.py); items the front desk kept join the same queue
(`take_over`). A few workers run the jobs in arrival order. The 3-second deadline never waits
on grading or posting, and a process killed after an ack loses nothing. Only opening a modal
runs in the listener, because its trigger expires 3 s after the click (and a lost click is only
UI). Lazy listeners would run the work in one task per request, which is what the queue avoids.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import BoltResponse
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import translate
from adapters.slack.authorize import CachedAuthorize, quiet_bolt_missing_installation
from adapters.slack.blocks import ANSWER_VIEW, answer_modal
from adapters.slack.chat import PLATFORM, SlackChat
from adapters.slack.front_desk import KnownTeams
from adapters.slack.inbox import SlackHandling, to_item
from adapters.slack.people import People
from adapters.slack.tokens import TokenSource
from adapters.slack.work import WorkQueue
from bot.engine import Engine
from bot.inbox import Inbox
from bot.ports.clock import Clock
from bot.ports.records import InboxItem
from bot.ports.storage import DATABASE_DOWN, StorageError

log = logging.getLogger(__name__)

COMMAND = "/interview"
ANY_ACTION = re.compile(r".+")
_ITEM = "interview_bot_inbox_item"

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
    clock: Clock
    installation_store: AsyncInstallationStore | None = None
    authorization: CachedAuthorize | None = None
    inbox: Inbox | None = None
    # Workspaces authorised so far, whose plain acks the receiver may give by itself.
    teams: KnownTeams | None = None


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
) -> tuple[AsyncApp, Callable[[InboxItem], None]]:
    """The bolt app, and how an item kept and acked elsewhere joins the engine's work."""
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
    listeners = _Listeners(parts)
    listeners.register(app)
    if parts.inbox is not None:
        parts.inbox.serve(PLATFORM, listeners.run_left_behind)
    return app, listeners.take_over


class _Listeners:
    def __init__(self, parts: SlackParts) -> None:
        self._p = parts
        self._handling = SlackHandling(
            parts.engine, parts.chat, parts.people, parts.installation_store, self._forget
        )

    def register(self, app: AsyncApp) -> None:
        app.use(self.remember_token)
        app.use(self.keep)
        app.command(COMMAND)(self.acked)
        app.event("message")(self.handled_later)
        app.action(ANY_ACTION)(self.action)
        app.view_submission(ANSWER_VIEW)(self.acked)
        app.event("app_home_opened")(self.handled_later)
        app.event("app_uninstalled")(self.gone)
        app.event("tokens_revoked")(self.gone)

    async def remember_token(
        self, context: AsyncBoltContext, next: Callable[[], Awaitable[None]]
    ) -> None:
        """Runs after bolt's authorisation, for every request."""
        if context.team_id and context.bot_token:
            self._p.tokens.remember(context.team_id, context.bot_token)
            if self._p.teams is not None and not context.is_enterprise_install:
                self._p.teams.add(context.team_id)
        await next()

    async def keep(
        self, body: Body, context: AsyncBoltContext, next: Callable[[], Awaitable[None]]
    ) -> BoltResponse | None:
        """Keep what the listeners will handle in the inbox before anything acks it.

        Runs before bolt acks (events are acked only after the global middleware), so a
        request is answered 200 only once it is committed; if it cannot be kept, Slack hears
        503 and sends it again later.
        """
        item = to_item(body, context, _workspace(context, body), self._p.clock.now())
        if item is not None:
            if self._p.inbox is not None:
                try:
                    await self._p.inbox.keep(item)
                except (*DATABASE_DOWN, StorageError) as exc:
                    log.warning("a Slack request could not be kept (%s)", type(exc).__name__)
                    return BoltResponse(status=503, body="busy")
            context[_ITEM] = item
        await next()
        if item is not None:
            # The listeners have run (or, for events, been started): queue the item's work
            # now, so it is counted before Slack hears back, without a turn of the loop.
            self._p.work.submit(functools.partial(self.run, item))
        return None

    def take_over(self, item: InboxItem) -> None:
        """An item the receiver kept and acked by itself: the engine's work, as if kept here."""
        if self._p.inbox is not None:
            self._p.inbox.adopt(item)
        self._p.work.submit(functools.partial(self.run, item))

    async def run(self, item: InboxItem) -> None:
        """Handle an item and forget it; a failure leaves it kept, to be taken again."""
        try:
            await self._handling.handle(item)
        except BaseException:
            if self._p.inbox is not None:
                self._p.inbox.release(item)
            raise
        if self._p.inbox is not None:
            self._p.inbox.done(item)

    async def run_left_behind(self, item: InboxItem) -> None:
        """An item another run left: handled like a fresh one, counted as work in flight."""
        with self._p.work.track():
            await self._handling.handle(item)

    async def acked(self, ack: AsyncAck) -> None:
        await ack()

    async def handled_later(self) -> None:
        """Kept and queued by the middleware; nothing is left to do here."""

    async def action(
        self, ack: AsyncAck, body: Body, action: Body, context: AsyncBoltContext
    ) -> None:
        if isinstance(context.get(_ITEM), InboxItem):
            await ack()  # kept: the middleware queues its work
            return
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

    def _forget(self, workspace: str, context: AsyncBoltContext) -> None:
        if self._p.teams is not None:
            self._p.teams.discard(workspace)
        self._p.tokens.forget(workspace)
        if self._p.authorization is not None:
            self._p.authorization.forget(workspace, context.enterprise_id)

    async def gone(self, body: Body, context: AsyncBoltContext) -> None:
        self._forget(_workspace(context, body), context)  # at once: stop using the token


def _user(body: Body) -> Body:
    user = body.get("user")
    return user if isinstance(user, dict) else {}
