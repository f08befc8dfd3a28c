"""The pair capability's one face to the router and the clockwork: commands, buttons, the
finish form, thread messages, and the sweep of expired requests and idle sessions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from bot import views as common
from bot.banks import BankRegistry
from bot.events import Place
from bot.grading import Grader
from bot.messages import MessageRef
from bot.outbox import Outbox
from bot.pairs import invitations, views
from bot.pairs.grammar import Pair
from bot.pairs.queue import PairQueue
from bot.pairs.sessions import PairProblem, PairRules, PairSessions
from bot.ports.chat import ChatLookup, ChatPort, UserRef
from bot.ports.records import PairSession, User
from bot.ports.storage import UnitOfWork
from bot.progress.groups import GroupService
from bot.turn import Turn

PREFIX = "pair:"


def _id(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


class PairService:
    def __init__(self, grader: Grader, rules: PairRules | None = None) -> None:
        self.sessions = PairSessions(grader, rules or PairRules())
        self.queue = PairQueue(self.sessions)
        self._groups = GroupService()

    async def command(self, turn: Turn, command: Pair) -> None:
        try:
            match command.action:
                case "join":
                    await self.queue.join(turn, command, self._groups)
                case "invite":
                    await self.queue.invite(turn, command)
                case "cancel":
                    await self.queue.cancel(turn)
                case "swap":
                    await self.sessions.swap(turn, await self._session_here(turn))
                case "block" | "unblock":
                    await self.queue.block(turn, command.member or "", command.action == "block")
        except PairProblem as problem:
            turn.tell(common.info(str(problem)))

    async def button(self, turn: Turn, action_id: str, value: str) -> None:
        """Every `pair:` button; a press by someone outside the pair is turned away."""
        try:
            await self._button(turn, action_id, value)
        except PairProblem as problem:
            turn.tell(common.info(str(problem)))

    async def _button(self, turn: Turn, action_id: str, value: str) -> None:
        if action_id == views.MARK:
            side, number, mark = [*value.split(":"), "", "", ""][:3]
            side_id, point = _id(side), _id(number)
            if side_id is not None and point is not None:
                await self.sessions.mark(turn, side_id, point, mark)
        elif action_id == views.NOTES and (side_id := _id(value)) is not None:
            await self.sessions.notes(turn, side_id)
        elif action_id == views.FOLLOW and (side_id := _id(value)) is not None:
            await self.sessions.follow_up(turn, side_id)
        elif action_id == views.SWAP and (session_id := _id(value)) is not None:
            session = await turn.uow.pairs.session(session_id)
            if session is None:
                raise PairProblem("That pair session is gone.")
            await self.sessions.swap(turn, session)
        elif action_id in (views.ACCEPT, views.DECLINE) and (request_id := _id(value)):
            await self.queue.answer(turn, request_id, accept=action_id == views.ACCEPT)

    async def form(self, turn: Turn, value: str, text: str, event_ref: str | None) -> None:
        """The Finish form: rating and note for a side."""
        side_id = _id(value)
        if side_id is None:
            return
        try:
            await self.sessions.finish(turn, side_id, text, event_ref)
        except PairProblem as problem:
            turn.tell(common.info(str(problem)))

    async def message(self, turn: Turn, text: str) -> bool:
        """A thread message; whether the thread is a pair session's."""
        if turn.place.thread is None:
            return False
        session = await turn.uow.pairs.session_by_thread(turn.ids.channel_id, turn.place.thread)
        if session is None:
            return False
        if session.status == "active":
            await self.sessions.message(turn, session, text)
        return True

    async def _session_here(self, turn: Turn) -> PairSession:
        """The session of the thread the command came from, else the member's open one."""
        session = None
        if turn.place.thread is not None:
            session = await turn.uow.pairs.session_by_thread(turn.ids.channel_id, turn.place.thread)
        session = session or await turn.uow.pairs.open_session_of(turn.ids.user_id)
        if session is None:
            raise PairProblem("You have no pair session to swap.")
        return session

    async def keep_sent(
        self, uow: UnitOfWork, chat: ChatPort, kept: Mapping[str, MessageRef], outbox: Outbox
    ) -> None:
        """The references of invitations just sent, kept with their requests."""
        await invitations.keep(uow, chat, kept, outbox)

    # --- time-driven --------------------------------------------------------------------

    async def sweep(
        self,
        uow: UnitOfWork,
        chats: ChatLookup,
        banks: BankRegistry,
        now: datetime,
        outbox: Outbox,
    ) -> int:
        """Expire requests past 30 minutes and close sessions idle past the timeout."""
        done = 0
        for request in await uow.pairs.expired(now):
            if not await uow.pairs.set_status(request.id, "expired", "waiting"):
                continue
            done += 1
            place = await _place(uow, request.channel_id, None)
            chat = chats(place.platform) if place else None
            if place is None or chat is None:
                continue
            await invitations.close(uow, chat, outbox, request, "expired")
            user = await uow.directory.get_user(request.user_id)
            invitee = await uow.directory.get_user(request.invitee_id or 0)
            if user is not None:
                outbox.direct(chat, _ref(place, user), views.expired(invitee))
            if invitee is not None:
                expired = views.invitation_expired(user.display_name if user else None)
                outbox.direct(chat, _ref(place, invitee), expired)
        for session in await uow.pairs.idle_sessions(self.sessions.idle_cutoff(now)):
            place = await _place(uow, session.channel_id, session.thread_ref)
            chat = chats(place.platform) if place else None
            if place is None or chat is None:
                continue
            await uow.pairs.touch(session, now)
            bank = await banks.for_workspace(uow, session.workspace_id)
            await self.sessions.close_idle(uow, bank, chat, place, session, now, outbox)
            done += 1
        return done

    async def next_due_after(self, uow: UnitOfWork, moment: datetime) -> datetime | None:
        """The next expiry or idle deadline, for a clock that steps through due work."""
        candidates = []
        expiry = await uow.pairs.next_expiry()
        if expiry is not None:
            candidates.append(expiry)
        oldest = await uow.pairs.oldest_activity()
        if oldest is not None:
            candidates.append(oldest + self.sessions.rules.idle_timeout + timedelta(seconds=1))
        upcoming = [c for c in candidates if c > moment]
        return min(upcoming) if upcoming else None


def _ref(place: Place, user: User) -> UserRef:
    return UserRef(place.platform, place.workspace, user.external_id)


async def _place(uow: UnitOfWork, channel_id: int, thread: str | None) -> Place | None:
    channel = await uow.directory.get_channel(channel_id)
    workspace = await uow.directory.get_workspace(channel.workspace_id) if channel else None
    if channel is None or workspace is None:
        return None
    return Place(
        workspace.platform, workspace.external_id, channel.external_id, thread, channel.name
    )
