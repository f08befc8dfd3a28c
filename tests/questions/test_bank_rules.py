"""The shipped bank covers a real ML interview, and every part of it is graded fairly:
follow-ups with model answers, hints that don't give the answer away, ideas rather than
names, classic misconceptions listed, no question asked twice."""

from __future__ import annotations

import itertools
import re

import pytest
import snowballstemmer

from bot.grading import Rubric, RubricGrader
from questions.loader import load_bank
from questions.schema import Difficulty, Question, Stage, word_count

BANK = load_bank()
GRADER = RubricGrader()
STEM = snowballstemmer.stemmer("english")
STOP = frozenset(
    re.findall(
        r"\w+",
        "the a an of and or to in is are it for on with by as that this its be from at how what "
        "why when which you your can does do between their more than not into over each one two",
    )
)
LOOP_STAGES = (Stage.CODING, Stage.SYSTEM_DESIGN, Stage.BEHAVIORAL, Stage.SCREENING)


def test_the_bank_covers_the_whole_field() -> None:
    counts = BANK.counts()["topic"]
    assert len(BANK) >= 400
    assert len(BANK.topics) >= 25
    assert {topic: n for topic, n in counts.items() if n < 8} == {}


@pytest.mark.parametrize("stage", LOOP_STAGES, ids=str)
def test_every_interview_stage_has_five_questions_at_each_difficulty(stage: Stage) -> None:
    found = dict.fromkeys(Difficulty, 0)
    for question in BANK.questions:
        if question.stage is stage:
            found[question.difficulty] += 1
    assert {d.value: n for d, n in found.items() if n < 5} == {}


def test_follow_ups_are_as_real_as_the_questions() -> None:
    follow_ups = [f for q in BANK.questions for f in q.follow_ups]
    assert len(follow_ups) >= 300
    assert all(f.answer for f in follow_ups)
    assert sum(len(f.key_points) >= 2 for f in follow_ups) >= 0.9 * len(follow_ups)
    assert sum(len(q.follow_ups) >= 2 for q in BANK.questions) >= 100


@pytest.mark.parametrize("question", BANK.questions, ids=lambda q: q.id)
def test_each_follow_up_answer_earns_a_high_score_from_its_own_rubric(question: Question) -> None:
    for number, follow_up in enumerate(question.follow_ups, start=1):
        assert follow_up.answer is not None
        assert 25 <= word_count(follow_up.answer) <= 150, number
        result = GRADER.grade(Rubric.for_follow_up(question, follow_up), follow_up.answer)
        assert result.score >= 70, (number, result.score, result.missed)


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"[a-z0-9]+", text.lower())) + " "


@pytest.mark.parametrize("question", BANK.questions, ids=lambda q: q.id)
def test_no_hint_hands_over_a_key_point(question: Question) -> None:
    phrasings = [p for kp in question.key_points for p in kp.phrasings]
    leaks = [
        (hint, phrasing)
        for hint in question.hints
        for phrasing in phrasings
        if _words(phrasing) in _words(hint)
    ]
    assert leaks == []


def test_phrasings_say_ideas_rather_than_drop_names() -> None:
    phrasings = [p for q in BANK.questions for kp in q.key_points for p in kp.phrasings]
    single_words = [p for p in phrasings if len(p.split()) == 1]
    assert len(single_words) <= 0.08 * len(phrasings)  # 18% before the bank's second version


def test_classic_misconceptions_are_listed_and_corrected() -> None:
    theory = [q for q in BANK.questions if q.stage is Stage.THEORY]
    listed = [q for q in theory if any(kp.contradictions for kp in q.key_points)]
    assert len(listed) >= 0.75 * len(theory)
    for question in BANK.questions:
        for point in question.key_points:
            for contradiction in point.contradictions:
                assert contradiction.correction.rstrip().endswith((".", "!", ")"))


def _content_stems(question: Question) -> set[str]:
    text = (
        question.prompt
        + " "
        + " ".join(kp.point + " " + " ".join(kp.phrasings) for kp in question.key_points)
    )
    return set(STEM.stemWords([w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOP]))


def test_no_two_questions_share_most_of_their_content() -> None:
    stems = {q.id: _content_stems(q) for q in BANK.questions}
    similar = []
    for a, b in itertools.combinations(BANK.questions, 2):
        shared = len(stems[a.id] & stems[b.id]) / min(len(stems[a.id]), len(stems[b.id]))
        if shared >= 0.5:
            similar.append((a.id, b.id, round(shared, 2)))
    assert similar == []
