"""A rubric compiled once into the form matching needs: stemmed phrasings, each point's own
words, the two sides of a comparison question, and the wrong claims to watch for."""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from bot.grading.claims import OPPOSITES, claim_words
from bot.grading.lexicon import FIRST_PERSON
from bot.grading.protocol import Rubric
from bot.grading.reference import Reference
from bot.grading.text import (
    CLAIM_WORDS,
    Sentence,
    canonical_spelling,
    content_stems,
    is_content,
    is_negation,
    normalise,
    split_sentences,
    stem,
    tokenize,
)
from questions.schema import Contradiction

LONG_PHRASING_SHARE: Final = 0.75
# Stop words a misconception may turn on ("on", "more") say nothing of a point of their own:
# counted as its own words, "overfitting does well on training data" would read as the
# underfitting point ("bad even on training data") said of overfitting.
_THIN_WORDS: Final = frozenset(map(stem, CLAIM_WORDS))
_NOTHING: Final[frozenset[str]] = frozenset()


@dataclass(frozen=True, slots=True)
class Term:
    stem: str
    word: str  # canonical spelling before stemming: typos are easier to see on whole words


@dataclass(frozen=True, slots=True)
class Phrasing:
    terms: tuple[Term, ...]
    required: int
    negated: bool  # the phrasing itself says "not ...", so the answer must too
    personal: bool  # the phrasing speaks in the first person ("my mistake"), so must the answer
    # On a comparison question, each direction word paired with the side it is said of:
    # "lower bias, higher variance" pairs "lower" with bias and "higher" with variance.
    pairs: tuple[tuple[str, str], ...] = ()
    # Another point says the same words in another order ("the centre word predicts the
    # context" and "the context predicts the centre word"), so the answer must keep this one's.
    ordered: bool = False


@dataclass(frozen=True, slots=True)
class Claim:
    """A wrong claim the rubric names, with what to tell a candidate who makes it."""

    text: str
    correction: str
    phrasings: tuple[Phrasing, ...]
    # Sides the claim names, which an answer must name too: "ridge gives sparse models" is
    # no claim about L1.
    sides: frozenset[str] = frozenset()
    # The claim's own statement, as `bot.grading.claims.claim_words` reads it.
    wording: tuple[str, ...] = ()
    telling: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Point:
    text: str
    weight: float
    phrasings: tuple[Phrasing, ...]
    # Opposites of the point's words, each mapped to the word it contradicts: "fast" -> "slow".
    contrary: dict[str, str]
    # Stems of the point as the rubric states it, beyond the question's words and among them:
    # a few words each, so tuples, which take a fraction of a set's memory.
    own_words: tuple[str, ...]
    asked_words: tuple[str, ...]
    # When the question sets two things against each other ("L1 and L2"), the forms that name
    # this point's side and the other side, and how the question names them; empty otherwise.
    anchor: frozenset[str]
    rival: frozenset[str]
    anchor_name: str = ""
    rival_name: str = ""
    # Words only this point uses among the points about its side and the other side, so a
    # sentence saying them of the other side has swapped the two.
    distinctive: frozenset[str] = frozenset()
    claims: tuple[Claim, ...] = ()


@dataclass(frozen=True, slots=True)
class CompiledRubric:
    points: tuple[Point, ...]
    total_weight: float
    prompt_text: str
    prompt_stems: frozenset[str]
    vocabulary: tuple[str, ...]  # only ever counted against an answer's stems
    side_forms: frozenset[str]
    # Question words a side may carry as another thing's name: "logistic" in "logistic
    # regression" when the sides are classification and regression.
    qualifiers: frozenset[str] = frozenset()
    # For points derived from the model answer: the model answer itself, to compare with.
    reference: Reference | None = None
    # For points written by hand: the model answer, whose wording a partial answer in other
    # words still shares.
    model: Reference | None = None

    @property
    def plain_words(self) -> frozenset[str]:
        """Question words that may stand next to a side's name without changing it."""
        return self.prompt_stems - self.qualifiers


@dataclass(frozen=True, slots=True)
class Side:
    forms: frozenset[str]
    name: str


def _frozen(words: Iterable[str]) -> frozenset[str]:
    """The words as a frozenset, the one shared empty set when there are none: most points
    have several empty ones, and each would cost a table of its own."""
    return frozenset(words) or _NOTHING


def compile_phrasing(
    text: str, side_forms: frozenset[str] = frozenset(), keep: frozenset[str] = frozenset()
) -> Phrasing | None:
    tokens = tokenize(normalise(text))
    terms: dict[str, Term] = {}
    for token in tokens:
        if is_content(token) or token in keep:
            term = _term(token)
            terms.setdefault(term.stem, term)
    if not terms:
        return None
    count = len(terms)
    required = count if count <= 2 else math.ceil(LONG_PHRASING_SHARE * count)
    return Phrasing(
        tuple(terms.values()),
        required,
        any(map(is_negation, tokens)),
        not FIRST_PERSON.isdisjoint(tokens),
        _direction_pairs([stem(t) for t in tokens], side_forms) if side_forms else (),
    )


@lru_cache(maxsize=65536)
def _term(token: str) -> Term:
    """One Term per word, shared by every rubric that says it: the bank repeats its words."""
    return Term(stem(token), canonical_spelling(token))


def _direction_pairs(stems: list[str], side_forms: frozenset[str]) -> tuple[tuple[str, str], ...]:
    """Each direction word ("lower", "higher") with the nearest side word, when the phrasing
    names two sides and two directions."""
    sides = [i for i, s in enumerate(stems) if s in side_forms]
    directions = [i for i, s in enumerate(stems) if s in OPPOSITES]
    if len({stems[i] for i in sides}) < 2 or len(directions) < 2:
        return ()
    pairs: list[tuple[str, str]] = []
    for d in directions:
        nearest = min(sides, key=lambda s: (abs(s - d), s < d))
        pairs.append((stems[d], stems[nearest]))
    return tuple(pairs)


@lru_cache(maxsize=512)
def compile_rubric(rubric: Rubric) -> CompiledRubric:
    asked = content_stems(rubric.prompt)
    answer_stems = content_stems(rubric.model_answer or "")
    vocabulary = {*asked, *answer_stems}
    prompt = normalise(rubric.prompt)
    prompt_stems = frozenset(content_stems(prompt))
    subjects = {w for kp in rubric.key_points for w in _first_word(kp.point)}
    sides = [
        (_cased(a, rubric.prompt), _cased(b, rubric.prompt))
        for a, b in _contrasted(prompt, subjects)
    ]
    side_forms = _frozen(f for a, b in sides for f in a.forms | b.forms)
    qualifiers = _qualifiers(prompt, side_forms)
    drafts: list[tuple[Point, set[str]]] = []
    # Without sides a phrasing compiles the same either way: compile each one once.
    plain = {p: compile_phrasing(p) for kp in rubric.key_points for p in kp.phrasings}
    all_point_terms = [frozenset(t.stem for t in c.terms) for c in plain.values() if c is not None]
    for key_point in rubric.key_points:
        compiled = (
            compile_phrasing(p, side_forms) if side_forms else plain[p] for p in key_point.phrasings
        )
        # Two phrasings can compile alike ("broadcast hint", "the broadcast hints"): matched once.
        phrasings = tuple(dict.fromkeys(p for p in compiled if p is not None))
        vocabulary.update(content_stems(key_point.point))
        vocabulary.update(t.stem for p in phrasings for t in p.terms)
        # Saying the question's own words back ("data drift" when asked about data drift) is
        # no evidence of knowing the point, so such phrasings only count if nothing else can.
        telling = tuple(p for p in phrasings if any(t.stem not in prompt_stems for t in p.terms))
        phrasings = telling or phrasings
        stated = affirmed_stems(key_point.point) - _THIN_WORDS
        own = stated | {t.stem for p in phrasings if not p.negated for t in p.terms}
        anchor, rival = _side_of(key_point.point, sides, qualifiers)
        said = own | prompt_stems
        claims = tuple(
            _claim(c, side_forms, all_point_terms, said) for c in key_point.contradictions
        )
        point = Point(
            text=key_point.point,
            weight=key_point.weight,
            phrasings=phrasings,
            contrary=_contrary(own),
            own_words=tuple(frozenset(stated - prompt_stems)),
            asked_words=tuple(frozenset(stated & prompt_stems)),
            anchor=anchor.forms,
            rival=rival.forms,
            anchor_name=anchor.name,
            rival_name=rival.name,
            claims=claims,
        )
        drafts.append((point, own - prompt_stems - side_forms))
    reference = (
        Reference.of(
            rubric.prompt,
            rubric.model_answer,
            answer_stems,
            asked,
            prompt_stems,
            derived=rubric.derived,
        )
        if rubric.model_answer
        else None
    )
    return CompiledRubric(
        points=_with_word_order(_with_distinctive_words(drafts)),
        total_weight=sum(p.weight for p, _ in drafts),
        prompt_text=" ".join(tokenize(prompt)),
        prompt_stems=prompt_stems,
        vocabulary=tuple(sorted(vocabulary)),
        side_forms=side_forms,
        qualifiers=qualifiers,
        reference=reference if rubric.derived else None,
        model=None if rubric.derived else reference,
    )


def _claim(
    contradiction: Contradiction,
    side_forms: frozenset[str],
    right: list[frozenset[str]],
    said: set[str],
) -> Claim:
    """A misconception's phrasings, less those too thin to be a claim: one word, or only words
    a correct phrasing of the rubric also uses ("logistic regression is used for regression"
    after stop words is "logistic regression")."""
    compiled = (compile_phrasing(x, side_forms, CLAIM_WORDS) for x in contradiction.phrasings)
    phrasings = tuple(
        dict.fromkeys(
            p
            for p in compiled
            if p is not None
            and len(p.terms) >= 2
            and not any({t.stem for t in p.terms} <= terms for terms in right)
        )
    )
    sides = _frozen(t.stem for p in phrasings for t in p.terms if t.stem in side_forms)
    wording = claim_words(contradiction.claim, said, side_forms)
    return Claim(contradiction.claim, contradiction.correction, phrasings, sides, *wording)


def _with_distinctive_words(drafts: list[tuple[Point, set[str]]]) -> tuple[Point, ...]:
    """Words of a sided point that no point about the other side uses."""
    sided = [(p, words) for p, words in drafts if p.anchor]
    points: list[Point] = []
    for point, words in drafts:
        if not point.anchor:
            points.append(point)
            continue
        others = set().union(*(w for p, w in sided if p.anchor == point.rival))
        distinctive = _frozen(words - others)
        points.append(
            Point(
                **{f: getattr(point, f) for f in Point.__slots__ if f != "distinctive"},
                distinctive=distinctive,
            )
        )
    return tuple(points)


def _with_word_order(points: tuple[Point, ...]) -> tuple[Point, ...]:
    """Mark phrasings whose words another point's phrasing uses in another order: only the
    order tells the two points apart."""
    orders: dict[frozenset[str], set[tuple[int, tuple[str, ...]]]] = {}
    for index, point in enumerate(points):
        for phrasing in point.phrasings:
            stems = tuple(t.stem for t in phrasing.terms)
            orders.setdefault(frozenset(stems), set()).add((index, stems))

    def ordered(index: int, phrasing: Phrasing) -> bool:
        stems = tuple(t.stem for t in phrasing.terms)
        return len(stems) >= 2 and any(
            other != index and order != stems for other, order in orders[frozenset(stems)]
        )

    return tuple(
        dataclasses.replace(
            point,
            phrasings=tuple(
                dataclasses.replace(p, ordered=True) if ordered(index, p) else p
                for p in point.phrasings
            ),
        )
        for index, point in enumerate(points)
    )


def affirmed_stems(text: str) -> set[str]:
    """What a rubric sentence says, leaving out what it denies ("without zeroing them")."""
    return {
        word
        for sentence in split_sentences(normalise(text))
        for word in Sentence.parse(sentence).affirmed_stems
    }


_COORDINATORS: Final = frozenset({"and", "or", "vs", "versus"})
# "the bias-variance trade-off", "precision/recall": two sides joined by a dash or a slash.
_JOINED_PAIR: Final = re.compile(r"\b([^\W_]+)\s?[-/]\s?([^\W_]+)\b")
_NO_SIDE: Final = Side(_NOTHING, "")


def _contrasted(prompt: str, subjects: set[str]) -> list[tuple[Side, Side]]:
    """Pairs of things the question sets against each other: "L1 and L2", "random forests
    and gradient boosting", "mean squared error and (when with) mean absolute error", "the
    bias-variance trade-off".

    A side is the words and initials ("mse") that tell it from the other side, kept only if
    some key point starts with them: those are the things the rubric talks about.
    """
    pairs: list[tuple[Side, Side]] = []
    for segment in re.split(r"[,;:?.!()]", prompt):
        tokens = tokenize(segment)
        for i, token in enumerate(tokens):
            if token not in _COORDINATORS or i == 0:
                continue
            left: list[str] = []
            for word in reversed(tokens[:i]):
                if not is_content(word):
                    break
                left.insert(0, word)
            right: list[str] = []
            skipped = 0
            for word in tokens[i + 1 :]:
                if is_content(word):
                    right.append(word)
                elif right or skipped == 2:
                    break
                else:
                    skipped += 1
            pair = _pair(left, right, subjects)
            if pair:
                pairs.append(pair)
    for match in _JOINED_PAIR.finditer(prompt):
        pair = _pair([match.group(1)], [match.group(2)], subjects)
        if pair:
            pairs.append(pair)
    return pairs


def _pair(left: list[str], right: list[str], subjects: set[str]) -> tuple[Side, Side] | None:
    full_a, full_b = _forms(left), _forms(right)
    a, b = (full_a - full_b) & subjects, (full_b - full_a) & subjects
    if not (a and b):
        return None
    # Initials name a side too ("RF" for random forests), though no point starts with them.
    a, b = a | _initials(left), b | _initials(right)
    return Side(a, _name(left, a)), Side(b, _name(right, b))


def _initials(words: list[str]) -> frozenset[str]:
    """Initials of the last two words and more: "rf" for "compare random forests"."""
    return frozenset("".join(w[0] for w in words[-k:]) for k in range(2, len(words) + 1))


def _name(words: list[str], forms: frozenset[str]) -> str:
    named = [w for w in words if w in forms or stem(w) in forms]
    return " ".join(named or words)


def _cased(side: Side, prompt: str) -> Side:
    """The side with its name spelt as the question spells it ("L1", not "l1")."""
    found = re.search(re.escape(side.name), prompt, re.IGNORECASE)
    return Side(side.forms, found.group() if found else side.name)


def _first_word(point: str) -> set[str]:
    words = [w for w in tokenize(normalise(point)) if is_content(w)]
    return {words[0], stem(words[0])} if words else set()


def _forms(words: list[str]) -> frozenset[str]:
    forms = {stem(w) for w in words}
    if len(words) >= 2:
        forms.add("".join(w[0] for w in words))
    return frozenset(forms)


def _qualifiers(prompt: str, side_forms: frozenset[str]) -> frozenset[str]:
    words = [w for w in tokenize(prompt) if is_content(w)]
    return _frozen(
        stem(a)
        for a, b in itertools.pairwise(words)
        if stem(b) in side_forms and stem(a) not in side_forms
    )


def _side_of(
    point: str, sides: list[tuple[Side, Side]], qualifiers: frozenset[str]
) -> tuple[Side, Side]:
    """The side a point is about: it names one side and never the other, wherever in the
    point ("Favour recall when missing a positive is costly" is about recall). A name with a
    qualifier is another thing ("logistic regression")."""
    words = [w for w in tokenize(normalise(point)) if is_content(w)]
    plain = [w for i, w in enumerate(words) if i == 0 or stem(words[i - 1]) not in qualifiers]
    named = {stem(w) for w in plain} | set(plain)
    for a, b in sides:
        for own, other in ((a, b), (b, a)):
            if named & own.forms and not named & other.forms:
                return own, other
    return _NO_SIDE, _NO_SIDE


def _contrary(own: set[str]) -> dict[str, str]:
    """Opposites of the point's words, each mapped to the word it contradicts.

    A word whose opposite the point also uses ("lowers bias and raises variance") is left
    out: such a point speaks about both directions.
    """
    return {
        opposite: word
        for word in own
        for opposite in OPPOSITES.get(word, ())
        if opposite not in own
    }
