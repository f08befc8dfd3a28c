"""Multi-workspace install: bolt's OAuth flow on slack_sdk's async SQLAlchemy stores.

The stores share the bot's database. Their tables come from migration 0004, so
`interview-bot db upgrade` creates them on PostgreSQL and an embedded SQLite gets them at
start like every other table; nothing here creates tables at runtime.
"""

from __future__ import annotations

from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.slack.sealed_store import SealedInstallationStore
from storage.secrets import SecretBox

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_SECONDS = 600

# Keep in step with deploy/slack/manifest.yaml.
BOT_SCOPES = (
    "commands",
    "chat:write",
    "chat:write.public",
    "channels:join",
    "channels:history",
    "groups:history",
    "im:history",
    "im:write",
    "users:read",
    "files:write",
)


def oauth_settings(
    client_id: str, client_secret: str, database: AsyncEngine, box: SecretBox
) -> tuple[AsyncOAuthSettings, SealedInstallationStore]:
    installations = SealedInstallationStore(client_id=client_id, engine=database, box=box)
    states = AsyncSQLAlchemyOAuthStateStore(expiration_seconds=STATE_SECONDS, engine=database)
    settings = AsyncOAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=list(BOT_SCOPES),
        installation_store=installations,
        state_store=states,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
    )
    return settings, installations
