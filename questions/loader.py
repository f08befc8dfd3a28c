"""Load YAML packs into a bank; a broken pack names its file, line, question and field."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from questions.bank import QuestionBank
from questions.limits import (
    MAX_PACK_FILE_BYTES,
    MAX_PACK_FILES,
    MAX_QUESTIONS_PER_PACK,
    PackLimitError,
    parse_limited,
)
from questions.schema import PackFile, Question, Topic

SHIPPED_PACKS = Path(__file__).parent / "packs"

Location = tuple[str | int, ...]


@dataclass(frozen=True)
class PackProblem:
    file: Path
    line: int | None
    question_id: str | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else str(self.file)
        who = f" question {self.question_id!r}" if self.question_id else ""
        return f"{where}:{who} field '{self.field}': {self.message}"


class PackError(Exception):
    """Every problem found in the packs, so an author fixes them in one pass."""

    def __init__(self, problems: list[PackProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class PackSource:
    """One pack file's text, wherever it came from (disk or the database)."""

    pack: str
    label: Path
    text: str | None = None
    error: str | None = None


def pack_sources(paths: Iterable[Path]) -> list[PackSource]:
    """A folder is one pack named after it; a single file is a pack named after its stem."""
    sources: list[PackSource] = []
    for path in paths:
        files = (
            sorted(p for p in path.rglob("*") if p.suffix in {".yaml", ".yml"})
            if path.is_dir()
            else [path]
        )
        name = path.name if path.is_dir() else path.stem
        if len(files) > MAX_PACK_FILES:
            sources.append(
                PackSource(
                    name,
                    path,
                    error=f"holds {len(files)} pack files; a pack may have at most "
                    f"{MAX_PACK_FILES}",
                )
            )
            continue
        sources.extend(_read(name, file) for file in files)
    return sources


def _read(pack: str, file: Path) -> PackSource:
    try:
        size = file.stat().st_size
        if size > MAX_PACK_FILE_BYTES:
            return PackSource(
                pack,
                file,
                error=f"is {size:,} bytes; a pack file may hold at most {MAX_PACK_FILE_BYTES:,}",
            )
        return PackSource(pack, file, file.read_text(encoding="utf-8"))
    except OSError as exc:
        return PackSource(pack, file, error=f"cannot read file: {exc.strerror}")
    except UnicodeDecodeError:
        return PackSource(pack, file, error="file is not UTF-8 text")


def load_bank(
    paths: Iterable[Path] | None = None, base: QuestionBank | None = None
) -> QuestionBank:
    """Load and cross-check packs from disk; raise PackError listing every problem."""
    return load_sources(pack_sources([SHIPPED_PACKS] if paths is None else paths), base)


def load_sources(sources: Iterable[PackSource], base: QuestionBank | None = None) -> QuestionBank:
    """Validate sources on top of base (whose topics they may use and whose ids they may not)."""
    sources = list(sources)
    problems: list[PackProblem] = []
    topics: dict[str, Topic] = {t.id: t for t in base.topics} if base else {}
    questions: dict[str, tuple[Question, Path, int | None, str]] = {}
    taken = {q.id: base.pack_of(q.id) for q in base.questions} if base else {}
    per_pack: dict[str, int] = {}
    if not sources:
        raise PackError([PackProblem(Path("."), None, None, "-", "no pack files found")])
    for source in sources:
        file = source.label
        if source.error is not None or source.text is None:
            problems.append(PackProblem(file, None, None, "-", source.error or "empty source"))
            continue
        parsed, lines, file_problems = _parse_text(file, source.text)
        problems.extend(file_problems)
        if parsed is None:
            continue
        for topic in parsed.topics:
            if topic.id in topics:
                problems.append(
                    PackProblem(file, None, None, "topics", f"topic {topic.id!r} is declared twice")
                )
            topics[topic.id] = topic
        for index, question in enumerate(parsed.questions):
            line = lines.get(("questions", index))
            per_pack[source.pack] = per_pack.get(source.pack, 0) + 1
            if per_pack[source.pack] > MAX_QUESTIONS_PER_PACK:
                problems.append(
                    PackProblem(
                        file,
                        line,
                        question.id,
                        "-",
                        f"pack {source.pack!r} has more than {MAX_QUESTIONS_PER_PACK:,} questions",
                    )
                )
                break
            if question.id in questions or question.id in taken:
                other = (
                    str(questions[question.id][1])
                    if question.id in questions
                    else f"pack {taken[question.id]!r}"
                )
                problems.append(
                    PackProblem(file, line, question.id, "id", f"id is already used in {other}")
                )
                continue
            questions[question.id] = (question, file, line, source.pack)
    for question, file, line, _pack in questions.values():
        if question.topic not in topics:
            known = ", ".join(sorted(topics)) or "none declared"
            problems.append(
                PackProblem(
                    file,
                    line,
                    question.id,
                    "topic",
                    f"unknown topic {question.topic!r} (known: {known})",
                )
            )
    if problems:
        raise PackError(problems)
    packs = {q.id: pack for q, _, _, pack in questions.values()}
    own = [q for q, _, _, _ in questions.values()]
    if base is None:
        return QuestionBank(list(topics.values()), own, packs)
    return QuestionBank(
        list(topics.values()),
        [*base.questions, *own],
        {**{q.id: base.pack_of(q.id) for q in base.questions}, **packs},
    )


def _parse_text(
    file: Path, text: str
) -> tuple[PackFile | None, dict[Location, int], list[PackProblem]]:
    try:
        node, data = parse_limited(text)
    except PackLimitError as exc:
        return None, {}, [PackProblem(file, exc.line, None, "-", exc.message)]
    except RecursionError:
        return None, {}, [PackProblem(file, None, None, "-", "nests too deeply to read")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = " ".join(str(getattr(exc, "problem", None) or exc).split())
        return None, {}, [PackProblem(file, line, None, "-", f"invalid YAML: {reason}")]
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return (
            None,
            {},
            [
                PackProblem(
                    file, 1, None, "-", "a pack must be a mapping with 'topics' and/or 'questions'"
                )
            ],
        )
    lines = dict(_node_lines(node)) if node is not None else {}
    try:
        return PackFile.model_validate(data), lines, []
    except ValidationError as exc:
        return None, lines, [_problem(file, data, lines, err) for err in exc.errors()]


def _problem(file: Path, data: dict[str, Any], lines: dict[Location, int], err: Any) -> PackProblem:
    loc: Location = tuple(err["loc"])
    question_id: str | None = None
    if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int):
        items = data.get("questions")
        if isinstance(items, list) and loc[1] < len(items) and isinstance(items[loc[1]], dict):
            raw_id = items[loc[1]].get("id")
            question_id = str(raw_id) if raw_id is not None else f"#{loc[1] + 1}"
        field_loc = loc[2:]
    else:
        field_loc = loc
    line = None
    for cut in range(len(loc), 0, -1):
        if loc[:cut] in lines:
            line = lines[loc[:cut]]
            break
    field = ".".join(str(part) for part in field_loc) or str(loc[0] if loc else "-")
    message = str(err["msg"])
    if err["type"] == "missing":
        message = "is required but missing"
    elif err["type"] == "extra_forbidden":
        message = "is not a known field (check the spelling)"
    return PackProblem(file, line, question_id, field, message)


def _node_lines(node: yaml.Node, loc: Location = ()) -> Iterator[tuple[Location, int]]:
    yield loc, node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else str(key)
            yield (*loc, name), key.start_mark.line + 1
            for sub_loc, line in _node_lines(value, (*loc, name)):
                if sub_loc != (*loc, name):
                    yield sub_loc, line
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _node_lines(item, (*loc, index))
