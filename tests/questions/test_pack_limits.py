"""Hostile pack files are refused quickly, with one line naming the file, line and limit."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from questions.limits import (
    MAX_PACK_FILE_BYTES,
    MAX_PACK_FILES,
    MAX_QUESTIONS_PER_PACK,
    MAX_TEXT_CHARS,
    MAX_YAML_DEPTH,
    MAX_YAML_NODES,
)
from questions.loader import SHIPPED_PACKS, PackError, load_bank

TOPICS = SHIPPED_PACKS / "ml" / "topics.yaml"

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
questions: *i
"""


def question(qid: str, prompt: str = "What is recall?") -> str:
    return f"""
  - id: {qid}
    topic: evaluation
    difficulty: easy
    stage: theory
    prompt: {prompt}
    answer: The share of actual positives that the model finds.
    key_points:
      - point: Actual positives found
        phrasings: [actual positives found]
    hints: [Think of the positives that exist.]
"""


def refused_quickly(load: Callable[[], object]) -> list[str]:
    started = time.perf_counter()
    with pytest.raises(PackError) as caught:
        load()
    assert time.perf_counter() - started < 1.0
    problems = [str(p) for p in caught.value.problems]
    assert all("\n" not in p for p in problems)
    return problems


def test_yaml_aliases_are_refused_before_they_expand(tmp_path: Path) -> None:
    pack = tmp_path / "laughs.yaml"
    pack.write_text(BILLION_LAUGHS, encoding="utf-8")
    [problem] = refused_quickly(lambda: load_bank([TOPICS, pack]))
    assert problem.startswith(f"{pack}:2: field '-': uses the YAML alias *a")
    assert "may not use aliases" in problem


@pytest.mark.parametrize("depth", [MAX_YAML_DEPTH + 5, 5_000])
def test_deep_nesting_is_refused(tmp_path: Path, depth: int) -> None:
    pack = tmp_path / "deep.yaml"
    pack.write_text("questions: " + "[" * depth + "]" * depth + "\n", encoding="utf-8")
    [problem] = refused_quickly(lambda: load_bank([TOPICS, pack]))
    assert problem.startswith(f"{pack}:1:")
    assert "nest" in problem
    if depth < 1000:  # deeper still, the YAML parser itself stops first
        assert f"nests deeper than {MAX_YAML_DEPTH} levels" in problem


def test_too_many_values_in_one_file_are_refused(tmp_path: Path) -> None:
    pack = tmp_path / "wide.yaml"
    pack.write_text("tags: [" + ",".join(["1"] * (MAX_YAML_NODES + 10)) + "]\n", encoding="utf-8")
    [problem] = refused_quickly(lambda: load_bank([TOPICS, pack]))
    assert f"has more than {MAX_YAML_NODES:,} YAML values" in problem


def test_a_file_over_the_size_limit_is_not_read(tmp_path: Path) -> None:
    pack = tmp_path / "huge.yaml"
    with pack.open("wb") as sparse:
        sparse.truncate(MAX_PACK_FILE_BYTES + 1)
    [problem] = refused_quickly(lambda: load_bank([TOPICS, pack]))
    assert problem == (
        f"{pack}: field '-': is {MAX_PACK_FILE_BYTES + 1:,} bytes; "
        f"a pack file may hold at most {MAX_PACK_FILE_BYTES:,}"
    )


def test_a_folder_with_too_many_files_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(MAX_PACK_FILES + 1):
        (folder / f"p{n:03d}.yaml").write_text("questions: []\n", encoding="utf-8")
    [problem] = refused_quickly(lambda: load_bank([TOPICS, folder]))
    assert f"holds {MAX_PACK_FILES + 1} pack files; a pack may have at most" in problem


def test_a_pack_with_too_many_questions_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "big"
    folder.mkdir()
    quarter = MAX_QUESTIONS_PER_PACK // 4 + 1  # files within their own size limits
    for part in range(4):
        body = "".join(question(f"q-{part}-{n}") for n in range(quarter))
        (folder / f"part{part}.yaml").write_text("questions:" + body, encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(PackError) as caught:
        load_bank([TOPICS, folder])
    assert time.perf_counter() - started < 15.0  # two thousand real questions to validate
    [problem] = [str(p) for p in caught.value.problems]
    assert f"pack 'big' has more than {MAX_QUESTIONS_PER_PACK:,} questions" in problem
    assert problem.startswith(f"{folder / 'part3.yaml'}:")


def test_an_overlong_text_names_its_field_and_line(tmp_path: Path) -> None:
    pack = tmp_path / "long.yaml"
    pack.write_text("questions:" + question("q-long", "x" * (MAX_TEXT_CHARS + 1)), encoding="utf-8")
    [problem] = refused_quickly(lambda: load_bank([TOPICS, pack]))
    assert problem.startswith(f"{pack}:6: question 'q-long' field 'prompt':")
    assert f"at most {MAX_TEXT_CHARS} characters" in problem
