"""What spaced review says: intros, the comparison with last time, nudges and stats lines."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.grading import GradeResult
from bot.messages import Field, RichMessage
from bot.ports.records import ReviewCard, ReviewReminder, ReviewSummary
from bot.views import plural


def when(moment: datetime, now: datetime, zone: str = "UTC") -> str:
    """A due moment as a person reads it in their zone: 'now', 'in 20 minutes', 'in 5 hours,
    at 14:00 CET', 'tomorrow (Tue 03 Mar) at 09:00 CET', 'in 3 days, on Thu 05 Mar at 09:00
    CET'. Days count calendar days in the zone, so 'tomorrow' is never two dates away."""
    tz = ZoneInfo(zone)
    local = moment.astimezone(tz)
    seconds = (moment - now).total_seconds()
    if seconds <= 0:
        return "now"
    if seconds < 3600:
        return f"in {plural(max(1, round(seconds / 60)), 'minute')}"
    days = (local.date() - now.astimezone(tz).date()).days
    at = f"at {local:%H:%M %Z}"
    if days == 0 or seconds < 6 * 3600:
        return f"in {plural(round(seconds / 3600), 'hour')}, {at}"
    if days == 1:
        return f"tomorrow ({local:%a %d %b}) {at}"
    return f"in {plural(days, 'day')}, on {local:%a %d %b} {at}"


def review_intro(name: str, count: int, due: int) -> RichMessage:
    """Says how many cards are due and how many of them this round asks."""
    if due <= count:
        asks = "this round asks it" if count == 1 else f"this round asks all {count}"
        head = f"{plural(count, 'card')} due for review: {asks}"
    else:
        asked = "the most overdue one" if count == 1 else f"the {count} most overdue"
        rest = "the other one waits" if due - count == 1 else f"the other {due - count} wait"
        head = (
            f"{plural(due, 'card')} due for review: this round asks {asked}, and {rest} "
            "for your next `/interview review`"
        )
    return RichMessage(
        title=f"Review for {name}",
        body=(
            f"{head}. Answer each in this thread: after each answer you see how it compares "
            "with your last answer to it."
        ),
    )


def nothing_due(next_due: datetime | None, now: datetime, zone: str = "UTC") -> RichMessage:
    if next_due is None:
        return RichMessage(
            body="You have no review cards yet. Every answer you give (daily question, mock "
            "round) makes one: try `/interview mock`."
        )
    return RichMessage(
        body=(
            f"Nothing is due for review right now. Your next card is due "
            f"{when(next_due, now, zone)}."
        )
    )


def comparison(
    before: ReviewCard | None,
    after: ReviewCard,
    result: GradeResult,
    now: datetime,
    zone: str = "UTC",
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
        trend = (
            f"up {change} points"
            if change > 0
            else f"down {-change} points"
            if change < 0
            else "the same score"
        )
        body = f"Last time you scored {before.last_score}, now {after.last_score}: {trend}."
        if not was:
            body += " Last time you missed no key point."
        elif not now_missed:
            body += " This time you covered every key point you missed before."
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
        context=f"This card comes back {when(after.due, now, zone)}.",
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
