"""The engine's ChatPort on Slack's Web API (slack_sdk's AsyncWebClient).

Threads are implicit in Slack: a thread is the parent message's `ts`, so opening one costs no
call. Replies meant for one person are ephemeral (`chat.postEphemeral`, in the thread where it
applies); where Slack refuses that (the bot or the user is not in the channel) they go to the
person's direct messages instead. Posts are paced per channel and per workspace, and a 429 is
waited out by the client's `AsyncRateLimitErrorRetryHandler`; a failure that remains becomes a
`ChatError`, which the engine rolls back or retries.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from adapters.relay import ChatRelay
from adapters.slack.blocks import fallback_text, home_view, message_blocks
from adapters.slack.mrkdwn import clip, escape
from adapters.slack.pacing import PostPacing
from adapters.slack.tokens import TokenSource
from bot.events import Place
from bot.messages import Image, MessageRef, RichMessage
from bot.ports.chat import ChatError, UserRef

log = logging.getLogger(__name__)

PLATFORM = "slack"
# Errors after which a private reply can still reach the person in their DMs.
_EPHEMERAL_FALLBACK = frozenset(
    {"channel_not_found", "not_in_channel", "user_not_in_channel", "is_archived"}
)


def _error_code(exc: SlackApiError) -> str:
    data = exc.response.data if exc.response is not None else None
    return str(data.get("error", "unknown_error")) if isinstance(data, dict) else "unknown_error"


def files_of(message: RichMessage) -> list[Image]:
    """Pictures and files to keep (a data export) are both uploaded beside the message."""
    files = [message.image] if message.image is not None else []
    if message.attachment is not None:
        kept = message.attachment
        files.append(Image(kept.filename, kept.data, kept.filename))
    return files


class SlackChat:
    def __init__(
        self, client: AsyncWebClient, tokens: TokenSource, pacing: PostPacing | None = None
    ) -> None:
        self.client = client
        self._tokens = tokens
        self.pacing = pacing or PostPacing()

    # --- ChatPort ----------------------------------------------------------------------

    async def post(self, place: Place, message: RichMessage) -> MessageRef:
        top = place.top_level()
        ts = await self._post_message(top, message)
        ref = MessageRef(top, ts)
        for file in files_of(message):
            await self._upload(top, file, "")
        return ref

    async def reply(self, place: Place, message: RichMessage) -> MessageRef:
        if not place.thread:
            return await self.post(place, message)
        ts = await self._post_message(place, message)
        for file in files_of(message):
            await self._upload(place, file, "")
        return MessageRef(place, ts)

    async def open_thread(self, message: MessageRef, name: str) -> Place:
        """A Slack thread is its parent's ts: nothing to create."""
        return message.place.in_thread(message.message_id)

    async def post_private(self, place: Place, user_id: str, message: RichMessage) -> None:
        args: dict[str, Any] = {
            "channel": place.channel,
            "user": user_id,
            "blocks": message_blocks(message),
            "text": fallback_text(message),
        }
        if place.thread:
            args["thread_ts"] = place.thread
        try:
            await self._call("chat_postEphemeral", place.workspace, **args)
        except _Refused as refused:
            if refused.code not in _EPHEMERAL_FALLBACK:
                raise ChatError(f"chat.postEphemeral failed: {refused.code}") from None
            log.info("ephemeral refused (%s); sending to the user's DMs", refused.code)
            await self._post_message(place.top_level(), message, channel=user_id)
        for file in files_of(message):  # ephemeral messages cannot carry files
            await self._upload_to_dm(place.workspace, user_id, file)

    async def send_direct(self, to: UserRef, message: RichMessage) -> MessageRef:
        """Open (or find) the bot's DM with the user, then post there."""
        dm = await self._dm(to.workspace, to.user_id)
        if dm is None:
            raise ChatError("conversations.open gave no channel")
        return MessageRef(dm, await self._post_message(dm, message, acts_for=to.channel))

    async def edit(self, message: MessageRef, new: RichMessage) -> None:
        await self._checked(
            "chat_update",
            message.place.workspace,
            channel=message.place.channel,
            ts=message.message_id,
            blocks=message_blocks(new),
            text=fallback_text(new),
        )

    async def attach_image(self, place: Place, image: Image, comment: str = "") -> MessageRef:
        file_id = await self._upload(place, image, comment)
        return MessageRef(place, file_id)

    # --- beyond the port: what only Slack listeners need --------------------------------

    async def open_modal(self, workspace: str, trigger_id: str, view: dict[str, Any]) -> None:
        await self._checked("views_open", workspace, trigger_id=trigger_id, view=view)

    async def publish_home(self, workspace: str, user_id: str, message: RichMessage) -> None:
        await self._checked("views_publish", workspace, user_id=user_id, view=home_view(message))

    # --- calls -------------------------------------------------------------------------

    async def _post_message(
        self,
        place: Place,
        message: RichMessage,
        channel: str | None = None,
        acts_for: str | None = None,
    ) -> str:
        target = channel or place.channel
        args: dict[str, Any] = {
            "channel": target,
            "blocks": message_blocks(message, acts_for=acts_for),
            "text": fallback_text(message),
            "unfurl_links": False,
            "unfurl_media": False,
        }
        if place.thread and channel is None:
            args["thread_ts"] = place.thread
        await self.pacing.before_post(place.workspace, target)
        try:
            response = await self._call("chat_postMessage", place.workspace, **args)
        except _Refused as refused:
            if refused.code != "not_in_channel" or channel is not None:
                raise ChatError(f"chat.postMessage failed: {refused.code}") from None
            # A public channel the bot has not joined yet: join it and try once more.
            await self._checked("conversations_join", place.workspace, channel=target)
            response = await self._checked("chat_postMessage", place.workspace, **args)
        return str(response["ts"])

    async def _upload(self, place: Place, image: Image, comment: str) -> str:
        args: dict[str, Any] = {
            "channel": place.channel,
            "content": image.data,
            "filename": image.filename,
            "title": clip(image.alt_text, 250) or image.filename,
            "alt_txt": clip(image.alt_text, 1000),
        }
        if comment:
            args["initial_comment"] = escape(comment)
        if place.thread:
            args["thread_ts"] = place.thread
        response = await self._checked("files_upload_v2", place.workspace, **args)
        file = response.get("file")
        return str(file.get("id", "")) if isinstance(file, dict) else ""

    async def _upload_to_dm(self, workspace: str, user_id: str, image: Image) -> None:
        dm = await self._dm(workspace, user_id)
        if dm is not None:
            await self._upload(dm, image, "")

    async def _dm(self, workspace: str, user_id: str) -> Place | None:
        """The bot's direct-message channel with a user, opened if need be."""
        opened = await self._checked("conversations_open", workspace, users=user_id)
        channel = opened.get("channel")
        if isinstance(channel, dict) and channel.get("id"):
            return Place(PLATFORM, workspace, str(channel["id"]))
        return None

    async def _checked(self, method: str, workspace: str, **args: Any) -> AsyncSlackResponse:
        try:
            return await self._call(method, workspace, **args)
        except _Refused as refused:
            raise ChatError(f"{method.replace('_', '.', 1)} failed: {refused.code}") from None

    async def _call(self, method: str, workspace: str, **args: Any) -> AsyncSlackResponse:
        token = await self._tokens.bot_token(workspace)
        if not token:
            raise ChatError(f"no bot token for Slack workspace {workspace}")
        try:
            response: AsyncSlackResponse = await getattr(self.client, method)(token=token, **args)
        except SlackApiError as exc:
            code = _error_code(exc)
            if code in ("invalid_auth", "token_revoked", "account_inactive"):
                self._tokens.forget(workspace)
            raise _Refused(code) from None
        except (TimeoutError, SlackClientError, aiohttp.ClientError) as exc:
            raise ChatError(f"Slack did not answer {method}: {type(exc).__name__}") from None
        return response


class _Refused(Exception):
    """Slack answered ok=false; code is its error string (never a token)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class PressedInDirect(ChatRelay):
    """The Slack chat for a press in a DM whose buttons act for a channel (an invitation's):
    the event counts in that channel, but what is meant for the presser alone still appears in
    the DM, where they are looking."""

    def __init__(self, chat: SlackChat, dm: Place, user_id: str) -> None:
        super().__init__(chat)
        self._dm = dm
        self._user_id = user_id

    async def post_private(self, place: Place, user_id: str, message: RichMessage) -> None:
        where = self._dm if user_id == self._user_id and not place.thread else place
        await self._chat.post_private(where, user_id, message)
