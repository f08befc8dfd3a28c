"""Hostile text for the adapters' tests: mentions, links and markup in a display name, an
answer, a group name and a workspace's own pack."""

from __future__ import annotations

from pathlib import Path

from questions.bank import QuestionBank
from questions.loader import load_bank
from tests.support.harness import FIXTURE_PACKS

HOSTILE = (
    "<!channel> <!here> @everyone @here <@UADMIN> <@&810000000000000001> "
    "[free prize](https://evil.example/claim) <https://evil.example|click here>"
)
HOSTILE_PACK = f"""
topics:
  - id: hostile
    title: "Hostile {HOSTILE}"
questions:
  - id: hostile-recall
    topic: hostile
    difficulty: easy
    stage: theory
    prompt: "What is recall? {HOSTILE}"
    answer: "Recall is the share of actual positives the model finds. {HOSTILE}"
    key_points:
      - point: "Actual positives found {HOSTILE}"
        phrasings: [actual positives found]
    hints: ["Count the positives that exist. {HOSTILE}"]
"""


def hostile_bank(tmp_path: Path) -> QuestionBank:
    pack = tmp_path / "hostile.yaml"
    pack.write_text(HOSTILE_PACK, encoding="utf-8")
    return load_bank([FIXTURE_PACKS, pack])
