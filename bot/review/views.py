"""What spaced review says: intros, the comparison with last time, nudges and stats lines."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.grading import GradeResult
from bot.messages import Field, RichMessage
from bot.ports.records import ReviewCard, ReviewReminder, ReviewSummary
from bot.views import plural


def when(moment: datetime, now: datetime, zone: str = "UTC") -> str:
    """A due moment as a person reads it: 'now', 'in 5 hours, at 14:00 UTC', 'in 3 days, on
    Thu 12 Mar'."""
    local = moment.astimezone(ZoneInfo(zone))
    seconds = (moment - now).total_seconds()
    if seconds <= 0:
        return "now"
    if seconds < 3600:
        return f"in {plural(max(1, round(seconds / 60)), 'minute')}"
    if round(seconds / 3600) < 24:
        return f"in {plural(round(seconds / 3600), 'hour')}, at {local:%H:%M %Z}"
    return f"in {plural(round(seconds / 86400), 'day')}, on {local:%a %d %b}"


def review_intro(name: str, count: int, due: int) -> RichMessage:
    more = f" ({due - count} more wait for the next round)" if due > count else ""
    return RichMessage(
        title=f"Review for {name}",
        body=(
            f"{plural(due, 'card')} due for review; this round asks "
            f"{plural(count, 'question')}, most overdue first{more}. Answer each in this "
            "thread: after each answer you see how it compares with last time."
        ),
    )


def nothing_due(next_due: datetime | None, now: datetime) -> RichMessage:
    if next_due is None:
        return RichMessage(
            body="You have no review cards yet. Every answer you give (daily question, mock "
            "round) makes one: try `/interview mock`."
        )
    return RichMessage(
        body=f"Nothing is due for review right now. Your next card is due {when(next_due, now)}."
    )


def comparison(
    before: ReviewCard | None, after: ReviewCard, result: GradeResult, now: datetime
) -> RichMessage:
    """This answer against the key points missed last time, and when the card comes back."""
    fields: list[Field] = []
    if before is None:
        body = "First time you answered this one here: it is now a review card."
    else:
        was = set(before.last_missed)
        now_missed = set(result.missed)
        recovered = sorted(was - now_missed)
        still = sorted(was & now_missed)
        new = sorted(now_missed - was)
        change = after.last_score - before.last_score
        trend = "up" if change > 0 else "down" if change < 0 else "level"
        body = f"Last time {before.last_score}, now {after.last_score} ({trend} {abs(change)})."
        if not was:
            body += " Last time you missed nothing."
        if recovered:
            fields.append(Field("Recalled this time", "\n".join(f"• {k}" for k in recovered)))
        if still:
            fields.append(Field("Missed again", "\n".join(f"• {k}" for k in still)))
        if new:
            fields.append(Field("Newly missed", "\n".join(f"• {k}" for k in new)))
    return RichMessage(
        title="Compared with last time",
        body=body,
        fields=tuple(fields),
        context=f"Next review {when(after.due, now)}.",
    )


def nudge(due: int) -> RichMessage:
    return RichMessage(
        title="Time to review",
        body=(
            f"{plural(due, 'card')} due for review: start with `/interview review` in any "
            "channel where the bot is. A few minutes now keeps them from slipping."
        ),
        context="Turn these off with `/interview review remind off`.",
    )


def reminder_set(reminder: ReviewReminder, now: datetime) -> RichMessage:
    return RichMessage(
        body=(
            f"Review reminders on: a private message at {reminder.remind_at} "
            f"({reminder.timezone}) on days when cards are due. The next check is "
            f"{when(reminder.next_at, now, reminder.timezone)}."
        )
    )


def reminder_off(was_on: bool) -> RichMessage:
    if not was_on:
        return RichMessage(body="Review reminders were not on; nothing changed.")
    return RichMessage(body="Review reminders off. `/interview review remind HH:MM` turns them on.")


def stats_field(summary: ReviewSummary) -> Field:
    """The review line of `/interview stats`."""
    if summary.cards == 0:
        return Field("Review", "no cards yet")
    kept = f"{round(100 * summary.kept / summary.reviews)}%" if summary.reviews else "-"
    return Field(
        "Review",
        f"{summary.due_now} due now · {summary.due_soon} this week · retention {kept} "
        f"({plural(summary.reviews, 'review')})",
    )
