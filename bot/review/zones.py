"""Which zone a user's review times are told in: the zone their reminder keeps, else their
channel's group zone, else UTC."""

from __future__ import annotations

from bot.ports.storage import UnitOfWork


async def review_zone(uow: UnitOfWork, user_id: int, channel_id: int) -> str:
    kept = await uow.reviews.reminder_of(user_id)
    if kept is not None:
        return kept.timezone
    group = await uow.groups.for_channel(channel_id)
    return group.timezone if group is not None else "UTC"
