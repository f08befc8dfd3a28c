"""Export and import of one workspace: the JSON shape, exact round trips, clear refusals."""

from __future__ import annotations

import asyncio
import copy
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from typer.testing import CliRunner, Result

from bot.app.json_limits import MAX_IMPORT_BYTES, MAX_JSON_DEPTH, JsonLimitError, read_json_file
from bot.app.transfer_cli import register
from storage.database import create_engine, session_factory
from storage.models import (
    Answer,
    Channel,
    DailyPost,
    GroupMember,
    ReviewCard,
    Round,
    RoundQuestion,
    Schedule,
    Streak,
    StudyGroup,
    User,
    Workspace,
)
from storage.transfer import (
    FORMAT,
    ImportSummary,
    TransferError,
    export_workspace,
    import_workspace,
)
from tests.conftest import BACKENDS
from tests.support.databases import POSTGRES_URL, migrated_database, require_postgres

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
BERLIN_SUMMER = timezone(timedelta(hours=2))
DAYS = "mon,tue,wed,thu,fri"

TOP_KEYS = {
    "format",
    "version",
    "workspace",
    "channels",
    "schedules",
    "daily_posts",
    "groups",
    "users",
    "answers",
    "reviews",
}
REVIEW_KEYS = {
    "user",
    "question_id",
    "due",
    "stability",
    "difficulty",
    "reps",
    "lapses",
    "last_score",
}
SCHEDULE_KEYS = {
    "channel",
    "post_time",
    "timezone",
    "days",
    "topics",
    "packs",
    "stages",
    "difficulty",
    "reveal_time",
    "enabled",
    "created_at",
    "updated_at",
}
POST_KEYS = {
    "channel",
    "local_date",
    "question_id",
    "status",
    "message_ref",
    "thread_ref",
    "claimed_at",
    "posted_at",
    "reveal_at",
    "revealed_at",
}
ANSWER_KEYS = {
    "user",
    "question_id",
    "score",
    "points",
    "kind",
    "created_at",
    "channel",
    "text",
    "covered",
    "missed",
    "advice",
    "counted",
    "is_follow_up",
    "graded_at",
    "daily_post",
}
STREAK_KEYS = {"group", "current", "longest", "freezes", "last_day", "schedule_days"}


# --------------------------------------------------------------------------- building data


async def build_workspace(engine: AsyncEngine) -> None:
    """A realistic slack:T1, plus a discord workspace with clashing ids that must not leak."""
    async with session_factory(engine)() as s, s.begin():
        ws = Workspace(platform="slack", external_id="T1", name="Acme ML", created_at=NOW)
        other = Workspace(platform="discord", external_id="G1", name="Other", created_at=NOW)
        s.add_all([ws, other])
        await s.flush()

        daily = Channel(
            workspace_id=ws.id, external_id="C1", name="ml-daily", created_at=NOW - timedelta(40)
        )
        chat = Channel(
            workspace_id=ws.id, external_id="C2", name="ml-chat", created_at=NOW - timedelta(39)
        )
        foreign_channel = Channel(
            workspace_id=other.id, external_id="C1", name="general", created_at=NOW
        )
        ada = User(workspace_id=ws.id, external_id="U1", display_name="Ada", created_at=NOW)
        jose = User(workspace_id=ws.id, external_id="U2", display_name="José Ñúñez", created_at=NOW)
        li = User(workspace_id=ws.id, external_id="U3", display_name="李雷", created_at=NOW)
        foreign_user = User(
            workspace_id=other.id, external_id="U1", display_name="Someone", created_at=NOW
        )
        s.add_all([daily, chat, foreign_channel, ada, jose, li, foreign_user])
        await s.flush()

        schedule = Schedule(
            channel_id=daily.id,
            post_time="09:00",
            timezone="Europe/Berlin",
            days=DAYS,
            topics=["evaluation", "regularization"],
            packs=["team-pack"],
            stages=["theory", "coding"],
            difficulty="medium",
            reveal_time="17:00",
            enabled=True,
            created_at=NOW - timedelta(days=30),
            updated_at=NOW - timedelta(days=2),
        )
        s.add(schedule)
        await s.flush()

        def post(day: date, status: str, revealed: bool) -> DailyPost:
            posted = datetime(day.year, day.month, day.day, 7, 0, tzinfo=UTC)
            return DailyPost(
                schedule_id=schedule.id,
                channel_id=daily.id,
                local_date=day,
                question_id=f"q-{day.isoformat()}",
                status=status,
                claimed_by="worker-1",
                claimed_at=posted - timedelta(seconds=2),
                message_ref=f"{day.day}.0001",
                thread_ref=f"{day.day}.0001",
                posted_at=posted,
                reveal_at=posted + timedelta(hours=8),
                revealed_at=posted + timedelta(hours=8, seconds=1) if revealed else None,
            )

        first = post(date(2026, 5, 1), "revealed", True)
        second = post(date(2026, 5, 4), "revealed", True)
        third = post(date(2026, 5, 5), "posted", False)
        channel_group = StudyGroup(
            workspace_id=ws.id,
            name="ml-daily",
            channel_id=daily.id,
            timezone="Europe/Berlin",
            created_at=NOW - timedelta(days=30),
        )
        named_group = StudyGroup(
            workspace_id=ws.id, name="Study buddies 🤓", timezone="UTC", created_at=NOW
        )
        foreign_group = StudyGroup(workspace_id=other.id, name="ml-daily", created_at=NOW)
        round_ = Round(
            channel_id=chat.id,
            user_id=ada.id,
            status="finished",
            planned_count=2,
            started_at=NOW,
            last_activity_at=NOW,
        )
        s.add_all([first, second, third, channel_group, named_group, foreign_group, round_])
        await s.flush()

        rq = RoundQuestion(
            round_id=round_.id, position=0, question_id="t-l1-l2", topic="regularization"
        )
        s.add(rq)
        s.add_all(
            [
                GroupMember(group_id=channel_group.id, user_id=ada.id, joined_at=NOW),
                GroupMember(group_id=channel_group.id, user_id=jose.id, joined_at=NOW),
                GroupMember(group_id=named_group.id, user_id=jose.id, joined_at=NOW),
                GroupMember(group_id=named_group.id, user_id=li.id, joined_at=NOW),
                GroupMember(group_id=foreign_group.id, user_id=foreign_user.id, joined_at=NOW),
                Streak(
                    group_id=channel_group.id,
                    user_id=ada.id,
                    current=2,
                    longest=5,
                    freezes=1,
                    last_day=date(2026, 5, 4),
                    schedule_days=DAYS,
                    updated_at=NOW,
                ),
                Streak(
                    group_id=channel_group.id,
                    user_id=jose.id,
                    current=1,
                    longest=1,
                    freezes=0,
                    last_day=date(2026, 5, 4),
                    schedule_days=DAYS,
                    updated_at=NOW,
                ),
                Streak(
                    group_id=named_group.id,
                    user_id=jose.id,
                    current=0,
                    longest=3,
                    freezes=2,
                    last_day=None,
                    schedule_days="",
                    updated_at=NOW,
                ),
            ]
        )
        await s.flush()

        def answer(
            user: User,
            channel: Channel,
            points: int,
            when: datetime,
            body: str,
            daily_post: DailyPost | None = None,
            **extra: Any,
        ) -> Answer:
            values: dict[str, Any] = {
                "user_id": user.id,
                "channel_id": channel.id,
                "question_id": daily_post.question_id if daily_post else "t-l1-l2",
                "source": "daily" if daily_post else "mock",
                "text": body,
                "score": min(100, points * 7),
                "covered": ["definition", "sparsity"],
                "missed": ["bias–variance trade-off"],
                "advice": "Nennen Sie ein Beispiel — z. B. Lasso.",
                "event_ref": f"ev-{body[:8]}",
                "daily_post_id": daily_post.id if daily_post else None,
                "points": points,
                "counted": daily_post is not None,
                "submitted_at": when,
                "graded_at": when + timedelta(seconds=3),
            }
            return Answer(**(values | extra))

        s.add_all(
            [
                answer(
                    ada, daily, 10, NOW - timedelta(days=3), "Précision = TP / (TP + FP) ✓", first
                ),
                answer(
                    ada,
                    daily,
                    0,
                    NOW - timedelta(days=3, minutes=-5),
                    "second try, not counted",
                    first,
                    counted=False,
                ),
                # A non-UTC offset: the export must still say +00:00.
                answer(
                    jose,
                    daily,
                    15,
                    datetime(2026, 5, 4, 9, 30, tzinfo=BERLIN_SUMMER),
                    "日本語で答えます",
                    second,
                ),
                answer(
                    ada, daily, 12, NOW - timedelta(hours=4), "L1 gives sparse weights 🎯", second
                ),
                answer(ada, chat, 3, NOW, "mock: L1 vs L2", round_question_id=rq.id),
                answer(
                    ada,
                    chat,
                    2,
                    NOW + timedelta(minutes=2),
                    "follow-up: elastic net",
                    round_question_id=rq.id,
                    is_follow_up=True,
                ),
                answer(jose, chat, 4, NOW + timedelta(hours=1), "mock sans round", event_ref=None),
                answer(foreign_user, foreign_channel, 99, NOW, "other workspace"),
            ]
        )

        def card(user: User, question_id: str, due: datetime, **extra: Any) -> ReviewCard:
            values: dict[str, Any] = {
                "user_id": user.id,
                "question_id": question_id,
                "due": due,
                "stability": 2.3065,
                "difficulty": 5.11,
                "reps": 1,
                "lapses": 0,
                "last_score": 55,
                "last_missed": ["L2 penalises squared weights"],
                "last_review": due - timedelta(days=1),
            }
            return ReviewCard(**(values | extra))

        s.add_all(
            [
                card(ada, "t-l1-l2", NOW + timedelta(days=1)),
                card(ada, "t-roc-auc", datetime(2026, 5, 9, 9, 0, tzinfo=BERLIN_SUMMER), reps=3),
                card(jose, "t-l1-l2", NOW - timedelta(days=2), lapses=1, last_missed=[]),
                card(foreign_user, "t-l1-l2", NOW),
            ]
        )


# --------------------------------------------------------------------------- helpers


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def source(backend: str, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    async with migrated_database(backend, tmp_path) as (engine, _url):
        await build_workspace(engine)
        yield engine


@pytest.fixture
async def target(backend: str, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A second, empty database (a separate file or a separate PostgreSQL schema)."""
    folder = tmp_path / "target"
    folder.mkdir()
    async with migrated_database(backend, folder) as (engine, _url):
        yield engine


@pytest.fixture
async def sample(tmp_path: Path) -> dict[str, Any]:
    """An export to break in the refusal tests (which never reach the database's rules)."""
    folder = tmp_path / "sample"
    folder.mkdir()
    async with migrated_database("sqlite", folder) as (engine, _url):
        await build_workspace(engine)
        return await export(engine)


async def export(
    engine: AsyncEngine, platform: str = "slack", external_id: str = "T1"
) -> dict[str, Any]:
    async with session_factory(engine)() as session:
        return await export_workspace(session, platform, external_id)


async def restore(engine: AsyncEngine, data: Any) -> ImportSummary:
    async with session_factory(engine)() as session, session.begin():
        return await import_workspace(session, data)


async def count(engine: AsyncEngine, model: type[Any]) -> int:
    async with session_factory(engine)() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


# --------------------------------------------------------------------------- export


async def test_export_has_the_documented_shape_and_values(source: AsyncEngine) -> None:
    data = await export(source)

    assert set(data) >= TOP_KEYS
    assert data["format"] == FORMAT
    assert data["version"] == 1
    assert data["workspace"] == {
        "platform": "slack",
        "id": "T1",
        "name": "Acme ML",
        "created_at": "2026-05-04T12:00:00+00:00",
    }
    assert [(c["id"], c["name"]) for c in data["channels"]] == [
        ("C1", "ml-daily"),
        ("C2", "ml-chat"),
    ]

    [schedule] = data["schedules"]
    assert set(schedule) >= SCHEDULE_KEYS
    assert schedule["channel"] == "C1"
    assert schedule["topics"] == ["evaluation", "regularization"]
    assert schedule["packs"] == ["team-pack"]
    assert schedule["stages"] == ["theory", "coding"]
    assert (schedule["post_time"], schedule["reveal_time"], schedule["enabled"]) == (
        "09:00",
        "17:00",
        True,
    )
    assert schedule["updated_at"] == "2026-05-02T12:00:00+00:00"

    posts = data["daily_posts"]
    assert all(set(p) >= POST_KEYS for p in posts)
    assert [(p["channel"], p["local_date"], p["status"]) for p in posts] == [
        ("C1", "2026-05-01", "revealed"),
        ("C1", "2026-05-04", "revealed"),
        ("C1", "2026-05-05", "posted"),
    ]
    assert posts[2]["revealed_at"] is None
    assert posts[0]["posted_at"] == "2026-05-01T07:00:00+00:00"

    groups = {g["name"]: g for g in data["groups"]}
    assert set(groups) == {"ml-daily", "Study buddies 🤓"}
    assert groups["ml-daily"]["channel"] == "C1"
    assert groups["ml-daily"]["members"] == ["U1", "U2"]
    assert groups["Study buddies 🤓"]["channel"] is None
    assert groups["Study buddies 🤓"]["members"] == ["U2", "U3"]
    assert groups["Study buddies 🤓"]["timezone"] == "UTC"

    users = {u["id"]: u for u in data["users"]}
    assert set(users) == {"U1", "U2", "U3"}  # not discord's U1
    assert {k: u["points"] for k, u in users.items()} == {"U1": 27, "U2": 19, "U3": 0}
    assert users["U2"]["name"] == "José Ñúñez"
    assert users["U3"]["streaks"] == []
    assert [s["group"] for s in users["U2"]["streaks"]] == ["Study buddies 🤓", "ml-daily"]
    ada_streak = users["U1"]["streaks"][0]
    assert set(ada_streak) >= STREAK_KEYS
    assert {k: ada_streak[k] for k in STREAK_KEYS} == {
        "group": "ml-daily",
        "current": 2,
        "longest": 5,
        "freezes": 1,
        "last_day": "2026-05-04",
        "schedule_days": DAYS,
    }
    assert users["U2"]["streaks"][0]["last_day"] is None

    answers = data["answers"]
    assert all(set(a) >= ANSWER_KEYS for a in answers)
    assert len(answers) == 7  # the discord workspace's answer stays out
    assert [a["kind"] for a in answers].count("daily") == 4
    assert [a["kind"] for a in answers].count("mock") == 3
    assert all(a["daily_post"] is None for a in answers if a["kind"] == "mock")
    jose_daily = next(a for a in answers if a["user"] == "U2" and a["kind"] == "daily")
    assert jose_daily["daily_post"] == {"channel": "C1", "local_date": "2026-05-04"}
    assert jose_daily["created_at"] == "2026-05-04T07:30:00+00:00"
    assert jose_daily["text"] == "日本語で答えます"
    assert jose_daily["points"] == 15
    assert jose_daily["counted"] is True
    follow_up = next(a for a in answers if a["is_follow_up"])
    assert (follow_up["kind"], follow_up["channel"], follow_up["points"]) == ("mock", "C2", 2)
    assert [a["created_at"] for a in answers] == sorted(a["created_at"] for a in answers)

    reviews = data["reviews"]
    assert [(r["user"], r["question_id"]) for r in reviews] == [
        ("U1", "t-l1-l2"),
        ("U1", "t-roc-auc"),
        ("U2", "t-l1-l2"),
    ]  # the discord workspace's card stays out
    assert set(reviews[0]) >= REVIEW_KEYS
    assert reviews[1]["due"] == "2026-05-09T07:00:00+00:00"
    assert (reviews[1]["reps"], reviews[2]["lapses"], reviews[0]["last_score"]) == (3, 1, 55)
    assert reviews[0]["stability"] == pytest.approx(2.3065)

    assert json.loads(json.dumps(data, ensure_ascii=False)) == data  # JSON-ready as it is


async def test_exporting_an_unknown_workspace_is_a_lookup_error(source: AsyncEngine) -> None:
    with pytest.raises(LookupError, match=r"no workspace slack:T404 in this database"):
        await export(source, "slack", "T404")


# --------------------------------------------------------------------------- import


async def test_import_into_an_empty_database_round_trips(
    source: AsyncEngine, target: AsyncEngine
) -> None:
    original = await export(source)
    summary = await restore(target, json.loads(json.dumps(original)))

    assert summary.counts() == {
        "channels": 2,
        "users": 3,
        "schedules": 1,
        "daily_posts": 3,
        "groups": 2,
        "group_members": 4,
        "streaks": 3,
        "answers": 7,
        "reviews": 3,
    }
    assert summary.describe() == (
        "imported workspace slack:T1: 2 channels, 3 users, 1 schedule, 3 daily posts, "
        "2 groups, 4 group members, 3 streaks, 7 answers, 3 reviews"
    )
    assert await export(target) == original
    assert await count(target, Round) == 0
    async with session_factory(target)() as session:
        links = (
            await session.execute(select(Answer.round_question_id, Answer.daily_post_id))
        ).all()
    assert all(rq is None for rq, _ in links)
    assert sum(post is not None for _, post in links) == 4


async def test_an_export_from_before_stages_imports_with_the_default_stages(
    source: AsyncEngine, target: AsyncEngine
) -> None:
    older = await export(source)
    del older["schedules"][0]["stages"]
    await restore(target, older)
    [schedule] = (await export(target))["schedules"]
    assert schedule["stages"] is None  # the default: theory, system design and coding


async def test_a_schedules_packs_survive_export_and_import(
    source: AsyncEngine, target: AsyncEngine
) -> None:
    await restore(target, await export(source))
    async with session_factory(target)() as session:
        [packs] = (await session.execute(select(Schedule.packs))).scalars().all()
    assert packs == ["team-pack"]


async def test_an_export_from_before_packs_draws_from_every_pack(
    source: AsyncEngine, target: AsyncEngine
) -> None:
    older = await export(source)
    del older["schedules"][0]["packs"]
    await restore(target, older)
    [schedule] = (await export(target))["schedules"]
    assert schedule["packs"] == []


async def test_an_export_from_before_reviews_imports_without_cards(
    source: AsyncEngine, target: AsyncEngine
) -> None:
    older = await export(source)
    del older["reviews"]
    summary = await restore(target, older)
    assert summary.reviews == 0
    assert (await export(target))["reviews"] == []
    assert await count(target, ReviewCard) == 0


async def test_import_beside_another_workspace_with_the_same_platform_ids(
    source: AsyncEngine,
) -> None:
    copy_of = await export(source)
    copy_of["workspace"]["id"] = "T2"
    await restore(source, copy_of)

    assert await export(source, "slack", "T2") == copy_of
    assert (await export(source))["workspace"]["id"] == "T1"


async def test_importing_twice_names_the_workspace(
    source: AsyncEngine, target: AsyncEngine
) -> None:
    data = await export(source)
    await restore(target, data)
    with pytest.raises(
        TransferError, match=r"^workspace slack:T1 already exists in this database$"
    ):
        await restore(target, data)
    assert await count(target, Answer) == 7


async def test_data_breaking_a_database_rule_is_refused_and_leaves_nothing(
    source: AsyncEngine, target: AsyncEngine
) -> None:
    data = await export(source)
    # Two counted answers by one user to one daily question: the partial unique index says no.
    data["answers"][1]["counted"] = True
    with pytest.raises(TransferError, match=r"^workspace slack:T1 does not fit") as caught:
        await restore(target, data)
    assert "\n" not in str(caught.value)
    assert await count(target, Workspace) == 0
    assert await count(target, Channel) == 0


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(last) if last.isdigit() else last] = value

    return change


def _delete(path: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        del node[last]

    return change


BROKEN = [
    pytest.param(_set("format", "something-else"), r"^not an interview-bot export", id="format"),
    pytest.param(
        _set("version", 2), r"^unsupported export version 2: this version reads 1$", id="version"
    ),
    pytest.param(_delete("channels"), r"^missing top-level key 'channels'$", id="no-channels"),
    pytest.param(_delete("answers.0.user"), r"^answers\[0\]: missing key 'user'$", id="no-user"),
    pytest.param(
        _set("answers.0.user", "U404"),
        r"^answers\[0\]: unknown user 'U404' \(not in users\)$",
        id="unknown-user",
    ),
    pytest.param(
        _set("schedules.0.stages", ["theory", "small-talk"]),
        r"^schedules\[0\]\.stages: 'small-talk' is not a stage \(",
        id="unknown-stage",
    ),
    pytest.param(
        _set("schedules.0.channel", "C9"),
        r"^schedules\[0\]: unknown channel 'C9' \(not in channels\)$",
        id="unknown-channel",
    ),
    pytest.param(
        _set("users.0.streaks.0.group", "nope"),
        r"^users\[0\]\.streaks\[0\]: unknown group 'nope' \(not in groups\)$",
        id="unknown-group",
    ),
    pytest.param(
        _set("groups.0.members", ["U2", "U3", "U9"]),
        r"^groups\[0\]\.members: unknown user 'U9'",
        id="unknown-member",
    ),
    pytest.param(
        _set("answers.0.daily_post.local_date", "2026-01-01"),
        r"^answers\[0\]\.daily_post: unknown daily post 'C1' on 2026-01-01",
        id="unknown-daily-post",
    ),
    pytest.param(
        _set("answers.0.created_at", "2026-05-01T12:00:00"),
        r"^answers\[0\]\.created_at: expected an ISO 8601 date and time with an offset",
        id="naive-datetime",
    ),
    pytest.param(
        _set("answers.0.score", True),
        r"^answers\[0\]\.score: expected an integer, got true$",
        id="bool-score",
    ),
    pytest.param(
        _set("answers.0.daily_post", None),
        r"^answers\[0\]: kind 'daily' needs 'daily_post' to be set$",
        id="daily-without-post",
    ),
    pytest.param(
        _set("channels.0.name", "x" * 201),
        r"^channels\[0\]\.name: longer than 200 characters$",
        id="too-long",
    ),
    pytest.param(
        _set("users.0.streaks.0.current", 2**40),
        r"^users\[0\]\.streaks\[0\]\.current: 1099511627776 is out of range$",
        id="out-of-range",
    ),
    pytest.param(
        _set("groups.0.members", "U2"),
        r"^groups\[0\]\.members: expected a list of strings, got 'U2'$",
        id="members-not-a-list",
    ),
    pytest.param(
        _set("answers.0.kind", "quiz"),
        r"^answers\[0\]\.kind: expected 'daily' or 'mock', got 'quiz'$",
        id="unknown-kind",
    ),
    pytest.param(
        _set("channels.1.id", "C1"),
        r"^channels: channel id 'C1' appears more than once$",
        id="duplicate-channel",
    ),
    pytest.param(
        _set("reviews.0.user", "U404"),
        r"^reviews\[0\]: unknown user 'U404' \(not in users\)$",
        id="review-of-unknown-user",
    ),
    pytest.param(
        _set("reviews.1.question_id", "t-l1-l2"),
        r"^reviews: user and question \('U1', 't-l1-l2'\) appears more than once$",
        id="duplicate-review-card",
    ),
    pytest.param(
        _set("reviews.0.stability", "high"),
        r"^reviews\[0\]\.stability: ",
        id="review-stability-not-a-number",
    ),
]


@pytest.mark.parametrize(("breaks", "message"), BROKEN)
async def test_a_broken_export_is_refused_with_one_clear_line(
    sample: dict[str, Any],
    tmp_path: Path,
    breaks: Callable[[dict[str, Any]], None],
    message: str,
) -> None:
    data = copy.deepcopy(sample)
    breaks(data)
    async with migrated_database("sqlite", tmp_path) as (engine, _url):
        with pytest.raises(TransferError, match=message) as caught:
            await restore(engine, data)
        assert "\n" not in str(caught.value)
        assert await count(engine, Workspace) == 0


async def test_something_that_is_not_an_object_is_refused(tmp_path: Path) -> None:
    async with migrated_database("sqlite", tmp_path) as (engine, _url):
        with pytest.raises(TransferError, match=r"expected a JSON object, got a list"):
            await restore(engine, [])


# --------------------------------------------------------------------------- command line


def cli_app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


async def invoke(*args: str) -> Result:
    # The commands call asyncio.run, which cannot nest inside this test's running loop.
    return await asyncio.to_thread(CliRunner().invoke, cli_app(), list(args))


def one_error_line(result: Result) -> str:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


async def test_cli_export_to_a_file_then_import_into_a_new_sqlite_file(tmp_path: Path) -> None:
    async with migrated_database("sqlite", tmp_path) as (engine, url):
        await build_workspace(engine)
        expected = await export(engine)
    out = tmp_path / "export.json"

    exported = await invoke("export", "--workspace", "slack:T1", "--db", url, "--output", str(out))
    assert exported.exit_code == 0, exported.output
    assert json.loads(out.read_text(encoding="utf-8")) == expected
    assert "日本語で答えます" in out.read_text(encoding="utf-8")  # ensure_ascii=False

    new_url = f"sqlite:///{tmp_path / 'restored.db'}"
    imported = await invoke("import", str(out), "--db", new_url)
    assert imported.exit_code == 0, imported.output
    assert imported.stdout.strip() == (
        "imported workspace slack:T1: 2 channels, 3 users, 1 schedule, 3 daily posts, "
        "2 groups, 4 group members, 3 streaks, 7 answers, 3 reviews"
    )

    again = await invoke("export", "--workspace", "slack:T1", "--db", new_url)
    assert again.exit_code == 0, again.output
    assert again.stdout.startswith('{\n  "format": "interview-bot-export",')
    assert json.loads(again.stdout) == expected

    twice = await invoke("import", str(out), "--db", new_url)
    assert one_error_line(twice) == "error: workspace slack:T1 already exists in this database"


async def test_cli_export_errors_are_one_line(tmp_path: Path) -> None:
    async with migrated_database("sqlite", tmp_path) as (engine, url):
        await build_workspace(engine)

    malformed = await invoke("export", "--workspace", "slackT1", "--db", url)
    assert one_error_line(malformed) == (
        "error: --workspace must look like PLATFORM:ID (e.g. slack:T0123), not 'slackT1'"
    )
    unknown = await invoke("export", "--workspace", "slack:T404", "--db", url)
    assert one_error_line(unknown) == "error: no workspace slack:T404 in this database"

    missing = tmp_path / "missing.db"
    no_file = await invoke("export", "--workspace", "slack:T1", "--db", f"sqlite:///{missing}")
    assert one_error_line(no_file) == f"error: no database file at {missing}"
    assert not missing.exists()

    empty = tmp_path / "empty.db"
    empty.touch()
    unmigrated = await invoke("export", "--workspace", "slack:T1", "--db", f"sqlite:///{empty}")
    assert "db upgrade" in one_error_line(unmigrated)


async def test_cli_import_errors_are_one_line(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'target.db'}"

    absent = await invoke("import", str(tmp_path / "nope.json"), "--db", db)
    assert one_error_line(absent).startswith(f"error: cannot read {tmp_path / 'nope.json'}: ")

    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json", encoding="utf-8")
    invalid = await invoke("import", str(garbage), "--db", db)
    assert one_error_line(invalid).startswith(f"error: {garbage}:1: not valid JSON: ")

    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"format": FORMAT, "version": 7}), encoding="utf-8")
    refused = await invoke("import", str(wrong), "--db", db)
    assert one_error_line(refused) == "error: unsupported export version 7: this version reads 1"


async def test_cli_import_refuses_oversized_and_deeply_nested_files_before_parsing(
    tmp_path: Path,
) -> None:
    db = f"sqlite:///{tmp_path / 'target.db'}"
    huge = tmp_path / "huge.json"
    with huge.open("wb") as sparse:
        sparse.truncate(MAX_IMPORT_BYTES + 1)
    started = time.perf_counter()
    too_big = one_error_line(await invoke("import", str(huge), "--db", db))
    assert too_big == (
        f"error: {huge} is {MAX_IMPORT_BYTES + 1:,} bytes; "
        f"an import file may hold at most {MAX_IMPORT_BYTES:,}"
    )
    deep = tmp_path / "deep.json"
    deep.write_text('{"format": "x",\n "users": ' + "[" * 100_000 + "]" * 100_000 + "}")
    too_deep = one_error_line(await invoke("import", str(deep), "--db", db))
    assert too_deep.startswith(f"error: {deep}:2: nests deeper than {MAX_JSON_DEPTH} levels")
    assert time.perf_counter() - started < 2.0
    assert not (tmp_path / "target.db").exists()


def test_brackets_inside_strings_do_not_count_as_nesting(tmp_path: Path) -> None:
    text = tmp_path / "strings.json"
    text.write_text(json.dumps({"answer": "[[[[" * 50 + '\\"{{{{' * 50}), encoding="utf-8")
    assert read_json_file(text, max_depth=2)["answer"].startswith("[[[[")
    with pytest.raises(JsonLimitError):
        read_json_file(text, max_depth=0)


@pytest.mark.postgres
async def test_cli_import_into_a_fresh_postgresql_database(tmp_path: Path) -> None:
    await require_postgres()
    async with migrated_database("sqlite", tmp_path) as (engine, _url):
        await build_workspace(engine)
        expected = await export(engine)
    out = tmp_path / "export.json"
    out.write_text(json.dumps(expected, ensure_ascii=False), encoding="utf-8")

    name = f"transfer_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    try:
        imported = await invoke("import", str(out), "--db", url)
        assert imported.exit_code == 0, imported.output
        assert imported.stdout.startswith("imported workspace slack:T1: 2 channels, 3 users")
        again = await invoke("export", "--workspace", "slack:T1", "--db", url)
        assert again.exit_code == 0, again.output
        assert json.loads(again.stdout) == expected
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()
