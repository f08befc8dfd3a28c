"""A rubric compiled once into the form matching needs: stemmed phrasings, each point's own
words, the two sides of a comparison question, and the wrong claims to watch for."""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from bot.grading.claims import OPPOSITES, claim_words
from bot.grading.direction import bindings, bound_words
from bot.grading.lexicon import FIRST_PERSON
from bot.grading.order import order_pairs
from bot.grading.protocol import Rubric
from bot.grading.reference import Reference
from bot.grading.side_names import (
    NOTHING,
    cased,
    contrasted,
    first_word,
    frozen,
    listed,
    listed_side_of,
    qualifiers_of,
    side_of,
    subject_forms,
)
from bot.grading.text import (
    CLAIM_WORDS,
    Sentence,
    canonical_spelling,
    content_stems,
    denies_anything,
    is_content,
    normalise,
    split_sentences,
    stem,
    tokenize,
    written_formula,
)
from questions.schema import Contradiction

LONG_PHRASING_SHARE: Final = 0.75
# Things a question lists that make each point's side, when no pair of two was found.
MIN_LISTED: Final = 3
# Stop words a misconception may turn on ("on", "more") say nothing of a point of their own:
# counted as its own words, "overfitting does well on training data" would read as the
# underfitting point ("bad even on training data") said of overfitting.
_THIN_WORDS: Final = frozenset(map(stem, CLAIM_WORDS))


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
    # Each word a direction word qualifies, with its way ("higher temperature": temperature,
    # up), as `bot.grading.direction` reads them.
    directions: tuple[tuple[str, int], ...] = ()
    # The phrasing itself compares with "than", so a "than" in the answer is part of it; the
    # stems it says before its "than", which must stay before the answer's.
    compares: bool = False
    before_than: frozenset[str] = frozenset()
    # A phrasing that names both sides, each word with the side it is said of: "k-NN is
    # supervised, k-means unsupervised" binds "supervised" to k-NN.
    bound: tuple[tuple[str, str], ...] = ()
    # Two of its words it puts in order ("split before scaling"), the earlier one first.
    order: tuple[tuple[str, str], ...] = ()
    formula: str = ""  # a wrong claim's formula, which an answer must write as it is
    # Words it says twice ("logistic regression is a regression model"), which an answer must.
    repeated: frozenset[str] = frozenset()


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
    # The directions the claim's own statement gives its words, which an answer must keep.
    directions: tuple[tuple[str, int], ...] = ()
    compares: bool = False  # its statement compares with "than"
    order: tuple[tuple[str, str], ...] = ()  # two of its words it puts in order
    # Forms of the thing the claim is about, which must be the subject of the clause.
    subject: frozenset[str] = frozenset()


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
    # The sides are things the question lists ("epsilon-greedy, UCB and Thompson sampling"):
    # the subject of a clause, not the last name before a match, tells which one it is about.
    listed: bool = False


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


def compile_phrasing(
    text: str,
    side_forms: frozenset[str] = frozenset(),
    keep: frozenset[str] = frozenset(),
    *,
    claim: bool = False,
) -> Phrasing | None:
    """A phrasing's words as terms. A wrong claim's direction words are checked as bindings,
    not as words of their own, so "raising the temperature" says "higher temperature"."""
    normalised = normalise(text)
    tokens = tokenize(normalised)
    directed = bound_words(tokens) if claim else NOTHING
    terms: dict[str, Term] = {}
    for token in tokens:
        if (is_content(token) or token in keep) and stem(token) not in directed:
            term = _term(token)
            terms.setdefault(term.stem, term)
    if not terms:
        return None
    count = len(terms)
    required = count if count <= 2 else math.ceil(LONG_PHRASING_SHARE * count)
    return Phrasing(
        tuple(terms.values()),
        required,
        denies_anything(normalised),
        _personal(text, tokens),
        _direction_pairs([stem(t) for t in tokens], side_forms) if side_forms else (),
        directions=bindings(tokens),
        compares="than" in tokens,
        before_than=frozen(stem(t) for t in tokens[: tokens.index("than")] if stem(t) in terms)
        if "than" in tokens
        else NOTHING,
        bound=_bound_to_sides([stem(t) for t in tokens if stem(t) in terms], side_forms),
        order=tuple(p for p in order_pairs(tokens) if p[0] in terms and p[1] in terms),
        formula=written_formula(text) if claim else "",
        repeated=frozen(s for s in terms if sum(stem(t) == s for t in tokens) > 1),
    )


@lru_cache(maxsize=65536)
def _term(token: str) -> Term:
    """One Term per word, shared by every rubric that says it: the bank repeats its words."""
    return Term(stem(token), canonical_spelling(token))


def _bound_to_sides(stems: list[str], side_forms: frozenset[str]) -> tuple[tuple[str, str], ...]:
    """Each word of a phrasing that names two sides, with the side named before it (or, before
    the first side, the one after it)."""
    sides = [i for i, s in enumerate(stems) if s in side_forms]
    if len({stems[i] for i in sides}) < 2:
        return ()
    pairs = {
        (word, stems[max((s for s in sides if s < i), default=sides[0])])
        for i, word in enumerate(stems)
        if word not in side_forms
    }
    said_of: dict[str, set[str]] = {}
    for word, side in pairs:
        said_of.setdefault(word, set()).add(side)
    # A word said of both sides ("bagging trains ..., boosting trains ...") tells nothing.
    return tuple(sorted((word, side) for word, side in pairs if len(said_of[word]) == 1))


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
    subjects = {w for kp in rubric.key_points for w in first_word(kp.point)}
    sides = [
        (cased(a, rubric.prompt), cased(b, rubric.prompt)) for a, b in contrasted(prompt, subjects)
    ]
    # Three or more things listed ("epsilon-greedy, UCB and Thompson sampling"), or two the
    # pairing above missed: each point is about one, the others are its rival side.
    items = [
        cased(item, rubric.prompt)
        for item in listed(prompt, [kp.point for kp in rubric.key_points])
    ]
    if len(items) < MIN_LISTED and sides:
        items = []
    side_forms = (
        frozen(f for a, b in sides for f in a.forms | b.forms)
        if not items
        else frozen(f for item in items for f in item.forms)
    )
    qualifiers = qualifiers_of(prompt, side_forms)
    drafts: list[tuple[Point, set[str]]] = []
    # Without sides a phrasing compiles the same either way: compile each one once.
    plain = {p: compile_phrasing(p) for kp in rubric.key_points for p in kp.phrasings}
    all_point_terms = [_said_words(c) for c in plain.values() if c is not None]
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
        anchor, rival = (
            listed_side_of(key_point.point, items)
            if items
            else side_of(key_point.point, sides, qualifiers)
        )
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
            listed=bool(items) and bool(anchor.forms),
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
    compiled = (
        compile_phrasing(x, side_forms, CLAIM_WORDS, claim=True) for x in contradiction.phrasings
    )
    phrasings = tuple(
        dict.fromkeys(
            p
            for p in compiled
            if p is not None
            and len(_said_words(p)) >= 2
            and not any(_said_words(p) <= terms for terms in right)
        )
    )
    sides = frozen(t.stem for p in phrasings for t in p.terms if t.stem in side_forms)
    wording = claim_words(contradiction.claim, said, side_forms)
    tokens = tokenize(normalise(contradiction.claim))
    return Claim(
        contradiction.claim,
        contradiction.correction,
        phrasings,
        sides,
        *wording,
        bindings(tokens),
        "than" in tokens,
        order_pairs(tokens),
        subject_forms(contradiction.said_of or ""),
    )


def _said_words(phrasing: Phrasing) -> frozenset[str]:
    """A phrasing's words and the directions it gives them ("temperature", "temperature+")."""
    return frozenset(
        [t.stem for t in phrasing.terms]
        + [f"{word}{'+' if way > 0 else '-'}" for word, way in phrasing.directions]
    )


def _with_distinctive_words(drafts: list[tuple[Point, set[str]]]) -> tuple[Point, ...]:
    """Words of a sided point that no point about the other side uses."""
    sided = [(p, words) for p, words in drafts if p.anchor]
    points: list[Point] = []
    for point, words in drafts:
        if not point.anchor:
            points.append(point)
            continue
        others = set().union(*(w for p, w in sided if p.anchor != point.anchor))
        distinctive = frozen(words - others)
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


def _contrary(own: set[str]) -> dict[str, str]:
    """Opposites of the point's words, each mapped to the word it contradicts.

    A word whose opposite the point also uses ("lowers bias and raises variance") is left
    out: such a point speaks about both directions.
    """
    return {o: word for word in own for o in OPPOSITES.get(word, ()) if o not in own}


# Brackets, subscripts and operators make a formula, where "i" is an index, not the speaker:
# "rel(i)", "dp[i-1]".
_FORMULA: Final = re.compile(r"[()\[\]_=^]")


def _personal(text: str, tokens: list[str]) -> bool:
    """The phrasing speaks of the speaker ("my mistake"), so a sentence must too."""
    said = FIRST_PERSON.intersection(tokens)
    if said == {"i"} and _FORMULA.search(text):
        return False
    return bool(said)
