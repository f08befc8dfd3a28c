"""A question that lists three or more things to compare makes each key point about one of
them: a point said of another is not made, and said plainly of it, it is a swap."""

from __future__ import annotations

import pytest

from bot.grading import Rubric, RubricGrader
from bot.grading.side_names import listed
from bot.grading.text import normalise
from questions.schema import KeyPoint

BANDITS = Rubric(
    prompt=(
        "Compare epsilon-greedy, upper confidence bound and Thompson sampling for a bandit. "
        "How does each balance exploration and exploitation?"
    ),
    key_points=(
        KeyPoint(
            point="Epsilon-greedy explores uniformly at random with probability epsilon",
            phrasings=["random arm with probability epsilon", "explores uniformly at random"],
        ),
        KeyPoint(
            point="UCB plays the arm with the highest mean plus a confidence bonus",
            phrasings=["confidence bonus", "optimism in the face of uncertainty"],
        ),
        KeyPoint(
            point="Thompson sampling draws from each arm's posterior and plays the best draw",
            phrasings=["samples from the posterior", "draw from each arm's posterior"],
        ),
    ),
)
GRADER = RubricGrader()


def names(prompt: str, points: list[str]) -> list[str]:
    return [side.name for side in listed(normalise(prompt), points)]


def test_the_things_a_comparison_lists_are_its_sides() -> None:
    points = [kp.point for kp in BANDITS.key_points]
    assert names(BANDITS.prompt, points) == [
        "epsilon greedy",
        "upper confidence bound",
        "thompson sampling",
    ]


def test_a_list_that_is_not_compared_gives_no_sides() -> None:
    prompt = "Write a function from the peak load, the throughput and the target utilisation."
    points = ["Peak load divided by capacity", "Throughput comes from a load test"]
    assert names(prompt, points) == []


def test_a_shared_word_of_the_list_names_none_of_its_things() -> None:
    prompt = "Compare Manhattan, cosine and Jaccard distances."
    points = ["Manhattan sums absolute differences", "Cosine ignores length", "Jaccard uses sets"]
    points.append("Distances concentrate in high dimensions")
    assert names(prompt, points) == ["manhattan", "cosine", "jaccard"]


def test_each_thing_said_rightly_earns_its_point() -> None:
    result = GRADER.grade(
        BANDITS,
        "Epsilon-greedy explores uniformly at random. UCB adds a confidence bonus to each mean. "
        "Thompson sampling samples from the posterior of each arm.",
    )
    assert len(result.covered) == 3
    assert not result.contradicted


@pytest.mark.parametrize(
    "answer",
    [
        "UCB picks a random arm with probability epsilon.",
        "Thompson sampling adds a confidence bonus, and UCB samples from the posterior.",
    ],
)
def test_a_point_said_of_another_listed_thing_is_a_swap(answer: str) -> None:
    result = GRADER.grade(BANDITS, answer)
    assert result.covered == ()
    assert result.contradicted


def test_a_point_said_after_its_own_thing_is_compared_is_no_swap() -> None:
    result = GRADER.grade(
        BANDITS, "UCB is slower than Thompson sampling, and samples from the posterior are cheap."
    )
    assert not result.contradicted
