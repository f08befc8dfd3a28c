"""Read a JSON file an admin hands the bot within size and nesting limits, so a hostile
export file can neither exhaust memory nor the parser's recursion.

An export of a large workspace (100,000 users, a million answers) is a few hundred MB and
nests five levels deep; the limits sit above that and far below what hurts the machine.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Final

MAX_IMPORT_BYTES: Final = 512 * 1024 * 1024
MAX_JSON_DEPTH: Final = 32

# A JSON string (skipped whole, so brackets inside text do not count) or a bracket.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


class JsonLimitError(ValueError):
    """The file breaks a limit or is not JSON; the message names the file, line and limit."""


def read_json_file(
    path: Path, max_bytes: int = MAX_IMPORT_BYTES, max_depth: int = MAX_JSON_DEPTH
) -> Any:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise JsonLimitError(
                f"{path} is {size:,} bytes; an import file may hold at most {max_bytes:,}"
            )
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise JsonLimitError(f"cannot read {path}: not UTF-8 text") from None
    except OSError as exc:
        raise JsonLimitError(f"cannot read {path}: {exc.strerror or exc}") from None
    too_deep = _first_too_deep(text, max_depth)
    if too_deep is not None:
        line = text.count("\n", 0, too_deep) + 1
        raise JsonLimitError(
            f"{path}:{line}: nests deeper than {max_depth} levels; an export nests five"
        )
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise JsonLimitError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from None


def _first_too_deep(text: str, limit: int) -> int | None:
    """Where the nesting first goes past `limit`, without parsing."""
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                return match.start()
        elif token in "]}":
            depth -= 1
    return None
