"""The receiving process, seen from the engine's: started, told, asked, stopped.

The engine's process binds the public port itself (so a port that can't be had stops start-up
with the usual one line) and hands the socket to `python -m adapters.slack.receiver_main`,
with one end of a socket pair as the control line (adapters/slack/receiver_wire.py). Items the
receiver kept and acked arrive on that line and join the engine's work (`take_over`). If the
receiver dies, the items it acked are in the inbox; it is started again on the same socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Final

from adapters.runtime import SettingsError
from adapters.slack import receiver_wire as wire
from adapters.slack.front_desk import KnownTeams
from bot.app.logs import JsonFormatter
from bot.app.root import App
from bot.ports.records import InboxItem

log = logging.getLogger(__name__)

# Builds the receiving process for the public host and port, once the engine's own app has
# its loopback address.
Receiving = Callable[[str, int, str], "ReceiverProcess"]

START_TIMEOUT_S: Final = 60.0
STOP_TIMEOUT_S: Final = 15.0
RESTART_DELAY_S: Final = 1.0
BACKLOG: Final = 128
_CODE_ROOT: Final = str(Path(__file__).resolve().parents[2])


class ReceiverError(SettingsError):
    """The receiving process could not start; the message says why, in one line."""


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound here so that a port that can't be had stops start-up."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family, backlog=BACKLOG)
    except OSError as exc:
        raise SettingsError(
            f"--port {port}: cannot listen on {host} ({exc.strerror or exc})"
        ) from None


class ReceiverProcess:
    def __init__(
        self, host: str, port: int, config: wire.Config, take_over: Callable[[InboxItem], None]
    ) -> None:
        self._host = host
        self._port = port
        self._config = config
        self._take_over = take_over
        self._listening: socket.socket | None = None
        self._process: asyncio.subprocess.Process | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._listener: asyncio.Task[None] | None = None
        self._teams: set[str] = set()
        self._refusal: str | None = None
        self._asked: dict[int, asyncio.Future[None]] = {}
        self._ids = itertools.count(1)
        self._stopping = False
        self.handed_over = 0
        self.restarts = 0

    @property
    def port(self) -> int:
        if self._listening is None:
            return self._port
        return int(self._listening.getsockname()[1])

    @property
    def pid(self) -> int | None:
        """The receiving process's id (a new one after a restart)."""
        return self._process.pid if self._process is not None else None

    async def start(self) -> None:
        self._listening = bind(self._host, self._port)
        try:
            await self._spawn()
        except BaseException:
            self._listening.close()
            self._listening = None
            raise

    def tell_team(self, team: str, known: bool) -> None:
        """Keep the receiver's copy of the known workspaces (KnownTeams.watch calls this)."""
        if known:
            self._teams.add(team)
        else:
            self._teams.discard(team)
        self._send(wire.line({"team": team, "known": known}))

    def refuse(self, reason: str | None) -> None:
        """Have the receiver answer 503 with reason to every event (None: take them again)."""
        if reason != self._refusal:
            self._refusal = reason
            self._send(wire.line({"refuse": reason}))

    async def settle(self) -> None:
        """Return once no request is in flight in the receiver and every item it acked has
        been handed over (refuse new ones first, or this may never be true for long)."""
        await self._ask("settle")

    async def sync(self) -> None:
        """Return once every item the receiver handed over before now has been taken over."""
        await self._ask("sync")

    async def stop(self) -> None:
        """Close the control line: the receiver stops listening, finishes what is in flight
        and exits (killed if it has not within STOP_TIMEOUT_S)."""
        self._stopping = True
        if self._writer is not None:
            self._writer.close()
        process = self._process
        if process is not None and process.returncode is None:
            try:
                await asyncio.wait_for(process.wait(), STOP_TIMEOUT_S)
            except TimeoutError:
                log.warning("the Slack receiver did not stop in time; killing it")
                process.kill()
                await process.wait()
        if self._listener is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        if self._listening is not None:
            self._listening.close()

    async def _spawn(self) -> None:
        assert self._listening is not None
        ours, theirs = socket.socketpair()
        with theirs:
            listening_fd, control_fd = self._listening.fileno(), theirs.fileno()
            self._process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "adapters.slack.receiver_main",
                str(listening_fd),
                str(control_fd),
                pass_fds=(listening_fd, control_fd),
                stdin=asyncio.subprocess.DEVNULL,
                env=_environment(),
            )
        reader, writer = await asyncio.open_connection(sock=ours, limit=wire.MAX_LINE_BYTES)
        writer.write(wire.config_line(self._config))
        for team in sorted(self._teams):
            writer.write(wire.line({"team": team, "known": True}))
        if self._refusal is not None:
            writer.write(wire.line({"refuse": self._refusal}))
        try:
            first = await asyncio.wait_for(reader.readline(), START_TIMEOUT_S)
            answer = wire.read(first) if first else {"error": "it exited at start"}
        except (TimeoutError, ValueError) as exc:
            answer = {"error": f"no answer at start ({type(exc).__name__})"}
        if not answer.get("ready"):
            writer.close()
            with contextlib.suppress(ProcessLookupError):
                self._process.kill()
            await self._process.wait()
            raise ReceiverError(f"the Slack receiver could not start: {answer.get('error')}")
        self._writer = writer
        self._listener = asyncio.create_task(self._listen(reader))

    def _send(self, data: bytes) -> None:
        if self._writer is not None and not self._writer.is_closing():
            self._writer.write(data)

    async def _ask(self, what: str) -> None:
        if self._writer is None or self._writer.is_closing():
            return
        asked = next(self._ids)
        answered = asyncio.get_running_loop().create_future()
        self._asked[asked] = answered
        self._send(wire.line({what: asked}))
        await answered

    async def _listen(self, reader: asyncio.StreamReader) -> None:
        while raw := await reader.readline():
            try:
                self._heard(wire.read(raw))
            except (ValueError, KeyError, TypeError) as exc:
                # The item stays kept and is swept once its lease runs out.
                log.warning("a line from the Slack receiver was not understood (%s)", exc)
        for answered in self._asked.values():  # nobody is left to answer them
            if not answered.done():
                answered.set_result(None)
        self._asked.clear()
        assert self._process is not None
        code = await self._process.wait()
        if not self._stopping:
            await self._restart(code)

    def _heard(self, message: dict[str, object]) -> None:
        if "item" in message:
            item = wire.item_from(message)
            self.handed_over += 1
            self._take_over(item)
            return
        for key in ("settled", "synced"):
            asked = message.get(key)
            answered = self._asked.pop(asked, None) if isinstance(asked, int) else None
            if answered is not None and not answered.done():
                answered.set_result(None)

    async def _restart(self, code: int) -> None:
        log.error("the Slack receiver stopped (exit code %s); starting it again", code)
        self._writer = None
        self.restarts += 1
        await asyncio.sleep(RESTART_DELAY_S)
        if self._stopping:
            return
        try:
            await self._spawn()
        except ReceiverError as exc:
            log.error("%s", exc)


def receiving(
    bot: App, secret: str | None, teams: KnownTeams, take_over: Callable[[InboxItem], None]
) -> Receiving | None:
    """Receive in a process of its own where that process can reach the inbox (a SQLite file,
    PostgreSQL) and can be handed the socket (not on Windows); otherwise (SQLite in memory)
    this process serves the endpoint itself."""
    if bot.inbox is None or bot.inbox_address is None or not secret or sys.platform == "win32":
        return None
    inbox, address, signing_secret = bot.inbox, bot.inbox_address, secret
    root = logging.getLogger()

    def build(host: str, port: int, engine_url: str) -> ReceiverProcess:
        config = wire.Config(
            signing_secret=signing_secret,
            inbox=address,
            lease_s=inbox.lease.total_seconds(),
            engine_url=engine_url,
            log_level=logging.getLevelName(root.getEffectiveLevel()),
            json_logs=any(isinstance(h.formatter, JsonFormatter) for h in root.handlers),
            heap_trim_s=bot.heap_trim_seconds,
        )
        receiver = ReceiverProcess(host, port, config, take_over)
        teams.watch(receiver.tell_team)
        return receiver

    return build


def _environment() -> dict[str, str]:
    """This environment, with this code first on the path (a checkout run in place, too)."""
    env = dict(os.environ)
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys([_CODE_ROOT, *paths]))
    return env
