"""Interview loops stage by stage, and a workspace's own question packs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.rounds.roles import LOOP_STAGES, find_role
from questions.bank import QuestionBank
from questions.loader import PackError, load_bank
from tests.bot.test_daily import daily_posts, question_of, schedule
from tests.support.harness import Harness, harness

TEAM_PACK = Path(__file__).resolve().parents[1] / "fixtures" / "team-pack"


@pytest.fixture(scope="module")
def shipped_bank() -> QuestionBank:
    """The shipped bank, loaded once: banks are read-only, and loading it takes a while."""
    return load_bank()


@pytest.fixture
async def shipped(tmp_path: Path, shipped_bank: QuestionBank) -> AsyncIterator[Harness]:
    async with harness("memory", tmp_path, shipped_bank) as ready:
        yield ready


async def import_team_pack(h: Harness, workspace: str = "W1") -> int:
    async with h.uow() as uow:
        workspace_id = await uow.directory.workspace("test", workspace, h.clock.now())
        count, _ = await h.banks.import_pack(uow, workspace_id, "team", [TEAM_PACK], h.clock.now())
        await uow.commit()
    if workspace == "W1":  # look questions up the way this workspace sees them
        async with h.uow() as uow:
            h.bank = await h.banks.for_workspace(uow, workspace_id)
    return count


async def test_a_loop_asks_one_question_per_stage_in_interview_order(shipped: Harness) -> None:
    h = shipped
    await h.command("mock loop")
    intro = h.chat.sent[0].message
    assert intro.title == "Interview loop for Alice"
    assert "screening, theory, coding, system design, behavioural" in intro.body
    stages = []
    for _ in range(5):
        question = h.bank.get(h.current_question_id())
        assert question is not None
        stages.append(question.stage.value)
        await h.command("skip")
        if (h.chat.sent[-1].message.title or "").startswith("Follow-up"):
            await h.command("skip")
    assert stages == ["screening", "theory", "coding", "system-design", "behavioral"]
    card = h.chat.sent[-1].message
    assert card.title == "Interview loop scorecard"
    assert [f.name for f in card.fields] == [
        "Screening",
        "Theory",
        "Coding",
        "System design",
        "Behavioural",
    ]


@pytest.mark.parametrize(
    ("words", "title"),
    [
        ("loop ml-engineer", "ML engineer"),
        ("loop ds", "Data scientist"),
        ("role=research", "Research scientist"),
    ],
)
async def test_a_role_loop_draws_each_stage_from_that_roles_topics(
    shipped: Harness, words: str, title: str
) -> None:
    h = shipped
    role = find_role(words.split()[-1].removeprefix("role="))
    assert role is not None
    await h.command(f"mock {words}")
    assert h.chat.sent[0].message.title == f"{title} interview loop for Alice"
    for stage in LOOP_STAGES:
        question = h.bank.get(h.current_question_id())
        assert question is not None
        assert question.stage is stage
        stage_has_role_topics = any(
            q.topic in role.topics[stage] for q in h.bank.select(stage=stage)
        )
        if stage_has_role_topics:
            assert question.topic in role.topics[stage], (stage, question.id)
        await h.command("skip")
        if (h.chat.sent[-1].message.title or "").startswith("Follow-up"):
            await h.command("skip")
    assert h.chat.sent[-1].message.title == "Interview loop scorecard"


async def test_an_unknown_role_is_named_with_the_known_ones(h_memory: Harness) -> None:
    await h_memory.command("mock role=astronaut")
    told = h_memory.chat.private_to("alice")[-1].message.body
    assert "`astronaut` is not a role; try ml-engineer, data-scientist, research." in told


async def test_a_loop_takes_no_count_or_topic(h_memory: Harness) -> None:
    h = h_memory
    await h.command("mock loop 3")
    assert "leave out the count" in h.chat.private_to("alice")[-1].message.body
    await h.command("mock loop metrics")
    assert "leave out the topic" in h.chat.private_to("alice")[-1].message.body


async def test_a_workspace_pack_feeds_rounds_and_schedules(h_memory: Harness) -> None:
    h = h_memory
    assert await import_team_pack(h) == 2
    await h.command("mock pack=team 2")
    asked = {h.current_question_id()}
    await h.command("skip")
    asked.add(h.current_question_id())
    assert asked == {"team-feature-store", "team-precision-at-k"}
    await h.command("end")
    await h.command("mock stack 1")
    assert h.current_question_id() == "team-feature-store", "the pack's own topic resolves"
    h.clock.set(datetime(2026, 3, 2, 7, 0, tzinfo=UTC))
    await schedule(h, "time=09:00 tz=UTC days=daily packs=team")
    await h.advance(timedelta(days=2))
    assert len(daily_posts(h)) == 2
    assert {question_of(h, 0), question_of(h, 1)} == {"team-feature-store", "team-precision-at-k"}


async def test_other_workspaces_do_not_see_a_pack(h_memory: Harness) -> None:
    h = h_memory
    await import_team_pack(h, workspace="W2")
    await h.command("mock pack=team")
    assert "Unknown pack `team`" in h.chat.private_to("alice")[-1].message.body
    await h.command("daily set time=09:00 tz=UTC packs=team", admin=True)
    assert "Unknown pack `team`" in h.chat.private_to("alice")[-1].message.body


async def test_a_broken_or_clashing_pack_is_refused_with_file_line_and_field(
    h_memory: Harness, tmp_path: Path
) -> None:
    h = h_memory
    clash = tmp_path / "clash.yaml"
    clash.write_text(
        (TEAM_PACK / "team.yaml").read_text().replace("team-precision-at-k", "t-precision-recall"),
        encoding="utf-8",
    )
    async with h.uow() as uow:
        workspace_id = await uow.directory.workspace("test", "W1", h.clock.now())
        with pytest.raises(PackError) as caught:
            await h.banks.import_pack(uow, workspace_id, "clash", [clash], h.clock.now())
    [problem] = caught.value.problems
    assert str(problem).startswith(f"{clash}:")
    assert "question 't-precision-recall' field 'id': id is already used in pack" in str(problem)
    with pytest.raises(ValueError, match="pack name"):
        async with h.uow() as uow:
            await h.banks.import_pack(uow, workspace_id, "Bad Name!", [TEAM_PACK], h.clock.now())
