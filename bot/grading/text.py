"""Text normalisation, so answers and rubric phrasings are compared on the same terms."""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

import snowballstemmer

from bot.grading.lexicon import NEGATED_MEANS, SYNONYM_GROUPS, expand
from bot.grading.reach import LIST_JOINERS, negated_positions

# Re-exported: the word lists are part of what every text check reads.
from bot.grading.words import CLAIM_WORDS as CLAIM_WORDS
from bot.grading.words import STOP_WORDS as STOP_WORDS
from bot.grading.words import is_content as is_content
from bot.grading.words import is_negation as is_negation
from bot.grading.words import word_set

# Invisible characters people paste from documents; they would split or hide words.
_ZERO_WIDTH: Final = "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\ufeff\u00ad\u180e"
_TRANSLATE: Final[dict[int, str | None]] = {
    **dict.fromkeys(map(ord, _ZERO_WIDTH), None),
    **{ord(q): "'" for q in "\u2018\u2019\u02bc\u2032`"},
}


# Verdicts that deny what they are said of: "looking at X is pointless", "X is a myth". Unlike
# "not", they reach back only, over the subject they judge.
DISMISSALS: Final[frozenset[str]] = word_set(
    """
    pointless useless unnecessary outdated overrated irrelevant meaningless nonsense overkill
    obsolete myth
    """
)

CONTRAST_WORDS: Final[frozenset[str]] = frozenset({"but", "however", "although", "though", "yet"})
# Words that open a new clause. A negation is about its own clause, so its reach stops here:
# in "L2 does not zero weights, which is why L1 gives sparsity" the "not" leaves L1 alone.
CLAUSE_WORDS: Final[frozenset[str]] = CONTRAST_WORDS | word_set(
    """
    whereas while whilst so because since which that who unless otherwise instead therefore
    thus hence then when where whenever if
    """
)
# A subject pronoun opens a clause too ("if it is not useful I drop the column"), except
# after a verb of saying or thinking, whose negation belongs to what follows: "I don't think
# we need it", "I wouldn't say I took ownership".
_SUBJECT_PRONOUNS: Final[frozenset[str]] = word_set("i we they he she")
# A generic "you" opens one after "and" or "or": in "it trains faster and you don't have to
# tune it", the "don't" leaves "trains faster" alone. Elsewhere it is often inside what a
# negation denies: "not something you can see".
_REPORTING_VERBS: Final[frozenset[str]] = word_set(
    "say think believe guess suppose feel claim mean reckon"
)
_WORD: Final = re.compile(r"\d+(?:\.\d+)+|[^\W_]+(?:'[^\W_]+)*")
# Punctuation between two words that ends a clause: colons, brackets and dashes. A comma only
# does when a new subject follows it; otherwise it separates items of a list, and a negation
# reaches every item: "it doesn't use Gini impurity, entropy or information gain".
_CLAUSE_BREAK: Final = re.compile(r"[;:()\[\]{}–—]|(?:^|\s)-+(?:\s|$)")
# An arrow in a terse note joins one idea ("small k -> high variance"), but a negation stops
# at it: "no sources -> resample and compare" resamples.
_ARROW: Final = re.compile(r"[→⇒]|-+>|=+>")
_COMMA: Final = re.compile(r",")
_QUOTES: Final = frozenset("\"'\u201c\u201d")
_SUBJECTS: Final[frozenset[str]] = word_set(
    """
    i we you it they he she this these those there here the a an my our your its their his her
    one each every some any most many all both
    """
)
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
    """NFKC, lower case, no invisible characters, one kind of apostrophe, known phrases as
    their abbreviations."""
    return expand(unicodedata.normalize("NFKC", text).translate(_TRANSLATE).lower())


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


def _clean(token: str) -> str:
    if "'" in token and not token.endswith("n't"):
        return token.split("'", 1)[0]
    return token


# A formula: an operator or brackets, and no word longer than a symbol's name ("(p+r)/2").
_OPERATOR: Final = re.compile(r"[=/*^+()]")
_LONG_WORD: Final = re.compile(r"[a-z]{4,}")


def written_formula(text: str) -> str:
    """A formula as written, spaces squeezed out, for a claim that must be written as such:
    "2*p*r/(p+r)" holds every symbol of "(p+r)/2". Empty when the text is no formula."""
    text = text.lower()
    if not _OPERATOR.search(text) or _LONG_WORD.search(text):
        return ""
    return "".join(normalise(text).split())


def tokenize(text: str) -> list[str]:
    """Raw words of normalised text; "it's" becomes "it", "isn't" stays whole as a negation."""
    return [_clean(match.group()) for match in _WORD.finditer(text)]


@dataclass(frozen=True, slots=True)
class _Scan:
    """The words of one sentence with where they are and where its clauses start."""

    tokens: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]
    breaks: frozenset[int]  # positions of words that open a clause
    commas: frozenset[int]  # positions of words right after a comma
    arrows: frozenset[int]  # positions of words right after an arrow
    quoted: frozenset[int] = frozenset()  # words in quotes on their own: 'answering "no"'

    @property
    def negation_stops(self) -> frozenset[int]:
        return self.breaks | self.arrows | _examples(self.tokens, self.commas)


# Words that open an example after a comma. The example illustrates what came before; a
# negation before it does not deny it: "it isn't robust, for example outliers drag the mean",
# "it can't just memorise them, like turning them a bit".
_EXAMPLE_OPENERS: Final = frozenset({("for", "example"), ("for", "instance"), ("e", "g")})
_EXAMPLE_WORDS: Final = word_set("eg like say")


def _examples(tokens: Sequence[str], commas: frozenset[int]) -> frozenset[int]:
    return frozenset(
        i
        for i in commas
        if tokens[i] in _EXAMPLE_WORDS or tuple(tokens[i : i + 2]) in _EXAMPLE_OPENERS
    )


def _scan(text: str) -> _Scan:
    tokens: list[str] = []
    spans: list[tuple[int, int]] = []
    breaks: set[int] = set()
    commas: set[int] = set()
    arrows: set[int] = set()
    end = 0
    for match in _WORD.finditer(text):
        token = _clean(match.group())
        if tokens:
            comma = _COMMA.search(text, end, match.start()) is not None
            if comma:
                commas.add(len(tokens))
            if _ARROW.search(text, end, match.start()):
                arrows.add(len(tokens))
            if (
                token in CLAUSE_WORDS
                or (token in _SUBJECT_PRONOUNS and tokens[-1] not in _REPORTING_VERBS)
                or (token == "you" and tokens[-1] in LIST_JOINERS)
                or (comma and token in _SUBJECTS)
                or _CLAUSE_BREAK.search(text, end, match.start())
            ):
                breaks.add(len(tokens))
        tokens.append(token)
        spans.append(match.span())
        end = match.end()
    quoted = frozenset(
        i
        for i, (start, stop) in enumerate(spans)
        if start > 0 and stop < len(text) and text[start - 1] in _QUOTES and text[stop] in _QUOTES
    )
    return _Scan(
        tuple(tokens),
        tuple(spans),
        frozenset(breaks),
        frozenset(commas),
        frozenset(arrows),
        quoted,
    )


# A negation word that denies nothing in a set phrase: "the error stays no matter how good the
# model is", "no doubt". ("Not just the mean" stays a denial: it says the mean is not enough.)
_SET_PHRASES: Final = frozenset({("no", "matter"), ("no", "doubt")})
_SAYING: Final = word_set("yes say says said saying")  # "yes/no", "says no to everything"


def _set_phrase(scan: _Scan, i: int) -> bool:
    """ "Whether it was a member or not" and "a yes or no question" (or "yes/no") deny nothing
    either, nor does a word quoted alone ('by answering "no" every time')."""
    if i in scan.quoted:
        return True
    tokens = scan.tokens
    after = tokens[i + 1] if i + 1 < len(tokens) else ""
    if (tokens[i], after) in _SET_PHRASES:
        return True
    before = tokens[max(0, i - 2) : i]
    if tokens[i] == "no":
        return (i > 0 and tokens[i - 1] in _SAYING) or before == ("yes", "or")
    ends_clause = not after or i + 1 in scan.breaks or i + 1 in scan.commas
    return tokens[i] == "not" and before[-1:] == ("or",) and ends_clause


def denies_anything(text: str) -> bool:
    """A phrasing that says "not" needs an answer that does too; "a yes/no column" does not."""
    scan = _scan(text)
    return any(is_negation(t) and not _set_phrase(scan, i) for i, t in enumerate(scan.tokens))


def _denied(scan: _Scan) -> tuple[list[int], frozenset[int]]:
    tokens = scan.tokens
    cues = [i for i, token in enumerate(tokens) if is_negation(token) and not _set_phrase(scan, i)]
    verdicts = [i for i, token in enumerate(tokens) if token in DISMISSALS]
    if not cues and not verdicts:
        return cues, frozenset()
    stops = scan.negation_stops
    denied = negated_positions(scan.tokens, cues, stops, scan.commas)
    if verdicts:
        denied |= negated_positions(scan.tokens, verdicts, stops, scan.commas, reach_after=0)
    return cues, denied


def denied_tokens(sentence: str) -> tuple[tuple[str, ...], frozenset[int]]:
    """A sentence's tokens and the positions its negations deny, without the lookups
    `Sentence.parse` builds for matching: all a text's senses need."""
    scan = _scan(sentence)
    return scan.tokens, _denied(scan)[1]


def affirmed_text(text: str) -> str:
    """Normalised text with every negation and the words it denies blanked out, a sentence a
    line: for cue patterns that must not fire on "I didn't act on it"."""
    lines: list[str] = []
    for sentence in split_sentences(text):
        scan = _scan(sentence)
        cues, denied = _denied(scan)
        chars = list(sentence)
        for index in denied.union(cues):
            start, stop = scan.spans[index]
            chars[start:stop] = " " * (stop - start)
        lines.append("".join(chars))
    return "\n".join(lines)


@lru_cache(maxsize=16384)
def canonical_spelling(word: str) -> str:
    """One spelling for British and American forms (-ise/-ize, -yse/-yze, -our/-or)."""
    for pattern, replacement in _BRITISH:
        word = pattern.sub(replacement, word, count=1)
    return word


def _snowball(word: str) -> str:
    canonical = canonical_spelling(word)
    with _STEMMER_LOCK:  # Snowball stemmers keep state between calls.
        return str(_STEMMER.stemWord(canonical))


_SYNONYMS: Final[dict[str, str]] = {
    _snowball(word): _snowball(group.split()[0])
    for group in SYNONYM_GROUPS
    for word in group.split()[1:]
}


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    stemmed = _snowball(word)
    return _SYNONYMS.get(stemmed, stemmed)


_NEGATED_MEANS: Final = {word: stem(opposite) for word, opposite in NEGATED_MEANS.items()}


def content_stems(text: str) -> list[str]:
    """Stems of the words that carry meaning, in order, for raw (not yet normalised) text."""
    return [stem(token) for token in tokenize(normalise(text)) if is_content(token)]


def _negated_opposites(
    tokens: Sequence[str], negations: Iterable[int], affirmed: dict[str, int]
) -> None:
    """Affirm the opposite of a word negated right after its cue: "don't match" says
    "mismatch"."""
    for cue in negations:
        for position in range(cue + 1, min(cue + 3, len(tokens))):
            opposite = _NEGATED_MEANS.get(tokens[position])
            if opposite is not None:
                affirmed.setdefault(opposite, position)
                break
            if is_content(tokens[position]):
                break


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
    # The same lookups over only the words no negation denies: what the sentence affirms.
    affirmed_stems: dict[str, int]
    # Stems inside a negation's reach, for phrasings that themselves say "not ...".
    denied_stems: dict[str, int]
    affirmed_words: dict[str, int]
    affirmed_long_words: tuple[str, ...]
    affirmed_long_stems: tuple[str, ...]
    denied: frozenset[int]
    clause_starts: tuple[int, ...]
    commas: frozenset[int] = frozenset()  # positions of words right after a comma
    squeezed: str = ""  # the text without spaces, where a written formula is looked for

    @classmethod
    def parse(cls, text: str, *, fuzzy_min_len: int = 5) -> Sentence:
        scan = _scan(text)
        tokens = scan.tokens
        negations, denied = _denied(scan)
        stems: dict[str, int] = {}
        words: dict[str, int] = {}
        affirmed_stems: dict[str, int] = {}
        denied_stems: dict[str, int] = {}
        affirmed_words: dict[str, int] = {}
        contrasts: list[int] = []
        for position, token in enumerate(tokens):
            if is_negation(token):
                continue
            if token in CONTRAST_WORDS:
                contrasts.append(position)
            elif token not in STOP_WORDS or token in CLAIM_WORDS:
                token_stem, word = stem(token), canonical_spelling(token)
                stems.setdefault(token_stem, position)
                words.setdefault(word, position)
                if position not in denied:
                    affirmed_stems.setdefault(token_stem, position)
                    affirmed_words.setdefault(word, position)
                else:
                    denied_stems.setdefault(token_stem, position)
        _negated_opposites(tokens, negations, affirmed_stems)
        return cls(
            tokens=tokens,
            stem_positions=stems,
            word_positions=words,
            long_words=tuple(w for w in words if len(w) >= fuzzy_min_len),
            long_stems=tuple(s for s in stems if len(s) >= fuzzy_min_len),
            negations=tuple(negations),
            contrasts=tuple(contrasts),
            affirmed_stems=affirmed_stems,
            denied_stems=denied_stems,
            affirmed_words=affirmed_words,
            affirmed_long_words=tuple(w for w in affirmed_words if len(w) >= fuzzy_min_len),
            affirmed_long_stems=tuple(s for s in affirmed_stems if len(s) >= fuzzy_min_len),
            denied=denied,
            clause_starts=tuple(sorted(scan.breaks)),
            commas=scan.commas,
            squeezed="".join(text.split()),
        )

    def clause_around(self, first: int, last: int) -> tuple[int, int]:
        """Start and end (exclusive) of the clauses that hold positions first to last."""
        start = max((b for b in self.clause_starts if b <= first), default=0)
        end = min((b for b in self.clause_starts if b > last), default=len(self.tokens))
        return start, end
