"""Pack loading: the shipped bank is sound; broken packs name file, line, question and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.grading.lint import pack_warnings
from questions.bank import UnknownTopic
from questions.loader import SHIPPED_PACKS, PackError, load_bank
from questions.schema import Stage

TOPICS = SHIPPED_PACKS / "ml" / "topics.yaml"

GOOD_QUESTION = """
  - id: q-one
    topic: evaluation
    difficulty: easy
    stage: theory
    prompt: What is recall?
    answer: The share of actual positives that the model finds.
    key_points:
      - point: Actual positives found
        phrasings: [actual positives found]
    hints: [Think of the positives that exist.]
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(*paths: Path) -> list[str]:
    with pytest.raises(PackError) as caught:
        load_bank([TOPICS, *paths])
    return [str(p) for p in caught.value.problems]


def test_shipped_bank_loads_with_enough_questions() -> None:
    bank = load_bank()
    assert len(bank) >= 40
    counts = bank.counts()["topic"]
    assert {t.id for t in bank.topics} == set(counts), "every topic has questions"
    assert {q.stage for q in bank.questions} == set(Stage)


def test_a_good_pack_loads(tmp_path: Path) -> None:
    bank = load_bank([TOPICS, write(tmp_path, "p.yaml", "questions:" + GOOD_QUESTION)])
    assert [q.id for q in bank.questions] == ["q-one"]
    assert bank.resolve_topic("Metrics") == "evaluation"
    assert bank.resolve_topic("deep learning") == "deep-learning"
    assert bank.resolve_topic("optimization") == "optimisation"


def test_unknown_topics_get_suggestions() -> None:
    bank = load_bank()
    with pytest.raises(UnknownTopic) as caught:
        bank.resolve_topic("metrcs")
    assert "evaluation" in caught.value.suggestions
    with pytest.raises(UnknownTopic) as caught:
        bank.resolve_topic("regularizaton")
    assert caught.value.suggestions[0] == "regularisation"


def test_missing_field_names_file_line_question_and_field(tmp_path: Path) -> None:
    pack = write(
        tmp_path,
        "broken.yaml",
        "questions:" + GOOD_QUESTION.replace("    prompt: What is recall?\n", ""),
    )
    assert problems_of(pack) == [
        f"{pack}:2: question 'q-one' field 'prompt': is required but missing"
    ]


def test_bad_value_points_at_its_line(tmp_path: Path) -> None:
    pack = write(
        tmp_path,
        "bad.yaml",
        "questions:" + GOOD_QUESTION.replace("difficulty: easy", "difficulty: brutal"),
    )
    [problem] = problems_of(pack)
    assert problem.startswith(f"{pack}:4: question 'q-one' field 'difficulty':")
    assert "'easy', 'medium' or 'hard'" in problem


def test_misspelt_field_and_nested_field(tmp_path: Path) -> None:
    text = "questions:" + GOOD_QUESTION.replace("hints:", "hintz:").replace(
        "phrasings: [actual positives found]", "phrasings: []"
    )
    pack = write(tmp_path, "typo.yaml", text)
    problems = problems_of(pack)
    assert any("field 'key_points.0.phrasings'" in p and ":10:" in p for p in problems), problems
    assert any("field 'hintz': is not a known field" in p for p in problems), problems


def test_duplicate_ids_across_files_and_unknown_topic(tmp_path: Path) -> None:
    first = write(tmp_path, "a.yaml", "questions:" + GOOD_QUESTION)
    second = write(
        tmp_path,
        "b.yaml",
        "questions:" + GOOD_QUESTION.replace("topic: evaluation", "topic: astrology"),
    )
    problems = problems_of(first, second)
    assert problems == [f"{second}:2: question 'q-one' field 'id': id is already used in {first}"]
    third = write(
        tmp_path,
        "c.yaml",
        "questions:"
        + GOOD_QUESTION.replace("q-one", "q-two").replace("topic: evaluation", "topic: astrology"),
    )
    [problem] = problems_of(first, third)
    assert "question 'q-two' field 'topic': unknown topic 'astrology'" in problem


def test_invalid_yaml_and_wrong_shapes(tmp_path: Path) -> None:
    broken = write(tmp_path, "syntax.yaml", "questions:\n  - id: [unclosed\n")
    [problem] = problems_of(broken)
    assert problem.startswith(f"{broken}:3: field '-': invalid YAML")
    listy = write(tmp_path, "list.yaml", "- just\n- a list\n")
    assert problems_of(listy) == [
        f"{listy}:1: field '-': a pack must be a mapping with 'topics' and/or 'questions'"
    ]
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe\x00")
    assert problems_of(binary) == [f"{binary}: field '-': file is not UTF-8 text"]


def test_contradictions_and_follow_up_probes_load(tmp_path: Path) -> None:
    text = (
        "questions:"
        + GOOD_QUESTION.replace(
            "        phrasings: [actual positives found]\n",
            "        phrasings: [actual positives found]\n"
            "        contradictions:\n"
            "          - claim: Recall is the share of predicted positives that are right\n"
            "            phrasings: [share of predicted positives that are correct]\n"
            "            correction: That is precision; recall counts actual positives found.\n",
        )
        + (
            "    follow_ups:\n"
            "      - prompt: When does recall matter most?\n"
            "        answer: When a missed positive is costly, as in screening for disease.\n"
            "        probes: [1]\n"
            "        key_points:\n"
            "          - point: Missing a positive is costly\n"
            "            phrasings: [missed positive is costly]\n"
        )
    )
    bank = load_bank([TOPICS, write(tmp_path, "p.yaml", text)])
    [question] = bank.questions
    [contradiction] = question.key_points[0].contradictions
    assert contradiction.correction.startswith("That is precision")
    assert question.follow_ups[0].probes == [1]


def test_a_follow_up_probing_a_missing_key_point_is_refused(tmp_path: Path) -> None:
    text = (
        "questions:"
        + GOOD_QUESTION
        + (
            "    follow_ups:\n"
            "      - prompt: When does recall matter most?\n"
            "        probes: [3]\n"
            "        key_points:\n"
            "          - point: Missing a positive is costly\n"
            "            phrasings: [missed positive is costly]\n"
        )
    )
    [problem] = problems_of(write(tmp_path, "probes.yaml", text))
    assert "follow-up 1 probes key point 3, but the question has 1" in problem


def test_the_shipped_packs_give_their_authors_no_warnings() -> None:
    """Every listed misconception is named when said on its own, and no model answer, hint or
    follow-up answer is accused of one: a phrasing added to credit one answer can silence a
    misconception of the same point."""
    assert pack_warnings(load_bank()) == []
