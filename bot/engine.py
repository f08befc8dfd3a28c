"""The engine: turns each inbound event into rule calls inside one unit of work."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.orm.exc import StaleDataError

from bot import views
from bot.clock import Clock
from bot.commands import Command, CommandError, End, Help, Hint, Mock, Resume, Skip, Topics, parse
from bot.events import (
    ButtonPressed,
    InboundEvent,
    MessagePosted,
    ModalSubmitted,
    Place,
    SlashCommand,
)
from bot.outbox import Outbox
from bot.ports import ChatPort
from bot.rounds import ChatLookup, MockRounds, RoundConflict
from bot.turn import Turn
from questions.bank import QuestionBank, UnknownTopic
from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

ATTEMPTS = 3
MAX_COMMAND_CHARS = 500


class Engine:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        bank: QuestionBank,
        rounds: MockRounds,
        clock: Clock,
        chats: ChatLookup | None = None,
        send_retry_delay_s: float = 0.5,
    ) -> None:
        self._uow = uow_factory
        self._bank = bank
        self._rounds = rounds
        self._clock = clock
        self.chats = chats or ChatLookup()
        self._retry_delay_s = send_retry_delay_s

    async def handle(self, event: InboundEvent, chat: ChatPort) -> None:
        """Handle once; a lost race on a round's version is retried from a fresh read.

        Replies are queued during the event and sent only after its changes are committed.
        """
        for attempt in range(1, ATTEMPTS + 1):
            outbox = Outbox(retry_delay_s=self._retry_delay_s)
            try:
                async with self._uow() as uow:
                    if event.event_id and not await uow.events.claim(
                        event.place.platform, event.event_id, self._clock.now()
                    ):
                        log.info("duplicate event %s ignored", event.event_id)
                        return
                    turn = await self._turn(uow, chat, event, outbox)
                    await self._dispatch(turn, event)
                    await uow.commit()
                await outbox.deliver()
                return
            except StaleDataError:
                log.info("event raced another on the same round; retry %d", attempt)
            except RoundConflict:
                outbox = Outbox(retry_delay_s=self._retry_delay_s)
                async with self._uow() as uow:
                    turn = await self._turn(uow, chat, event, outbox)
                    turn.tell(
                        views.info("A round was just started for you here; answer in its thread.")
                    )
                    await uow.commit()
                await outbox.deliver()
                return
        log.warning("gave up on an event after %d races", ATTEMPTS)

    async def tick(self) -> int:
        """Run what fell due (idle rounds pause); the scheduler and the console call this."""
        outbox = Outbox(retry_delay_s=self._retry_delay_s)
        async with self._uow() as uow:
            paused = await self._rounds.pause_idle(uow, self.chats, self._clock.now(), outbox)
            await uow.commit()
        await outbox.deliver()
        return paused

    async def open_thread_of(self, place: Place, user_id: str) -> str | None:
        """The thread of the user's open round in a channel, so a client can rejoin it."""
        async with self._uow() as uow:
            ids = await uow.directory.identify(
                place.platform,
                place.workspace,
                place.channel,
                place.channel_name,
                user_id,
                "",
                self._clock.now(),
            )
            round_ = await uow.rounds.open_for(ids.channel_id, ids.user_id)
            await uow.commit()
            return round_.thread_ref if round_ else None

    async def _turn(
        self, uow: UnitOfWork, chat: ChatPort, event: InboundEvent, outbox: Outbox
    ) -> Turn:
        now = self._clock.now()
        place, actor = event.place, event.actor
        ids = await uow.directory.identify(
            place.platform,
            place.workspace,
            place.channel,
            place.channel_name,
            actor.user_id,
            actor.display_name,
            now,
        )
        return Turn(uow=uow, chat=chat, place=place, actor=actor, ids=ids, now=now, outbox=outbox)

    async def _dispatch(self, turn: Turn, event: InboundEvent) -> None:
        match event:
            case SlashCommand(text=text):
                await self._command(turn, text)
            case MessagePosted(text=text, message_id=message_id):
                await self._rounds.answer_in_thread(turn, text, event.event_id or message_id)
            case ButtonPressed(action_id=action_id, value=value):
                await self._button(turn, action_id, value)
            case ModalSubmitted(action_id="round:answer", value=value, text=text):
                round_id = _int(value)
                if round_id is not None:
                    await self._rounds.answer_from_form(turn, round_id, text, event.event_id)

    async def _command(self, turn: Turn, text: str) -> None:
        if len(text) > MAX_COMMAND_CHARS:
            turn.tell(views.error("That command is too long to be one I know.", None))
            return
        try:
            command = parse(text)
            await self._run(turn, command, text)
        except CommandError as exc:
            turn.tell(views.error(exc.message, exc.help_subject))
        except UnknownTopic as exc:
            turn.tell(views.error(_unknown_topic(exc), "mock", with_help=False))

    async def _run(self, turn: Turn, command: Command, text: str) -> None:
        match command:
            case Mock():
                await self._rounds.start(turn, command, _mock_args(text))
            case Resume():
                await self._rounds.resume(turn)
            case End():
                await self._rounds.end(turn)
            case Skip():
                await self._rounds.skip(turn)
            case Hint():
                await self._rounds.hint(turn)
            case Topics():
                turn.tell(views.topics(self._bank))
            case Help(subject=subject):
                turn.tell(views.help_message(subject))

    async def _button(self, turn: Turn, action_id: str, value: str) -> None:
        if action_id == "round:restart":
            round_text, _, args = value.partition(":")
            round_id = _int(round_text)
            if round_id is None:
                return
            try:
                command = parse(f"mock {args}")
                if isinstance(command, Mock):
                    await self._rounds.restart(turn, round_id, command)
            except (CommandError, UnknownTopic):
                await self._rounds.restart(turn, round_id, Mock())
            return
        round_id = _int(value)
        actions = {
            "round:hint": self._rounds.hint,
            "round:skip": self._rounds.skip,
            "round:end": self._rounds.end,
            "round:resume": self._rounds.resume,
        }
        if round_id is not None and action_id in actions:
            await actions[action_id](turn, round_id)


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def _mock_args(text: str) -> str:
    parts = text.strip().split(maxsplit=1)
    return parts[1] if len(parts) > 1 else ""


def _unknown_topic(exc: UnknownTopic) -> str:
    name = exc.name.replace("`", "'")[:40]
    message = f"I don't know the topic `{name}`."
    if exc.suggestions:
        message += " Did you mean " + " or ".join(f"`{s}`" for s in exc.suggestions) + "?"
    return message + " `/interview topics` lists them all."
