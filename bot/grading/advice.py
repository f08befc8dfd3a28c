"""One line of advice per grade: the reason an answer scored low, else the wrong claim to
unlearn, the half-made point to finish, or the most important point to add."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from bot.grading.compiled import Point
from bot.grading.result import STAR_PARTS

ADVICE: Final[dict[str, str]] = {
    "empty": "Write your answer in a few full sentences; even a partial answer earns credit.",
    "too-short": "Expand into a few full sentences: say what it is, why it matters and give an "
    "example.",
    "restates-question": "Answer in your own words instead of repeating the question",
    "off-topic": "This does not answer the question asked",
    "keyword-list": "Write full sentences that explain why, not just a list of terms.",
}
HEDGED_ADVICE: Final = "Commit to a claim you can explain rather than guessing."
_STAR_HINTS: Final[dict[str, str]] = {
    "situation": "Situation (where and when)",
    "task": "Task (what you had to do)",
    "action": "Action (what you did, with 'I')",
    "result": "Result (what changed, ideally with a number)",
}
_MAX_MISSING_WORDS: Final = 4


def most_important(points: Sequence[Point]) -> Point | None:
    # max() keeps the first of equal weights, so rubric order breaks ties.
    return max(points, key=lambda p: p.weight) if points else None


def as_clause(text: str) -> str:
    return " ".join(text.split()).rstrip(".!?;: ")


def half_made(point: Point, missing: Iterable[str]) -> str:
    """What a half-made point still lacks, in the rubric's own words."""
    words = list(dict.fromkeys(missing))[:_MAX_MISSING_WORDS]
    if not words:
        return f"Finish the point: {as_clause(point.text)}."
    return f"Finish the point '{as_clause(point.text)}': say more about {', '.join(words)}."


def advice_for(
    reason: str | None,
    missed: Sequence[Point],
    star: dict[str, bool] | None,
    *,
    wrong: Sequence[str] = (),
    partly: Sequence[tuple[Point, list[str]]] = (),
    hedged: bool = False,
) -> str:
    top = most_important(missed)
    if reason in ("restates-question", "off-topic"):
        base = ADVICE[reason]
        return f"{base}; focus on: {as_clause(top.text)}." if top else f"{base}."
    if reason is not None:
        return ADVICE[reason]
    parts: list[str] = [f"{as_clause(w)}." for w in wrong[:1]]
    if hedged and not parts:
        parts.append(HEDGED_ADVICE)
    missing_star = [_STAR_HINTS[p] for p in STAR_PARTS if star is not None and not star[p]]
    if missing_star:
        label = "part" if len(missing_star) == 1 else "parts"
        parts.append(f"Add the missing STAR {label}: {', '.join(missing_star)}.")
    fully_missed = [p for p in missed if all(p is not q for q, _ in partly)]
    top_missed = most_important(fully_missed)
    if top_missed is not None and (not partly or top_missed.weight > partly[0][0].weight):
        parts.append(f"Also cover: {as_clause(top_missed.text)}.")
    elif partly:
        parts.append(half_made(*max(partly, key=lambda p: p[0].weight)))
    if not parts:
        return "Strong answer: you covered every key point."
    return " ".join(parts)
