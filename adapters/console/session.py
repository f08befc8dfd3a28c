"""The console's read-eval loop: lines in, engine events out, simulated time on demand."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from adapters.console.chat import ConsoleChat, new_id
from bot.app.simulation import advance_to
from bot.engine import Engine
from bot.events import Actor, ButtonPressed, MessagePosted, ModalSubmitted, Place, SlashCommand
from bot.ports.clock import OffsetClock

PLATFORM = "console"
WORKSPACE = "local"
_DURATION = re.compile(r"^(\d+)\s*([dhm])$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}

CONSOLE_HELP = """Console commands:
  /interview ...          a slash command in the current channel (try /interview help)
  any other text          a message from you in the active thread (your answer)
  :press LABEL            press a button of the last message that had buttons
  :time YYYY-MM-DDTHH:MM  set the simulated clock (in the console's time zone)
  :advance 1d|3h|15m      move the simulated clock forward
  :user NAME              speak as someone else    :channel NAME   switch channel
  :thread                 show the active thread   :quit           leave"""


class ConsoleSession:
    def __init__(
        self,
        engine: Engine,
        chat: ConsoleChat,
        clock: OffsetClock,
        write: Callable[[str], None],
        user: str = "you",
        channel: str = "general",
        tz: ZoneInfo | None = None,
    ) -> None:
        self._engine = engine
        self._chat = chat
        self._clock = clock
        self._write = write
        self._user = user
        self._channel = channel
        self._tz = tz or ZoneInfo("UTC")
        self._pending_form: ButtonPressed | None = None
        self._round_owners: dict[str, str] = {}  # round thread -> its candidate
        engine.chats.register(PLATFORM, chat)

    @property
    def place(self) -> Place:
        return Place(PLATFORM, WORKSPACE, self._channel, self._chat.active_thread, self._channel)

    @property
    def actor(self) -> Actor:
        return Actor(user_id=self._user, display_name=self._user, is_admin=True)

    async def start(self) -> None:
        self._chat.active_thread = await self._engine.open_thread_of(
            self.place.top_level(), self._user
        )
        if self._chat.active_thread:
            self._round_owners[self._chat.active_thread] = self._user
            self._write(
                f"(your round in #{self._channel} continues in thread {self._chat.active_thread})"
            )

    async def run(self, lines: AsyncIterator[str]) -> None:
        await self.start()
        async for raw in lines:
            if not await self.handle_line(raw):
                break
            await self._engine.tick()

    async def handle_line(self, raw: str) -> bool:
        """Handle one line; False means the user asked to leave."""
        line = raw.rstrip("\r\n")
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            return True
        if self._pending_form is not None:
            form, self._pending_form = self._pending_form, None
            await self._send(
                ModalSubmitted(self.place, self.actor, form.action_id, form.value, line, new_id())
            )
            return True
        if stripped.startswith(":"):
            return await self._meta(stripped[1:])
        if stripped.startswith("/interview"):
            text = stripped[len("/interview") :].strip()
            await self._send(SlashCommand(self.place, self.actor, text, new_id()))
            return True
        if stripped.startswith("/"):
            self._write("(only /interview commands exist here; try /interview help)")
            return True
        if self._chat.active_thread is None:
            self._write("(no thread is open: start a round with /interview mock)")
        await self._send(MessagePosted(self.place, self.actor, line, new_id(), new_id()))
        return True

    async def _send(
        self, event: SlashCommand | MessagePosted | ButtonPressed | ModalSubmitted
    ) -> None:
        before = self._chat.active_thread
        await self._engine.handle(event, self._chat)
        await self._leave_ended_round(before)

    async def _leave_ended_round(self, before: str | None) -> None:
        """Once the active thread's round has ended, what follows belongs to the channel again,
        so group, leaderboard and privacy replies do not look like part of the round."""
        thread = self._chat.active_thread
        if thread is None:
            return
        top = self.place.top_level()
        fresh = thread != before and thread not in self._round_owners
        if fresh and await self._engine.open_thread_of(top, self._user) == thread:
            self._round_owners[thread] = self._user
        owner = self._round_owners.get(thread)
        if owner is None or await self._engine.open_thread_of(top, owner) == thread:
            return
        del self._round_owners[thread]
        self._chat.active_thread = None
        self._write(f"(the round is over: back in #{self._channel})")

    async def _meta(self, text: str) -> bool:
        name, _, arg = text.partition(" ")
        arg = arg.strip()
        match name.lower():
            case "quit" | "exit" | "q":
                return False
            case "help":
                self._write(CONSOLE_HELP)
            case "time":
                await self._set_time(arg)
            case "advance":
                await self._advance(arg)
            case "user" if arg:
                self._user = arg
                self._write(f"(you are now {arg})")
            case "channel" if arg:
                self._channel = arg.lstrip("#")
                await self.start()
                self._write(f"(now in #{self._channel})")
            case "thread":
                self._write(f"(active thread: {self._chat.active_thread or 'none'})")
            case "press":
                await self._press(arg)
            case _:
                self._write(f"(unknown console command ':{name}'; :help lists them)")
        return True

    async def _set_time(self, arg: str) -> None:
        try:
            local = datetime.fromisoformat(arg)
        except ValueError:
            self._write("(use :time YYYY-MM-DDTHH:MM, e.g. :time 2026-03-30T08:59)")
            return
        if local.tzinfo is None:
            local = local.replace(tzinfo=self._tz)
        await advance_to(self._engine, self._clock, local)
        self._write(f"(clock set to {self._clock.now().astimezone(self._tz):%Y-%m-%d %H:%M %Z})")

    async def _advance(self, arg: str) -> None:
        match = _DURATION.match(arg.lower())
        if not match:
            self._write("(use :advance 1d, :advance 3h or :advance 15m)")
            return
        delta = timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
        await advance_to(self._engine, self._clock, self._clock.now() + delta)
        self._write(f"(clock now {self._clock.now().astimezone(self._tz):%Y-%m-%d %H:%M %Z})")

    async def _press(self, label: str) -> None:
        button = next(
            (b for b in self._chat.last_buttons if b.label.lower() == label.lower()), None
        )
        if button is None:
            labels = ", ".join(b.label for b in self._chat.last_buttons) or "none"
            self._write(f"(no button '{label}' on the last message; buttons: {labels})")
            return
        press = ButtonPressed(
            self.place, self.actor, button.action_id, button.value, None, new_id()
        )
        if button.form is not None:
            self._pending_form = press
            self._write(f"({button.form.title}: type it on the next line)")
            return
        await self._send(press)
