"""How far a negation reaches: the words of its own clause it denies, on either side. It
reads only a sentence's tokens and where its clauses break (`bot.grading.text` finds both)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Final

from bot.grading.words import is_content, word_set

# Words that join the items of a list; a negation after a list denies all of its items.
LIST_JOINERS: Final[frozenset[str]] = word_set("and or nor")
_ALTERNATIVES: Final[frozenset[str]] = word_set("or nor")
# How many content words a negation reaches inside its clause: forwards over what it denies
# ("not about sparsity"), and back over a short subject it denies something of ("sparsity
# isn't", "ReLU and batch norm don't help"); "without" reaches only what is lacking.
NEGATION_REACH_AFTER: Final = 8
NEGATION_REACH_BEFORE: Final = 4
WITHOUT_REACH: Final = 3
_DETERMINERS: Final = frozenset({"the", "a", "an", "every", "each", "any", "all", "this", "these"})
_HELD_OBJECTS: Final = frozenset({"it", "them"})  # what "without" names: "without it the net"
_AUXILIARIES: Final[frozenset[str]] = word_set(
    "do does did is are was were can could will would should has have had may might must"
)


# "and" before one of these opens a clause of its own: a negation before it stops there.
_NEW_CLAUSE: Final = frozenset(("and", word) for word in _AUXILIARIES | {"the"})


def _second_predicate(tokens: Sequence[str], cue: int) -> bool:
    """The negation opens a second predicate of the same subject: in "the Hessian is A + A^T
    and does not depend on x" it denies the depending, not the A + A^T before it."""
    before = cue - 1
    if before >= 0 and tokens[before] in _AUXILIARIES:
        before -= 1
    return before >= 0 and tokens[before] == "and"


_CLAUSE_JOINERS: Final = frozenset({"and", "but", "so", "yet"})
# Words that open a clause set before the main one: "when the data is not separable, an SVM
# uses a kernel". A negation in it ends at its comma, where the main clause starts.
_SUBORDINATORS: Final[frozenset[str]] = word_set(
    "if when whenever unless once because since although though while"
)


def _in_fronted_clause(tokens: Sequence[str], cue: int, breaks: Collection[int]) -> bool:
    """The negation sits in a clause that opens the sentence with a subordinator. Later in a
    sentence such a clause may end with a list: "it fails because the data is not scaled,
    centred or cleaned" denies all three."""
    # "Because they start quickly and keep no state, ...": its subject opens no other clause.
    return tokens[0] in _SUBORDINATORS and not any(1 < b <= cue for b in breaks)


def _comma_lists(tokens: Sequence[str], position: int, breaks: Collection[int]) -> bool:
    """The comma before `position` separates the items of a list: no clause joiner opens what
    follows it, and an "and", "or" or "nor" comes before the clause ends."""
    if tokens[position] in _CLAUSE_JOINERS:
        return False
    for index in range(position, len(tokens)):
        if index in breaks and index > position:
            return False
        if tokens[index] in LIST_JOINERS:
            return True
    return False


_PAST_VERBS: Final = word_set(
    "told made went took gave got sent wrote built ran found kept left brought bought asked"
)
_OBJECT_OPENERS: Final = _DETERMINERS | word_set("my our his her their your him them us me it")


def _next_deed(tokens: Sequence[str], position: int) -> bool:
    """ "and" with a verb in the past and its object opens the subject's next act."""
    if position < 1 or tokens[position - 1] != "and" or position + 1 >= len(tokens):
        return False
    verb = tokens[position]
    past = verb in _PAST_VERBS or (verb.endswith("ed") and len(verb) > 4)
    return past and tokens[position + 1] in _OBJECT_OPENERS


def negated_positions(
    tokens: Sequence[str],
    negations: Iterable[int],
    breaks: Collection[int],
    commas: Collection[int] = (),
    *,
    reach_after: int = NEGATION_REACH_AFTER,
    reach_before: int = NEGATION_REACH_BEFORE,
) -> frozenset[int]:
    """Positions a negation cue denies: nearby words in its own clause, on either side.

    Reach is counted in content words, so "not the X or the Y" reaches as far as "not X or Y".
    Backwards it stops at a comma, unless it is reading back through a list ("ReLU, batch norm
    and residuals don't help"): in "L1 gives sparsity, L2 doesn't" or "L1 gives sparsity, not
    L2" the negation denies L2 only.
    """
    denied: set[int] = set()
    for cue in negations:
        # "Without length normalisation, every token ...": "without" names what is lacking in
        # a few words, up to a comma ("a holdout without the model, difference significant");
        # what follows is asserted.
        without = tokens[cue] == "without"
        opening = without and (cue == 0 or cue in breaks)
        budget = WITHOUT_REACH if without else reach_after
        position = cue + 1
        # "not X or what I'd do in Y": a clause joined by "or" stays inside the denial, up to
        # its first content word.
        joined = False
        listing = False
        fronted = _in_fronted_clause(tokens, cue, breaks)
        while budget > 0 and position < len(tokens):
            if position in breaks and not joined:
                break
            if fronted and position in commas:
                break
            # "not X, Y or Z" lists; "does not learn them, and add a CUSUM" joins a clause, and
            # "no gpu, memory capped at 10 GB" has no "and" or "or" to list with.
            if position in commas and not listing and not _comma_lists(tokens, position, breaks):
                break
            listing = listing or position in commas
            if opening and budget < WITHOUT_REACH and tokens[position] in _DETERMINERS:
                break  # "without the penalty the policy drifts", "without it the net": new subject
            if budget < reach_after and (tokens[position - 1], tokens[position]) in _NEW_CLAUSE:
                break  # "can't co-adapt and the net learns", "doesn't memorise and does better"
            if _next_deed(tokens, position):
                break  # "it wasn't worth continuing and told my manager": what was then done
            denied.add(position)
            if is_content(tokens[position]) or (opening and tokens[position] in _HELD_OBJECTS):
                budget -= 1
                joined = False
            else:
                joined = joined or tokens[position] in _ALTERNATIVES
            position += 1
        budget = 0 if _second_predicate(tokens, cue) else reach_before
        position = cue
        in_list = False
        while budget > 0 and position > 0 and position not in breaks:
            # "they shrink and the RNN can't learn": "and the" opens the negation's own clause,
            # backwards as forwards.
            if (tokens[position - 1], tokens[position]) in _NEW_CLAUSE:
                break
            # ", and the head of sales did not" joins clauses; "A, B and C don't" lists items.
            if position in commas and (not in_list or tokens[position] in LIST_JOINERS):
                break
            position -= 1
            denied.add(position)
            budget -= is_content(tokens[position])
            in_list = in_list or tokens[position] in LIST_JOINERS
    return frozenset(denied)
