"""Where each event goes: a command, a button, a form or a thread reply, to the capability
that handles it, inside the event's turn."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import timedelta

from bot import views
from bot.account.identities import IdentityCache
from bot.account.limits import LimitRules, RateLimits
from bot.account.privacy import CANCEL as PRIVACY_CANCEL
from bot.account.privacy import CONFIRM as PRIVACY_CONFIRM
from bot.account.privacy import PrivacyService
from bot.commands import (
    Command,
    CommandError,
    Daily,
    DailySet,
    End,
    Group,
    Help,
    Hint,
    Leaderboard,
    Mock,
    Privacy,
    Resume,
    Review,
    ReviewRemind,
    Skip,
    Stats,
    Topics,
    Web,
    check,
    mock_words,
    parse,
    quote_input,
)
from bot.daily.batch import DailyThreads
from bot.daily.schedules import DailySchedules
from bot.daily.service import DailyService
from bot.dashboard.command import WebLinks
from bot.events import ButtonPressed, InboundEvent, MessagePosted, ModalSubmitted, SlashCommand
from bot.messages import MessageRef
from bot.outbox import Outbox
from bot.pairs.grammar import Pair
from bot.pairs.service import PREFIX as PAIR_PREFIX
from bot.pairs.service import PairService
from bot.ports.chat import ChatPort
from bot.ports.storage import UnitOfWork
from bot.progress.boards import Boards
from bot.progress.groups import GroupService
from bot.review.service import ReviewService
from bot.rounds.mock import MockRounds
from bot.turn import Turn
from questions.bank import UnknownTopic

MAX_COMMAND_CHARS = 500


class NotRecordedYet(Exception):
    """A thread reply arrived before its daily post finished recording its thread."""


@dataclass
class AfterCommit:
    """Work an event asks for once its own changes are committed."""

    schedules_changed: bool = False
    changed_channel: int | None = None  # whose schedule: only its job is updated
    post_now: int | None = None

    def schedule_changed(self, changed: bool, channel_id: int) -> None:
        self.schedules_changed = changed
        self.changed_channel = channel_id if changed else None


class Router:
    def __init__(
        self,
        rounds: MockRounds,
        daily: DailyService,
        schedules: DailySchedules,
        groups: GroupService,
        boards: Boards,
        privacy: PrivacyService,
        identities: IdentityCache,
        daily_threads: DailyThreads,
        limits: RateLimits | None = None,
        review: ReviewService | None = None,
        pairs: PairService | None = None,
        web: WebLinks | None = None,
    ) -> None:
        self._rounds = rounds
        self._daily = daily
        self._schedules = schedules
        self._groups = groups
        self._boards = boards
        self._privacy = privacy
        self._identities = identities
        self._daily_threads = daily_threads
        self._limits = limits or RateLimits(LimitRules.defaults())
        self._review = review or ReviewService(rounds)
        self._pairs = pairs
        self._web = web or WebLinks(None)

    async def keep_sent(
        self, uow: UnitOfWork, chat: ChatPort, kept: Mapping[str, MessageRef], outbox: Outbox
    ) -> None:
        """Record references of messages an event sent and asked to keep (pair invitations)."""
        if self._pairs is not None:
            await self._pairs.keep_sent(uow, chat, kept, outbox)

    async def dispatch(self, turn: Turn, event: InboundEvent, after: AfterCommit) -> None:
        match event:
            case SlashCommand():
                await self._command(turn, event, after)
            case MessagePosted(text=text, message_id=message_id):
                await self._message(turn, text, event.event_id or message_id)
            case ButtonPressed(action_id=action_id, value=value):
                await self._button(turn, action_id, value)
            case ModalSubmitted(action_id="round:answer", value=value, text=text):
                if (round_id := parse_id(value)) is not None:
                    await self._rounds.answer_from_form(turn, round_id, text, event.event_id)
            case ModalSubmitted(action_id="pair:finish", value=value, text=text) if self._pairs:
                await self._pairs.form(turn, value, text, event.event_id)
            case ModalSubmitted(action_id="daily:answer", value=value, text=text):
                if (post_id := parse_id(value)) is not None:
                    await self._daily.answer_from_form(turn, post_id, text, event.event_id)

    async def _message(self, turn: Turn, text: str, event_ref: str | None) -> None:
        thread = turn.place.thread
        if thread is None or await self._rounds.answer_in_thread(turn, text, event_ref):
            return
        if self._pairs is not None and await self._pairs.message(turn, text):
            return
        post = await turn.uow.daily_posts.by_thread(turn.ids.channel_id, thread)
        if post is not None and post.status in ("posted", "revealed"):
            place = turn.place
            key = DailyThreads.key(place.platform, place.workspace, place.channel, thread)
            self._daily_threads.put(key, post.id)
            await self._daily.answer(turn, post, text, event_ref)
        elif post is None and await turn.uow.daily_posts.being_posted(
            turn.ids.channel_id, turn.now - timedelta(minutes=2)
        ):
            raise NotRecordedYet  # a reply faster than the post's own bookkeeping

    async def _command(self, turn: Turn, event: SlashCommand, after: AfterCommit) -> None:
        """Text is parsed by the grammar; a command built from typed options gets the same
        checks; either then runs the same way."""
        if _size(event) > MAX_COMMAND_CHARS:
            turn.tell(views.error("That command is too long to be one I know.", None))
            return
        try:
            if event.command is None:
                command, text = parse(event.text), event.text
            else:
                command = check(event.command)
                text = f"mock {mock_words(command)}" if isinstance(command, Mock) else ""
            await self._run(turn, command, text, after)
        except CommandError as exc:
            turn.tell(views.error(exc.message, exc.help_subject))
        except UnknownTopic as exc:
            turn.tell(views.error(_unknown_topic(exc), "mock", with_help=False))

    async def _run(self, turn: Turn, command: Command, text: str, after: AfterCommit) -> None:
        match command:
            case Mock():
                if await self._limits.allow(turn, "new round"):
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
                turn.tell(views.topics(turn.bank))
            case Help(subject=subject):
                turn.tell(views.help_message(subject))
            case Daily(action="set", args=args):
                after.schedule_changed(
                    await self._schedules.set(turn, list(args)), turn.ids.channel_id
                )
            case DailySet():
                after.schedule_changed(
                    await self._schedules.set(turn, command.settings()), turn.ids.channel_id
                )
            case Daily(action="off"):
                after.schedule_changed(await self._schedules.off(turn), turn.ids.channel_id)
            case Daily(action="now"):
                if await self._limits.allow(turn, "daily now"):
                    after.post_now = await self._schedules.require_schedule_for_now(turn)
            case Daily():
                await self._schedules.status(turn)
            case Group(action="create", name=str(name)):
                await self._groups.create(turn, name)
            case Group(action="join", name=str(name)):
                await self._groups.join(turn, name)
            case Group(action="leave", name=str(name)):
                await self._groups.leave(turn, name)
            case Group():
                await self._groups.list(turn)
            case Leaderboard(period=period, group=group):
                await self._boards.leaderboard(turn, period, group)
            case Stats(user=user):
                if await self._limits.allow(turn, "stats"):
                    await self._boards.stats(turn, user)
            case Privacy(action="export"):
                if await self._limits.allow(turn, "data export"):
                    await self._privacy.export(turn)
            case Privacy():
                self._privacy.ask_to_delete(turn)
            case Review(count=count):
                if await self._limits.allow(turn, "new round"):
                    await self._review.start(turn, count)
            case ReviewRemind():
                await self._review.remind(turn, command)
            case Pair() if self._pairs is not None:
                await self._pairs.command(turn, command)
            case Web():
                self._web.link(turn)

    async def _button(self, turn: Turn, action_id: str, value: str) -> None:
        if action_id.startswith(PAIR_PREFIX) and self._pairs is not None:
            await self._pairs.button(turn, action_id, value)
            return
        if action_id == PRIVACY_CONFIRM:
            if await self._privacy.delete(turn, value):
                self._identities.forget_user(turn.ids.user_id)
            return
        if action_id == PRIVACY_CANCEL:
            turn.tell(views.info("Nothing was deleted."))
            return
        if action_id == "round:restart":
            round_text, _, args = value.partition(":")
            round_id = parse_id(round_text)
            if round_id is None:
                return
            try:
                command = parse(f"mock {args}")
                if isinstance(command, Mock):
                    await self._rounds.restart(turn, round_id, command)
            except (CommandError, UnknownTopic):
                await self._rounds.restart(turn, round_id, Mock())
            return
        round_id = parse_id(value)
        actions = {
            "round:hint": self._rounds.hint,
            "round:skip": self._rounds.skip,
            "round:end": self._rounds.end,
            "round:resume": self._rounds.resume,
        }
        if round_id is not None and action_id in actions:
            await actions[action_id](turn, round_id)


def parse_id(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def _size(event: SlashCommand) -> int:
    """How long the command is: its text, or the options it was built from."""
    if event.command is None:
        return len(event.text)
    return sum(len(str(getattr(event.command, f.name))) for f in fields(event.command))


def _mock_args(text: str) -> str:
    parts = text.strip().split(maxsplit=1)
    return parts[1] if len(parts) > 1 else ""


def _unknown_topic(exc: UnknownTopic) -> str:
    name = quote_input(exc.name)
    message = f"I don't know the topic `{name}`."
    if exc.suggestions:
        message += " Did you mean " + " or ".join(f"`{s}`" for s in exc.suggestions) + "?"
    return message + " `/interview topics` lists them all."
