"""Which questions a round asks: fresh ones first, then weak ones, spread over topics."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence, Set

from questions.schema import Question

WEAK_SCORE = 60


def _freshness(question: Question, seen: Set[str], best: Mapping[str, int]) -> int:
    if question.id not in seen and question.id not in best:
        return 0
    return 1 if best.get(question.id, 0) < WEAK_SCORE else 2


def pick_for_round(
    pool: Sequence[Question],
    count: int,
    seen: Set[str],
    best: Mapping[str, int],
    rng: random.Random,
) -> list[Question]:
    """Unseen before weak before mastered; within that, new topics before repeated ones."""
    shuffled = list(pool)
    rng.shuffle(shuffled)
    ranked = sorted(shuffled, key=lambda q: (_freshness(q, seen, best), best.get(q.id, 0)))
    picked: list[Question] = []
    topic_use: Counter[str] = Counter()
    while ranked and len(picked) < count:
        index = min(
            range(len(ranked)),
            key=lambda i: (_freshness(ranked[i], seen, best), topic_use[ranked[i].topic], i),
        )
        choice = ranked.pop(index)
        picked.append(choice)
        topic_use[choice.topic] += 1
    return picked
