"""Rule-based grading against a rubric: credit key points said in the answer, then make
low-effort answers (empty, copied, off-topic, bare keyword lists) score low for a stated reason.

A key point counts when one of its phrasings is said, and not merely mentioned:
- the words must be affirmed, not inside a negation's reach ("it has nothing to do with X");
- the clause must not say the opposite of the point ("k-NN is fast at prediction time");
- on a question that sets two things against each other, the point must be said about its
  own side, not the other ("L2 gives sparse models" is not the L1 point);
- a phrasing made only of the question's own words counts only if the point has no other;
- its words must be said as one idea, not straddle a "but" or "whereas";
- a phrasing in the first person ("my mistake") must be said of the speaker, not of others.
A point restated in the candidate's own words, with none of its phrasings, earns half.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from rapidfuzz import fuzz, process

from bot.grading.protocol import Rubric
from bot.grading.result import STAR_PARTS, GradeResult
from bot.grading.text import (
    Sentence,
    affirmed_text,
    canonical_spelling,
    content_stems,
    is_content,
    is_negation,
    normalise,
    split_sentences,
    stem,
    tokenize,
    truncate,
)

FUZZY_CUTOFF: Final = 85
FUZZY_MIN_LEN: Final = 5
# Prefixes that turn a word into its opposite, so a near spelling is not a typo.
_NEGATING_PREFIXES: Final = ("in", "un", "im", "ir", "il", "non", "dis")
LONG_PHRASING_SHARE: Final = 0.75
MIN_WORDS: Final = 5
RESTATE_SIMILARITY: Final = 85
RESTATE_MAX_NEW_WORDS: Final = 2
OFF_TOPIC_MAX_SHARED: Final = 0.2
# A bare list of terms is not an answer, so it keeps only this share of what its points are
# worth: at most 3 of 100, below any real answer however partial. Not nothing, because an
# interviewer gives a candidate who names the right concepts a little more than one who names
# none; the points it names are still shown.
KEYWORD_LIST_FACTOR: Final = 0.03
# A point restated in the candidate's own words, without any of the rubric's phrasings, is
# worth this share of its weight: a sentence must use at least PARTLY_MIN_OWN of the point's
# own words beyond the question's, and PARTLY_MIN_WORDS of its words in all.
PARTLY_CREDIT: Final = 0.5
PARTLY_MIN_OWN: Final = 2
PARTLY_MIN_WORDS: Final = 3

_CAPS: Final[dict[str, int]] = {"restates-question": 10, "too-short": 15, "off-topic": 5}

_ADVICE: Final[dict[str, str]] = {
    "empty": "Write your answer in a few full sentences; even a partial answer earns credit.",
    "too-short": "Expand into a few full sentences: say what it is, why it matters and give an "
    "example.",
    "restates-question": "Answer in your own words instead of repeating the question",
    "off-topic": "This does not answer the question asked",
    "keyword-list": "Write full sentences that explain why, not just a list of terms.",
}
_STAR_HINTS: Final[dict[str, str]] = {
    "situation": "Situation (where and when)",
    "task": "Task (what you had to do)",
    "action": "Action (what you did, with 'I')",
    "result": "Result (what changed, ideally with a number)",
}


# Pairs of words with opposite meanings. An answer that matches a key point's phrasing while
# saying the opposite of the point ("k-NN is fast at prediction time" for "prediction is
# slow") has not made the point.
_OPPOSITE_PAIRS: Final = (
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


def _opposites_by_stem() -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for a, b in _OPPOSITE_PAIRS:
        for x, y in ((stem(a), stem(b)), (stem(b), stem(a))):
            table[x] = (*table.get(x, ()), y)
    return table


_OPPOSITES: Final = _opposites_by_stem()
_FIRST_PERSON: Final = frozenset({"i", "me", "my", "mine", "myself", "we", "us", "our", "ours"})


# --- compiled rubric -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Term:
    stem: str
    word: str  # canonical spelling before stemming: typos are easier to see on whole words


@dataclass(frozen=True, slots=True)
class _Phrasing:
    terms: tuple[_Term, ...]
    required: int
    negated: bool  # the phrasing itself says "not ...", so the answer must too
    personal: bool  # the phrasing speaks in the first person ("my mistake"), so must the answer


@dataclass(frozen=True, slots=True)
class _Point:
    text: str
    weight: float
    phrasings: tuple[_Phrasing, ...]
    # Opposites of the point's words, each mapped to the word it contradicts: "fast" -> "slow".
    contrary: dict[str, str]
    # Stems of the point as the rubric states it, beyond the question's words and among them.
    own_words: frozenset[str]
    asked_words: frozenset[str]
    # When the question sets two things against each other ("L1 and L2"), the forms that name
    # this point's side and the other side; both empty otherwise.
    anchor: frozenset[str]
    rival: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Compiled:
    points: tuple[_Point, ...]
    total_weight: float
    prompt_text: str
    prompt_stems: frozenset[str]
    vocabulary: frozenset[str]


def _compile_phrasing(text: str) -> _Phrasing | None:
    tokens = tokenize(normalise(text))
    terms: dict[str, _Term] = {}
    for token in tokens:
        if is_content(token):
            term = _Term(stem(token), canonical_spelling(token))
            terms.setdefault(term.stem, term)
    if not terms:
        return None
    count = len(terms)
    required = count if count <= 2 else math.ceil(LONG_PHRASING_SHARE * count)
    return _Phrasing(
        tuple(terms.values()),
        required,
        any(map(is_negation, tokens)),
        not _FIRST_PERSON.isdisjoint(tokens),
    )


@lru_cache(maxsize=512)
def _compile(rubric: Rubric) -> _Compiled:
    points: list[_Point] = []
    vocabulary = set(content_stems(rubric.prompt))
    vocabulary.update(content_stems(rubric.model_answer or ""))
    prompt = normalise(rubric.prompt)
    prompt_stems = frozenset(content_stems(prompt))
    subjects = {w for kp in rubric.key_points for w in _first_word(kp.point)}
    sides = _contrasted(prompt, subjects)
    for key_point in rubric.key_points:
        compiled = (_compile_phrasing(p) for p in key_point.phrasings)
        phrasings = tuple(p for p in compiled if p is not None)
        vocabulary.update(content_stems(key_point.point))
        vocabulary.update(t.stem for p in phrasings for t in p.terms)
        # Saying the question's own words back ("data drift" when asked about data drift) is
        # no evidence of knowing the point, so such phrasings only count if nothing else can.
        telling = tuple(p for p in phrasings if any(t.stem not in prompt_stems for t in p.terms))
        phrasings = telling or phrasings
        stated = _affirmed_stems(key_point.point)
        own = stated | {t.stem for p in phrasings if not p.negated for t in p.terms}
        anchor, rival = _side_of(key_point.point, sides)
        points.append(
            _Point(
                text=key_point.point,
                weight=key_point.weight,
                phrasings=phrasings,
                contrary=_contrary(own),
                own_words=frozenset(stated - prompt_stems),
                asked_words=frozenset(stated & prompt_stems),
                anchor=anchor,
                rival=rival,
            )
        )
    return _Compiled(
        points=tuple(points),
        total_weight=sum(p.weight for p in points),
        prompt_text=" ".join(tokenize(prompt)),
        prompt_stems=prompt_stems,
        vocabulary=frozenset(vocabulary),
    )


def _affirmed_stems(text: str) -> set[str]:
    """What a rubric sentence says, leaving out what it denies ("without zeroing them")."""
    return {
        word
        for sentence in split_sentences(normalise(text))
        for word in Sentence.parse(sentence).affirmed_stems
    }


_COORDINATORS: Final = frozenset({"and", "or", "vs", "versus"})


def _contrasted(prompt: str, subjects: set[str]) -> list[tuple[frozenset[str], frozenset[str]]]:
    """Pairs of things the question sets against each other: "L1 and L2", "random forests
    and gradient boosting", "mean squared error and (when with) mean absolute error".

    A side is the words and initials ("mse") that tell it from the other side, kept only if
    some key point starts with them: those are the things the rubric talks about.
    """
    pairs: list[tuple[frozenset[str], frozenset[str]]] = []
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
            a, b = _forms(left), _forms(right)
            a, b = (a - b) & subjects, (b - a) & subjects
            if a and b:
                pairs.append((a, b))
    return pairs


def _first_word(point: str) -> set[str]:
    words = [w for w in tokenize(normalise(point)) if is_content(w)]
    return {words[0], stem(words[0])} if words else set()


def _forms(words: list[str]) -> frozenset[str]:
    forms = {stem(w) for w in words}
    if len(words) >= 2:
        forms.add("".join(w[0] for w in words))
    return frozenset(forms)


def _side_of(
    point: str, sides: list[tuple[frozenset[str], frozenset[str]]]
) -> tuple[frozenset[str], frozenset[str]]:
    """The side a point is about: it names one side and never the other, wherever in the
    point ("Favour recall when missing a positive is costly" is about recall)."""
    words = [w for w in tokenize(normalise(point)) if is_content(w)]
    named = {stem(w) for w in words} | set(words)
    for a, b in sides:
        for own, other in ((a, b), (b, a)):
            if named & own and not named & other:
                return own, other
    return frozenset(), frozenset()


def _contrary(own: set[str]) -> dict[str, str]:
    """Opposites of the point's words, each mapped to the word it contradicts.

    A word whose opposite the point also uses ("lowers bias and raises variance") is left
    out: such a point speaks about both directions.
    """
    return {
        opposite: word
        for word in own
        for opposite in _OPPOSITES.get(word, ())
        if opposite not in own
    }


# --- matching ------------------------------------------------------------------------


class _Matcher:
    """Matches phrasings against one answer, remembering fuzzy look-ups across phrasings."""

    def __init__(self, sentences: tuple[Sentence, ...]) -> None:
        self._sentences = sentences
        self._fuzzy: dict[tuple[str, int, bool], int | None] = {}

    def covers(self, point: _Point) -> bool:
        for phrasing in point.phrasings:
            for index, sentence in enumerate(self._sentences):
                found = self._match(phrasing, index)
                if (
                    found
                    and _said_together(sentence, found)
                    and (not phrasing.personal or _in_first_person(sentence, found))
                    and not _contradicts(point, sentence, found)
                    # A phrasing that says "not ..." tells what the other side lacks.
                    and (phrasing.negated or not _about_the_other_side(point, sentence, found))
                ):
                    return True
        return False

    def partly_covers(self, point: _Point) -> bool:
        """Some sentence restates the point in its own words without a rubric phrasing, under
        the same checks as a phrasing: not the opposite, not about the other side."""
        for sentence in self._sentences:
            stems = sentence.affirmed_stems
            own = [stems[w] for w in point.own_words if w in stems]
            asked = [stems[w] for w in point.asked_words if w in stems]
            if len(own) < PARTLY_MIN_OWN or len(own) + len(asked) < PARTLY_MIN_WORDS:
                continue
            found = tuple(sorted(own + asked))
            if not _contradicts(point, sentence, found) and not _about_the_other_side(
                point, sentence, found
            ):
                return True
        return False

    def _match(self, phrasing: _Phrasing, index: int) -> tuple[int, ...]:
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
        allowed_misses = len(phrasing.terms) - phrasing.required
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
        return tuple(sorted(found))

    def _fuzzy_position(self, term: _Term, index: int, affirmed: bool) -> int | None:
        key = (term.word, index, affirmed)
        if key in self._fuzzy:
            return self._fuzzy[key]
        sentence = self._sentences[index]
        words = sentence.affirmed_words if affirmed else sentence.word_positions
        stems = sentence.affirmed_stems if affirmed else sentence.stem_positions
        position: int | None = None
        if len(term.word) >= FUZZY_MIN_LEN:
            near = _near(
                term.word, sentence.affirmed_long_words if affirmed else sentence.long_words
            )
            position = words[near] if near else None
        if position is None and len(term.stem) >= FUZZY_MIN_LEN:
            # Stems catch a typo in a different inflection ("shrinkng" for "shrinks").
            near = _near(
                term.stem, sentence.affirmed_long_stems if affirmed else sentence.long_stems
            )
            position = stems[near] if near else None
        self._fuzzy[key] = position
        return position


def _contradicts(point: _Point, sentence: Sentence, found: tuple[int, ...]) -> bool:
    """The clause of the match says the opposite of one of the point's words, and not the
    word itself: "k-NN is very fast at prediction time" does not make "prediction is slow"."""
    if not point.contrary:
        return False
    start, end = sentence.clause_around(found[0], found[-1])
    said = {stem(sentence.tokens[i]) for i in range(start, end) if i not in sentence.denied}
    return any(opposite in said and word not in said for opposite, word in point.contrary.items())


# Words that set one statement against another; a phrasing whose words straddle one was not
# said as one idea: "the true class, but computed on the logits instead of the probabilities"
# does not say "log probability of the true class".
_CONTRAST: Final = frozenset(
    {"but", "however", "although", "though", "yet", "whereas", "while", "whilst"}
)
# "All but one" means "all except one": no contrast there.
_EXCEPT_BUT: Final = frozenset({"all", "anything", "nothing", "everything", "last", "none"})


def _said_together(sentence: Sentence, found: tuple[int, ...]) -> bool:
    """No contrast word stands between the first and last word of the match."""
    tokens = sentence.tokens
    return not any(
        tokens[i] in _CONTRAST and not (tokens[i] == "but" and tokens[i - 1] in _EXCEPT_BUT)
        for i in range(found[0] + 1, found[-1])
    )


def _in_first_person(sentence: Sentence, found: tuple[int, ...]) -> bool:
    """The clause of the match is about the speaker: "everyone hides their mistakes" does not
    make "my mistake"."""
    start, end = sentence.clause_around(found[0], found[-1])
    return not _FIRST_PERSON.isdisjoint(sentence.tokens[start:end])


def _about_the_other_side(point: _Point, sentence: Sentence, found: tuple[int, ...]) -> bool:
    """The side named last before the match is the other one: "L2 gives sparse models" does
    not make the point that L1 does."""
    if not point.rival:
        return False
    for token in reversed(sentence.tokens[: found[-1] + 1]):
        named = {token, stem(token)}
        if named & point.anchor:
            return False
        if named & point.rival:
            return True
    return False


def _near(word: str, candidates: tuple[str, ...]) -> str | None:
    """The closest spelling of `word` among the candidates that is not its opposite."""
    if not candidates:
        return None
    matches = process.extract(
        word, candidates, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=3
    )
    return next((found for found, _, _ in matches if not _opposites(word, found)), None)


def _opposites(a: str, b: str) -> bool:
    """One word is the other behind a negating prefix, like "finite" and "infinite": one edit
    apart, yet no typo."""
    short, long = sorted((a, b), key=len)
    return any(long == prefix + short for prefix in _NEGATING_PREFIXES)


# --- answer quality ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Answer:
    text: str
    words: tuple[str, ...]
    stems: frozenset[str]
    sentences: tuple[Sentence, ...]

    @classmethod
    def parse(cls, text: str) -> _Answer:
        words = tuple(tokenize(text))
        return cls(
            text=text,
            words=words,
            stems=frozenset(stem(w) for w in words if is_content(w)),
            sentences=tuple(
                Sentence.parse(s, fuzzy_min_len=FUZZY_MIN_LEN) for s in split_sentences(text)
            ),
        )


# Not "/": formulas like TP / (TP + FP) are not list separators.
_FRAGMENT_SPLIT: Final = re.compile(r"[,;:\n\r•·▪‣◦●]+|[.!?]+(?=\s|$)|\s[-–—]+\s")
# Words that may join the terms of a list without making it a sentence.
_LIST_GLUE: Final = frozenset({"and", "or", "of", "vs", "versus", "the", "a", "an"})


def _is_keyword_list(answer: _Answer) -> bool:
    """Few function words, or mostly short fragments with no verbs or connectives."""
    function_words = sum(1 for w in answer.words if not is_content(w))
    if len(answer.words) >= MIN_WORDS and function_words / len(answer.words) < 0.1:
        return True
    fragments = [tokenize(f) for f in _FRAGMENT_SPLIT.split(answer.text)]
    fragments = [f for f in fragments if f]
    if len(fragments) < 3:
        return False
    terse = sum(
        1
        for f in fragments
        if len(f) <= 3 and all(w in _LIST_GLUE or is_content(w) for w in f)
        # a list may say "weight decay and dropout" but not "l1 is sparse"
    )
    return terse / len(fragments) >= 0.6


def _restates_prompt(answer: _Answer, rubric: _Compiled) -> bool:
    if not rubric.prompt_stems or len(answer.stems - rubric.prompt_stems) > RESTATE_MAX_NEW_WORDS:
        return False
    # A near-copy repeats most of the prompt; one prompt word alone is just a short answer.
    if len(answer.stems & rubric.prompt_stems) < 0.6 * len(rubric.prompt_stems):
        return False
    similarity = fuzz.token_set_ratio(" ".join(answer.words), rubric.prompt_text)
    return similarity >= RESTATE_SIMILARITY


def _off_topic(answer: _Answer, rubric: _Compiled) -> bool:
    if not answer.stems:
        return True
    shared = len(answer.stems & rubric.vocabulary) / len(answer.stems)
    return shared < OFF_TOPIC_MAX_SHARED


def _low_quality_reason(answer: _Answer, rubric: _Compiled, covered_any: bool) -> str | None:
    if _restates_prompt(answer, rubric):
        return "restates-question"
    if len(answer.words) < MIN_WORDS:
        return "too-short"
    if not covered_any and _off_topic(answer, rubric):
        return "off-topic"
    if _is_keyword_list(answer):
        return "keyword-list"
    return None


# --- behavioral structure ------------------------------------------------------------


def _cues(*phrases: str) -> re.Pattern[str]:
    alternatives = "|".join(p.replace(" ", r"\s+") for p in phrases)
    return re.compile(rf"\b(?:{alternatives})\b")


_STAR_CUES: Final[dict[str, tuple[re.Pattern[str], ...]]] = {
    "situation": (
        _cues(
            r"(?:at|in) (?:my|our) (?:last|previous|current|old|first|former) "
            r"(?:job|company|role|team|position|employer|internship|workplace)",
            r"(?:when|while) (?:i|we) (?:was|were|worked|joined|started)",
            r"(?:our|my) (?:team|company|manager|client)",
            r"(?:the|a|one) project",
            r"we had",
            r"there (?:was|were)",
            r"i worked (?:at|on|for|with|as)",
            r"(?:last|this) (?:year|month|quarter|week|summer|spring|autumn|fall|winter|sprint)",
            r"(?:in|during|back in) (?:19|20)\d\d",
            r"(?:\d+|a few|a couple of|several|two|three) (?:years?|months?|weeks?) ago",
            r"at (?:a|an) (?:\w+ )?(?:startup|company|bank|agency|hospital|retailer|firm|lab)",
        ),
    ),
    "task": (
        _cues(
            r"my (?:role|job|task|goal|responsibility|assignment)",
            r"(?:the|our) (?:goal|aim|task|challenge|objective)",
            r"i was (?:responsible|tasked|asked|in charge|supposed|expected)",
            r"i (?:needed|had|wanted) to",
            r"we needed to",
            r"it was (?:my|up to me)",
        ),
    ),
    "action": (
        _cues(
            r"i (?:then |first |also |quickly |personally |finally )?"
            r"(?:built|wrote|ran|led|made|took|drew|set up|broke|spoke|chose|met|sat down|"
            r"put together|came up with|began|brought|found|gave|showed|taught|rewrote|split|"
            r"sent|held|kept|told|went through|did|set|got|used|focused|"
            r"(?!needed|wanted|learned|realized|realised|liked|loved|hated|used to)[a-z]{3,}ed)",
        ),
    ),
    "result": (
        _cues(
            r"as a result",
            r"in the end",
            r"(?:the )?outcome",
            r"(?:the )?results? (?:was|were|is)",
            r"resulted in",
            r"which (?:reduced|increased|improved|cut|saved|halved|doubled|led|helped|meant)",
            r"(?:reduced|increased|improved|cut|saved|halved|doubled|boosted|lowered|raised) "
            r"(?:\w+ ){0,3}by",
            r"we (?:shipped|launched|delivered|released|hit|met|won|closed)",
            r"i (?:learned|learnt|realized|realised)",
            r"(?:the )?lesson",
            r"afterwards|eventually|ended up|since then|successfully|went live",
            r"(?:she|he|they|the team|everyone) (?:understood|agreed|approved|adopted|signed off)",
        ),
        re.compile(r"\d(?:[\d.,]*\d)?\s*(?:%|percent\b|x\b|times\b|fold\b)|\bby\s+(?:\w+\s+)?\d"),
    ),
}


def _star(text: str) -> dict[str, bool]:
    return {part: any(p.search(text) for p in _STAR_CUES[part]) for part in STAR_PARTS}


# --- advice --------------------------------------------------------------------------


def _most_important(points: list[_Point]) -> _Point | None:
    # max() keeps the first of equal weights, so rubric order breaks ties.
    return max(points, key=lambda p: p.weight) if points else None


def _as_clause(text: str) -> str:
    return " ".join(text.split()).rstrip(".!?;: ")


def _advice(reason: str | None, missed: list[_Point], star: dict[str, bool] | None) -> str:
    top = _most_important(missed)
    if reason in ("restates-question", "off-topic"):
        base = _ADVICE[reason]
        return f"{base}; focus on: {_as_clause(top.text)}." if top else f"{base}."
    if reason is not None:
        return _ADVICE[reason]
    parts: list[str] = []
    missing_star = [_STAR_HINTS[p] for p in STAR_PARTS if star is not None and not star[p]]
    if missing_star:
        label = "part" if len(missing_star) == 1 else "parts"
        parts.append(f"Add the missing STAR {label}: {', '.join(missing_star)}.")
    if top is not None:
        parts.append(f"Also cover: {_as_clause(top.text)}.")
    if not parts:
        return "Strong answer: you covered every key point."
    return " ".join(parts)


# --- grader --------------------------------------------------------------------------


class RubricGrader:
    """Deterministic, fast grading that needs no model: good enough to rank and coach."""

    def __init__(self, max_chars: int = 8000) -> None:
        if max_chars < 1:
            raise ValueError("max_chars must be positive")
        self.max_chars = max_chars

    def grade(self, rubric: Rubric, answer: str) -> GradeResult:
        compiled = _compile(rubric)
        raw, truncated = truncate(answer, self.max_chars)
        text = normalise(raw)
        parsed = _Answer.parse(text)
        star = _star(affirmed_text(text)) if rubric.behavioral else None
        if not parsed.words:
            return GradeResult(
                score=0,
                covered=(),
                missed=tuple(p.text for p in compiled.points),
                advice=_ADVICE["empty"],
                reason="empty",
                truncated=truncated,
                star=star,
            )

        matcher = _Matcher(parsed.sentences)
        found = [matcher.covers(p) for p in compiled.points]
        covered = [p for p, ok in zip(compiled.points, found, strict=True) if ok]
        missed = [p for p, ok in zip(compiled.points, found, strict=True) if not ok]
        partly = sum(p.weight for p in missed if matcher.partly_covers(p))
        value = (sum(p.weight for p in covered) + PARTLY_CREDIT * partly) / compiled.total_weight
        if star is not None:
            value = 0.5 * sum(star.values()) / len(star) + 0.5 * value

        reason = _low_quality_reason(parsed, compiled, bool(covered) or partly > 0)
        score = round(100 * value * (KEYWORD_LIST_FACTOR if reason == "keyword-list" else 1))
        if reason in _CAPS:
            score = min(score, _CAPS[reason])
        return GradeResult(
            score=max(0, min(100, score)),
            covered=tuple(p.text for p in covered),
            missed=tuple(p.text for p in missed),
            advice=_advice(reason, missed, star),
            reason=reason,
            truncated=truncated,
            star=star,
        )
