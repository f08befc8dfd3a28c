"""Normalisation helpers the grader relies on."""

from __future__ import annotations

import pytest

from bot.grading.text import (
    Sentence,
    canonical_spelling,
    content_stems,
    is_negation,
    normalise,
    split_sentences,
    stem,
    tokenize,
    truncate,
    written_formula,
)


def denied_words(text: str) -> set[str]:
    """The words a negation in the sentence denies."""
    sentence = Sentence.parse(text)
    return {sentence.tokens[i] for i in sentence.denied}


def assert_reach(text: str, denied: set[str], asserted: set[str]) -> None:
    """The sentence's negations deny every word of `denied` and none of `asserted`."""
    said = denied_words(text)
    assert denied <= said
    assert not asserted & said


def test_normalise_lowercases_and_removes_invisible_characters() -> None:
    assert normalise("Weight\u200b De\u200dcay") == "weight decay"
    assert normalise("ＬＩ ﬁne") == "li fine"  # NFKC folds full-width letters and ligatures
    assert normalise("doesn’t") == "doesn't"


def test_sentences_split_on_punctuation_newlines_and_bullets() -> None:
    text = normalise("First one. Second one! Third? Fourth; fifth\n- sixth\n* seventh • eighth")
    assert split_sentences(text) == [
        "first one",
        "second one",
        "third",
        "fourth",
        "fifth",
        "sixth",
        "seventh",
        "eighth",
    ]


def test_sentences_keep_decimals_and_numbered_bullets() -> None:
    text = normalise("1. Set lambda to 0.5 first\n2) then tune it")
    assert split_sentences(text) == ["set lambda to 0.5 first", "then tune it"]


def test_tokenize_keeps_negations_whole_and_drops_other_clitics() -> None:
    assert tokenize("it's the model's loss, isn't it") == [
        "it",
        "the",
        "model",
        "loss",
        "isn't",
        "it",
    ]


@pytest.mark.parametrize(
    "word", ["not", "no", "never", "nothing", "none", "neither", "nor", "without"]
)
def test_negation_words(word: str) -> None:
    assert is_negation(word)


@pytest.mark.parametrize("word", ["isn't", "doesn't", "don't", "won't", "doesnt", "dont", "isnt"])
def test_negated_contractions_with_and_without_apostrophe(word: str) -> None:
    assert is_negation(word)


@pytest.mark.parametrize("word", ["note", "nothingness", "know", "snot", "but"])
def test_words_that_only_look_negative(word: str) -> None:
    assert not is_negation(word)


@pytest.mark.parametrize(
    ("british", "american"),
    [
        ("regularisation", "regularization"),
        ("regularise", "regularize"),
        ("optimised", "optimized"),
        ("analyse", "analyze"),
        ("behaviour", "behavior"),
    ],
)
def test_british_and_american_spellings_stem_alike(british: str, american: str) -> None:
    assert canonical_spelling(british) == canonical_spelling(american)
    assert stem(british) == stem(american)


def test_short_words_keep_their_spelling() -> None:
    assert canonical_spelling("rise") == "rise"
    assert canonical_spelling("noise") == "noise"
    assert canonical_spelling("hour") == "hour"


def test_content_stems_drop_stop_words_and_negations() -> None:
    assert content_stems("It does not penalise the Weights") == ["penal", "weight"]


def test_truncate_cuts_at_a_word_boundary() -> None:
    assert truncate("short", 10) == ("short", False)
    assert truncate("alpha beta gamma", 8) == ("alpha", True)
    assert truncate("alpha beta gamma", 10) == ("alpha beta", True)
    assert truncate("abcdefghij", 4) == ("abcd", True)


def test_sentence_index_records_first_positions_and_cues() -> None:
    sentence = Sentence.parse("it does not overfit but it shrinks weights and weights")
    assert sentence.negations == (2,)
    assert sentence.contrasts == (4,)
    assert sentence.stem_positions["weight"] == 7
    assert "overfit" in sentence.long_stems


def test_a_negation_reaches_into_a_clause_joined_by_or() -> None:
    denied = denied_words("i wouldn't ask about the first days or what i'd deliver in months")
    assert {"days", "deliver", "months"} <= denied


def test_a_negation_stops_at_a_clause_joined_by_and() -> None:
    denied = denied_words("i don't tune the rate and i watch the loss")
    assert "rate" in denied
    assert "loss" not in denied


def test_a_negation_stops_at_a_comma_that_joins_a_clause() -> None:
    denied = denied_words("the model does not learn them as normal, and add a cusum on top")
    assert "normal" in denied
    assert not {"add", "cusum"} & denied


def test_a_negation_reads_through_a_list_with_a_comma_before_its_last_item() -> None:
    denied = denied_words("it does not use dropout, weight decay, and early stopping")
    assert {"dropout", "decay", "stopping"} <= denied


@pytest.mark.parametrize(
    "text",
    [
        "the error stays no matter how good the model is",
        "no matter what the model does the error grows",
        "no doubt the model error grows",
        "the attack guesses whether a record was in the model's training data or not",
        "whether the model error grows or not, we retrain",
        "the model answers a yes or no question about the error",
        "each label gets its own yes/no model error",
    ],
)
def test_a_set_phrase_with_a_negation_word_denies_nothing(text: str) -> None:
    sentence = Sentence.parse(text)
    assert sentence.denied == frozenset()
    assert {"model", "error"} & set(sentence.affirmed_stems)


def test_saying_no_denies_nothing() -> None:
    sentence = Sentence.parse("if the model says no to everything its accuracy is 99 percent")
    assert sentence.denied == frozenset()


@pytest.mark.parametrize("pronoun", ["it", "them"])
def test_without_a_pronoun_opens_a_condition_and_the_main_clause_is_asserted(
    pronoun: str,
) -> None:
    sentence = Sentence.parse(f"without {pronoun} the network is just one linear map")
    assert {"network", "linear", "map"} <= set(sentence.affirmed_stems)


def test_or_not_still_denies_what_follows_it() -> None:
    sentence = Sentence.parse("use the model or not the error")
    assert "error" not in sentence.affirmed_stems


@pytest.mark.parametrize("arrow", ["->", "=>", "→"])
def test_an_arrow_in_a_note_ends_a_negation_reach(arrow: str) -> None:
    sentence = Sentence.parse(f"no labels {arrow} resample the answers and compare them")
    assert "label" not in sentence.affirmed_stems
    assert {"resampl", "answer", "compar"} <= set(sentence.affirmed_stems)


def test_an_arrow_joins_one_idea_in_a_single_clause() -> None:
    sentence = Sentence.parse("small k -> high variance")
    assert sentence.clause_starts == ()


def test_a_negation_opening_a_second_predicate_leaves_the_first_alone() -> None:
    denied = denied_words("the hessian is a plus a transpose and does not depend on x")
    assert "depend" in denied
    assert not {"hessian", "plus", "transpose"} & denied
    listed = Sentence.parse("relu, batch norm and residuals don't help")
    assert "residuals" in {listed.tokens[i] for i in listed.denied}


def test_a_negation_ends_where_and_opens_a_second_predicate() -> None:
    denied = denied_words("it doesn't memorise the training data and does better on new data")
    assert "memorise" in denied
    assert not {"better", "new"} & denied
    both = Sentence.parse("it does not memorise the data and generalise")
    assert "generalise" in {both.tokens[i] for i in both.denied}


def test_a_dismissal_denies_its_subject_only() -> None:
    sentence = Sentence.parse("rules engines are outdated so we trust the model")
    denied = {sentence.tokens[i] for i in sentence.denied}
    assert {"rules", "engines"} <= denied
    assert "model" not in denied
    assert sentence.negations == ()


def test_a_negated_word_says_its_opposite() -> None:
    sentence = Sentence.parse("the features at serving don't match the training ones")
    assert "mismatch" in sentence.affirmed_stems
    assert "open" in Sentence.parse("the path is not closed").affirmed_stems
    assert "open" not in Sentence.parse("the path is closed").affirmed_stems


@pytest.mark.parametrize(
    ("text", "denied", "asserted"),
    [
        # Opening a sentence, "without" names a condition; what follows is asserted.
        (
            "without length normalisation every extra token raises the score",
            {"length", "normalisation"},
            {"extra", "token", "raises", "score"},
        ),
        ("without the kl penalty the policy drifts", {"kl", "penalty"}, {"policy", "drifts"}),
        # Inside a clause it denies what it is followed by, a list of them included ...
        ("the model trains without labels or any tuning", {"labels", "tuning"}, set()),
        ("it trains without labels, priors or tuning", {"labels", "priors", "tuning"}, set()),
        # ... a few words of it, up to a comma: what is said after that is asserted.
        (
            "random 10% holdout without the model, difference significant at p 0.01",
            {"model"},
            {"difference", "significant"},
        ),
        (
            "so without length normalisation beam search prefers short outputs",
            {"length", "normalisation"},
            {"prefers", "short", "outputs"},
        ),
    ],
)
def test_without_opening_a_sentence_denies_only_its_condition(
    text: str, denied: set[str], asserted: set[str]
) -> None:
    assert_reach(text, denied, asserted)


def test_a_negation_stops_where_and_opens_a_new_subject() -> None:
    denied = denied_words("neurons can't co adapt and the net learns redundant features")
    assert "adapt" in denied
    assert not {"net", "learns", "redundant", "features"} & denied
    # A list of objects stays inside the denial: "not the mean and the median".
    listed = Sentence.parse("it doesn't use the mean and median")
    assert {"mean", "median"} <= {listed.tokens[i] for i in listed.denied}


@pytest.mark.parametrize(
    "example",
    [
        "for example outliers drag the mean",
        "for instance outliers drag the mean",
        "e.g. outliers drag the mean",
        "like outliers dragging the mean",
        "say outliers dragging the mean",
    ],
)
def test_a_negation_does_not_deny_the_example_after_a_comma(example: str) -> None:
    denied = denied_words(normalise(f"it isn't robust, {example}"))
    assert "robust" in denied
    assert not {"outliers", "drag", "dragging", "mean"} & denied


def test_a_negation_still_reaches_the_items_it_lists() -> None:
    assert {"entropy", "information"} <= denied_words(
        "it doesn't use gini impurity, entropy or information gain"
    )


@pytest.mark.parametrize("opener", ["when", "if", "because", "since", "although"])
def test_a_negation_in_a_clause_set_before_the_main_one_ends_at_its_comma(opener: str) -> None:
    denied = denied_words(f"{opener} the data is not separable by a line, svm use a kernel")
    assert "separable" in denied
    assert not {"svm", "use", "kernel"} & denied


def test_a_negation_in_a_clause_later_in_the_sentence_still_reads_its_list() -> None:
    assert {"scaled", "centred", "cleaned"} <= denied_words(
        "it fails because the data is not scaled, centred or cleaned"
    )


def test_a_negation_after_and_a_new_subject_leaves_the_clause_before_alone() -> None:
    denied = denied_words("the gradients shrink and the rnn can't learn long dependencies")
    assert "learn" in denied
    assert not {"gradients", "shrink"} & denied


def test_a_negation_after_a_list_of_subjects_still_denies_them_all() -> None:
    assert {"relu", "batch", "norm"} <= denied_words("relu and batch norm don't help here")


def test_a_formula_is_written_without_spaces_and_words_are_no_formula() -> None:
    assert written_formula("(P + R) / 2") == "(pplusr)/2"
    assert written_formula("tp/(tp+fp)") == "tp/(tpplusfp)"
    assert written_formula("posterior = likelihood / prior") == ""
    assert written_formula("harmonic mean") == ""


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("5% of traffic", "0.05 of traffic"),
        ("five percent of traffic", "0.05 of traffic"),
        ("seventy percent one group", "0.7 one group"),
        ("twenty-five percent", "0.25"),
        ("ninety nine percent", "0.99"),
        ("one of the five", "one of the five"),
    ],
)
def test_a_share_in_words_or_digits_is_one_number(text: str, normalised: str) -> None:
    assert normalise(text) == normalised


@pytest.mark.parametrize(
    ("text", "denied", "asserted"),
    [
        # A comma with no "and" or "or" after it separates clauses, not the items of a list.
        ("h0: drug have no effect, mean recovery same as control group", {"effect"}, {"control"}),
        (
            "lambda has no gpu, memory capped at 10gb, 15 min timeout",
            {"gpu"},
            {"memory", "capped", "timeout"},
        ),
        # With one, the negation reaches every item.
        ("it doesn't use gini impurity, entropy or information gain", {"entropy", "gain"}, set()),
        # A clause opened by "because" ends at its comma, its subject pronoun notwithstanding.
        (
            "because they start quickly and keep no state, kubernetes can restart and scale them",
            {"state"},
            {"kubernetes", "restart", "scale"},
        ),
    ],
)
def test_a_negation_reaches_over_commas_only_into_a_list(
    text: str, denied: set[str], asserted: set[str]
) -> None:
    assert_reach(text, denied, asserted)


@pytest.mark.parametrize("quote", ['"', "\u201c"])
def test_a_negation_word_in_quotes_is_a_mention(quote: str) -> None:
    closing = "\u201d" if quote == "\u201c" else quote
    text = normalise(f"you'd get 99.5% accuracy by answering {quote}no{closing} every time")
    assert not {"accuracy", "answering", "time"} & denied_words(text)


@pytest.mark.parametrize(
    ("text", "denied", "asserted"),
    [
        # "and" with a past verb and its object: what the speaker did next.
        (
            "i decided it wasn't worth continuing and told my manager we should stop",
            {"worth", "continuing"},
            {"told", "manager", "stop"},
        ),
        ("we didn't test it and shipped the model anyway", {"test"}, {"shipped", "model"}),
        # Participles joined by "and" stay in the denial.
        ("the data is not scaled and centred properly", {"scaled", "centred"}, set()),
    ],
)
def test_a_negation_stops_where_and_opens_the_next_deed(
    text: str, denied: set[str], asserted: set[str]
) -> None:
    assert_reach(text, denied, asserted)
