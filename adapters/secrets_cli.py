"""`interview-bot secrets new-key|rotate`: the key that seals Slack tokens at rest.

Rotation: put a new key first in INTERVIEW_BOT_ENCRYPTION_KEY, keeping the old one after it
(`NEW,OLD`); run `interview-bot secrets rotate`, which reseals every stored token with the new
key; then drop the old key from the setting.
"""

from __future__ import annotations

import asyncio

import typer

from bot.app.cli import DbOption, fail, friendly_errors, settings_with
from storage.database import create_engine
from storage.migrate import is_up_to_date
from storage.secrets import KEY_VARIABLE, SealSummary, SecretSettings, new_key, seal_stored_tokens


def register(app: typer.Typer) -> None:
    secrets = typer.Typer(help="The key that seals Slack tokens in the database.")
    app.add_typer(secrets, name="secrets")

    @secrets.command("new-key")
    def new_key_command() -> None:
        """Print a fresh key for INTERVIEW_BOT_ENCRYPTION_KEY."""
        typer.echo(new_key())

    @secrets.command("rotate")
    @friendly_errors
    def rotate(db: DbOption = None) -> None:
        """Reseal every stored token with the first key of INTERVIEW_BOT_ENCRYPTION_KEY."""
        box = SecretSettings().box()
        if box is None:
            fail(f"{KEY_VARIABLE} is not set: put the new key first, then the old, comma-separated")
        settings = settings_with(db)

        async def run() -> SealSummary:
            engine = create_engine(settings.database_url)
            try:
                if not await is_up_to_date(engine):
                    fail("the database schema is not current: run 'interview-bot db upgrade'")
                async with engine.begin() as connection:
                    return await connection.run_sync(
                        lambda sync: seal_stored_tokens(sync, box, rotate=True)
                    )
            finally:
                await engine.dispose()

        summary = asyncio.run(run())
        typer.echo(
            f"resealed {summary.resealed} stored tokens with the first key"
            + (f" and sealed {summary.sealed} plain ones" if summary.sealed else "")
            + "; the other keys can now be removed"
        )
