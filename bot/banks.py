"""Which questions a workspace sees: the shipped bank plus the packs it imported."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path, PurePosixPath

from bot.ports.records import QuestionPack
from bot.ports.storage import UnitOfWork
from questions.bank import QuestionBank
from questions.loader import PackError, PackSource, load_sources, pack_sources

log = logging.getLogger(__name__)

PACK_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


def stored_sources(packs: Iterable[QuestionPack]) -> list[PackSource]:
    return [
        PackSource(pack.name, Path(str(PurePosixPath(pack.name) / f["name"])), f["text"])
        for pack in packs
        for f in pack.files
    ]


class BankRegistry:
    """Merged banks per workspace, rebuilt only when that workspace's packs change."""

    def __init__(self, shipped: QuestionBank) -> None:
        self.shipped = shipped
        self._cache: dict[int, tuple[tuple[int, datetime | None], QuestionBank]] = {}

    async def for_workspace(self, uow: UnitOfWork, workspace_id: int) -> QuestionBank:
        version = await uow.packs.version(workspace_id)
        if version[0] == 0:
            return self.shipped
        cached = self._cache.get(workspace_id)
        if cached is not None and cached[0] == version:
            return cached[1]
        packs = await uow.packs.of_workspace(workspace_id)
        try:
            bank = load_sources(stored_sources(packs), base=self.shipped)
        except PackError as exc:
            log.error(
                "workspace %s packs no longer load, using the shipped bank: %s", workspace_id, exc
            )
            bank = self.shipped
        self._cache[workspace_id] = (version, bank)
        return bank

    async def import_pack(
        self, uow: UnitOfWork, workspace_id: int, name: str, paths: list[Path], now: datetime
    ) -> tuple[int, bool]:
        """Validate files as one pack over the shipped bank and the workspace's other packs.

        Raises PackError (file, line, question, field) without storing anything.
        """
        if name == "ml" or name in self.shipped.pack_names or not PACK_NAME.match(name):
            raise ValueError(
                f"pack name {name!r}: use 1-40 lower-case letters, digits, - or _, "
                "and not the name of a shipped pack"
            )
        others = [p for p in await uow.packs.of_workspace(workspace_id) if p.name != name]
        base = load_sources(stored_sources(others), base=self.shipped) if others else self.shipped
        sources = [PackSource(name, s.label, s.text, s.error) for s in pack_sources(paths)]
        merged = load_sources(sources, base=base)
        count = len(merged) - len(base)
        files = [{"name": s.label.name, "text": s.text or ""} for s in sources]
        replaced = await uow.packs.save(workspace_id, name, files, count, now)
        return count, replaced
