"""Interview loops shaped like a role's real loop: each stage draws from the topics that
role's interviews stress, so an ML engineer meets system design on serving and a data
scientist meets experiments and SQL."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from questions.bank import QuestionBank
from questions.schema import Difficulty, Question, Stage


@dataclass(frozen=True)
class Role:
    name: str
    title: str
    topics: Mapping[Stage, tuple[str, ...]]


ROLES: dict[str, Role] = {
    role.name: role
    for role in (
        Role(
            "ml-engineer",
            "ML engineer",
            {
                Stage.SCREENING: ("screening", "interview-process"),
                Stage.THEORY: (
                    "fundamentals",
                    "deep-learning",
                    "optimisation",
                    "evaluation",
                    "llms",
                    "rag",
                    "mlops",
                ),
                Stage.CODING: ("data-structures-algorithms", "coding"),
                Stage.SYSTEM_DESIGN: (
                    "system-design",
                    "mlops",
                    "cloud-deployment",
                    "big-data",
                    "recommender-systems",
                ),
                Stage.BEHAVIORAL: ("behavioral", "interview-process"),
            },
        ),
        Role(
            "data-scientist",
            "Data scientist",
            {
                Stage.SCREENING: ("screening", "interview-process"),
                Stage.THEORY: (
                    "statistics",
                    "causal-inference",
                    "probability",
                    "evaluation",
                    "time-series",
                    "algorithms",
                    "fundamentals",
                ),
                Stage.CODING: ("sql-and-pandas", "coding"),
                Stage.SYSTEM_DESIGN: (
                    "system-design",
                    "causal-inference",
                    "anomaly-detection",
                    "recommender-systems",
                ),
                Stage.BEHAVIORAL: ("behavioral", "interview-process"),
            },
        ),
        Role(
            "research",
            "Research scientist",
            {
                Stage.SCREENING: ("screening", "interview-process"),
                Stage.THEORY: (
                    "deep-learning",
                    "linear-algebra-calculus",
                    "probability",
                    "optimisation",
                    "loss-functions",
                    "probabilistic-models",
                    "reinforcement-learning",
                    "nlp",
                    "computer-vision",
                    "llms",
                ),
                Stage.CODING: ("coding", "linear-algebra-calculus", "data-structures-algorithms"),
                Stage.SYSTEM_DESIGN: ("system-design", "llms", "rag"),
                Stage.BEHAVIORAL: ("behavioral", "interview-process"),
            },
        ),
    )
}
ALIASES = {
    "mle": "ml-engineer",
    "ml-engineer": "ml-engineer",
    "ml-eng": "ml-engineer",
    "engineer": "ml-engineer",
    "ds": "data-scientist",
    "data-scientist": "data-scientist",
    "data-science": "data-scientist",
    "research": "research",
    "researcher": "research",
    "research-scientist": "research",
    "rs": "research",
}


def find_role(word: str) -> Role | None:
    name = ALIASES.get(word.strip().lower().replace("_", "-").replace(" ", "-"))
    return ROLES[name] if name else None


LOOP_STAGES = (Stage.SCREENING, Stage.THEORY, Stage.CODING, Stage.SYSTEM_DESIGN, Stage.BEHAVIORAL)


def loop_questions(
    bank: QuestionBank,
    role: Role | None,
    difficulty: Difficulty | None,
    packs: list[str] | None,
    pick: Callable[[list[Question]], list[Question]],
) -> list[Question]:
    """One question per stage, in the order a real loop runs them. A role narrows each stage
    to its topics; where that leaves nothing (a difficulty, a pack), the stage's whole pool
    serves, and then the stage at any difficulty."""
    chosen: list[Question] = []
    for stage in LOOP_STAGES:
        wanted = set(role.topics.get(stage, ())) if role else None
        for level in (difficulty, None):
            pool = bank.select(stage=stage, difficulty=level, packs=packs)
            narrowed = [q for q in pool if wanted is None or q.topic in wanted]
            if narrowed or pool:
                chosen.extend(pick(narrowed or pool))
                break
    return chosen
