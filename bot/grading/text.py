"""Text normalisation, so answers and rubric phrasings are compared on the same terms."""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

import snowballstemmer

# Invisible characters people paste from documents; they would split or hide words.
_ZERO_WIDTH: Final = "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\ufeff\u00ad\u180e"
_TRANSLATE: Final[dict[int, str | None]] = {
    **dict.fromkeys(map(ord, _ZERO_WIDTH), None),
    **{ord(q): "'" for q in "\u2018\u2019\u02bc\u2032`"},
}


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


STOP_WORDS: Final[frozenset[str]] = _word_set(
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

_NEGATIONS: Final[frozenset[str]] = _word_set(
    """
    not no never nothing none neither nor without cannot nobody nowhere
    dont doesnt didnt isnt arent wasnt werent cant couldnt shouldnt wouldnt wont hasnt havent
    hadnt aint mustnt neednt
    """
)

CONTRAST_WORDS: Final[frozenset[str]] = frozenset({"but", "however", "although", "though", "yet"})

_WORD: Final = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_LINES: Final = re.compile(r"[\n\r\u2028\u2029\u0085]+|[•·▪‣◦●∙]")
_BULLET: Final = re.compile(r"^\s*(?:[-*+>–—]+|\(?\d{1,2}[.)]|\(?[a-z]\))(?=\s|$)\s*")
_SENTENCE_END: Final = re.compile(r"[!?;]+|\.+(?=\s|$)")
# "No, L1 gives sparsity": the leading "no" answers the interviewer; it negates nothing after it.
_INTERJECTION: Final = re.compile(r"^\s*(?:no|nope|nah)\s*,\s*")
_BRITISH: Final = (
    (re.compile(r"(?<=[a-z]{3})is(e|ed|es|ing|ation|ations|er|ers|able)$"), r"iz\1"),
    (re.compile(r"(?<=[a-z]{3})ys(e|ed|es|ing|er|ers)$"), r"yz\1"),
    (re.compile(r"(?<=[a-z]{3})our(s|ed|ing|al|ally|ite|ites)?$"), r"or\1"),
)

_STEMMER: Final = snowballstemmer.stemmer("english")
_STEMMER_LOCK: Final = threading.Lock()


def normalise(text: str) -> str:
    """NFKC, lower case, no invisible characters, one kind of apostrophe."""
    return unicodedata.normalize("NFKC", text).translate(_TRANSLATE).lower()


def truncate(text: str, max_chars: int) -> tuple[str, bool]:
    """Cut at a word boundary so the last word graded is a whole word."""
    if len(text) <= max_chars:
        return text, False
    cut = text[:max_chars]
    if not text[max_chars].isspace():
        parts = cut.rsplit(None, 1)
        if len(parts) == 2:  # otherwise one giant "word": keep the hard cut
            cut = parts[0]
    return cut.rstrip(), True


def split_sentences(text: str) -> list[str]:
    """Sentences of normalised text; lines and bullets count as sentences too."""
    sentences: list[str] = []
    for line in _LINES.split(text):
        line = _BULLET.sub("", line, count=1)
        for part in _SENTENCE_END.split(line):
            part = _INTERJECTION.sub("", part, count=1).strip()
            if part:
                sentences.append(part)
    return sentences


def tokenize(text: str) -> list[str]:
    """Raw words of normalised text; "it's" becomes "it", "isn't" stays whole as a negation."""
    tokens: list[str] = []
    for match in _WORD.finditer(text):
        token = match.group()
        if "'" in token and not token.endswith("n't"):
            token = token.split("'", 1)[0]
        tokens.append(token)
    return tokens


def is_negation(token: str) -> bool:
    return token in _NEGATIONS or token.endswith("n't")


def is_content(token: str) -> bool:
    return token not in STOP_WORDS and not is_negation(token)


@lru_cache(maxsize=16384)
def canonical_spelling(word: str) -> str:
    """One spelling for British and American forms (-ise/-ize, -yse/-yze, -our/-or)."""
    for pattern, replacement in _BRITISH:
        word = pattern.sub(replacement, word, count=1)
    return word


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    canonical = canonical_spelling(word)
    with _STEMMER_LOCK:  # Snowball stemmers keep state between calls.
        return str(_STEMMER.stemWord(canonical))


def content_stems(text: str) -> list[str]:
    """Stems of the words that carry meaning, in order, for raw (not yet normalised) text."""
    return [stem(token) for token in tokenize(normalise(text)) if is_content(token)]


@dataclass(frozen=True, slots=True, eq=False)
class Sentence:
    """One sentence, indexed for the lookups phrasing matching does over and over."""

    tokens: tuple[str, ...]
    stem_positions: dict[str, int]
    word_positions: dict[str, int]
    long_words: tuple[str, ...]
    long_stems: tuple[str, ...]
    negations: tuple[int, ...]
    contrasts: tuple[int, ...]

    @classmethod
    def parse(cls, text: str, *, fuzzy_min_len: int = 5) -> Sentence:
        tokens = tuple(tokenize(text))
        stems: dict[str, int] = {}
        words: dict[str, int] = {}
        negations: list[int] = []
        contrasts: list[int] = []
        for position, token in enumerate(tokens):
            if is_negation(token):
                negations.append(position)
            elif token in CONTRAST_WORDS:
                contrasts.append(position)
            elif token not in STOP_WORDS:
                stems.setdefault(stem(token), position)
                words.setdefault(canonical_spelling(token), position)
        return cls(
            tokens=tokens,
            stem_positions=stems,
            word_positions=words,
            long_words=tuple(w for w in words if len(w) >= fuzzy_min_len),
            long_stems=tuple(s for s in stems if len(s) >= fuzzy_min_len),
            negations=tuple(negations),
            contrasts=tuple(contrasts),
        )
