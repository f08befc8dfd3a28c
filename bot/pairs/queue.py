"""The pairing queue: wait for a compatible partner, invite one by name, accept or decline,
cancel, block. A waiting request is taken by exactly one partner: storage's conditional claim
decides, whichever replica asks."""

from __future__ import annotations

from bot import views as common
from bot.events import Place
from bot.messages import RichMessage
from bot.pairs import invitations, views
from bot.pairs.grammar import Pair
from bot.pairs.sessions import PairProblem, PairSessions
from bot.ports.chat import UserRef
from bot.ports.records import PairRequest, User
from bot.progress.groups import GroupService
from bot.turn import Turn
from questions.schema import Difficulty


def compatible(
    request: PairRequest, topic: str | None, difficulty: str | None
) -> tuple[str | None, str | None] | None:
    """The session's (topic, difficulty) when both asked for the same or left it open."""
    if request.topic and topic and request.topic != topic:
        return None
    if request.difficulty and difficulty and request.difficulty != difficulty:
        return None
    return request.topic or topic, request.difficulty or difficulty


class PairQueue:
    def __init__(self, sessions: PairSessions) -> None:
        self._sessions = sessions

    async def join(self, turn: Turn, command: Pair, groups: GroupService) -> None:
        await self._free(turn)
        topic = turn.bank.resolve_topic(command.topic) if command.topic else None
        difficulty = command.difficulty.value if command.difficulty else None
        self._has_questions(turn, topic, difficulty)
        group_id = (await groups.find(turn, command.group)).id if command.group else None
        me = turn.ids.user_id
        blocked = await turn.uow.pairs.blocked_between(me)
        for request in await turn.uow.pairs.candidates(
            turn.ids.workspace_id, group_id, me, turn.now
        ):
            merged = compatible(request, topic, difficulty)
            if merged is None or request.user_id in blocked:
                continue
            if await turn.uow.pairs.open_session_of(request.user_id) is not None:
                continue
            if await turn.uow.pairs.claim(request.id, me):
                await self._pair(turn, request, *merged)
                return
        expires = turn.now + self._sessions.rules.request_ttl
        await turn.uow.pairs.queue(
            turn.ids.workspace_id,
            turn.ids.channel_id,
            me,
            group_id,
            topic,
            difficulty,
            None,
            turn.now,
            expires,
        )
        where = f"group `{command.group}`" if command.group else "this workspace"
        turn.tell(
            common.info(
                f"You are in the pairing queue of {where} ({_scope(turn, topic, difficulty)}). "
                "When someone joins, a thread opens for the two of you. The request expires in "
                "30 minutes; `/interview pair cancel` leaves the queue."
            )
        )

    async def invite(self, turn: Turn, command: Pair) -> None:
        await self._free(turn)
        other = await self._member(turn, command.member or "")
        if other.id in await turn.uow.pairs.blocked_between(turn.ids.user_id):
            raise PairProblem(f"{other.display_name} is not available for pairing with you.")
        topic = turn.bank.resolve_topic(command.topic) if command.topic else None
        difficulty = command.difficulty.value if command.difficulty else None
        self._has_questions(turn, topic, difficulty)
        request = await turn.uow.pairs.queue(
            turn.ids.workspace_id,
            turn.ids.channel_id,
            turn.ids.user_id,
            None,
            topic,
            difficulty,
            other.id,
            turn.now,
            turn.now + self._sessions.rules.request_ttl,
        )
        scope = _scope(turn, topic, difficulty)
        where = turn.place.channel_name or turn.place.channel
        # Its buttons act for this channel even when pressed in the DM; its reference is kept.
        to = UserRef(
            turn.place.platform, turn.place.workspace, other.external_id, turn.place.channel
        )
        invite = views.invitation(turn.actor.display_name, scope, where, request.id)
        turn.outbox.direct(turn.chat, to, invite, keep_as=invitations.keep_key(request.id))
        turn.tell(
            common.info(
                f"Invitation sent to {other.display_name} by direct message; it expires in 30 "
                "minutes. `/interview pair cancel` withdraws it."
            )
        )

    async def answer(self, turn: Turn, request_id: int, accept: bool) -> None:
        """The invitee's Accept or Decline."""
        request = await turn.uow.pairs.get_request(request_id)
        if request is None or request.invitee_id != turn.ids.user_id:
            raise PairProblem("That invitation is for someone else.")
        if request.status != "waiting" or request.expires_at <= turn.now:
            raise PairProblem("That invitation is no longer open.")
        inviter = await turn.uow.directory.get_user(request.user_id)
        name = inviter.display_name if inviter else "a former member"
        if not accept:
            if await turn.uow.pairs.set_status(request.id, "declined", "waiting"):
                await invitations.close(turn.uow, turn.chat, turn.outbox, request, "declined")
                if inviter is not None:
                    _direct(
                        turn,
                        inviter,
                        common.info(
                            f"{turn.actor.display_name} declined your pair invitation. "
                            "`/interview pair` queues you for anyone instead."
                        ),
                    )
                turn.tell(common.info(f"You declined {name}'s invitation."))
            return
        await self._free(turn, queued_ok=True)
        if await turn.uow.pairs.open_session_of(request.user_id) is not None:
            raise PairProblem(f"{name} is already in another pair session.")
        if not await turn.uow.pairs.claim(request.id, turn.ids.user_id):
            raise PairProblem("That invitation is no longer open.")
        # Accepting takes the invitee out of the queue they may have been waiting in.
        mine = await turn.uow.pairs.waiting_for(turn.ids.workspace_id, turn.ids.user_id)
        if mine is not None and await turn.uow.pairs.set_status(mine.id, "cancelled", "waiting"):
            await self._withdrawn(turn, mine)
        home = await self._place_of(turn, request.channel_id)
        await self._pair(turn, request, request.topic, request.difficulty, home)
        await invitations.close(turn.uow, turn.chat, turn.outbox, request, "paired")

    async def cancel(self, turn: Turn) -> None:
        request = await turn.uow.pairs.waiting_for(turn.ids.workspace_id, turn.ids.user_id)
        if request is None or not await turn.uow.pairs.set_status(
            request.id, "cancelled", "waiting"
        ):
            turn.tell(common.info("You are not in the pairing queue."))
            return
        if request.invitee_id is not None:
            invitee = await self._withdrawn(turn, request)
            turn.tell(common.info(f"You withdrew your invitation to {invitee}."))
            return
        turn.tell(common.info("You left the pairing queue."))

    async def block(self, turn: Turn, who: str, blocking: bool) -> None:
        other = await self._member(turn, who)
        if blocking:
            await turn.uow.pairs.block(turn.ids.user_id, other.id, turn.now)
            turn.tell(
                common.info(
                    f"{other.display_name} will not be paired with you. "
                    f"`/interview pair unblock {other.display_name}` undoes it."
                )
            )
            return
        if await turn.uow.pairs.unblock(turn.ids.user_id, other.id):
            turn.tell(common.info(f"{other.display_name} can be paired with you again."))
        else:
            turn.tell(common.info(f"You had not blocked {other.display_name}."))

    # --- helpers ----------------------------------------------------------------------

    async def _pair(
        self,
        turn: Turn,
        request: PairRequest,
        topic: str | None,
        difficulty: str | None,
        home: Place | None = None,
    ) -> None:
        """The one who waited interviews first. The thread opens where the pair was made: the
        joiner's channel, or for an invitation the channel it was sent from (the invitee may
        accept from a direct message). The one who waited hears of it privately."""
        at = (home, request.channel_id) if home is not None else None
        session = await self._sessions.open(
            turn, request.user_id, turn.ids.user_id, topic, difficulty, at
        )
        await turn.uow.pairs.link(request.id, session.id)
        waiting = await turn.uow.directory.get_user(request.user_id)
        if waiting is not None:
            place = home or turn.place
            channel = place.channel_name or place.channel
            _direct(
                turn,
                waiting,
                common.info(
                    f"You are paired with {turn.actor.display_name}: your pair interview "
                    f"thread is in #{channel}, and you interview first."
                ),
            )
        if home is not None:
            channel = home.channel_name or home.channel
            inviter = await self._name(turn, request.user_id)
            turn.tell(
                common.info(
                    f"You are paired with {inviter}: your pair interview thread is in "
                    f"#{channel}. {inviter} interviews first; you answer there."
                )
            )

    async def _withdrawn(self, turn: Turn, request: PairRequest) -> str:
        """Tell the invitee of a withdrawn invitation, privately; their name, for the actor."""
        if request.invitee_id is None:
            return ""
        await invitations.close(turn.uow, turn.chat, turn.outbox, request, "cancelled")
        invitee = await turn.uow.directory.get_user(request.invitee_id)
        if invitee is None:
            return "a former member"
        _direct(
            turn,
            invitee,
            common.info(f"{turn.actor.display_name} withdrew their pair interview invitation."),
        )
        return invitee.display_name

    @staticmethod
    async def _name(turn: Turn, user_id: int) -> str:
        user = await turn.uow.directory.get_user(user_id)
        return user.display_name if user else "a former member"

    async def _free(self, turn: Turn, queued_ok: bool = False) -> None:
        """One request or session at a time per member (an invitee may accept from the queue)."""
        session = await turn.uow.pairs.open_session_of(turn.ids.user_id)
        if session is not None:
            raise PairProblem("You are already in a pair session: finish it in its thread first.")
        if queued_ok:
            return
        if await turn.uow.pairs.waiting_for(turn.ids.workspace_id, turn.ids.user_id):
            raise PairProblem(
                "You already have a pairing request open; `/interview pair cancel` withdraws it."
            )

    @staticmethod
    def _has_questions(turn: Turn, topic: str | None, difficulty: str | None) -> None:
        level = Difficulty(difficulty) if difficulty else None
        if not turn.bank.select(topic=topic, difficulty=level):
            raise PairProblem(
                f"There are no {views.scope_of(topic, difficulty)} questions yet. "
                "Try another topic or difficulty."
            )

    @staticmethod
    async def _member(turn: Turn, who: str) -> User:
        user = await turn.uow.directory.find_user(turn.ids.workspace_id, who)
        if user is None:
            raise PairProblem(f"I don't know anyone called `{who[:40]}` here yet.")
        if user.id == turn.ids.user_id:
            raise PairProblem("Pair with someone else: you cannot interview yourself.")
        return user

    @staticmethod
    async def _place_of(turn: Turn, channel_id: int) -> Place | None:
        channel = await turn.uow.directory.get_channel(channel_id)
        if channel is None:
            return None
        return Place(
            turn.place.platform, turn.place.workspace, channel.external_id, None, channel.name
        )


def _direct(turn: Turn, user: User, message: RichMessage) -> None:
    """A notice to someone other than the actor: a direct message, so it reaches them alone."""
    to = UserRef(turn.place.platform, turn.place.workspace, user.external_id)
    turn.outbox.direct(turn.chat, to, message)


def _scope(turn: Turn, topic: str | None, difficulty: str | None) -> str:
    """What was asked for, with the topic's title as the thread's intro shows it."""
    return views.scope_of(turn.bank.topic_title(topic) if topic else None, difficulty)
