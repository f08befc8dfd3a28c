"""Slack requests as inbox items, and the work each one stands for.

A request the bot acknowledges becomes an item before Slack hears the ack: its kind, the
workspace it came from and the payload as Slack sent it (so nothing is lost to translation).
Handling an item does what the listener used to do after the ack: resolve the actor, translate,
hand the event to the engine. The same code handles an item right after its ack and one left
behind by a process that died, so a restart behaves exactly like the first attempt.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from slack_bolt.async_app import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.listener.async_builtins import AsyncTokenRevocationListeners
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore

from adapters.slack import translate
from adapters.slack.blocks import ANSWER_VIEW, FORM_PREFIX
from adapters.slack.chat import PLATFORM, PressedInDirect, SlackChat
from adapters.slack.people import People
from bot.engine import Engine
from bot.ports.chat import ChatError
from bot.ports.records import InboxItem

log = logging.getLogger(__name__)

Body = dict[str, Any]

CANNOT_POST = (
    "I can't post in this channel yet. Invite me first (`/invite @interview-bot`), then try again."
)
COMMAND = "command"
MESSAGE = "message"
ACTION = "action"
FORM = "form"
HOME = "home"
UNINSTALLED = "uninstalled"
REVOKED = "revoked"


def _dict(value: Any) -> Body:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def kind_and_key(body: Body) -> tuple[str, str] | None:
    """What a request is and its unique id, for the requests the listeners handle; None for
    the rest (a click that only opens the answer form is UI, not an event to keep)."""
    if body.get("command"):
        trigger = _str(body.get("trigger_id"))
        return (COMMAND, f"cmd:{trigger}") if trigger else None
    kind = body.get("type")
    if kind == "event_callback":
        event, event_id = _dict(body.get("event")), _str(body.get("event_id"))
        match event.get("type"):
            case "message" if translate.is_thread_reply(event):
                return MESSAGE, event_id or f"msg:{_str(event.get('ts'))}"
            case "app_home_opened" if event.get("tab", "home") == "home" and event_id:
                return HOME, event_id
            case "app_uninstalled" if event_id:
                return UNINSTALLED, event_id
            case "tokens_revoked" if event_id:
                return REVOKED, event_id
        return None
    if kind == "block_actions":
        actions = body.get("actions")
        action = _dict(actions[0]) if isinstance(actions, list) and actions else {}
        action_id, trigger = _str(action.get("action_id")), _str(body.get("trigger_id"))
        if not action_id or action_id.startswith(FORM_PREFIX) or not trigger:
            return None
        return ACTION, f"act:{trigger}"
    if kind == "view_submission":
        view = _dict(body.get("view"))
        if view.get("callback_id") == ANSWER_VIEW and _str(view.get("id")):
            return FORM, f"view:{_str(view.get('id'))}"
    return None


def to_item(
    body: Body, context: AsyncBoltContext, workspace: str, now: datetime
) -> InboxItem | None:
    found = kind_and_key(body)
    if found is None:
        return None
    kind, key = found
    payload = {
        "workspace": workspace,
        "enterprise_id": context.enterprise_id,
        "is_enterprise_install": bool(context.is_enterprise_install),
        "body": body,
    }
    return InboxItem(PLATFORM, key[:128], kind, json.dumps(payload, separators=(",", ":")), now)


class SlackHandling:
    """Does the work an item stands for; raises only when it should be tried again."""

    def __init__(
        self,
        engine: Engine,
        chat: SlackChat,
        people: People,
        installation_store: AsyncInstallationStore | None,
        forget: Any,
    ) -> None:
        self._engine = engine
        self._chat = chat
        self._people = people
        self._store = installation_store
        self._forget = forget

    async def handle(self, item: InboxItem) -> None:
        payload = json.loads(item.payload)
        workspace, body = str(payload["workspace"]), _dict(payload["body"])
        match item.kind:
            case "command":
                await self._command(workspace, body)
            case "message":
                await self._message(workspace, body, item.key)
            case "action":
                await self._action(workspace, body)
            case "form":
                await self._form(workspace, body)
            case "home":
                await self._home(workspace, _dict(body.get("event")))
            case "uninstalled" | "revoked":
                await self._gone(item.kind, workspace, body, payload)
            case other:
                log.warning("an inbox item of unknown kind %r was dropped", other)

    async def _command(self, workspace: str, body: Body) -> None:
        actor = await self._people.actor(
            workspace, _str(body.get("user_id")), _str(body.get("user_name"))
        )
        try:
            await self._engine.handle(translate.slash_command(body, workspace, actor), self._chat)
        except ChatError as exc:
            log.warning("a command could not be answered in its channel: %s", exc)
            response_url = _str(body.get("response_url"))
            if response_url:
                respond = AsyncRespond(response_url=response_url)
                await respond(text=CANNOT_POST, response_type="ephemeral")

    async def _message(self, workspace: str, body: Body, event_id: str) -> None:
        event = _dict(body.get("event"))
        actor = await self._people.actor(workspace, _str(event.get("user")))
        await self._engine.handle(
            translate.message_posted(event, workspace, actor, event_id), self._chat
        )

    async def _action(self, workspace: str, body: Body) -> None:
        user = _dict(body.get("user"))
        actor = await self._people.actor(workspace, _str(user.get("id")), _str(user.get("name")))
        actions = body.get("actions")
        action = _dict(actions[0]) if isinstance(actions, list) and actions else {}
        click = translate.button_pressed(body, action, workspace, actor)
        if click is None or isinstance(click, translate.OpenForm):
            return
        dm = translate.pressed_in_direct(body, click)
        chat = self._chat if dm is None else PressedInDirect(self._chat, dm, actor.user_id)
        await self._engine.handle(click, chat)

    async def _form(self, workspace: str, body: Body) -> None:
        user = _dict(body.get("user"))
        actor = await self._people.actor(workspace, _str(user.get("id")), _str(user.get("name")))
        submitted = translate.modal_submitted(body, workspace, actor)
        if submitted is not None:
            await self._engine.handle(submitted, self._chat)

    async def _home(self, workspace: str, event: Body) -> None:
        user_id = _str(event.get("user"))
        actor = await self._people.actor(workspace, user_id)
        summary = await self._engine.home(PLATFORM, workspace, user_id, actor.display_name)
        await self._chat.publish_home(workspace, user_id, summary)

    async def _gone(self, kind: str, workspace: str, body: Body, payload: Body) -> None:
        context = AsyncBoltContext(
            {
                "team_id": workspace,
                "enterprise_id": payload.get("enterprise_id"),
                "is_enterprise_install": bool(payload.get("is_enterprise_install")),
            }
        )
        event = _dict(body.get("event"))
        revocation = AsyncTokenRevocationListeners(self._store) if self._store is not None else None
        if kind == UNINSTALLED:
            stopped = await self._engine.workspace_gone(PLATFORM, workspace)
            log.info("app uninstalled from %s; %d schedules stopped", workspace, stopped)
            if revocation is not None:
                await revocation.handle_app_uninstalled_events(context)
        else:
            if revocation is not None:
                await revocation.handle_tokens_revoked_events(event, context)
            if _dict(event.get("tokens")).get("bot"):
                stopped = await self._engine.workspace_gone(PLATFORM, workspace)
                log.info("bot token revoked in %s; %d schedules stopped", workspace, stopped)
        self._forget(workspace, context)
