"""A recording stand-in of the Slack Web API on loopback, reached through SLACK_API_URL.

It answers the methods the adapter uses with the shapes Slack documents, checks the bearer
token, records every call, and on demand answers 429 with Retry-After, an error code, or
slowly. It also serves response_url posts, file upload URLs, the OAuth token exchange and a
Socket Mode WebSocket.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html import unescape
from typing import Any

from aiohttp import WSMsgType, web

BOT_TOKEN = "xoxb-test-0000-standin-token"
APP_TOKEN = "xapp-1-test-standin"
TEAM = "T0TEST"
BOT_USER = "UBOT"


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    token: str | None
    status: int = 200
    result: dict[str, Any] = field(default_factory=dict)

    @property
    def ts(self) -> str:
        """The ts the stand-in answered a post with."""
        return str(self.result.get("ts", ""))

    @property
    def channel(self) -> str:
        return str(self.args.get("channel") or self.args.get("channel_id") or "")

    @property
    def thread_ts(self) -> str | None:
        value = self.args.get("thread_ts")
        return str(value) if value else None

    @property
    def view(self) -> dict[str, Any]:
        view = self.args.get("view")
        return json.loads(view) if isinstance(view, str) else dict(view or {})

    @property
    def blocks(self) -> list[dict[str, Any]]:
        blocks = self.args.get("blocks")
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        view = self.args.get("view")
        if isinstance(view, str):
            view = json.loads(view)
        if not blocks and isinstance(view, dict):
            blocks = view.get("blocks")
        return list(blocks or [])

    @property
    def raw(self) -> str:
        """Everything the call would show, exactly as sent (entities kept)."""
        parts = [str(self.args.get("text", ""))]
        for block in self.blocks:
            parts.extend(_texts(block))
        return "\n".join(p for p in parts if p)

    @property
    def shown(self) -> str:
        """The block text a person would read (entities decoded)."""
        return unescape("\n".join(t for b in self.blocks for t in _texts(b)))

    @property
    def header(self) -> str:
        for block in self.blocks:
            if block.get("type") == "header":
                return str(block["text"]["text"])
        return ""

    def buttons(self) -> list[dict[str, Any]]:
        return [
            element
            for block in self.blocks
            if block.get("type") == "actions"
            for element in block["elements"]
        ]


def _texts(block: dict[str, Any]) -> list[str]:
    found: list[str] = []
    text = block.get("text")
    if isinstance(text, dict):
        found.append(str(text.get("text", "")))
    for key in ("fields", "elements"):
        for item in block.get(key, []) or []:
            if isinstance(item, dict) and item.get("type") in ("mrkdwn", "plain_text"):
                found.append(str(item.get("text", "")))
    return found


@dataclass
class Fault:
    status: int = 429
    error: str = "ratelimited"
    retry_after: int = 1
    times: int = 1


@dataclass
class User:
    id: str
    name: str
    is_admin: bool = False


@dataclass
class FakeSlack:
    users: dict[str, User] = field(default_factory=dict)
    tokens: set[str] = field(default_factory=lambda: {BOT_TOKEN})
    calls: list[Call] = field(default_factory=list)
    faults: dict[str, list[Fault]] = field(default_factory=dict)
    delays: dict[str, float] = field(default_factory=dict)
    responses: list[dict[str, Any]] = field(default_factory=list)
    socket_envelopes: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    socket_acks: list[dict[str, Any]] = field(default_factory=list)
    installed_token: str = "xoxb-installed-T0OAUTH"
    base_url: str = ""
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None

    # --- driving it -----------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def add_user(self, user_id: str, name: str, is_admin: bool = False) -> None:
        self.users[user_id] = User(user_id, name, is_admin)

    def fail_next(self, method: str, fault: Fault) -> None:
        self.faults.setdefault(method, []).append(fault)

    def of(self, method: str, ok_only: bool = True) -> list[Call]:
        return [c for c in self.calls if c.method == method and (c.status == 200 or not ok_only)]

    def posts(self) -> list[Call]:
        return self.of("chat.postMessage")

    def in_thread(self, thread: str) -> list[Call]:
        return [c for c in self.posts() if c.thread_ts == thread]

    def ephemerals(self, user: str | None = None) -> list[Call]:
        return [c for c in self.of("chat.postEphemeral") if user is None or c.args["user"] == user]

    async def wait_for(
        self, check: Callable[[], Any], within: float = 10.0, what: str = "the stand-in"
    ) -> Any:
        """Poll until check() is truthy; its value is returned."""
        deadline = time.monotonic() + within
        while True:
            value = check()
            if value:
                return value
            if time.monotonic() > deadline:
                seen = [(c.method, c.header or c.raw[:60]) for c in self.calls[-8:]]
                raise AssertionError(f"timed out waiting for {what}; last calls: {seen}")
            await asyncio.sleep(0.02)

    # --- serving ----------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_post("/response/{hook}", self._response_url)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def next_ts(self) -> str:
        return f"{1_700_000_000 + next(self._ts)}.000100"

    async def _args(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                body = await request.json()
                if isinstance(body, dict):
                    args.update(body)
            else:
                args.update(dict(await request.post()))
        return args

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._args(request)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None
        token = token or (str(args.pop("token")) if "token" in args else None)
        if method in self.delays:
            await asyncio.sleep(self.delays[method])
            if request.transport is None or request.transport.is_closing():
                # The caller hung up (or died) before Slack answered: nothing was done.
                return web.Response(status=499)
        pending = self.faults.get(method)
        if pending:
            fault = pending[0]
            fault.times -= 1
            if fault.times <= 0:
                pending.pop(0)
            self.calls.append(Call(method, args, token, fault.status))
            headers = {"Retry-After": str(fault.retry_after)} if fault.status == 429 else {}
            return web.json_response(
                {"ok": False, "error": fault.error}, status=fault.status, headers=headers
            )
        call = Call(method, args, token)
        self.calls.append(call)
        if method == "oauth.v2.access":
            return web.json_response(self._oauth_access(args))
        valid = self.tokens | {self.installed_token} | {APP_TOKEN}
        if token not in valid:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        call.result = self._answer(method, args)
        return web.json_response(call.result)

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        ok: dict[str, Any] = {"ok": True}
        match method:
            case "auth.test":
                return ok | {"team_id": TEAM, "team": "Test", "user_id": BOT_USER, "bot_id": "B1"}
            case "chat.postMessage":
                ts = self.next_ts()
                return ok | {"channel": args.get("channel"), "ts": ts, "message": {"ts": ts}}
            case "chat.postEphemeral":
                return ok | {"message_ts": self.next_ts()}
            case "chat.update":
                return ok | {"channel": args.get("channel"), "ts": args.get("ts")}
            case "users.info":
                user = self.users.get(str(args.get("user")))
                if user is None:
                    return {"ok": False, "error": "user_not_found"}
                return ok | {
                    "user": {
                        "id": user.id,
                        "name": user.name.lower(),
                        "is_admin": user.is_admin,
                        "is_owner": False,
                        "profile": {"display_name": user.name, "real_name": user.name},
                    }
                }
            case "views.open" | "views.publish":
                return ok | {"view": {"id": f"V{next(self._ts)}"}}
            case "conversations.join":
                return ok | {"channel": {"id": args.get("channel")}}
            case "conversations.open":
                return ok | {"channel": {"id": f"D{args.get('users')}"}}
            case "files.getUploadURLExternal":
                file_id = f"F{next(self._ts)}"
                return ok | {"file_id": file_id, "upload_url": f"{self.base_url}/upload/{file_id}"}
            case "files.completeUploadExternal":
                raw = args.get("files") or "[]"
                files = json.loads(raw) if isinstance(raw, str) else list(raw)
                return ok | {"files": [{"id": f["id"], "title": f.get("title")} for f in files]}
            case "apps.connections.open":
                return ok | {"url": self.base_url.replace("http", "ws", 1) + "/socket"}
        return ok

    def _oauth_access(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("code") != "good-code":
            return {"ok": False, "error": "invalid_code"}
        return {
            "ok": True,
            "app_id": "A0APP",
            "authed_user": {"id": "UINSTALLER"},
            "scope": "commands,chat:write",
            "token_type": "bot",
            "access_token": self.installed_token,
            "bot_user_id": "UBOT2",
            "team": {"id": "T0OAUTH", "name": "Installed"},
            "enterprise": None,
            "is_enterprise_install": False,
        }

    async def _upload(self, request: web.Request) -> web.Response:
        data = await request.read()
        self.calls.append(Call("upload", {"file_id": request.match_info["file_id"]}, None))
        return web.Response(text=f"OK - {len(data)}")

    async def _response_url(self, request: web.Request) -> web.Response:
        self.responses.append(await request.json())
        return web.Response(text="ok")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"type": "hello", "num_connections": 1})

        async def pump() -> None:
            while True:
                envelope = await self.socket_envelopes.get()
                await ws.send_json(envelope)

        pumping = asyncio.ensure_future(pump())
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self.socket_acks.append(json.loads(message.data))
        finally:
            pumping.cancel()
        return ws
