"""Study groups: a channel with a schedule is one; named groups gather people across channels."""

from __future__ import annotations

import difflib
import re

from bot import views
from bot.commands import CommandError
from bot.messages import RichMessage
from bot.ports.records import StudyGroup
from bot.turn import Turn

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{1,39}$")


def normalise_group_name(raw: str) -> str:
    return "-".join(raw.strip().lower().split())


class GroupService:
    async def create(self, turn: Turn, raw_name: str) -> None:
        name = normalise_group_name(raw_name)
        if not _NAME.match(name):
            raise CommandError(
                "Group names have 2-40 letters, digits, - or _, and start with a letter or digit "
                "(`#name` is kept for channel groups).",
                "group",
            )
        if await turn.uow.groups.by_name(turn.ids.workspace_id, name) is not None:
            turn.tell(
                views.info(
                    f"A group called `{name}` exists already: `/interview group join {name}`."
                )
            )
            return
        schedule = await turn.uow.schedules.for_channel(turn.ids.channel_id)
        group = await turn.uow.groups.create(
            turn.ids.workspace_id, name, None, schedule.timezone if schedule else "UTC", turn.now
        )
        await turn.uow.groups.join(group.id, turn.ids.user_id, turn.now)
        turn.tell(
            views.info(
                f"Created the study group `{name}` and added you. "
                f"Others join with `/interview group join {name}`."
            )
        )

    async def join(self, turn: Turn, raw_name: str) -> None:
        group = await self.find(turn, raw_name)
        if await turn.uow.groups.join(group.id, turn.ids.user_id, turn.now):
            turn.tell(views.info(f"You joined `{group.name}`. Your answers now count there too."))
        else:
            turn.tell(views.info(f"You are already in `{group.name}`."))

    async def leave(self, turn: Turn, raw_name: str) -> None:
        group = await self.find(turn, raw_name)
        if await turn.uow.groups.leave(group.id, turn.ids.user_id):
            turn.tell(views.info(f"You left `{group.name}`."))
        else:
            turn.tell(views.info(f"You are not in `{group.name}`."))

    async def list(self, turn: Turn) -> None:
        groups = await turn.uow.groups.in_workspace(turn.ids.workspace_id)
        mine = {g.id for g in await turn.uow.groups.of_user(turn.ids.user_id)}
        if not groups:
            turn.tell(
                views.info("No study groups yet. Create one with `/interview group create NAME`.")
            )
            return
        lines = [
            f"• `{g.name}` — {n} member{'s' if n != 1 else ''}{' (you)' if g.id in mine else ''}"
            for g, n in groups
        ]
        turn.tell(RichMessage(title="Study groups", body="\n".join(lines)))

    async def find(self, turn: Turn, raw_name: str) -> StudyGroup:
        raw = raw_name.strip()
        name = raw if raw.startswith("#") else normalise_group_name(raw)
        group = await turn.uow.groups.by_name(turn.ids.workspace_id, name)
        if group is not None:
            return group
        known = [g.name for g, _ in await turn.uow.groups.in_workspace(turn.ids.workspace_id)]
        close = difflib.get_close_matches(name, known, n=2, cutoff=0.6)
        hint = f" Did you mean {' or '.join(f'`{c}`' for c in close)}?" if close else ""
        raise CommandError(
            f"There is no group `{name[:40]}`.{hint} `/interview group list` shows them.", "group"
        )
