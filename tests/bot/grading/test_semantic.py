"""The optional semantic matcher: a point restated in other words earns half, through any
embedding; the packaged model is exercised only where the `semantic` extra is installed."""

from __future__ import annotations

import pytest

from bot.grading import Rubric, RubricGrader
from bot.grading.semantic import SemanticMatcher, cosine, load_semantic
from questions.schema import KeyPoint

# A toy embedding: which of a few ideas a text mentions, so similarity is predictable.
IDEAS = (("memor", "rote", "noise"), ("unseen", "new data", "generalis"))


def embed(texts: list[str]) -> list[list[float]]:
    return [[float(any(w in t.lower() for w in idea)) for idea in IDEAS] for t in texts]


RUBRIC = Rubric(
    prompt="What is overfitting?",
    key_points=(
        KeyPoint(point="Memorises noise in the training set", phrasings=["fits the noise"]),
        KeyPoint(point="Generalises poorly to unseen data", phrasings=["poor on unseen data"]),
    ),
)


def test_cosine() -> None:
    assert cosine([1, 0], [1, 0]) == pytest.approx(1)
    assert cosine([1, 0], [0, 1]) == 0
    assert cosine([0, 0], [1, 1]) == 0


def test_a_point_restated_in_other_words_earns_half() -> None:
    answer = "The model learns the training examples by rote and does badly on new data later."
    plain = RubricGrader().grade(RUBRIC, answer)
    semantic = RubricGrader(semantic=SemanticMatcher(embed, threshold=0.7)).grade(RUBRIC, answer)
    assert plain.score == 0
    assert semantic.score == 50
    assert semantic.covered == ()
    assert len(semantic.partly) == 2


def test_the_semantic_matcher_never_overrides_a_wrong_claim() -> None:
    rubric = Rubric(
        prompt="How do L1 and L2 regularisation differ?",
        key_points=(
            KeyPoint(point="L1 gives sparse models", phrasings=["sparse models"]),
            KeyPoint(point="L2 shrinks weights smoothly", phrasings=["shrinks smoothly"]),
        ),
    )
    always = SemanticMatcher(lambda texts: [[1.0] for _ in texts], threshold=0.5)
    result = RubricGrader(semantic=always).grade(rubric, "L2 is the one that gives sparse models.")
    assert result.contradicted
    assert "L1 gives sparse models" not in result.covered


@pytest.mark.skipif(load_semantic() is None, reason="the 'semantic' extra is not installed")
def test_the_packaged_model_loads_offline_and_matches_a_paraphrase() -> None:
    matcher = load_semantic()
    assert matcher is not None
    said = matcher.restated(
        ["Memorises noise in the training set"],
        ["It learns the random quirks of the training examples by heart."],
    )
    assert said == [True]
