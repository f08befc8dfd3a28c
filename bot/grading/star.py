"""The STAR structure of a behavioural answer: situation, task, action and result, each
found by cue phrases said in the affirmative."""

from __future__ import annotations

import re
from typing import Final

from bot.grading.result import STAR_PARTS


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


def star_parts(text: str) -> dict[str, bool]:
    return {part: any(p.search(text) for p in _STAR_CUES[part]) for part in STAR_PARTS}
