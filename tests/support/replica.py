"""One bot replica for scale-out tests: the real engine on a shared PostgreSQL schema.

Posts go to a JSON-lines file (one line per post, appended atomically) instead of a platform.
    python -m tests.support.replica --schema S --out FILE --at ISO [--advance-min M] [--hang]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from datetime import datetime, timedelta

from bot.app.root import build_engine
from bot.banks import BankRegistry
from bot.events import Place
from bot.grading import RubricGrader
from bot.messages import Image, MessageRef, RichMessage
from bot.ports.chat import ChatLookup, UserRef
from bot.ports.clock import ManualClock
from storage.database import create_engine, session_factory
from storage.unit_of_work import UnitOfWorkFactory
from tests.support.databases import POSTGRES_URL
from tests.support.harness import fixture_bank


class FileChat:
    """Appends every post to a shared file; with hang=True it claims but never sends."""

    def __init__(self, path: str, name: str, hang: bool) -> None:
        self._path, self._name, self._hang = path, name, hang
        self._n = 0

    async def post(self, place: Place, message: RichMessage) -> MessageRef:
        if self._hang:
            await asyncio.sleep(3600)
        self._n += 1
        line = json.dumps({"replica": self._name, "channel": place.channel, "title": message.title})
        fd = os.open(self._path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, (line + "\n").encode())
        finally:
            os.close(fd)
        return MessageRef(place, f"{self._name}-{self._n}")

    async def reply(self, place: Place, message: RichMessage) -> MessageRef:
        return MessageRef(place, f"{self._name}-r")

    async def open_thread(self, message: MessageRef, name: str) -> Place:
        return message.place.in_thread(message.message_id)

    async def post_private(self, place: Place, user_id: str, message: RichMessage) -> None:
        return None

    async def send_direct(self, to: UserRef, message: RichMessage) -> MessageRef:
        return MessageRef(Place(to.platform, to.workspace, f"@{to.user_id}"), "dm")

    async def edit(self, message: MessageRef, new: RichMessage) -> None:
        return None

    async def attach_image(self, place: Place, image: Image, comment: str = "") -> MessageRef:
        return MessageRef(place, "img")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--schema", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--name", default=str(os.getpid()))
    parser.add_argument("--at", required=True)
    parser.add_argument("--advance-min", type=int, default=0)
    parser.add_argument("--hang", action="store_true")
    args = parser.parse_args()
    database = create_engine(
        POSTGRES_URL, connect_args={"server_settings": {"search_path": args.schema}}
    )
    clock = ManualClock(datetime.fromisoformat(args.at) + timedelta(minutes=args.advance_min))
    grader = RubricGrader()
    banks = BankRegistry(fixture_bank())
    chat = FileChat(args.out, args.name, args.hang)
    engine, _ = build_engine(
        UnitOfWorkFactory(session_factory(database)),
        banks,
        grader,
        clock,
        chats=ChatLookup({"test": chat}),
        instance=args.name,
    )
    print("ready", flush=True)
    schedules = await engine.enabled_schedules()
    # Every replica's cron jobs fire at once, then its sweep runs: the claim rows decide.
    await asyncio.gather(*(engine.fire_daily(schedule_id) for schedule_id, *_ in schedules))
    await engine.tick()
    await database.dispose()
    print("done", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
