"""How big and how deep a question pack may be, so a hostile file cannot exhaust the machine.

A pack is read from a file an admin hands the CLI, or from the database where an import put
it; either way it is parsed in the bot's process. Without limits a 1 KB file of nested YAML
aliases (a "billion laughs") expands to gigabytes, and a few kilobytes of `[[[[` exhaust the
parser's recursion. The limits sit far above any real pack: the shipped bank's largest file
is about 220 KB with 50 questions.
"""

from __future__ import annotations

from typing import Any, Final

import yaml

MAX_PACK_FILE_BYTES: Final = 2 * 1024 * 1024
MAX_PACK_FILES: Final = 200
MAX_QUESTIONS_PER_PACK: Final = 2_000
MAX_YAML_DEPTH: Final = 24
MAX_YAML_NODES: Final = 20_000  # the shipped bank's largest file has about 7,000
# Every text field of a question (prompt, model answer, a key point, a hint...).
MAX_TEXT_CHARS: Final = 10_000


class PackLimitError(yaml.YAMLError):
    """A pack broke one of the limits; names the line where there is one."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


# libyaml when PyYAML was built with it: about thirty times faster than the pure-Python parser.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_OPENS = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSES = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def _check_events(text: str) -> None:
    """Walk the parser's events, which expand nothing, and stop at the first broken limit."""
    depth = 0
    values = 0
    for event in yaml.parse(text, Loader=_Loader):
        line = event.start_mark.line + 1 if event.start_mark is not None else None
        if isinstance(event, yaml.AliasEvent):
            raise PackLimitError(
                line,
                f"uses the YAML alias *{event.anchor}; pack files may not use aliases "
                "(write the text out in full)",
            )
        if isinstance(event, (yaml.ScalarEvent, *_OPENS)):
            values += 1
            if values > MAX_YAML_NODES:
                raise PackLimitError(line, f"has more than {MAX_YAML_NODES:,} YAML values")
        if isinstance(event, _OPENS):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                raise PackLimitError(line, f"nests deeper than {MAX_YAML_DEPTH} levels")
        elif isinstance(event, _CLOSES):
            depth -= 1


def parse_limited(text: str) -> tuple[yaml.Node | None, Any]:
    """Parse one YAML document within the limits: its node tree (for line numbers) and data.

    Raises PackLimitError for a broken limit and yaml.YAMLError for broken YAML.
    """
    size = len(text.encode("utf-8", errors="replace"))
    if size > MAX_PACK_FILE_BYTES:
        raise PackLimitError(
            None, f"is {size:,} bytes; a pack file may hold at most {MAX_PACK_FILE_BYTES:,}"
        )
    _check_events(text)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return node, data
