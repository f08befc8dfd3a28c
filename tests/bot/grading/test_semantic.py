"""The optional semantic matcher: a point restated in other words earns half, and an answer-only
question weighs closeness of meaning, through any embedding; the packaged model is exercised
only where the `semantic` extra is installed, the logic everywhere through toy embeddings."""

from __future__ import annotations

import importlib.util

import pytest

from bot.app.config import Settings
from bot.grading import Rubric, RubricGrader
from bot.grading import semantic as semantic_module
from bot.grading.semantic import Blend, SemanticMatcher, cosine, load_semantic
from bot.grading.semeval import StudentAnswer, half_of, question_of
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


# Answer-only: a toy embedding of a few ideas about circuits, so a paraphrase is near.
CIRCUIT_IDEAS = (("closed", "complete", "loop", "unbroken"), ("bulb", "lamp", "light"))


def circuit_embed(texts: list[str]) -> list[list[float]]:
    return [
        [*(float(any(w in t.lower() for w in idea)) for idea in CIRCUIT_IDEAS), 0.1] for t in texts
    ]


def answer_only_rubric() -> Rubric:
    reference = "Bulb A is in a closed path with the battery."
    row = StudentAnswer("beetle", "q1", "Why does bulb A light up?", reference, "", True)
    return Rubric.for_question(question_of(row))


def test_an_answer_only_question_credits_meaning_said_in_other_words() -> None:
    rubric = answer_only_rubric()
    assert rubric.derived
    paraphrase = "Because the lamp sits in an unbroken loop."
    unrelated = "Because batteries are heavy."
    rules = RubricGrader()
    semantic = RubricGrader(semantic=SemanticMatcher(circuit_embed, blend=Blend(share=0.5)))
    assert semantic.grade(rubric, paraphrase).score > rules.grade(rubric, paraphrase).score
    assert semantic.grade(rubric, unrelated).score <= rules.grade(rubric, unrelated).score


def test_blend_reads_similarity_between_floor_and_ceiling() -> None:
    blend = Blend(share=0.5, floor=0.2, ceiling=0.6, sentence=0.5)
    assert blend.closeness(0.1, 0.1) == 0
    assert blend.closeness(0.2, 0.6) == pytest.approx(0.5)
    assert blend.closeness(0.9, 0.9) == 1
    assert blend.apply(0.4, 0.9, 0.9) == pytest.approx(0.7)


def test_similarities_take_the_best_sentence_and_embed_each_text_once() -> None:
    seen: list[str] = []

    def counting(texts: list[str]) -> list[list[float]]:
        seen.extend(texts)
        return circuit_embed(texts)

    matcher = SemanticMatcher(counting)
    answer = "It is heavy. The lamp is in a loop."
    whole, best = matcher.similarities("a closed path with the bulb", answer, answer.split(". "))
    assert best == pytest.approx(1.0, abs=0.01)
    assert whole <= best
    matcher.similarities("a closed path with the bulb", answer, answer.split(". "))
    assert len(seen) == len(set(seen)) == 4


def test_without_the_extra_there_is_no_matcher(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    assert load_semantic.__wrapped__() is None


def test_settings_decide_whether_the_installed_matcher_grades() -> None:
    assert Settings(semantic_grading=False).rubric_grader().semantic is None
    assert Settings(semantic_grading=True).rubric_grader().semantic is load_semantic()


def test_semeval_questions_fall_in_fixed_halves() -> None:
    rows = [StudentAnswer("sciEntsBank", f"Q{n}", "?", "ref", "answer", True) for n in range(40)]
    halves = [half_of(r) for r in rows]
    assert set(halves) == {"tuning", "holdout"}
    assert halves == [half_of(r) for r in rows]


@pytest.mark.skipif(
    importlib.util.find_spec(semantic_module.MODEL_PACKAGE) is None,
    reason="the 'semantic' extra is not installed",
)
def test_the_packaged_onnx_model_ranks_a_paraphrase_above_an_unrelated_answer() -> None:
    matcher = load_semantic()
    assert matcher is not None
    reference = "The terminals are not separated by the gap, so there is a closed path."
    near, _ = matcher.similarities(reference, "the path is closed, nothing breaks it", [])
    far, _ = matcher.similarities(reference, "my favourite colour is green", [])
    assert near > far + 0.2
