"""`/interview web`: answer the caller, privately, with a signed link to their own page."""

from __future__ import annotations

from bot import views
from bot.dashboard.links import VALID_FOR, LinkSigner
from bot.messages import RichMessage
from bot.turn import Turn

NOT_SET_UP = (
    "The web dashboard is not set up here yet: whoever runs the bot sets "
    "`INTERVIEW_BOT_WEB_SECRET` and `INTERVIEW_BOT_PUBLIC_URL`."
)


class WebLinks:
    def __init__(self, signer: LinkSigner | None) -> None:
        self._signer = signer

    def link(self, turn: Turn) -> None:
        if self._signer is None:
            turn.tell(views.info(NOT_SET_UP))
            return
        viewer = self._signer.issue(turn.ids.workspace_id, turn.ids.user_id, turn.now)
        url = self._signer.url(viewer)
        turn.tell(
            RichMessage(
                title="Your dashboard",
                body=(
                    f"{url}\n\nThis link is yours alone and works for {VALID_FOR.days} days: "
                    "don't share it. Run `/interview web` again for a fresh one."
                ),
            )
        )
