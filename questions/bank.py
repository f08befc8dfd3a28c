"""An indexed, read-only view of the loaded questions: lookups, filters, topic names."""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Collection, Iterable, Mapping

from questions.schema import Difficulty, Question, Stage, Topic


class UnknownTopic(LookupError):
    def __init__(self, name: str, suggestions: list[str]) -> None:
        self.name = name
        self.suggestions = suggestions
        super().__init__(name)


class QuestionBank:
    def __init__(
        self,
        topics: Iterable[Topic],
        questions: Iterable[Question],
        packs: Mapping[str, str] | None = None,
    ) -> None:
        self._topics = {t.id: t for t in topics}
        self._questions = {q.id: q for q in questions}
        self._packs = dict(packs or {})
        self._names: dict[str, str] = {}
        for topic in self._topics.values():
            self._names[topic.id] = topic.id
            for alias in topic.aliases:
                self._names.setdefault(alias, topic.id)

    def __len__(self) -> int:
        return len(self._questions)

    def pack_of(self, question_id: str) -> str:
        return self._packs.get(question_id, "")

    @property
    def pack_names(self) -> list[str]:
        return sorted(set(self._packs.values()))

    def get(self, question_id: str) -> Question | None:
        return self._questions.get(question_id)

    @property
    def questions(self) -> list[Question]:
        return list(self._questions.values())

    @property
    def topics(self) -> list[Topic]:
        return list(self._topics.values())

    def topic(self, topic_id: str) -> Topic:
        return self._topics[topic_id]

    def topic_title(self, topic_id: str) -> str:
        topic = self._topics.get(topic_id)
        return topic.title if topic else topic_id

    def resolve_topic(self, name: str) -> str:
        """Map what a user typed (id, alias, spacing or case variant) to a topic id."""
        key = "-".join(name.lower().replace("_", " ").split())
        for candidate in (key, key.replace("optimization", "optimisation")):
            if candidate in self._names:
                return self._names[candidate]
        raise UnknownTopic(name, self.suggest_topics(key))

    def suggest_topics(self, key: str, limit: int = 3) -> list[str]:
        close = difflib.get_close_matches(key, list(self._names), n=limit * 2, cutoff=0.6)
        partial = [n for n in self._names if len(key) >= 3 and (key in n or n in key)]
        seen: list[str] = []
        for name in close + partial:
            topic_id = self._names[name]
            if topic_id not in seen:
                seen.append(topic_id)
        return seen[:limit]

    def select(
        self,
        topic: str | None = None,
        difficulty: Difficulty | None = None,
        stage: Stage | None = None,
        packs: Collection[str] | None = None,
    ) -> list[Question]:
        return [
            q
            for q in self._questions.values()
            if (topic is None or q.topic == topic)
            and (not packs or self._packs.get(q.id, "") in packs)
            and (difficulty is None or q.difficulty is difficulty)
            and (stage is None or q.stage is stage)
        ]

    def counts(self) -> dict[str, Counter[str]]:
        return {
            "topic": Counter(q.topic for q in self._questions.values()),
            "difficulty": Counter(q.difficulty.value for q in self._questions.values()),
            "stage": Counter(q.stage.value for q in self._questions.values()),
        }
