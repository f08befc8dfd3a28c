"""Help texts: one overview and one entry per subcommand, shown after every usage error."""

from __future__ import annotations

from bot.commands import DEFAULT_COUNT, MAX_COUNT, MIN_COUNT
from bot.progress import points

ENTRIES: dict[str, tuple[str, str]] = {
    "mock": (
        "/interview mock [topic] [count] [difficulty]",
        "Start a mock interview in a thread. The arguments come in any order: a number is how many "
        f"questions ({MIN_COUNT}-{MAX_COUNT}, default {DEFAULT_COUNT}), easy/medium/hard is the "
        "difficulty, anything else is the topic. Examples: `/interview mock`, `/interview mock 3`, "
        "`/interview mock metrics hard 5`. `/interview mock loop` runs a full interview loop: one "
        "question per stage (screening, theory, coding, system design, behavioural) with a "
        "scorecard per stage; `/interview mock loop ml-engineer` (or `data-scientist`, `research`) "
        "shapes each stage to what that role's interviews stress. `pack=NAME` draws from one "
        "question pack only.",
    ),
    "resume": ("/interview resume", "Continue your paused round in this channel."),
    "hint": ("/interview hint", "Get a hint for the current question (costs 5 points each)."),
    "skip": ("/interview skip", "Skip the current question (or its follow-up); it scores 0."),
    "end": ("/interview end", "End your round now and get the scorecard for what you answered."),
    "topics": ("/interview topics", "List the topics you can practise, with their short names."),
    "daily": (
        "/interview daily set|off|now|status",
        "The channel's daily question. Admins: `/interview daily set time=09:00 "
        "tz=Europe/Berlin days=mon-fri [topics=metrics,data] [stages=theory,coding] "
        "[difficulty=medium] [reveal=17:00]`, `off`, `now` (post today's now). Anyone: "
        "`status`. The question comes from the theory, system-design and coding stages unless "
        "`stages=` says otherwise (`stages=all` for every stage; screening and behavioural "
        "questions are personal, so they stay in mock rounds). Answer in the question's "
        "thread; feedback comes privately, the model answer at the reveal.",
    ),
    "group": (
        "/interview group create|join|leave NAME, /interview group list",
        "Study groups. Every channel with a daily question is a group; named groups gather "
        "people across channels. Your answers count in every group you belong to.",
    ),
    "leaderboard": (
        "/interview leaderboard [week|month|all] [group]",
        "Top 10 by points with streaks and answer counts, plus your own rank. Weeks start on "
        "Monday in the group's time zone.",
    ),
    "stats": (
        "/interview stats [user]",
        "Streaks, freezes, answers, mean score, points, review cards due and retention, "
        "strongest and weakest topics, recent answers and a 12-week activity picture.",
    ),
    "review": (
        "/interview review [count], /interview review remind HH:MM [tz=ZONE] | off",
        "Every graded answer makes a review card; weak answers come back sooner. `review` runs "
        f"your due cards as a round ({MIN_COUNT}-{MAX_COUNT}, default 10), each answer compared "
        "with what you missed last time. `remind 08:30 tz=Europe/Berlin`: a private nudge "
        "once a day when cards are due; `remind off` stops it.",
    ),
    "privacy": (
        "/interview privacy export|delete",
        "`export` sends you a file with everything the bot keeps about you. `delete` removes "
        "your answers, streaks, group memberships and rounds in this workspace, after you confirm.",
    ),
    "pair": (
        "/interview pair [topic] [difficulty] [group=NAME], /interview pair with @member",
        "A peer mock interview: you are paired with the next member who queues with compatible "
        "filters (or the member you invite by direct message, who accepts or declines there), in "
        "a thread of your own. "
        "One of you interviews with the bot's notes, seen only by the interviewer (*My notes*: "
        "the question, model answer, hints, follow-ups and a key-point checklist), then rates "
        "the answer 1-5 with a note; the bot grades it too and shows where the two disagree. "
        "Then `/interview pair swap` (or *Swap roles*) for a new question. A request waits 30 "
        "minutes; `cancel` leaves the queue or withdraws an invitation, `block @member` / "
        "`unblock @member` choose who you are never paired with. Interviewing earns points too.",
    ),
    "web": (
        "/interview web",
        "A private link to your dashboard in the browser: your activity, topics and streaks, "
        "and your groups' leaderboards. It works for 7 days and only for you; don't share it.",
    ),
    "help": ("/interview help [command]", "Show this help, or the help of one command."),
}

ANSWERING = (
    "Answer by replying in the round's thread (or with the *Answer* button). Only the candidate's "
    "replies count; anyone else may comment. Each answer is graded 0-100 against the "
    "question's key points: you see what you covered, what you missed, and the model answer."
)


def rules() -> str:
    return (
        f"*Points.* {points.RULES}\n*Streaks.* A streak counts the scheduled days in a row "
        "you answered (a Mon-Fri schedule is not broken by the weekend). Every 7 days in a row "
        "earn a freeze (at most 2 held); a freeze covers one missed day by itself."
    )


def overview() -> str:
    lines = ["*interview-bot* runs machine-learning mock interviews right here.", ""]
    lines += [f"• `{usage}` — {text}" for usage, text in ENTRIES.values()]
    lines += ["", ANSWERING, "", rules()]
    return "\n".join(lines)


def entry(subject: str | None) -> str:
    if subject and subject in ENTRIES:
        usage, text = ENTRIES[subject]
        return f"`{usage}`\n{text}"
    return overview()
