"""The export file's shape as pydantic models: what each section holds and each field's type
and length. A file that does not fit is refused with one line naming the section, the item
and the field (``answers[3].score: expected an integer, got true``)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, ValidationError
from pydantic_core import ErrorDetails, PydanticCustomError
from sqlalchemy.orm import QueryableAttribute

from storage.models import (
    Answer,
    Channel,
    DailyPost,
    ReviewCard,
    Schedule,
    Streak,
    StudyGroup,
    User,
    Workspace,
)

_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1  # Integer columns are 32-bit on PostgreSQL


class TransferError(ValueError):
    """Data that cannot be imported; the message is one line meant for a person."""


def describe(value: Any) -> str:
    """A short, one-line picture of a value that did not fit."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _expected(what: str, value: Any) -> PydanticCustomError:
    return PydanticCustomError("export", "expected {what}, got {got}", {"what": what, "got": value})


def _moment(value: Any) -> datetime:
    what = "an ISO 8601 date and time with an offset"
    if not isinstance(value, str):
        raise _expected(what, describe(value))
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _expected(what, describe(value)) from None
    if parsed.tzinfo is None:
        raise _expected(what, describe(value))
    return parsed.astimezone(UTC)


def _day(value: Any) -> date:
    if not isinstance(value, str):
        raise _expected("an ISO 8601 date", describe(value))
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _expected("an ISO 8601 date", describe(value)) from None


def _texts(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _expected("a list of strings", describe(value))
    return list(value)


Moment = Annotated[datetime, PlainValidator(_moment)]
Day = Annotated[date, PlainValidator(_day)]
Texts = Annotated[list[str], PlainValidator(_texts)]
Int32 = Annotated[int, Field(ge=_INT_MIN, le=_INT_MAX)]


def _limit(column: QueryableAttribute[Any]) -> int | None:
    length = getattr(column.expression.type, "length", None)
    return length if isinstance(length, int) else None


def fits(column: QueryableAttribute[Any]) -> Any:
    """A string's limit: no longer than its column holds."""
    return Field(max_length=_limit(column))


class _Section(BaseModel):
    # Strict: a number is not a string, true is not 1. Keys the reader does not use
    # (a user's points, say) are allowed and ignored.
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class WorkspaceIn(_Section):
    platform: Annotated[str, fits(Workspace.platform)]
    id: Annotated[str, fits(Workspace.external_id)]
    name: Annotated[str, fits(Workspace.name)]
    created_at: Moment


class ChannelIn(_Section):
    id: Annotated[str, fits(Channel.external_id)]
    name: Annotated[str, fits(Channel.name)]
    created_at: Moment


class StreakIn(_Section):
    group: str
    current: Int32
    longest: Int32
    freezes: Int32
    last_day: Day | None
    schedule_days: Annotated[str, fits(Streak.schedule_days)]
    updated_at: Moment


class UserIn(_Section):
    id: Annotated[str, fits(User.external_id)]
    name: Annotated[str, fits(User.display_name)]
    created_at: Moment
    streaks: list[StreakIn]


class ScheduleIn(_Section):
    channel: str
    post_time: Annotated[str, fits(Schedule.post_time)]
    timezone: Annotated[str, fits(Schedule.timezone)]
    days: Annotated[str, fits(Schedule.days)]
    topics: Texts
    difficulty: Annotated[str, fits(Schedule.difficulty)] | None
    reveal_time: Annotated[str, fits(Schedule.reveal_time)] | None
    enabled: bool
    created_at: Moment
    updated_at: Moment
    # The interview stages the schedule draws from; absent (older exports) or null is the
    # default (theory, system design, coding).
    stages: list[str] | None = None
    # The workspace packs the schedule draws from; absent (older exports) is none: every pack.
    packs: Texts = Field(default_factory=list)


class DailyPostIn(_Section):
    channel: str
    local_date: Day
    question_id: Annotated[str, fits(DailyPost.question_id)]
    status: Annotated[str, fits(DailyPost.status)]
    claimed_by: Annotated[str, fits(DailyPost.claimed_by)]
    claimed_at: Moment
    message_ref: Annotated[str, fits(DailyPost.message_ref)] | None
    thread_ref: Annotated[str, fits(DailyPost.thread_ref)] | None
    posted_at: Moment | None
    reveal_at: Moment | None
    revealed_at: Moment | None


class GroupIn(_Section):
    name: Annotated[str, fits(StudyGroup.name)]
    channel: str | None
    timezone: Annotated[str, fits(StudyGroup.timezone)]
    created_at: Moment
    members: Texts
    members_joined_at: dict[str, Moment]


class DailyPostRef(_Section):
    channel: str
    local_date: Day


class AnswerIn(_Section):
    user: str
    channel: str
    question_id: Annotated[str, fits(Answer.question_id)]
    kind: Literal["daily", "mock"]
    source: Annotated[str, fits(Answer.source)]
    daily_post: DailyPostRef | None
    is_follow_up: bool
    text: str
    score: Int32
    points: Int32
    counted: bool
    covered: Texts
    missed: Texts
    advice: str
    event_ref: Annotated[str, fits(Answer.event_ref)] | None
    created_at: Moment
    graded_at: Moment


class ReviewIn(_Section):
    """A spaced-review card (absent from older exports)."""

    user: str
    question_id: Annotated[str, fits(ReviewCard.question_id)]
    due: Moment
    stability: Annotated[float, Field(ge=0, allow_inf_nan=False)]
    difficulty: Annotated[float, Field(ge=0, allow_inf_nan=False)]
    reps: Int32
    lapses: Int32
    last_score: Int32
    last_missed: Texts = []
    last_review: Moment | None = None


class ExportIn(_Section):
    """The sections of a file, in the order they are checked."""

    workspace: WorkspaceIn
    channels: list[ChannelIn]
    users: list[UserIn]
    schedules: list[ScheduleIn]
    daily_posts: list[DailyPostIn]
    groups: list[GroupIn]
    answers: list[AnswerIn]
    reviews: list[ReviewIn] = []


def read_sections(data: dict[str, Any]) -> ExportIn:
    """The file's sections, or a TransferError naming the first thing that does not fit."""
    try:
        return ExportIn.model_validate(data)
    except ValidationError as exc:
        raise TransferError(one_line(exc.errors()[0])) from None


def where(loc: tuple[int | str, ...]) -> str:
    """("answers", 3, "score") as answers[3].score."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def one_line(error: ErrorDetails) -> str:
    loc = error["loc"]
    kind, ctx, got = error["type"], error.get("ctx", {}), describe(error["input"])
    if kind == "missing":
        parent = where(loc[:-1])
        return (
            f"{parent}: missing key {loc[-1]!r}" if parent else f"missing top-level key {loc[-1]!r}"
        )
    at = where(loc)
    simple = {
        "string_type": "a string",
        "int_type": "an integer",
        "bool_type": "true or false",
        "list_type": "a list",
        "model_type": "an object",
        "dict_type": "an object",
        "model_attributes_type": "an object",
    }
    if kind in simple:
        return f"{at}: expected {simple[kind]}, got {got}"
    if kind == "string_too_long":
        return f"{at}: longer than {ctx.get('max_length')} characters"
    if kind in ("greater_than_equal", "less_than_equal"):
        return f"{at}: {error['input']} is out of range"
    if kind == "literal_error":
        return f"{at}: expected {ctx.get('expected')}, got {got}"
    return f"{at}: {' '.join(error['msg'].split())}"
