"""A local stand-in of Discord on loopback: REST under an API base, and a websocket gateway.

The real discord.py client talks to it unchanged. REST calls are recorded (method, path,
JSON body); messages, threads and interaction responses are kept so tests can read what a
user would see. The gateway says HELLO, takes IDENTIFY, dispatches READY and GUILD_CREATE,
ACKs heartbeats, and lets a test dispatch INTERACTION_CREATE, THREAD_CREATE and MESSAGE_CREATE
payloads shaped like Discord's. A test can make the next matching REST call answer 429.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSMsgType, web

API_PREFIX = "/api/v10"
GUILD_ID = 810000000000000001
CHANNEL_ID = 810000000000000010
CHANNEL_NAME = "ml-practice"
APP_ID = 820000000000000001
EVERYONE_ROLE = GUILD_ID
MANAGE_GUILD = 1 << 5
MEMBER_PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 38)  # view, send, send in threads
EPHEMERAL = 64


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    files: list[str] = field(default_factory=list)
    status: int = 200
    authorization: str = ""

    @property
    def allowed_mentions(self) -> Any:
        return (self.body or {}).get("allowed_mentions")


CALL = web.RequestKey("call", Call)


@dataclass
class StoredMessage:
    id: int
    channel_id: int
    payload: dict[str, Any]
    ephemeral: bool = False
    interaction_token: str | None = None

    @property
    def content(self) -> str:
        return str(self.payload.get("content") or "")

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return list(self.payload.get("embeds") or [])

    @property
    def title(self) -> str:
        return str(self.embeds[0].get("title") or "") if self.embeds else ""

    def text(self) -> str:
        """Everything a reader sees: content, embed titles, descriptions, fields and footers."""
        parts = [self.content]
        for embed in self.embeds:
            parts += [embed.get("title") or "", embed.get("description") or ""]
            parts += [f"{f['name']}: {f['value']}" for f in embed.get("fields") or []]
            parts.append((embed.get("footer") or {}).get("text") or "")
        return "\n".join(p for p in parts if p)

    def custom_ids(self) -> list[str]:
        return [
            str(c["custom_id"])
            for row in self.payload.get("components") or []
            for c in row.get("components") or []
            if "custom_id" in c
        ]


@dataclass
class RateLimit:
    method: str
    pattern: re.Pattern[str]
    retry_after: float
    remaining: int
    is_global: bool = False


def user_payload(user_id: int, name: str, bot: bool = False) -> dict[str, Any]:
    return {
        "id": str(user_id),
        "username": name,
        "global_name": name.title(),
        "discriminator": "0",
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
    }


class FakeDiscord:
    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.messages: dict[int, StoredMessage] = {}
        self.threads: dict[int, dict[str, Any]] = {}
        self.identifies: list[dict[str, Any]] = []
        self.heartbeats = 0
        self.rate_limits: list[RateLimit] = []
        self.rate_limited: list[Call] = []
        self.refuse_message_content = False
        self.bot_user = user_payload(APP_ID, "interview-bot", bot=True)
        self._ids = itertools.count(1)
        self._seq = 0
        self._sockets: list[web.WebSocketResponse] = []
        self._ready = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.users: dict[str, dict[str, Any]] = {}
        self.dm_channels: dict[str, dict[str, Any]] = {}
        self.changed = asyncio.Event()
        self._interaction_types: dict[str, int] = {}
        self._interaction_channels: dict[str, int] = {}
        self._token_channels: dict[str, int] = {}
        self._dispatched_at: dict[str, float] = {}
        self.first_response_s: dict[str, float] = {}

    # --- addresses ---------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    def snowflake(self) -> int:
        # time-ordered like Discord's: milliseconds since 2015 in the high bits
        millis = int(time.time() * 1000) - 1420070400000
        return (millis << 22) + next(self._ids)

    # --- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(middlewares=[self._record])
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        for socket in list(self._sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- people --------------------------------------------------------------------------

    def user(self, name: str, display: str | None = None) -> dict[str, Any]:
        if name not in self.users:
            self.users[name] = user_payload(700000000000000000 + len(self.users) + 1, name)
        if display is not None:
            self.users[name]["global_name"] = display
        return self.users[name]

    def member(self, name: str, admin: bool = False) -> dict[str, Any]:
        permissions = MEMBER_PERMISSIONS | (MANAGE_GUILD if admin else 0)
        return {
            "user": self.user(name),
            "nick": None,
            "roles": [],
            "joined_at": now_iso(),
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "permissions": str(permissions),
        }

    # --- channels ------------------------------------------------------------------------

    def channel_payload(self) -> dict[str, Any]:
        return {
            "id": str(CHANNEL_ID),
            "type": 0,
            "guild_id": str(GUILD_ID),
            "name": CHANNEL_NAME,
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "rate_limit_per_user": 0,
            "last_message_id": None,
        }

    def channel_of(self, channel_id: int) -> dict[str, Any]:
        return self.threads.get(channel_id) or self.channel_payload()

    def guild_payload(self) -> dict[str, Any]:
        return {
            "id": str(GUILD_ID),
            "name": "Study Hall",
            "icon": None,
            "owner_id": str(self.user("owner")["id"]),
            "roles": [
                {
                    "id": str(EVERYONE_ROLE),
                    "name": "@everyone",
                    "permissions": str(MEMBER_PERMISSIONS),
                    "position": 0,
                    "color": 0,
                    "hoist": False,
                    "managed": False,
                    "mentionable": False,
                    "flags": 0,
                }
            ],
            "emojis": [],
            "stickers": [],
            "features": [],
            "channels": [self.channel_payload()],
            "threads": [t for t in self.threads.values() if not t["thread_metadata"]["archived"]],
            "members": [],
            "member_count": 4,
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "unavailable": False,
            "large": False,
            "joined_at": now_iso(),
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "system_channel_flags": 0,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "afk_timeout": 300,
        }

    def message_payload(
        self,
        message_id: int,
        channel_id: int,
        author: dict[str, Any],
        body: dict[str, Any],
        flags: int = 0,
        member: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        payload = {
            "id": str(message_id),
            "channel_id": str(channel_id),
            "guild_id": str(GUILD_ID),
            "author": author,
            "content": body.get("content") or "",
            "timestamp": now_iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "pinned": False,
            "type": 0,
            "flags": flags,
        }
        if member is not None:
            payload["member"] = {k: v for k, v in member.items() if k != "user"}
        return payload

    # --- REST --------------------------------------------------------------------------

    @web.middleware
    async def _record(
        self, request: web.Request, handler: Callable[[web.Request], Any]
    ) -> web.StreamResponse:
        if not request.path.startswith(API_PREFIX):
            response: web.StreamResponse = await handler(request)
            return response
        body, files = await _read_body(request)
        call = Call(
            request.method,
            request.path.removeprefix(API_PREFIX),
            dict(request.query),
            body,
            files,
            authorization=request.headers.get("Authorization", ""),
        )
        request[CALL] = call
        limited = self._take_rate_limit(call)
        if limited is not None:
            call.status = 429
            self.rate_limited.append(call)
            return _too_many(limited)
        response = await handler(request)
        call.status = response.status
        self.calls.append(call)
        self.changed.set()
        return response

    def rate_limit_next(
        self, method: str, path_regex: str, retry_after: float = 0.25, is_global: bool = False
    ) -> None:
        """The next call matching method and path answers 429, as Discord's buckets do."""
        self.rate_limits.append(
            RateLimit(method, re.compile(path_regex), retry_after, 0, is_global)
        )

    def _take_rate_limit(self, call: Call) -> RateLimit | None:
        for limit in self.rate_limits:
            if limit.method == call.method and limit.pattern.fullmatch(call.path):
                self.rate_limits.remove(limit)
                return limit
        return None

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        call: Call = request[CALL]
        if call.authorization != f"Bot {self.token}" and not call.path.startswith(
            ("/interactions/", "/webhooks/")
        ):
            return _json({"message": "401: Unauthorized", "code": 0}, 401)
        path, method = call.path, call.method
        routes: list[tuple[str, str, Callable[..., Any]]] = [
            ("GET", r"/gateway/bot", self._gateway_bot),
            ("GET", r"/users/@me", lambda: self.bot_user),
            ("POST", r"/users/(@me)/channels", self._open_dm),
            ("GET", r"/oauth2/applications/@me", self._application),
            ("GET", r"/channels/(\d+)", self._get_channel),
            ("POST", r"/channels/(\d+)/messages", self._post_message),
            ("PATCH", r"/channels/(\d+)/messages/(\d+)", self._edit_message),
            ("POST", r"/channels/(\d+)/messages/(\d+)/threads", self._start_thread),
            ("POST", r"/interactions/(\d+)/([^/]+)/callback", self._callback),
            ("POST", r"/webhooks/(\d+)/([^/]+)", self._followup),
            ("PATCH", r"/webhooks/(\d+)/([^/]+)/messages/@original", self._edit_original),
            ("DELETE", r"/webhooks/(\d+)/([^/]+)/messages/@original", self._delete_original),
            ("PUT", r"/applications/(\d+)/commands", self._put_commands),
            ("PUT", r"/applications/(\d+)/guilds/(\d+)/commands", self._put_commands),
        ]
        for want, pattern, handler in routes:
            match = re.fullmatch(pattern, path)
            if want == method and match:
                result = handler(*match.groups(), call) if match.groups() else handler()
                if asyncio.iscoroutine(result):
                    result = await result
                if isinstance(result, web.StreamResponse):
                    return result
                return _json(result, 200, bucket=pattern)
        return _json({"message": "404: Not Found", "code": 0}, 404)

    def _gateway_bot(self) -> dict[str, Any]:
        return {
            "url": self.gateway_url,
            "shards": 1,
            "session_start_limit": {
                "total": 1000,
                "remaining": 999,
                "reset_after": 0,
                "max_concurrency": 1,
            },
        }

    def _application(self) -> dict[str, Any]:
        return {
            "id": str(APP_ID),
            "name": "interview-bot",
            "icon": None,
            "description": "",
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": self.user("owner"),
            "verify_key": "0" * 64,
            "flags": 0,
        }

    def _open_dm(self, _me: str, call: Call) -> dict[str, Any]:
        """A DM channel with one user: the same channel each time for the same user."""
        recipient = str((call.body or {}).get("recipient_id", ""))
        channel = self.dm_channels.get(recipient)
        if channel is None:
            channel = {
                "id": str(self.snowflake()),
                "type": 1,
                "last_message_id": None,
                "recipients": [user_payload(int(recipient), f"user{recipient}")],
            }
            self.dm_channels[recipient] = channel
        return channel

    def direct_messages(self, user_id: str) -> list[StoredMessage]:
        """What was sent to a user's DM channel."""
        channel = self.dm_channels.get(user_id)
        if channel is None:
            return []
        return [m for m in self.messages.values() if m.channel_id == int(channel["id"])]

    def _get_channel(self, channel_id: str, call: Call) -> Any:
        found = self.threads.get(int(channel_id))
        if found is not None:
            return found
        if int(channel_id) == CHANNEL_ID:
            return self.channel_payload()
        return _json({"message": "Unknown Channel", "code": 10003}, 404)

    def _store(
        self,
        channel_id: int,
        body: dict[str, Any],
        ephemeral: bool = False,
        token: str | None = None,
    ) -> StoredMessage:
        message_id = self.snowflake()
        flags = EPHEMERAL if ephemeral else 0
        payload = self.message_payload(message_id, channel_id, self.bot_user, body, flags)
        stored = StoredMessage(message_id, channel_id, payload, ephemeral, token)
        self.messages[message_id] = stored
        return stored

    async def _post_message(self, channel_id: str, call: Call) -> dict[str, Any]:
        stored = self._store(int(channel_id), call.body or {})
        if not stored.ephemeral:
            await self.dispatch("MESSAGE_CREATE", stored.payload)
        return stored.payload

    def _edit_message(self, channel_id: str, message_id: str, call: Call) -> Any:
        stored = self.messages.get(int(message_id))
        if stored is None:
            return _json({"message": "Unknown Message", "code": 10008}, 404)
        stored.payload.update({k: v for k, v in (call.body or {}).items() if k != "attachments"})
        stored.payload["edited_timestamp"] = now_iso()
        return stored.payload

    async def _start_thread(self, channel_id: str, message_id: str, call: Call) -> dict[str, Any]:
        body = call.body or {}
        thread = {
            "id": message_id,  # a thread started from a message shares its id
            "guild_id": str(GUILD_ID),
            "parent_id": channel_id,
            "owner_id": str(APP_ID),
            "name": body.get("name", ""),
            "type": 11,
            "message_count": 0,
            "member_count": 1,
            "rate_limit_per_user": 0,
            "last_message_id": None,
            "flags": 0,
            "total_message_sent": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": body.get("auto_archive_duration", 4320),
                "archive_timestamp": now_iso(),
                "locked": False,
            },
        }
        self.threads[int(message_id)] = thread
        await self.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        return thread

    def _callback(self, interaction_id: str, token: str, call: Call) -> dict[str, Any]:
        if interaction_id in self._dispatched_at:
            elapsed = time.monotonic() - self._dispatched_at.pop(interaction_id)
            self.first_response_s[interaction_id] = elapsed
        body = call.body or {}
        kind = int(body.get("type", 0))
        data = body.get("data") or {}
        ephemeral = bool(int(data.get("flags") or 0) & EPHEMERAL)
        result: dict[str, Any] = {
            "interaction": {
                "id": interaction_id,
                "type": self._interaction_types.get(interaction_id, 2),
                "response_message_loading": kind == 5,
                "response_message_ephemeral": ephemeral,
            }
        }
        if kind in (4, 5):
            channel = self._interaction_channels.get(interaction_id, CHANNEL_ID)
            stored = self._store(channel, data if kind == 4 else {}, ephemeral, token)
            result["interaction"]["response_message_id"] = str(stored.id)
            result["resource"] = {"type": kind, "message": stored.payload}
        return result

    def _followup(self, application_id: str, token: str, call: Call) -> dict[str, Any]:
        body = call.body or {}
        ephemeral = bool(int(body.get("flags") or 0) & EPHEMERAL)
        channel = self._token_channels.get(token, CHANNEL_ID)
        return self._store(channel, body, ephemeral, token).payload

    def _original(self, token: str) -> StoredMessage | None:
        found = [m for m in self.messages.values() if m.interaction_token == token]
        return found[0] if found else None

    def _edit_original(self, application_id: str, token: str, call: Call) -> Any:
        stored = self._original(token)
        if stored is None:
            return _json({"message": "Unknown Message", "code": 10008}, 404)
        stored.payload.update({k: v for k, v in (call.body or {}).items() if k != "attachments"})
        return stored.payload

    def _delete_original(self, application_id: str, token: str, call: Call) -> web.Response:
        stored = self._original(token)
        if stored is not None:
            del self.messages[stored.id]
        return web.Response(status=204)

    def _put_commands(self, *args: Any) -> list[dict[str, Any]]:
        call: Call = args[-1]
        guild = args[1] if len(args) == 3 else None
        commands: list[dict[str, Any]] = list(call.body or [])
        return [
            {
                **command,
                "id": str(self.snowflake()),
                "application_id": str(APP_ID),
                "version": "1",
                **({"guild_id": guild} if guild else {}),
            }
            for command in commands
        ]

    # --- gateway -----------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_json({"op": 10, "d": {"heartbeat_interval": 41250}})
        async for frame in socket:
            if frame.type is not WSMsgType.TEXT:
                continue
            message = json.loads(frame.data)
            op = message.get("op")
            if op == 1:
                self.heartbeats += 1
                await socket.send_json({"op": 11})
            elif op == 2:
                await self._identify(socket, message["d"])
            elif op == 6:
                await socket.send_json({"op": 9, "d": False})
        if socket in self._sockets:
            self._sockets.remove(socket)
        return socket

    async def _identify(self, socket: web.WebSocketResponse, data: dict[str, Any]) -> None:
        self.identifies.append(data)
        if data.get("token") != self.token:
            await socket.close(code=4004, message=b"Authentication failed.")
            return
        if self.refuse_message_content and int(data.get("intents", 0)) & (1 << 15):
            await socket.close(code=4014, message=b"Disallowed intent(s).")
            return
        self._sockets.append(socket)
        self._seq = 0
        shard = data.get("shard") or [0, 1]
        await self._send(
            socket,
            "READY",
            {
                "v": 10,
                "user": self.bot_user,
                "guilds": [{"id": str(GUILD_ID), "unavailable": True}],
                "session_id": f"session-{len(self.identifies)}",
                "resume_gateway_url": self.gateway_url,
                "shard": shard,
                "application": {"id": str(APP_ID), "flags": 0},
            },
        )
        await self._send(socket, "GUILD_CREATE", self.guild_payload())

    async def _send(self, socket: web.WebSocketResponse, event: str, data: dict[str, Any]) -> None:
        self._seq += 1
        await socket.send_json({"op": 0, "t": event, "s": self._seq, "d": data})

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        for socket in list(self._sockets):
            if not socket.closed:
                await self._send(socket, event, data)

    def connected(self) -> bool:
        return any(not s.closed for s in self._sockets)

    async def drop_connections(self, code: int = 4000) -> None:
        for socket in list(self._sockets):
            await socket.close(code=code)
        self._sockets.clear()

    # --- what users do -------------------------------------------------------------------

    def _interaction(
        self, kind: int, name: str, channel_id: int, data: dict[str, Any], admin: bool
    ) -> dict[str, Any]:
        interaction_id = str(self.snowflake())
        token = f"itoken-{interaction_id}"
        self._interaction_types[interaction_id] = kind
        self._interaction_channels[interaction_id] = channel_id
        self._token_channels[token] = channel_id
        self._dispatched_at[interaction_id] = time.monotonic()
        return {
            "id": interaction_id,
            "application_id": str(APP_ID),
            "type": kind,
            "token": token,
            "version": 1,
            "guild_id": str(GUILD_ID),
            "channel_id": str(channel_id),
            "channel": self.channel_of(channel_id),
            "member": self.member(name, admin),
            "app_permissions": str(MEMBER_PERMISSIONS | (1 << 35) | (1 << 14) | (1 << 15)),
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(GUILD_ID)},
            "context": 0,
            "attachment_size_limit": 8 * 1024 * 1024,
            "data": data,
        }

    async def slash(
        self,
        name: str,
        path: list[str],
        options: dict[str, Any] | None = None,
        channel_id: int = CHANNEL_ID,
        admin: bool = False,
        members: dict[str, str] | None = None,
    ) -> str:
        """`/interview <path...> option:value`, as the user `name`; returns the interaction id.
        members maps a member option to the stand-in user it names."""
        leaf: list[dict[str, Any]] = [
            {"name": key, "type": _option_type(value), "value": value}
            for key, value in (options or {}).items()
        ]
        resolved: dict[str, dict[str, Any]] = {"users": {}, "members": {}}
        for key, who in (members or {}).items():
            user_id = str(self.user(who)["id"])
            leaf.append({"name": key, "type": 6, "value": user_id})
            resolved["users"][user_id] = self.user(who)
            resolved["members"][user_id] = {
                k: v for k, v in self.member(who).items() if k != "user"
            }
        for part in reversed(path):
            kind = 1 if part == path[-1] else 2
            leaf = [{"name": part, "type": kind, "options": leaf}]
        data: dict[str, Any] = {"id": "1", "name": "interview", "type": 1, "options": leaf}
        if members:
            data["resolved"] = resolved
        payload = self._interaction(2, name, channel_id, data, admin)
        await self.dispatch("INTERACTION_CREATE", payload)
        return str(payload["id"])

    async def autocomplete(self, name: str, path: list[str], option: str, typed: str) -> str:
        """The user typing into an option with autocomplete; returns the interaction id."""
        leaf: list[dict[str, Any]] = [{"name": option, "type": 3, "value": typed, "focused": True}]
        for part in reversed(path):
            leaf = [{"name": part, "type": 1 if part == path[-1] else 2, "options": leaf}]
        data = {"id": "1", "name": "interview", "type": 1, "options": leaf}
        payload = self._interaction(4, name, CHANNEL_ID, data, False)
        await self.dispatch("INTERACTION_CREATE", payload)
        return str(payload["id"])

    async def press(
        self, name: str, message: StoredMessage, custom_id: str, admin: bool = False
    ) -> str:
        data = {"custom_id": custom_id, "component_type": 2}
        payload = self._interaction(3, name, message.channel_id, data, admin)
        payload["message"] = message.payload
        await self.dispatch("INTERACTION_CREATE", payload)
        return str(payload["id"])

    async def press_direct(self, name: str, message: StoredMessage, custom_id: str) -> str:
        """A press on a button of a direct message: no guild, the user not a member."""
        data = {"custom_id": custom_id, "component_type": 2}
        payload = self._interaction(3, name, message.channel_id, data, False)
        for key in ("guild_id", "member", "guild_locale"):
            payload.pop(key)
        payload["user"] = self.user(name)
        payload["channel"] = next(
            c for c in self.dm_channels.values() if int(c["id"]) == message.channel_id
        )
        payload["context"] = 1
        payload["authorizing_integration_owners"] = {"0": str(self.user(name)["id"])}
        payload["message"] = message.payload
        await self.dispatch("INTERACTION_CREATE", payload)
        return str(payload["id"])

    async def submit(self, name: str, channel_id: int, custom_id: str, text: str) -> str:
        data = {
            "custom_id": custom_id,
            "components": [
                {
                    "type": 18,
                    "id": 1,
                    "component": {"type": 4, "id": 2, "custom_id": "answer", "value": text},
                }
            ],
        }
        payload = self._interaction(5, name, channel_id, data, False)
        await self.dispatch("INTERACTION_CREATE", payload)
        return str(payload["id"])

    async def say(self, name: str, channel_id: int, content: str) -> int:
        """A member's message in a channel or thread."""
        message_id = self.snowflake()
        payload = self.message_payload(
            message_id, channel_id, self.user(name), {"content": content}, 0, self.member(name)
        )
        await self.dispatch("MESSAGE_CREATE", payload)
        return message_id

    # --- reading -------------------------------------------------------------------------

    def in_channel(self, channel_id: int) -> list[StoredMessage]:
        return [m for m in self.messages.values() if m.channel_id == channel_id and not m.ephemeral]

    def ephemerals(self) -> list[StoredMessage]:
        return [m for m in self.messages.values() if m.ephemeral]

    def calls_to(self, method: str, path_regex: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and re.fullmatch(path_regex, c.path)]

    async def wait_for(self, check: Callable[[], Any], within: float = 10.0) -> Any:
        """Until check() is truthy; each REST call wakes it."""
        deadline = asyncio.get_running_loop().time() + within
        while True:
            result = check()
            if result:
                return result
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise AssertionError("the stand-in waited in vain")
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), min(remaining, 0.05))


def _option_type(value: Any) -> int:
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    return 3


async def _read_body(request: web.Request) -> tuple[Any, list[str]]:
    if request.content_type.startswith("multipart/"):
        body: Any = None
        files: list[str] = []
        reader = await request.multipart()
        async for part in reader:
            if part.name == "payload_json":  # type: ignore[union-attr]
                body = json.loads(await part.text())  # type: ignore[union-attr]
            else:
                files.append(part.filename or "")  # type: ignore[union-attr]
                await part.read()  # type: ignore[union-attr]
        return body, files
    if request.can_read_body:
        text = await request.text()
        if text:
            return json.loads(text), []
    return None, []


def _json(data: Any, status: int, bucket: str = "") -> web.Response:
    headers = {
        "X-RateLimit-Limit": "5",
        "X-RateLimit-Remaining": "4",
        "X-RateLimit-Reset": f"{time.time() + 1:.3f}",
        "X-RateLimit-Reset-After": "1.000",
        "X-RateLimit-Bucket": f"b{abs(hash(bucket)) % 10_000_000:x}",
        "Via": "1.1 google",
    }
    headers["Content-Type"] = "application/json"  # exactly, as discord.py checks it
    return web.Response(body=json.dumps(data).encode(), status=status, headers=headers)


def _too_many(limit: RateLimit) -> web.Response:
    headers = {
        "Retry-After": f"{limit.retry_after:.3f}",
        "X-RateLimit-Limit": "5",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": f"{time.time() + limit.retry_after:.3f}",
        "X-RateLimit-Reset-After": f"{limit.retry_after:.3f}",
        "X-RateLimit-Bucket": "limited",
        "X-RateLimit-Scope": "shared" if not limit.is_global else "global",
        "Via": "1.1 google",
    }
    if limit.is_global:
        headers["X-RateLimit-Global"] = "true"
    body = {
        "message": "You are being rate limited.",
        "retry_after": limit.retry_after,
        "global": limit.is_global,
    }
    headers["Content-Type"] = "application/json"
    return web.Response(body=json.dumps(body).encode(), status=429, headers=headers)
