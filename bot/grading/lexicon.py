"""Word knowledge the grader shares: which words mean the same, which mean the opposite, which
hedge, and which abbreviations stand for which phrases.

Everything here is applied to the rubric and to the answer alike, so a rubric written with
"true positives" credits an answer that says "TP", and "lasso" meets "L1".
"""

from __future__ import annotations

import re
from typing import Final

# Everyday words people use interchangeably for one idea. Each group shares the stem of its
# first word, so "punishes big errors" meets a rubric's "penalises large errors". Kept to
# plain English and to ML usage where the words really are swapped freely.
SYNONYM_GROUPS: Final[tuple[str, ...]] = (
    "large big huge",
    "larger bigger",
    "largest biggest",
    "small tiny",
    "penalise punish",
    "error mistake",
    "final last",
    "running moving",
    "unit neuron",
    "remove drop delete discard",
    "fast quick",
    "faster quicker",
    "reduce decrease lower shrink",
    "increase raise higher grow",
    "outcome result",
    "costly expensive",
    "choose pick select",
    "example sample observation instance",
    "feature variable column predictor",
    "weight coefficient",
    "class category",
    # Names that mean one method: "lasso" is L1 regularisation, "ridge" is L2.
    "l1 lasso manhattan",
    "l2 ridge euclidean",
    "square squared quadratic",
    "absolute abs modulus",
    "memorise memorize",
    "generalise generalize",
    "random arbitrary",
    "randomly arbitrarily",
    "whole entire",
    "document doc",
    "dictionary dict hashmap",
    "bin bucket",
    "scale rescale",
    "times multiply multiplied",
    "annotator labeller labeler rater",
    "minimum minima valley",
    "maximum maxima",
    "vanish disappear",
    "agreement agree",
    "flip switch toggle",
    "vocabulary vocab",
    "uniformly evenly",
    "chunk piece",
    "previous past earlier preceding",
)

# Phrases and their usual abbreviations; the phrase is rewritten to the abbreviation, so a
# formula like TP / (TP + FP) and its words "true positives over true plus false positives"
# share their terms.
ABBREVIATIONS: Final[dict[str, str]] = {
    "true positives?": "tp",
    "false positives?": "fp",
    "true negatives?": "tn",
    "false negatives?": "fn",
    "true positive rate": "tpr",
    "false positive rate": "fpr",
    "root mean squared? errors?": "rmse",
    "mean squared? errors?": "mse",
    "mean absolute errors?": "mae",
    "principal components? analysis": "pca",
    "support vector machines?": "svm",
    "k nearest neighbou?rs?": "knn",
    "k nn": "knn",
    "stochastic gradient descent": "sgd",
    "recurrent neural networks?": "rnn",
    "convolutional neural networks?": "cnn",
    "long short term memory": "lstm",
    "maximum likelihood estimat(?:ion|e|or)": "mle",
    "area under the (?:roc )?curve": "auc",
    "receiver operating characteristics?": "roc",
    "exploratory data analysis": "eda",
    "natural language processing": "nlp",
    "term frequency inverse document frequency": "tfidf",
    "tf idf": "tfidf",
    "rectified linear units?": "relu",
    "batch normali[sz]ation": "batchnorm",
    "batch norm": "batchnorm",
    "learning rate": "lr",
    # Gradient descent's step size is its learning rate.
    "step sizes?": "lr",
    "non max(?:imum)? suppression": "nms",
    # He initialisation is Kaiming's; as a bare "he" it would read as the pronoun.
    "he (?:initiali[sz](?:ation|ed|e)|init|normal|uniform|et al)": "kaiming",
}

# Longest first: "false positive rate" is FPR, not "FP rate".
_ABBREVIATION: Final = re.compile(
    r"\b(?:"
    + "|".join(
        f"(?:{p.replace(' ', '[ -]+')})" for p in sorted(ABBREVIATIONS, key=len, reverse=True)
    )
    + r")\b"
)
_ABBREVIATION_PATTERNS: Final = tuple(
    (re.compile(rf"^(?:{p.replace(' ', '[ -]+')})$"), short) for p, short in ABBREVIATIONS.items()
)


def _abbreviate(match: re.Match[str]) -> str:
    phrase = match.group()
    return next((short for pattern, short in _ABBREVIATION_PATTERNS if pattern.match(phrase)), "")


# "5%" and "0.05" are one number; a decimal stays one token.
_PERCENT: Final = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*(?:%|percent\b)")


def _counted(words: str, start: int, step: int) -> dict[str, int]:
    return {word: start + step * index for index, word in enumerate(words.split())}


_NUMBER_WORDS: Final = _counted(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen",
    0,
    1,
) | _counted("twenty thirty forty fifty sixty seventy eighty ninety", 20, 10)
# "Seventy percent", "twenty-five percent": a number in words is the same share.
_NUMBER_WORD_PERCENT: Final = re.compile(
    r"\b(" + "|".join(_NUMBER_WORDS) + r")(?:[- ](" + "|".join(_NUMBER_WORDS) + r"))?\s+percent\b"
)


def _number_word_fraction(match: re.Match[str]) -> str:
    value = _NUMBER_WORDS[match.group(1)] + (_NUMBER_WORDS[match.group(2)] if match.group(2) else 0)
    return f"{value} percent"


def _fraction(match: re.Match[str]) -> str:
    value = float(match.group(1)) / 100
    return f"{value:.6f}".rstrip("0").rstrip(".") or "0"


# "non-convex" is one word, "nonconvex", as the opposites below spell it; split in two, its
# "convex" would read as the very word it denies.
_NON: Final = re.compile(r"\bnon[- ](?=[a-z])")

# Four or more words joined by hyphens make one modifier that names an idea without claiming
# it: "the stuck-in-a-bad-local-minimum story" asserts nothing about local minima.
_HYPHEN_CHAIN: Final = re.compile(r"\b[^\W_]+(?:-[^\W_]+){3,}\b")


def _one_word(match: re.Match[str]) -> str:
    return match.group().replace("-", "")


# "Likely" is a stop word for its hedging sense; compared, it is "probable": "the parameters
# that make the data most likely" are the ones that make it most probable.
_LIKELY: Final = re.compile(r"\b(most|more|less|least|equally) likely\b")

# Complexity classes by name: as letters, "O(n^2)" holds every letter of "O(n)", so an answer
# calling the quadratic brute force optimal would read as the linear solution.
_BIG_O: Final = (
    (re.compile(r"\bo\(\s*1\s*\)"), "constant"),
    (re.compile(r"\bo\(\s*n\s*\)"), "linear"),
    # NFKC has made "n²" into "n2".
    (re.compile(r"\bo\(\s*n\s*(?:\^|\*\*)?\s*2\s*\)"), "quadratic"),
    (re.compile(r"\bo\(\s*log\s*n\s*\)"), "logarithmic"),
)

# "e to the power of the loss" is its exponential.
_POWER_OF_E: Final = re.compile(r"\be\s*(?:\^|\*\*|to the power(?: of)?)\s*")

# "TP+FP" says "tp plus fp", as a phrasing written in words does.
_PLUS: Final = re.compile(r"(?<=[\w)])\s*\+\s*(?=[\w(])")


def expand(text: str) -> str:
    """Normalised text with abbreviations for known phrases, percentages as fractions and
    plus signs as words."""
    text = _ABBREVIATION.sub(_abbreviate, text)
    if "-" in text:
        text = _HYPHEN_CHAIN.sub(_one_word, text)
    if "non" in text:
        text = _NON.sub("non", text)
    if "likely" in text:
        text = _LIKELY.sub(r"\1 probable", text)
    if "o(" in text:
        for pattern, name in _BIG_O:
            text = pattern.sub(name, text)
    if "power" in text or "^" in text or "**" in text:
        text = _POWER_OF_E.sub("exponential of ", text)
    if "+" in text:
        text = _PLUS.sub(" plus ", text)
    if "percent" in text:
        text = _NUMBER_WORD_PERCENT.sub(_number_word_fraction, text)
    if "%" in text or "percent" in text:
        text = _PERCENT.sub(_fraction, text)
    return text


# Pairs of words with opposite meanings. An answer that matches a key point's phrasing while
# saying the opposite of the point ("k-NN is fast at prediction time" for "prediction is
# slow") has not made the point.
OPPOSITE_PAIRS: Final = (
    ("fast", "slow"),
    ("faster", "slower"),
    ("high", "low"),
    ("increase", "reduce"),
    ("large", "small"),
    ("larger", "smaller"),
    ("robust", "sensitive"),
    ("independent", "dependent"),
    ("parallel", "sequential"),
    ("sparse", "dense"),
    ("simple", "complex"),
    ("overfit", "underfit"),
    ("overfitting", "underfitting"),
    ("supervised", "unsupervised"),
    ("linear", "nonlinear"),
    ("convex", "nonconvex"),
    ("cheap", "expensive"),
    ("stable", "unstable"),
    ("easy", "hard"),
    ("shallow", "deep"),
    ("early", "late"),
    ("global", "local"),
)

# A word negated means its opposite: "the features don't match" says they mismatch, "the
# path is not closed" that it is open. Only words with one plain opposite.
NEGATED_MEANS: Final[dict[str, str]] = {
    "match": "mismatch",
    "same": "different",
    "similar": "different",
    "equal": "unequal",
    "closed": "open",
    "open": "closed",
    "connected": "disconnected",
    "complete": "incomplete",
    "correlated": "uncorrelated",
    "stationary": "nonstationary",
    "linear": "nonlinear",
    "convex": "nonconvex",
    "enough": "insufficient",
    "consistent": "inconsistent",
}

FIRST_PERSON: Final = frozenset({"i", "me", "my", "mine", "myself", "we", "us", "our", "ours"})

# Words that hedge a claim. Hedging alone is fine; hedging with nothing right to say is the
# sound of a guess.
HEDGES: Final = frozenset(
    [
        "maybe",
        "perhaps",
        "probably",
        "possibly",
        "guess",
        "somehow",
        "suppose",
        "unsure",
        "think",
        "believe",
    ]
)
HEDGE_PHRASES: Final = re.compile(
    r"\b(?:not (?:really |entirely |totally )?sure|i think|i guess|i believe|kind of|sort of|"
    r"something like|or something|if i remember|i'm not sure|not certain|no idea)\b"
)
