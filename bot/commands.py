"""The one `/interview` grammar every platform shares."""

from __future__ import annotations

import difflib
import re
import shlex
from dataclasses import dataclass, replace

from bot.pairs.grammar import Pair, parse_pair
from bot.rounds.roles import ROLES, find_role
from questions.schema import Difficulty

MIN_COUNT = 1
MAX_COUNT = 20
DEFAULT_COUNT = 5

SUBCOMMANDS = (
    "mock",
    "resume",
    "end",
    "skip",
    "hint",
    "topics",
    "daily",
    "group",
    "leaderboard",
    "stats",
    "review",
    "privacy",
    "pair",
    "web",
    "help",
)
DAILY_ACTIONS = ("set", "off", "now", "status")
GROUP_ACTIONS = ("create", "join", "leave", "list")
PERIODS = ("week", "month", "all")


@dataclass(frozen=True)
class Mock:
    topic: str | None = None
    count: int | None = None
    difficulty: Difficulty | None = None
    loop: bool = False
    pack: str | None = None
    # A loop shaped like one role's interviews (bot/rounds/roles.py); None mixes every topic.
    role: str | None = None


@dataclass(frozen=True)
class Resume:
    pass


@dataclass(frozen=True)
class End:
    pass


@dataclass(frozen=True)
class Skip:
    pass


@dataclass(frozen=True)
class Hint:
    pass


@dataclass(frozen=True)
class Topics:
    pass


@dataclass(frozen=True)
class Help:
    subject: str | None = None


@dataclass(frozen=True)
class Daily:
    action: str
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class DailySet:
    """`/interview daily set` from typed options: each setting as the user gave it, None when
    left out (an update keeps the schedule's value), checked by the same rules as the text."""

    time: str | None = None
    tz: str | None = None
    days: str | None = None
    topics: str | None = None
    difficulty: str | None = None
    reveal: str | None = None
    packs: str | None = None
    stages: str | None = None

    def settings(self) -> dict[str, str]:
        """The settings given, by name; a blank option counts as left out."""
        given = {
            "time": self.time,
            "tz": self.tz,
            "days": self.days,
            "topics": self.topics,
            "difficulty": self.difficulty,
            "reveal": self.reveal,
            "packs": self.packs,
            "stages": self.stages,
        }
        return {key: value.strip() for key, value in given.items() if value and value.strip()}


@dataclass(frozen=True)
class Group:
    action: str
    name: str | None = None


@dataclass(frozen=True)
class Leaderboard:
    period: str = "week"
    group: str | None = None


@dataclass(frozen=True)
class Stats:
    user: str | None = None


@dataclass(frozen=True)
class Privacy:
    action: str


@dataclass(frozen=True)
class Review:
    """`/interview review [count]`: a round of the caller's due cards (bot/review)."""

    count: int | None = None


@dataclass(frozen=True)
class ReviewRemind:
    """`/interview review remind HH:MM [tz=ZONE]`; time None turns the nudge off."""

    time: str | None
    tz: str | None = None


@dataclass(frozen=True)
class Web:
    """A private, signed link to the caller's own dashboard page."""


Command = (
    Mock
    | Resume
    | End
    | Skip
    | Hint
    | Topics
    | Help
    | Daily
    | DailySet
    | Group
    | Leaderboard
    | Stats
    | Privacy
    | Review
    | ReviewRemind
    | Pair
    | Web
)


class CommandError(Exception):
    """A friendly message plus the help subject that explains the right form."""

    def __init__(self, message: str, help_subject: str | None = None) -> None:
        self.message = message
        self.help_subject = help_subject
        super().__init__(message)


_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_KEYED = re.compile(r"^(topic|count|n|difficulty|level|pack|role)=(.*)$", re.IGNORECASE)


def parse(text: str) -> Command:
    """Parse what follows `/interview`; raise CommandError with a fix-it message."""
    try:
        words = shlex.split(text.strip())
    except ValueError:
        words = text.strip().split()
    if not words:
        return Help()
    name, args = words[0].lower(), words[1:]
    if name in ("mock", "start", "practice"):
        return _parse_mock(args)
    if name in ("help", "?"):
        return Help(args[0].lower() if args else None)
    if name == "pair":
        return parse_pair(args)
    if name == "daily":
        return _parse_daily(args)
    if name in ("group", "groups"):
        return _parse_group(args)
    if name in ("leaderboard", "leaders", "top"):
        return _parse_leaderboard(args)
    if name == "privacy":
        return _parse_privacy(args)
    if name == "review":
        from bot.review.grammar import parse_review  # that grammar builds on this module

        return parse_review(args)
    if name == "stats":
        if len(args) > 1:
            raise CommandError("`/interview stats` takes at most one user.", "stats")
        return Stats(args[0] if args else None)
    simple: dict[str, Command] = {
        "resume": Resume(),
        "end": End(),
        "stop": End(),
        "skip": Skip(),
        "hint": Hint(),
        "topics": Topics(),
        "web": Web(),
    }
    if name in simple:
        if args:
            raise CommandError(f"`/interview {name}` takes no arguments.", name)
        return simple[name]
    guess = difflib.get_close_matches(name, SUBCOMMANDS, n=1, cutoff=0.6)
    hint = f" Did you mean `/interview {guess[0]}`?" if guess else ""
    raise CommandError(f"I don't know the command `{quote_input(name)}`.{hint}", None)


def _parse_daily(args: list[str]) -> Daily:
    action = args[0].lower() if args else "status"
    if action not in DAILY_ACTIONS:
        raise CommandError(
            f"`/interview daily {quote_input(action)}` is not a daily command.", "daily"
        )
    if action != "set" and len(args) > 1:
        raise CommandError(f"`/interview daily {action}` takes no arguments.", "daily")
    return Daily(action, tuple(args[1:]))


def _parse_privacy(args: list[str]) -> Privacy:
    action = args[0].lower() if args else ""
    if action not in ("export", "delete") or len(args) > 1:
        raise CommandError(
            "Use `/interview privacy export` or `/interview privacy delete`.", "privacy"
        )
    return Privacy(action)


def _parse_group(args: list[str]) -> Group:
    action = args[0].lower() if args else "list"
    if action not in GROUP_ACTIONS:
        raise CommandError(
            f"`/interview group {quote_input(action)}` is not a group command.", "group"
        )
    if action == "list":
        return Group("list")
    if len(args) < 2:
        raise CommandError(f"Name the group: `/interview group {action} NAME`.", "group")
    return Group(action, " ".join(args[1:]))


def _parse_leaderboard(args: list[str]) -> Leaderboard:
    period = "week"
    group_words: list[str] = []
    for word in args:
        if word.lower() in PERIODS or word.lower() in ("weekly", "monthly", "alltime", "all-time"):
            period = {
                "weekly": "week",
                "monthly": "month",
                "alltime": "all",
                "all-time": "all",
            }.get(word.lower(), word.lower())
        else:
            group_words.append(word)
    return Leaderboard(period, " ".join(group_words) or None)


def _parse_mock(args: list[str]) -> Mock:
    topic_words: list[str] = []
    count: int | None = None
    difficulty: Difficulty | None = None
    loop = False
    pack: str | None = None
    role: str | None = None
    for raw in args:
        word = raw.strip()
        keyed = _KEYED.match(word)
        key, value = (keyed.group(1).lower(), keyed.group(2)) if keyed else (None, word)
        if key in ("count", "n") or (key is None and _NUMBER.match(value)):
            if count is not None:
                raise CommandError("Give the number of questions only once.", "mock")
            count = _parse_count(value)
        elif key in ("difficulty", "level") or (key is None and value.lower() in _DIFFICULTIES):
            if value.lower() not in _DIFFICULTIES:
                raise CommandError(
                    f"Difficulty `{quote_input(value)}` is not one of easy, medium or hard.", "mock"
                )
            if difficulty is not None:
                raise CommandError("Give the difficulty only once.", "mock")
            difficulty = Difficulty(value.lower())
        elif key == "pack":
            pack = value.strip().lower() or None
        elif key is None and value.lower() == "loop":
            loop = True
        elif key == "role" or (key is None and loop and role is None and find_role(value)):
            found = find_role(value)
            if found is None:
                known = ", ".join(ROLES)
                raise CommandError(f"`{quote_input(value)}` is not a role; try {known}.", "mock")
            loop, role = True, found.name
        elif value:
            topic_words.append(value)
    topic = " ".join(topic_words) or None
    return _check_mock(
        Mock(topic=topic, count=count, difficulty=difficulty, loop=loop, pack=pack, role=role)
    )


def _check_mock(mock: Mock) -> Mock:
    """The rules of a mock command, whether its options came as text or typed."""
    if mock.count is not None:
        _parse_count(str(mock.count))
    role = mock.role
    if role is not None:
        found = find_role(role)
        if found is None:
            known = ", ".join(ROLES)
            raise CommandError(f"`{quote_input(role)}` is not a role; try {known}.", "mock")
        role = found.name
    loop = mock.loop or role is not None
    if loop and mock.count is not None:
        raise CommandError("A loop asks one question per stage; leave out the count.", "mock")
    if loop and mock.topic is not None:
        raise CommandError("A loop mixes topics stage by stage; leave out the topic.", "mock")
    return replace(mock, loop=loop, role=role)


def check(command: Command) -> Command:
    """A command a platform built from typed options, held to the text grammar's rules and
    tidied the way the grammar tidies words (blank is left out, names lower-case)."""
    match command:
        case Mock():
            return _check_mock(
                replace(
                    command,
                    topic=_words(command.topic),
                    pack=_words(command.pack, lower=True),
                    role=_words(command.role, lower=True),
                )
            )
        case Help(subject=subject):
            word = _words(subject, lower=True)
            return Help(word.split()[0] if word else None)
        case Daily(action=action, args=args):
            return _parse_daily([action, *args])
        case Group(action=action, name=name):
            words = [action] + ([name] if name else [])
            return _parse_group(" ".join(words).split())
        case Leaderboard(period=period, group=group):
            if period not in PERIODS:
                known = ", ".join(PERIODS)
                raise CommandError(f"`{quote_input(period)}` is not a period; use {known}.", None)
            return Leaderboard(period, _words(group))
        case Stats(user=user):
            return Stats(_words(user))
        case Privacy(action=action):
            return _parse_privacy([action])
    return command


def _words(text: str | None, *, lower: bool = False) -> str | None:
    """Text with runs of spaces made one, None when blank (how the grammar reads words)."""
    words = " ".join((text or "").split())
    return (words.lower() if lower else words) or None


_DIFFICULTIES = {d.value for d in Difficulty}


def _parse_count(value: str) -> int:
    if not re.fullmatch(r"[+-]?\d+", value):
        raise CommandError(
            f"The number of questions must be a whole number from {MIN_COUNT} to {MAX_COUNT}, "
            f"not `{quote_input(value)}`.",
            "mock",
        )
    count = int(value)
    if not MIN_COUNT <= count <= MAX_COUNT:
        raise CommandError(
            f"A round has {MIN_COUNT} to {MAX_COUNT} questions; `{count}` is out of range.", "mock"
        )
    return count


def quote_input(text: str, limit: int = 40) -> str:
    """Echo user input short, on one line and without backticks, so it cannot break the
    message."""
    text = " ".join(text.replace("`", "'").splitlines())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def mock_words(mock: Mock) -> str:
    """The words after `mock` that the grammar reads back as this command, for a button that
    starts the same kind of round again."""
    words = [str(mock.count) if mock.count is not None else ""]
    words.append(mock.difficulty.value if mock.difficulty else "")
    if mock.loop:
        words.append(f"role={mock.role}" if mock.role else "loop")
    if mock.pack:
        words.append(f"pack={shlex.quote(mock.pack)}")
    if mock.topic:
        words.append(f"topic={shlex.quote(mock.topic)}")
    return " ".join(word for word in words if word)
