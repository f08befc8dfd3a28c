"""How a comparison question names its two sides ("L1 and L2", "the bias-variance
trade-off"), and which side each key point is about."""

from __future__ import annotations

import itertools
import re
import string
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from bot.grading.text import is_content, normalise, stem, tokenize
from bot.grading.words import word_set

NOTHING: Final[frozenset[str]] = frozenset()


@dataclass(frozen=True, slots=True)
class Side:
    forms: frozenset[str]
    name: str


def frozen(words: Iterable[str]) -> frozenset[str]:
    """The words as a frozenset, the one shared empty set when there are none: most points
    have several empty ones, and each would cost a table of its own."""
    return frozenset(words) or NOTHING


_COORDINATORS: Final = frozenset({"and", "or", "vs", "versus"})
# A lone letter ("k" of "k-means") names no side.
_LETTERS: Final = frozenset(string.ascii_lowercase)
# "How does X differ from Y": "from" after one of these sets two sides against each other.
_DIFFER: Final = frozenset({"differ", "differs", "different", "differently"})
# A word after "and" that a possessive follows is a verb, no side: "and budget your time".
_POSSESSIVES: Final = frozenset({"your", "their", "its", "our", "my", "his", "her"})
# "the bias-variance trade-off", "precision/recall": two sides joined by a dash or a slash.
_JOINED_PAIR: Final = re.compile(r"\b([^\W_]+)\s?[-/]\s?([^\W_]+)\b")
_NO_SIDE: Final = Side(NOTHING, "")


def contrasted(prompt: str, subjects: set[str]) -> list[tuple[Side, Side]]:
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
            differs = token == "from" and i > 1 and tokens[i - 1] in _DIFFER
            if (token not in _COORDINATORS and not differs) or i == 0:
                continue
            left: list[str] = []
            for word in reversed(tokens[: i - 1] if differs else tokens[:i]):
                if not is_content(word):
                    break
                left.insert(0, word)
            right: list[str] = []
            skipped = 0
            end = len(tokens)
            for j, word in enumerate(tokens[i + 1 :], start=i + 1):
                if is_content(word):
                    right.append(word)
                elif right or skipped == 2:
                    end = j
                    break
                else:
                    skipped += 1
            if right and end < len(tokens) and tokens[end] in _POSSESSIVES:
                continue  # "... with the interviewer and budget your time": a verb, no side
            pair = _pair(left, right, subjects)
            if pair:
                pairs.append(pair)
    for match in _JOINED_PAIR.finditer(prompt):
        pair = _pair([match.group(1)], [match.group(2)], subjects)
        if pair:
            pairs.append(pair)
    return pairs


def _pair(left: list[str], right: list[str], subjects: set[str]) -> tuple[Side, Side] | None:
    # "The ROC curve and the precision-recall curve": the noun both share names neither, and
    # the initials of what is left ("pr") name the side.
    shared = {stem(w) for w in left} & {stem(w) for w in right}
    left = [w for w in left if stem(w) not in shared] or left
    right = [w for w in right if stem(w) not in shared] or right
    full_a, full_b = _forms(left), _forms(right)
    # "K components" is no claim about k-means.
    a, b = ((full_a - full_b) & subjects) - _LETTERS, ((full_b - full_a) & subjects) - _LETTERS
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


def cased(side: Side, prompt: str) -> Side:
    """The side with its name spelt as the question spells it ("L1", not "l1")."""
    found = re.search(re.escape(side.name), prompt, re.IGNORECASE)
    return Side(side.forms, found.group() if found else side.name)


def first_word(point: str) -> set[str]:
    words = [w for w in tokenize(normalise(point)) if is_content(w)]
    return {words[0], stem(words[0])} if words else set()


def _forms(words: list[str]) -> frozenset[str]:
    forms = {stem(w) for w in words}
    if len(words) >= 2:
        forms.add("".join(w[0] for w in words))
    return frozenset(forms)


def subject_forms(name: str) -> frozenset[str]:
    """The forms that name a thing a claim is said of: its words, their stems and initials."""
    words = [w for w in tokenize(normalise(name)) if is_content(w)]
    return _forms(words) | frozenset(words) if words else NOTHING


def qualifiers_of(prompt: str, side_forms: frozenset[str]) -> frozenset[str]:
    """Words the question puts right before a side's name ("logistic" in "logistic
    regression"); not across other words: in "the ROC curve and the PR curve" no word
    qualifies PR."""
    return frozen(
        stem(a)
        for a, b in itertools.pairwise(tokenize(prompt))
        if is_content(a) and stem(b) in side_forms and stem(a) not in side_forms
    )


def side_of(
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


# What separates the things a question lists: "precision@k, recall@k, MAP and NDCG".
_LIST_SEPARATOR: Final = re.compile(r",|/|\b(?:and|or|vs|versus)\b")
# Words that open a clause after a separator, not another item: "..., and what happens when".
_CLAUSE_OPENERS: Final = word_set(
    """
    what how why when where which who whom whose do does did is are was were can could would
    should will you we it they i there this that these those
    """
)
# A question that lists things to set them against each other says so: "compare ...", "how
# do they differ", "when does each fit". A list of a function's inputs sets nothing apart.
_COMPARING: Final = word_set(
    "compare compared comparing comparison differ differs difference differences versus vs "
    "contrast each distinguish"
)
# How many leading words of a key point may name what it is about ("Reward hacking exploits").
_LEADING: Final = 2
_ITEM_WORDS: Final = 3


def _leading_stems(point: str) -> list[str]:
    words = [w for w in tokenize(normalise(point)) if is_content(w)]
    return [stem(w) for w in words[:_LEADING]]


@dataclass(frozen=True, slots=True)
class _Item:
    words: list[str]
    starts: bool  # the item starts where its piece starts (all but a list's first)
    list_id: int


def _items(prompt: str) -> list[_Item]:
    """The content words of each item of the lists in a question, a few words each. A piece
    that opens a clause ("..., and what happens when ...") ends a list."""
    items: list[_Item] = []
    list_id = 0
    for segment in re.split(r"[;:?.!()]", prompt):
        pieces = [tokenize(p) for p in _LIST_SEPARATOR.split(segment)]
        list_id += 1
        for index, tokens in enumerate(pieces):
            if index and tokens and tokens[0] in _CLAUSE_OPENERS:
                list_id += 1
                continue
            words = [w for w in tokens if is_content(w)]
            if len(pieces) < 2 or not words:
                continue
            if index == 0:
                items.append(_Item(words[-_ITEM_WORDS:], False, list_id))
            else:
                items.append(_Item(words[:_ITEM_WORDS], True, list_id))
    return items


def listed(prompt: str, points: list[str]) -> list[Side]:
    """The things a question lists that key points are about, each named by words only its
    own item of the list uses: "epsilon-greedy, upper confidence bound and Thompson sampling",
    "reward shaping and reward hacking".

    A key point is about an item when one of its first words names it and no other item; in
    "Mahalanobis and Jaccard distances" the shared "distances" names neither. A word the
    points about other items use more than that item's own points is no name ("vectors")."""
    if _COMPARING.isdisjoint(tokenize(prompt)):
        return []
    items = _items(prompt)
    stems = [[stem(w) for w in item.words] for item in items]
    leading = [_leading_stems(p) for p in points]
    named: dict[int, str] = {}
    about: list[int | None] = []
    for lead in leading:
        about.append(None)
        for word in lead:
            holders = [
                i for i, s in enumerate(stems) if word in s or word in _initials(items[i].words)
            ]
            if len(holders) != 1:
                continue
            item = stems[holders[0]]
            # A word after the item's first is only its name when that first word is shared:
            # "Jaccard distances" is named by "jaccard", "reward hacking" by "hacking".
            starts = items[holders[0]].starts
            if (
                starts
                and word in item
                and item.index(word) > 0
                and sum(item[0] in s for s in stems) == 1
            ):
                break
            named.setdefault(holders[0], word)
            about[-1] = holders[0]
            break
    said = [{stem(w) for w in tokenize(normalise(p)) if is_content(w)} for p in points]
    kept = [
        i
        for i, word in named.items()
        if sum(word in said[k] for k, a in enumerate(about) if a not in (i, None))
        <= sum(word in said[k] for k, a in enumerate(about) if a == i)
    ]
    # The things of one list: "what is a confounder ... give an example" lists nothing.
    lists = [items[i].list_id for i in kept]
    kept = [i for i in kept if items[i].list_id == max(lists, key=lists.count)] if lists else []
    if len(kept) < 2:
        return []
    leads = {tuple(lead) for lead in leading}
    return [_side(items[i].words, stems[i], named[i], leads) for i in sorted(kept)]


def _side(words: list[str], stems: list[str], word: str, leads: set[tuple[str, ...]]) -> Side:
    """An item's name: the word that names it, with the next one when a point leads with the
    two ("Thompson sampling"), or the whole item when named by its initials."""
    if word not in stems:
        return Side(frozenset({word}), " ".join(words))
    at = stems.index(word)
    span = words[at : at + 2] if tuple(stems[at : at + 2]) in leads else [words[at]]
    forms = {word} | _initials(span)
    return Side(frozenset(forms), " ".join(span))


def listed_side_of(point: str, sides: list[Side]) -> tuple[Side, Side]:
    """The listed thing a key point is about, and all the others as one rival side."""
    for word in _leading_stems(point):
        own = [side for side in sides if word in side.forms]
        if len(own) == 1:
            others = [side for side in sides if side is not own[0]]
            rival = Side(
                frozen(f for side in others for f in side.forms),
                " or ".join(side.name for side in others),
            )
            return own[0], rival
    return _NO_SIDE, _NO_SIDE
