"""Finding a key point in an answer: said, half said, or said wrongly.

A key point counts when one of its phrasings is said, and not merely mentioned:
- the words must be affirmed, not inside a negation's reach ("it has nothing to do with X");
- the clause must not say the opposite of the point ("k-NN is fast at prediction time");
- on a question that sets two things against each other, the point must be said about its
  own side, not the other ("L2 gives sparse models" is not the L1 point);
- its words must be said as one idea, not straddle a "but" or "whereas";
- a phrasing in the first person ("my mistake") must be said of the speaker, not of others.
A point restated in the candidate's own words, with none of its phrasings, earns half.

Some of those failures are wrong claims, not gaps, and cost credit: a misconception the
rubric lists, the two sides of a comparison swapped ("L2 gives sparse models", "lower
variance, higher bias"), or a key point flatly denied.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from bot.grading.claims import reports_a_mistake, said_in_order, states_claim
from bot.grading.compiled import Phrasing, Point, Term
from bot.grading.contrast import said_together
from bot.grading.denial import (
    denies_a_denial,
    denies_the_remedy,
    in_condition,
    negation_in_reach,
    restricted,
    said_after_a_negation,
    set_aside,
)
from bot.grading.direction import after_than, keeps_directions, keeps_sides_of_than
from bot.grading.lexicon import FIRST_PERSON
from bot.grading.order import reverses_order
from bot.grading.sides import (
    about_the_other_side,
    accused_of_the_other_side,
    names_the_subject,
    said_of,
    said_of_the_other_side,
    said_on_one_side,
    straddles_the_other_side,
    swapped_directions,
    swaps_bound_words,
)
from bot.grading.spelling import FUZZY_MIN_LEN, near_spelling
from bot.grading.text import Sentence, is_negation, stem, tokenize

# A point restated in the candidate's own words, without any of the rubric's phrasings, is
# worth this share of its weight: a sentence must use at least PARTLY_MIN_OWN of the point's
# own words beyond the question's, and PARTLY_MIN_WORDS of its words in all.
PARTLY_CREDIT: Final = 0.5
PARTLY_MIN_OWN: Final = 2
PARTLY_MIN_WORDS: Final = 3
# Words only one side's point uses that a clause must say of the other side to swap them.
SWAP_MIN_WORDS: Final = 2
_QUOTE_MAX: Final = 80
_OPENER_WORDS: Final = 3  # a sentence's opener before its speaker: "Looking back, I ..."
# A point stated as a failing or a limit is no flat claim to deny: "k-NN does not scale".
_NEGATIVE_SENSE: Final = frozenset(
    {"fail", "cannot", "poor", "struggl", "slow", "lack", "hurt", "bad", "wrong", "miss"}
    | {"limit", "weak", "without"}
    # A leak is a failing too: "do not tune on the test period" agrees with a point that names
    # it as leaky validation.
    | set(map(stem, ("leak", "leaky", "leakage")))
)
# A point that states a prevention agrees with a denial of what it prevents ("neurons can't
# co-adapt" for "prevents co-adaptation"), not with a denial of the remedy ("it doesn't help
# with skew" for "prevents training-serving skew").
_PREVENTION: Final = frozenset({"prevent", "avoid", "stop"})


@dataclass(frozen=True, slots=True)
class Verdict:
    """How much of one point an answer makes, and what it said wrongly about it."""

    credit: float  # 1 made, PARTLY_CREDIT half made, 0 missed or said wrongly
    wrong: str | None = None


class Matcher:
    """Matches phrasings against one answer, remembering fuzzy look-ups across phrasings."""

    def __init__(
        self,
        sentences: tuple[Sentence, ...],
        asked: frozenset[str] = frozenset(),
        halves: tuple[Sentence, ...] = (),
    ) -> None:
        # Halves after a contrast word (`bot.grading.contrast`) have lost what came before,
        # so a phrasing must be said in one of them whole.
        self._sentences = sentences + halves
        self._whole = len(sentences)
        self._asked = asked
        self._wrong: set[int] = set()  # sentences that made a wrong claim
        self._strict = False  # the answer made a wrong claim somewhere
        self._fuzzy: dict[tuple[str, int, bool], int | None] = {}

    def assess_all(self, points: Sequence[Point]) -> list[Verdict]:
        """Every point; a sentence that made a wrong claim earns no half credit elsewhere, and
        an answer that made one is read strictly about sides."""
        verdicts = [self.assess(p) for p in points]
        self._strict = any(v.wrong is not None for v in verdicts)
        return [
            Verdict(0.0) if v.credit == PARTLY_CREDIT and not self._partly_covers(p) else v
            for p, v in zip(points, verdicts, strict=True)
        ]

    def _said(self, sentence: Sentence, found: tuple[int, ...], correction: str) -> str:
        self._wrong.add(id(sentence))
        return _said(sentence, found, correction)

    def assess(self, point: Point) -> Verdict:
        """Made, half made or missed; a wrong claim about the point wins over any credit."""
        wrong = self._claimed(point)
        covered = False
        for phrasing in point.phrasings:
            for index, sentence in enumerate(self._sentences):
                found = self._match(phrasing, index)
                if not found or not said_together(sentence, found):
                    continue
                if phrasing.personal and not _in_first_person(sentence, found):
                    continue
                if _contradicts(point, sentence, found):
                    continue
                if swapped_directions(phrasing, sentence, found) or swaps_bound_words(
                    phrasing, sentence, found
                ):
                    wrong = wrong or self._said(sentence, found, "it is the other way round")
                    continue
                # With a word of the phrasing left unsaid, its direction must be said: "complex
                # models, low bias" is not made by "the model is too complex, hence bias".
                partial = len(found) < len(phrasing.terms)
                if (
                    not keeps_directions(
                        sentence,
                        found,
                        phrasing.directions,
                        strict=partial,
                        negated=phrasing.negated,
                    )
                    or not keeps_sides_of_than(
                        sentence, found, phrasing.before_than, negated=phrasing.negated
                    )
                    or reverses_order(sentence, found, phrasing.order)
                ):
                    continue
                # A phrasing that says "not ..." tells what the other side lacks.
                if not phrasing.negated and about_the_other_side(point, sentence, found):
                    # Said of the other side when it is the subject, named before the match.
                    if (
                        accused_of_the_other_side(point, sentence, found, self._asked)
                        and (
                            phrasing.ordered
                            or any(t.stem in point.distinctive for t in phrasing.terms)
                        )
                        # "A more complex model" cures underfitting; "overfitting is when the
                        # model is too complex" says nothing of a cure.
                        and keeps_directions(
                            sentence, found, phrasing.directions, strict=True, negated=False
                        )
                    ):
                        wrong = wrong or self._said(sentence, found, _belongs_to(point))
                    continue
                if not straddles_the_other_side(point, sentence, found) or said_on_one_side(
                    point, phrasing, sentence
                ):
                    covered = True
                    break
            if covered and wrong is None:
                return Verdict(1.0)
        if wrong is not None:
            return Verdict(0.0, wrong)
        if covered:
            return Verdict(1.0)
        wrong = self._swapped_sides(point) or self._denied(point)
        if wrong is not None:
            return Verdict(0.0, wrong)
        return Verdict(PARTLY_CREDIT if self._partly_covers(point) else 0.0)

    def _claimed(self, point: Point) -> str | None:
        """A misconception the rubric lists for this point, said and not denied: in one of
        its phrasings or close to its own statement (`bot.grading.claims`)."""
        for claim in point.claims:
            for phrasing in claim.phrasings:
                for index, sentence in enumerate(self._sentences):
                    if phrasing.formula not in sentence.squeezed:
                        continue
                    found = self._match(phrasing, index)
                    if not phrasing.negated and not _states_whole(phrasing, found):
                        # Its words said again later, in its order: "null ... null = null is true".
                        stems = tuple(t.stem for t in phrasing.terms)
                        found = said_in_order(sentence, stems, 2 * len(stems) + 1)
                    named = {t.stem for t in phrasing.terms} & claim.sides
                    if (
                        _states_whole(phrasing, found)
                        and _says_twice(sentence, phrasing.repeated)
                        and not reports_a_mistake(sentence, strict=True, own=_stems(phrasing))
                        and not (phrasing.negated and denies_a_denial(sentence, found))
                        and said_together(sentence, found)
                        and (not claim.subject or names_the_subject(sentence, found, claim.subject))
                        # "I play the highest mean" is no claim made by "a greedy bandit plays".
                        and (not phrasing.personal or not FIRST_PERSON.isdisjoint(sentence.tokens))
                        # A phrasing that says "not ..." may have the side in its reach.
                        and all(
                            side
                            in (
                                sentence.stem_positions
                                if phrasing.negated
                                else sentence.affirmed_stems
                            )
                            for side in named
                        )
                        and not swaps_bound_words(phrasing, sentence, found)
                        and not reverses_order(sentence, found, phrasing.order)
                        and not set_aside(
                            sentence,
                            found,
                            frozenset(t.word for t in phrasing.terms),
                            compares=phrasing.compares,
                        )
                        and (phrasing.compares or not after_than(sentence, found, _stems(phrasing)))
                        and keeps_sides_of_than(
                            sentence, found, phrasing.before_than, negated=phrasing.negated
                        )
                        and keeps_directions(
                            sentence,
                            found,
                            phrasing.directions,
                            strict=True,
                            negated=phrasing.negated,
                        )
                    ):
                        return f"You said {_clause(claim.text)}: {_clause(claim.correction)}"
            for sentence in self._sentences:
                found = states_claim(claim, sentence)
                if (
                    found
                    and said_together(sentence, found)
                    and (not claim.subject or names_the_subject(sentence, found, claim.subject))
                    and not set_aside(
                        sentence, found, frozenset(claim.wording), compares=claim.compares
                    )
                    and (
                        claim.compares or not after_than(sentence, found, frozenset(claim.wording))
                    )
                    and keeps_directions(sentence, found, claim.directions, strict=False)
                    and not reverses_order(sentence, found, claim.order)
                ):
                    return f"You said {_clause(claim.text)}: {_clause(claim.correction)}"
        return None

    def _swapped_sides(self, point: Point) -> str | None:
        """Words only this point uses, SWAP_MIN_WORDS of them in one clause, said of the
        other side: "L2 gives sparse models"."""
        if len(point.distinctive) < SWAP_MIN_WORDS:
            return None
        for sentence in self._sentences:
            hits = sorted(p for w, p in sentence.affirmed_stems.items() if w in point.distinctive)
            for first in hits:
                _, end = sentence.clause_around(first, first)
                found = tuple(p for p in hits if first <= p < end)
                if (
                    len(found) >= SWAP_MIN_WORDS
                    and all(said_of_the_other_side(point, sentence, p, self._asked) for p in found)
                    and accused_of_the_other_side(point, sentence, found, self._asked)
                ):
                    return self._said(sentence, found, _belongs_to(point))
        return None

    def _denied(self, point: Point) -> str | None:
        """Every word of a phrasing inside a negation: "bias has nothing to do with overly
        simple assumptions". Points that state a limit are left alone."""
        if not _NEGATIVE_SENSE.isdisjoint(stem(w) for w in tokenize(point.text.lower())) or any(
            is_negation(w) for w in tokenize(point.text.lower())
        ):
            return None
        prevention = not _PREVENTION.isdisjoint(stem(w) for w in tokenize(point.text.lower()))
        for phrasing in point.phrasings:
            if phrasing.negated or len(phrasing.terms) < 2:
                continue
            terms = {t.stem for t in phrasing.terms}
            for sentence in self._sentences:
                positions = [sentence.denied_stems.get(t.stem) for t in phrasing.terms]
                found = tuple(sorted(p for p in positions if p is not None))
                if (
                    len(found) == len(positions)
                    and negation_in_reach(sentence, found)
                    and said_after_a_negation(sentence, found)
                    and not about_the_other_side(point, sentence, found)
                    and not in_condition(sentence, found)
                    and not restricted(sentence, found)
                    # "On-policy is not more sample efficient than off-policy" denies nothing
                    # of off-policy: it is what the denied comparison is made with.
                    and not after_than(sentence, found, frozenset(terms))
                    and (not prevention or denies_the_remedy(sentence, found, terms))
                ):
                    return self._said(sentence, found, f"in fact, {_clause(point.text)}")
        return None

    def _partly_covers(self, point: Point) -> bool:
        """Some sentence restates the point in its own words without a rubric phrasing, under
        the same checks as a phrasing: not the opposite, not about the other side. On a
        comparison question, naming the point's side with one of its own words will do."""
        for sentence in self._sentences:
            if id(sentence) in self._wrong:
                continue
            stems = sentence.affirmed_stems
            own = [stems[w] for w in point.own_words if w in stems]
            asked = [stems[w] for w in point.asked_words if w in stems]
            sided = sorted(stems[w] for w in point.distinctive if w in stems)
            if sided and said_of(point, sentence, sided[0], self._asked) == "anchor":
                return True
            if len(own) < PARTLY_MIN_OWN or len(own) + len(asked) < PARTLY_MIN_WORDS:
                continue
            found = tuple(sorted(own + asked))
            # Said of the other side, not merely after its name: in "elastic net mixes L1 and
            # L2, so it keeps them together" the keeping is elastic net's. An answer that has
            # already mixed up the sides gets no such benefit of the doubt.
            if not _contradicts(point, sentence, found) and not (
                about_the_other_side(point, sentence, found)
                and (
                    self._strict
                    or any(said_of_the_other_side(point, sentence, p, self._asked) for p in own)
                )
            ):
                return True
        return False

    def _match(self, phrasing: Phrasing, index: int) -> tuple[int, ...]:
        """Positions of enough of the phrasing's terms in one sentence, counting only words
        the sentence affirms; empty if it does not match.

        A phrasing that itself says "not ..." is matched against every word instead, since
        its own terms sit inside the negation it needs.
        """
        sentence = self._sentences[index]
        if phrasing.negated and not sentence.negations:
            return ()
        affirmed = not phrasing.negated
        stems = sentence.affirmed_stems if affirmed else sentence.denied_stems
        allowed_misses = len(phrasing.terms) - (
            phrasing.required if index < self._whole else len(phrasing.terms)
        )
        found: list[int] = []
        for term in phrasing.terms:
            position = stems.get(term.stem)
            if position is None:
                position = self._fuzzy_position(term, index, affirmed)
            if position is not None and not affirmed and position not in sentence.denied:
                position = None  # "no training" needs "training" inside the negation's reach
            if position is not None:
                found.append(position)
                continue
            allowed_misses -= 1
            if allowed_misses < 0:
                return ()
        if phrasing.ordered and found != sorted(found):
            # "the centre word predicts the context", said the other way round, unless the
            # words are said again later in this order.
            ordered = tuple(t.stem for t in phrasing.terms)
            return said_in_order(sentence, ordered, len(ordered) + 1)
        return tuple(sorted(found))

    def _fuzzy_position(self, term: Term, index: int, affirmed: bool) -> int | None:
        key = (term.word, index, affirmed)
        if key in self._fuzzy:
            return self._fuzzy[key]
        sentence = self._sentences[index]
        words = sentence.affirmed_words if affirmed else sentence.word_positions
        stems = sentence.affirmed_stems if affirmed else sentence.stem_positions
        position: int | None = None
        if len(term.word) >= FUZZY_MIN_LEN:
            near = near_spelling(
                term.word, sentence.affirmed_long_words if affirmed else sentence.long_words
            )
            position = words[near] if near else None
        if position is None and len(term.stem) >= FUZZY_MIN_LEN:
            # Stems catch a typo in a different inflection ("shrinkng" for "shrinks").
            near = near_spelling(
                term.stem, sentence.affirmed_long_stems if affirmed else sentence.long_stems
            )
            position = stems[near] if near else None
        self._fuzzy[key] = position
        return position


def _says_twice(sentence: Sentence, stems: frozenset[str]) -> bool:
    return all(sum(stem(t) == s for t in sentence.tokens) > 1 for s in stems)


def _contradicts(point: Point, sentence: Sentence, found: tuple[int, ...]) -> bool:
    """The clause of the match says the opposite of one of the point's words, and not the
    word itself: "k-NN is very fast at prediction time" does not make "prediction is slow"."""
    if not point.contrary:
        return False
    start, end = sentence.clause_around(found[0], found[-1])
    said = {stem(sentence.tokens[i]) for i in range(start, end) if i not in sentence.denied}
    return any(opposite in said and word not in said for opposite, word in point.contrary.items())


def _in_first_person(sentence: Sentence, found: tuple[int, ...]) -> bool:
    """The clause of the match is about the speaker: "everyone hides their mistakes" does not
    make "my mistake"."""
    start, end = sentence.clause_around(found[0], found[-1])
    if start == 0 and end <= _OPENER_WORDS:
        end += 1  # "Looking back, I would ...": a short opener whose speaker follows it
    return not FIRST_PERSON.isdisjoint(sentence.tokens[start:end])


def _states_whole(phrasing: Phrasing, found: tuple[int, ...]) -> bool:
    """A misconception counts only when every word of it is affirmed, close together: "AUC
    alone is not enough" and "an arithmetic mean around 0.5 but an F1 of 0.04" assert none."""
    return (
        len(found) == len(phrasing.terms)
        and bool(found)
        and found[-1] - found[0] <= 2 * len(found) + 1
    )


def _claims_it(point: Point, phrasing: Phrasing, found: tuple[int, ...]) -> bool:
    """A match makes a claim, not a passing mention: it uses a word only this point uses,
    and its words stand close together."""
    compact = found[-1] - found[0] <= 2 * len(found) + 1
    return compact and any(t.stem in point.distinctive for t in phrasing.terms)


def _belongs_to(point: Point) -> str:
    return f"that is {point.anchor_name}, not {point.rival_name}"


def _said(sentence: Sentence, found: tuple[int, ...], correction: str) -> str:
    """Feedback quoting the clause the candidate said wrongly, with its correction."""
    start, end = sentence.clause_around(found[0], found[-1])
    quote = " ".join(sentence.tokens[start:end])
    if len(quote) > _QUOTE_MAX:
        quote = quote[:_QUOTE_MAX].rsplit(" ", 1)[0] + "…"
    return f'You said "{quote}": {correction}'


def _stems(phrasing: Phrasing) -> frozenset[str]:
    return frozenset(t.stem for t in phrasing.terms)


def _clause(text: str) -> str:
    return " ".join(text.split()).rstrip(".!?;: ")
