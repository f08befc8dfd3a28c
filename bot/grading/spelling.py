"""Typos: a word spelt near enough to a rubric's word is that word, unless a negating prefix
is all that tells them apart ("finite" and "infinite" are one edit apart, yet no typo), or
the two are one root behind two prefixes ("encoder" and "decoder")."""

from __future__ import annotations

from typing import Final

from rapidfuzz import fuzz, process

FUZZY_CUTOFF: Final = 85
FUZZY_MIN_LEN: Final = 5
# Prefixes that turn a word into its opposite, so a near spelling is not a typo.
_NEGATING_PREFIXES: Final = ("a", "ab", "in", "un", "im", "ir", "il", "non", "dis")
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
    if any(long == prefix + short for prefix in _NEGATING_PREFIXES):
        return True
    # The same word behind two different prefixes: "encoder" and "decoder".
    return any(
        a.startswith(p) and b.startswith(q) and a[len(p) :] == b[len(q) :]
        for p in _CONTRASTING_PREFIXES
        for q in _CONTRASTING_PREFIXES
        if p != q
    )
