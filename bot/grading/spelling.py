"""Typos: a word spelt near enough to a rubric's word is that word, unless letters put in
front of the whole word are all that tells them apart ("finite" and "infinite" are one edit
apart, yet no typo; nor are "lower" and "slower"), or the two are one root behind two
prefixes ("encoder" and "decoder")."""

from __future__ import annotations

from typing import Final

from rapidfuzz import fuzz, process

FUZZY_CUTOFF: Final = 85
FUZZY_MIN_LEN: Final = 5
# Prefixes that make another word of the same root.
_CONTRASTING_PREFIXES: Final = ("en", "de", "in", "ex", "re", "pre", "post", "sub", "super")


def near_spelling(word: str, candidates: tuple[str, ...]) -> str | None:
    """The closest spelling of `word` among the candidates that is not its opposite."""
    if not candidates:
        return None
    matches = process.extract(
        word, candidates, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=3
    )
    return next((found for found, _, _ in matches if not _opposites(word, found)), None)


def _opposites(a: str, b: str) -> bool:
    short, long = sorted((a, b), key=len)
    # A whole word with letters put in front is another word, not a slip of the keys:
    # "slower" is not "lower", "preconditioning" not "conditioning". Doing it again is
    # still doing it: "resample" keeps "sample".
    if len(long) > len(short) and long.endswith(short) and long != "re" + short:
        return True
    # The same word behind two different prefixes: "encoder" and "decoder".
    return any(
        a.startswith(p) and b.startswith(q) and a[len(p) :] == b[len(q) :]
        for p in _CONTRASTING_PREFIXES
        for q in _CONTRASTING_PREFIXES
        if p != q
    )
