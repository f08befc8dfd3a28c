"""Signed dashboard links: an HMAC over who may look and what they look at.

A viewer token names the workspace, the user and the expiry (`ws.user.expires`). Each page's
link carries that token and its own signature: HMAC-SHA256, keyed by a per-viewer key derived
from the secret and the token, over the page name and its parameters. A forged, altered or
expired link is refused before any data is read.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

VALID_FOR = timedelta(days=7)
PREFIX = "dashboard"
MIN_SECRET_CHARS = 16
_TOKEN = re.compile(r"^(\d{1,18})\.(\d{1,18})\.(\d{1,12})$")
_PAGE = re.compile(r"^[a-z]{1,20}$")


class LinkRefused(Exception):
    """The link is forged, altered or expired; `reason` says which, for the refusal page."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class Viewer:
    """Who a link was issued to, and until when (Unix seconds)."""

    workspace_id: int
    user_id: int
    expires: int

    @property
    def token(self) -> str:
        return f"{self.workspace_id}.{self.user_id}.{self.expires}"

    @classmethod
    def from_token(cls, token: str) -> Viewer:
        match = _TOKEN.match(token)
        if match is None:
            raise LinkRefused("forged")
        workspace, user, expires = (int(g) for g in match.groups())
        return cls(workspace, user, expires)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


class LinkSigner:
    """Issues and checks dashboard links; the only holder of the secret."""

    def __init__(self, secret: str, public_url: str) -> None:
        if len(secret) < MIN_SECRET_CHARS:
            raise ValueError(f"the web secret needs at least {MIN_SECRET_CHARS} characters")
        self._secret = secret.encode("utf-8")
        self.public_url = public_url.rstrip("/")

    def issue(self, workspace_id: int, user_id: int, now: datetime) -> Viewer:
        return Viewer(workspace_id, user_id, int((now + VALID_FOR).timestamp()))

    def _viewer_key(self, token: str) -> bytes:
        return hmac.new(self._secret, b"viewer:" + token.encode("ascii"), hashlib.sha256).digest()

    def signature(self, viewer: Viewer, page: str, params: Mapping[str, str]) -> str:
        message = page + "?" + urlencode(sorted(params.items()))
        key = self._viewer_key(viewer.token)
        return _b64(hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest())

    def path(self, viewer: Viewer, page: str, **params: str | int) -> str:
        """A page's link relative to the dashboard's folder (`group?id=3&v=..&s=..`)."""
        if not _PAGE.match(page):
            raise ValueError(f"not a page name: {page!r}")
        values = {k: str(v) for k, v in params.items()}
        signed = {**values, "v": viewer.token, "s": self.signature(viewer, page, values)}
        return f"{page}?{urlencode(signed)}"

    def url(self, viewer: Viewer, page: str = "me", **params: str | int) -> str:
        """The absolute link, under the public base URL."""
        return f"{self.public_url}/{PREFIX}/{self.path(viewer, page, **params)}"

    def verify(self, page: str, query: Mapping[str, str], now: datetime) -> Viewer:
        """The viewer a request's link was issued to; LinkRefused when it was not issued."""
        token, given = query.get("v", ""), query.get("s", "")
        viewer = Viewer.from_token(token)
        params = {k: v for k, v in query.items() if k not in ("v", "s")}
        expected = self.signature(viewer, page, params)
        if not hmac.compare_digest(expected.encode("ascii"), given.encode("ascii", "replace")):
            raise LinkRefused("forged")
        if viewer.expires <= now.timestamp():
            raise LinkRefused("expired")
        return viewer
