"""A pair session driven through the harness: the steps two members take, for the tests."""

from __future__ import annotations

from bot.events import ModalSubmitted
from tests.support.fakes import Sent
from tests.support.harness import Harness


def panel_of(h: Harness, user: str) -> Sent:
    """The user's latest interviewer notes, shown to them alone."""
    panels = [
        s
        for s in h.chat.private_to(user)
        if (s.message.title or "").startswith("Interviewer notes")
    ]
    assert panels, f"{user} got no interviewer notes"
    return panels[-1]


def question_of(h: Harness, user: str) -> str:
    """The bank id of the question in the interviewer's notes."""
    body = panel_of(h, user).message.body
    return next(q.id for q in h.bank.questions if q.prompt in body)


async def press(h: Harness, user: str, label: str, thread: str | None = None) -> None:
    """Press a button of the user's last private notes (or the thread's last buttons)."""
    messages = [panel_of(h, user)] if thread is None else h.chat.in_thread(thread)
    button = next(b for s in reversed(messages) for b in s.message.buttons if b.label == label)
    await h.press(button.action_id, button.value, user=user, thread=thread or h.thread)


async def finish(h: Harness, user: str, text: str) -> None:
    """The interviewer submits the Finish form with a rating and a note."""
    button = next(b for b in panel_of(h, user).message.buttons if b.label == "Finish")
    await h.send(
        ModalSubmitted(
            h.place("C1", h.thread),
            h.actor(user),
            button.action_id,
            button.value,
            text,
            h.event_id(),
        )
    )


async def my_notes(h: Harness, user: str) -> None:
    """The interviewer presses *My notes* on the round's announcement in the thread."""
    await press(h, user, "My notes", thread=h.thread)


async def paired(h: Harness, topic: str = "regularisation") -> None:
    """Alice queues, Bob queues and is paired with her; Alice opens her notes."""
    await h.command(f"pair {topic}", user="alice")
    await h.command(f"pair {topic}", user="bob")
    await my_notes(h, "alice")
