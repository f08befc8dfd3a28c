"""`interview-bot export` and `import`: one workspace to a JSON file and back.

bot.app.cli imports this module to register the commands, so bot.app.cli is imported only inside
register(), once its helpers exist. For the same reason this module does not postpone
annotations: the commands are defined inside register() and typer must see their option types
as objects, not as names it would look up in this module.
"""

import asyncio
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.app.json_limits import JsonLimitError, read_json_file
from bot.ports.storage import StorageError
from storage import Database, ImportSummary, TransferError

WorkspaceOption = Annotated[
    str,
    typer.Option(
        "--workspace", help="The workspace as PLATFORM:ID, e.g. slack:T0123.", show_default=False
    ),
]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write the JSON to this file instead of standard output."),
]
FileArgument = Annotated[
    Path, typer.Argument(help="A file written by 'interview-bot export'.", show_default=False)
]


class SchemaNotReady(Exception):
    """Exporting from an empty or older schema would only end in a confusing SQL error."""


def parse_workspace(value: str) -> tuple[str, str] | None:
    """PLATFORM:ID split at the first colon (platform names have none); None if malformed."""
    platform, _, external_id = value.partition(":")
    platform, external_id = platform.strip(), external_id.strip()
    if not platform or not external_id:
        return None
    return platform, external_id


def missing_sqlite_file(database_url: str) -> str | None:
    """The path of a SQLite file that does not exist: connecting would quietly create it."""
    path = Database.sqlite_file(database_url)
    return None if path is None or Path(path).exists() else path


async def _export(database_url: str, platform: str, external_id: str) -> dict[str, Any]:
    database = Database(database_url)
    try:
        data = await database.export_workspace(platform, external_id)
    finally:
        await database.dispose()
    if data is None:
        raise SchemaNotReady
    return data


async def _import(database_url: str, data: Any) -> ImportSummary:
    database = Database(database_url)
    try:
        return await database.import_workspace(data)
    finally:
        await database.dispose()


def register(app: typer.Typer) -> None:
    """Add `export` and `import` to the given app (bot.app.cli's, or a test's own)."""
    from bot.app.cli import DbOption, fail, friendly_errors, settings_with

    @app.command("export")
    @friendly_errors
    def export_command(
        workspace: WorkspaceOption,
        db: DbOption = None,
        output: OutputOption = None,
    ) -> None:
        """Write one workspace's history as JSON, for a backup or a move to another database."""
        parsed = parse_workspace(workspace)
        if parsed is None:
            fail(f"--workspace must look like PLATFORM:ID (e.g. slack:T0123), not {workspace!r}")
        platform, external_id = parsed
        settings = settings_with(db)
        missing = missing_sqlite_file(settings.database_url)
        if missing is not None:
            fail(f"no database file at {missing}")
        try:
            data = asyncio.run(_export(settings.database_url, platform, external_id))
        except SchemaNotReady:
            fail("the database schema is not up to date; run 'interview-bot db upgrade' first")
        except KeyError:
            raise  # a bug, not an unknown workspace: keep the traceback
        except LookupError as exc:
            fail(str(exc))
        except StorageError as exc:
            fail(f"database error: {exc}")
        text = json.dumps(data, indent=2, ensure_ascii=False)
        if output is None:
            typer.echo(text)
            return
        try:
            output.write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            fail(f"cannot write {output}: {exc.strerror or exc}")
        typer.echo(
            f"exported workspace {platform}:{external_id} to {output}: "
            f"{len(data['users'])} users, {len(data['answers'])} answers"
        )

    @app.command("import")
    @friendly_errors
    def import_command(file: FileArgument, db: DbOption = None) -> None:
        """Restore a workspace from an export into a database that does not have it yet."""
        try:
            data = read_json_file(file)
        except JsonLimitError as exc:
            fail(str(exc))
        settings = settings_with(db)
        try:
            summary = asyncio.run(_import(settings.database_url, data))
        except TransferError as exc:
            fail(str(exc))
        except StorageError as exc:
            fail(f"database error: {exc}")
        typer.echo(summary.describe())
