"""Help texts: one overview and one entry per subcommand, shown after every usage error."""

from __future__ import annotations

from bot.commands import DEFAULT_COUNT, MAX_COUNT, MIN_COUNT

ENTRIES: dict[str, tuple[str, str]] = {
    "mock": (
        "/interview mock [topic] [count] [difficulty]",
        "Start a mock interview in a thread. The arguments come in any order: a number is how many "
        f"questions ({MIN_COUNT}-{MAX_COUNT}, default {DEFAULT_COUNT}), easy/medium/hard is the "
        "difficulty, anything else is the topic. Examples: `/interview mock`, `/interview mock 3`, "
        "`/interview mock metrics hard 5`.",
    ),
    "resume": ("/interview resume", "Continue your paused round in this channel."),
    "hint": ("/interview hint", "Get a hint for the current question (costs 5 points each)."),
    "skip": ("/interview skip", "Skip the current question (or its follow-up); it scores 0."),
    "end": ("/interview end", "End your round now and get the scorecard for what you answered."),
    "topics": ("/interview topics", "List the topics you can practise, with their short names."),
    "help": ("/interview help [command]", "Show this help, or the help of one command."),
}

ANSWERING = (
    "Answer by replying in the round's thread (or with the *Answer* button). Only the candidate's "
    "replies count; anyone else may comment. Each answer is graded 0-100 against the "
    "question's key points: you see what you covered, what you missed, and the model answer."
)


def overview() -> str:
    lines = ["*interview-bot* runs machine-learning mock interviews right here.", ""]
    lines += [f"• `{usage}` — {text}" for usage, text in ENTRIES.values()]
    lines += ["", ANSWERING]
    return "\n".join(lines)


def entry(subject: str | None) -> str:
    if subject and subject in ENTRIES:
        usage, text = ENTRIES[subject]
        return f"`{usage}`\n{text}"
    return overview()
