"""The compact forms a compiled rubric keeps say what the full ones said: shared pieces are
equal to fresh ones, and the model answer's word counts and senses survive as parallel
tuples."""

from __future__ import annotations

from collections import Counter

from bot.grading import Rubric
from bot.grading.compiled import compile_phrasing, compile_rubric
from bot.grading.reference import Reference
from bot.grading.text import content_stems, stem
from questions.schema import KeyPoint

MODEL = "The terminals are not connected, so no current flows. The bulb lights when connected."


def test_the_model_answer_keeps_its_counts_and_senses() -> None:
    reference = Reference.of("Why is the bulb off?", MODEL)
    assert reference.counts == dict(Counter(content_stems(MODEL)))
    assert reference.words == frozenset(content_stems(MODEL))
    assert stem("bulb") in reference.affirmed
    assert stem("current") in reference.denied  # only ever denied
    assert stem("connected") in reference.affirmed  # denied once, affirmed once
    assert not reference.affirmed & reference.denied
    assert reference.asked == frozenset(content_stems("Why is the bulb off?"))


def test_a_word_compiles_to_one_shared_term() -> None:
    first = compile_phrasing("gradient descent steps")
    again = compile_phrasing("steps of gradient descent")
    assert first is not None
    assert again is not None
    assert {id(t) for t in first.terms} == {id(t) for t in again.terms}


def test_empty_word_sets_are_one_shared_set_and_small_lists_are_tuples() -> None:
    rubric = Rubric(
        prompt="What does dropout do?",
        key_points=(
            KeyPoint(point="Randomly zeroes activations in training", phrasings=["zeroes units"]),
            KeyPoint(point="Reduces overfitting", phrasings=["less overfitting"]),
        ),
        model_answer="Dropout randomly zeroes activations in training, which reduces overfitting.",
    )
    compiled = compile_rubric(rubric)
    first, second = compiled.points
    # No sides: every point shares one empty set for each of its side sets.
    assert first.anchor is second.anchor is first.rival is compiled.side_forms
    assert first.distinctive is second.distinctive
    assert isinstance(first.own_words, tuple)
    assert stem("zeroes") in first.own_words
    assert stem("overfitting") in compiled.vocabulary
    assert stem("what") not in compiled.vocabulary
    assert compiled.model is not None
    assert compiled.model.asked is compiled.prompt_stems


def test_a_phrasing_naming_both_sides_binds_each_word_to_its_own_side() -> None:
    phrasing = compile_phrasing(
        "bagging trains trees in parallel, boosting trains them in sequence",
        frozenset({"bag", "boost"}),
    )
    assert phrasing is not None
    # "trains" is said of both sides, so it is left unbound.
    assert dict(phrasing.bound) == {"tree": "bag", "parallel": "bag", "sequenc": "boost"}
