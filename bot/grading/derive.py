"""Key points derived from a model answer, for packs whose authors wrote only a question and
an answer.

Each clause of the model answer that says something beyond the question becomes a point: its
text is the clause, its phrasings are the clause's own terms in small groups, and any number
or formula in it is a phrasing of its own. The grader then treats these points like written
ones, so the feedback still lists what was covered and missed.
"""

from __future__ import annotations

import re
from typing import Final

from bot.grading.text import (
    CLAUSE_WORDS,
    is_content,
    normalise,
    split_sentences,
    stem,
    tokenize,
)
from questions.schema import KeyPoint, Question

MAX_POINTS: Final = 6
MIN_TERMS: Final = 2
GROUP: Final = 3
# Clauses split at these words too, beyond sentence ends and semicolons; "which" and "that"
# usually qualify what came before, so they stay inside the clause.
_SPLITTERS: Final = frozenset(CLAUSE_WORDS - {"which", "that", "who", "then", "when", "where"})
_CLAUSE_BREAK: Final = re.compile(r",\s+|\s+[-–—]+\s+")
_OPERAND: Final = r"\(?[\w.]+\)?"
# Two or more operands joined by operators, at least one of them not a dash ("closed-form").
_FORMULA: Final = re.compile(
    rf"{_OPERAND}(?:\s*[-+*/^=<>]\s*{_OPERAND})*\s*[+*/^=<>]\s*{_OPERAND}"
    rf"(?:\s*[-+*/^=<>]\s*{_OPERAND})*"
)
_NUMBER: Final = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])")


def derive_key_points(prompt: str, answer: str) -> list[KeyPoint]:
    """The model answer's clauses that say most beyond the question, in answer order."""
    asked = {stem(w) for w in tokenize(normalise(prompt)) if is_content(w)}
    candidates: list[tuple[int, int, KeyPoint]] = []
    for order, clause in enumerate(_clauses(answer)):
        point = _point(clause, asked)
        if point is not None:
            terms = len(point.phrasings[0].split()) if point.phrasings else 0
            candidates.append((terms, order, point))
    if not candidates:
        # An answer made only of the question's words: grade on the answer as one point.
        text = " ".join(answer.split())
        return [KeyPoint(point=text, phrasings=[text])]
    best = sorted(candidates, key=lambda c: (-c[0], c[1]))[:MAX_POINTS]
    return [point for _, _, point in sorted(best, key=lambda c: c[1])]


def _clauses(answer: str) -> list[str]:
    clauses: list[str] = []
    for sentence in split_sentences(" ".join(answer.split())):
        for part in _CLAUSE_BREAK.split(sentence):
            words = part.split()
            start = 0
            for i, word in enumerate(words):
                if i > start and word in _SPLITTERS:
                    clauses.append(" ".join(words[start:i]))
                    start = i
            clauses.append(" ".join(words[start:]))
    return [c.strip() for c in clauses if c.strip()]


def _point(clause: str, asked: set[str]) -> KeyPoint | None:
    words = [w for w in tokenize(normalise(clause)) if is_content(w)]
    own = list(dict.fromkeys(w for w in words if stem(w) not in asked))
    if len(own) < MIN_TERMS and not _NUMBER.search(clause):
        return None
    phrasings: list[str] = []
    if own:
        phrasings.append(" ".join(own))
    if len(own) > GROUP:
        phrasings.extend(" ".join(own[i : i + GROUP]) for i in range(len(own) - GROUP + 1))
    phrasings.extend(m.group().strip() for m in _FORMULA.finditer(clause))
    phrasings.extend(n for n in _NUMBER.findall(clause) if n not in asked and n not in phrasings)
    phrasings = list(dict.fromkeys(p for p in phrasings if p))
    if not phrasings:
        return None
    return KeyPoint(point=clause[:1].upper() + clause[1:], phrasings=phrasings)


def key_points_of(question: Question) -> tuple[list[KeyPoint], bool]:
    """The question's key points, and whether they were derived from its model answer."""
    if question.key_points:
        return list(question.key_points), False
    return derive_key_points(question.prompt, question.answer), True
