"""The small words the grader reads past, the ones a wrong claim turns on, and the words
that negate: shared by the text scan and every check built on it."""

from __future__ import annotations

from typing import Final


def word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


STOP_WORDS: Final[frozenset[str]] = word_set(
    """
    a about above after again against all almost along already also although am among an and
    another any anyone anything are around as at basically be became because become been before
    being below between both but by can could did do does doing done down during each either else
    enough especially etc even ever every everything few for from further get gets getting got had
    has have having he her here hers herself him himself his how however i ie eg e g if in into is
    it its itself just kind least let like likely lot lots made make makes making many may maybe me
    might more most mostly much must my myself now of off often ok okay on once one only onto or
    other others otherwise our ours ourselves out over own per quite rather really same say says
    she should since so some something sometimes somewhat such sure than that the their theirs them
    themselves then there therefore these they thing things this those though through thus to too
    toward towards under until up upon us use used uses using usually very via was we well were
    what whatever when whenever where whereas whether which while who whom whose why will with
    within would yes yet you your yours yourself yourselves
    """
)

# Words that open a relative clause about what was just named: "unlike RLHF, which trains ...".
RELATIVES: Final[frozenset[str]] = word_set("that which who")

# Stop words that a misconception turns on ("AUC is enough", "always cache", "only accuracy
# matters", "on-policy"): kept in sentences, and in the phrasings of wrong claims.
CLAIM_WORDS: Final[frozenset[str]] = word_set(
    "all always enough every everything only just alone same more most any anything on off"
)

_NEGATIONS: Final[frozenset[str]] = word_set(
    """
    not no never nothing none neither nor without cannot nobody nowhere
    barely hardly scarcely rarely seldom
    dont doesnt didnt isnt arent wasnt werent cant couldnt shouldnt wouldnt wont hasnt havent
    hadnt aint mustnt neednt
    """
)


def is_negation(token: str) -> bool:
    return token in _NEGATIONS or token.endswith("n't")


def is_content(token: str) -> bool:
    return token not in STOP_WORDS and not is_negation(token)
