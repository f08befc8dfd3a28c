"""Slack's OAuth install flow as a workspace admin's browser goes through it.

The stand-in (tests/adapters/slack/standin.py) plays Slack's side: it accepts the code
"good-code" and installs the app into INSTALLED_TEAM with its own bot token.
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlparse

import aiohttp

INSTALLED_TEAM = "T0OAUTH"
CLIENT_ID = "111.222"
CLIENT_SECRET = "client-secret-value"
# A Fernet key for tests only (the base64 of 32 known bytes).
ENCRYPTION_KEY = "aW50ZXJ2aWV3LWJvdC10ZXN0LWtleS0zMi1ieXRlcyE="
OAUTH_ENV = {
    "SLACK_CLIENT_ID": CLIENT_ID,
    "SLACK_CLIENT_SECRET": CLIENT_SECRET,
    "INTERVIEW_BOT_ENCRYPTION_KEY": ENCRYPTION_KEY,
}


async def install_over_oauth(bot_url: str) -> None:
    """Open the install page, check its link to Slack, and bring its state back to the
    redirect as Slack does after an admin approves the app."""
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{bot_url}/slack/install", allow_redirects=False) as page:
            if page.status != 200:
                raise RuntimeError(f"install page answered {page.status}")
            html = await page.text()
            cookie = page.headers["Set-Cookie"].split(";")[0]
        link = re.search(r'<a href="(https://slack.com/oauth/v2/authorize[^"]+)"', html)
        if link is None:
            raise RuntimeError("the install page has no link to Slack")
        query = parse_qs(urlparse(unescape(link.group(1))).query)
        if query["client_id"] != [CLIENT_ID] or "commands" not in query["scope"][0]:
            raise RuntimeError(f"the link to Slack asks for the wrong app or scopes: {query}")
        async with session.get(
            f"{bot_url}/slack/oauth_redirect",
            params={"code": "good-code", "state": query["state"][0]},
            headers={"Cookie": cookie},
            allow_redirects=False,
        ) as done:
            if done.status != 200:
                detail = await done.text()
                raise RuntimeError(f"the OAuth redirect answered {done.status}: {detail}")
