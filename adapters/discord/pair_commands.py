"""`/interview pair ...` as typed Discord options: each handler only builds the engine's
`Pair` command; the engine checks it by the same rules as typed text."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Literal

import discord
from discord import app_commands

from bot.pairs.grammar import Pair
from questions.schema import Difficulty

Interaction = discord.Interaction[Any]
Run = Callable[[Interaction, Pair], Awaitable[None]]
Autocomplete = Callable[[Interaction, str], Coroutine[Any, Any, list[app_commands.Choice[str]]]]
Level = Literal["easy", "medium", "hard"]


def _level(difficulty: str | None) -> Difficulty | None:
    return Difficulty(difficulty) if difficulty else None


def add_pair_commands(interview: app_commands.Group, run: Run, topics: Autocomplete) -> None:
    pair = app_commands.Group(
        name="pair", description="Peer mock interviews with another member.", parent=interview
    )

    @pair.command(name="join", description="Queue to be paired with another member.")
    @app_commands.describe(
        topic="Topic (leave empty for any)",
        difficulty="Only questions of this difficulty",
        group="Pair only within this study group",
    )
    @app_commands.autocomplete(topic=topics)
    async def join(
        interaction: Interaction,
        topic: str | None = None,
        difficulty: Level | None = None,
        group: str | None = None,
    ) -> None:
        await run(interaction, Pair("join", topic or None, _level(difficulty), group or None))

    @pair.command(name="with", description="Invite one member to a pair interview.")
    @app_commands.describe(member="Who to invite", topic="Topic", difficulty="Difficulty")
    @app_commands.autocomplete(topic=topics)
    async def with_(
        interaction: Interaction,
        member: discord.User,
        topic: str | None = None,
        difficulty: Level | None = None,
    ) -> None:
        command = Pair("invite", topic or None, _level(difficulty), member=str(member.id))
        await run(interaction, command)

    def simple(name: str, description: str) -> None:
        async def handler(interaction: Interaction) -> None:
            await run(interaction, Pair(name))

        pair.command(name=name, description=description)(handler)

    simple("cancel", "Leave the pairing queue or withdraw your invitation.")
    simple("swap", "Swap roles for the second question.")

    def about_member(name: str, description: str) -> None:
        @app_commands.describe(member="The member")
        async def handler(interaction: Interaction, member: discord.User) -> None:
            await run(interaction, Pair(name, member=str(member.id)))

        pair.command(name=name, description=description)(handler)

    about_member("block", "Never be paired with this member.")
    about_member("unblock", "Allow pairing with this member again.")
