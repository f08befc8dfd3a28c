"""The outcome of grading one answer, in a shape chat adapters and storage can both use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

REASONS: Final[frozenset[str]] = frozenset(
    {"empty", "too-short", "off-topic", "restates-question", "keyword-list"}
)
STAR_PARTS: Final[tuple[str, ...]] = ("situation", "task", "action", "result")


@dataclass(frozen=True)
class GradeResult:
    """Score plus enough detail for the bot to explain the score to the user."""

    score: int
    covered: tuple[str, ...]
    missed: tuple[str, ...]
    advice: str
    reason: str | None = None
    truncated: bool = False
    star: dict[str, bool] | None = None
    # Wrong claims the answer made, each with its correction ("You said ...: that is L1").
    contradicted: tuple[str, ...] = ()
    # Missed points the answer half made, each saying what it still lacks.
    partly: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Adapters render these directly, so a bad value must fail here, not in a chat message.
        if not 0 <= self.score <= 100:
            raise ValueError(f"score must be within 0-100, got {self.score}")
        if "\n" in self.advice or "\r" in self.advice:
            raise ValueError("advice must be a single line")
        if any("\n" in c or "\r" in c for c in (*self.contradicted, *self.partly)):
            raise ValueError("feedback lines must be single lines")
        if self.reason is not None and self.reason not in REASONS:
            raise ValueError(f"unknown reason {self.reason!r}")

    def to_dict(self) -> dict[str, object]:
        return {
            "score": self.score,
            "covered": list(self.covered),
            "missed": list(self.missed),
            "advice": self.advice,
            "reason": self.reason,
            "truncated": self.truncated,
            "star": dict(self.star) if self.star is not None else None,
            "contradicted": list(self.contradicted),
            "partly": list(self.partly),
        }
