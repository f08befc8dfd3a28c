"""`interview-bot export` and `import`: one workspace to a JSON file and back.

bot.cli imports this module to register the commands, so bot.cli is imported only inside
register(), once its helpers exist. For the same reason this module does not postpone
annotations: the commands are defined inside register() and typer must see their option types
as objects, not as names it would look up in this module.
"""

import asyncio
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from bot.json_limits import JsonLimitError, read_json_file
from storage.database import async_url, create_engine, is_sqlite, session_factory
from storage.migrate import is_up_to_date, upgrade
from storage.transfer import ImportSummary, TransferError, export_workspace, import_workspace

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


def _first_line(exc: BaseException) -> str:
    """The driver's own words: SQLAlchemy's wrapper adds the driver class and the SQL."""
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        exc = exc.orig
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def missing_sqlite_file(database_url: str) -> str | None:
    """The path of a SQLite file that does not exist: connecting would quietly create it."""
    url = async_url(database_url)
    if not is_sqlite(url) or url.database in (None, "", ":memory:"):
        return None
    return None if Path(url.database).exists() else url.database


async def _export(database_url: str, platform: str, external_id: str) -> dict[str, Any]:
    engine = create_engine(database_url)
    try:
        if not await is_up_to_date(engine):
            raise SchemaNotReady
        async with session_factory(engine)() as session:
            return await export_workspace(session, platform, external_id)
    finally:
        await engine.dispose()


async def _import(database_url: str, data: Any) -> ImportSummary:
    engine = create_engine(database_url)
    try:
        await upgrade(engine)
        async with session_factory(engine)() as session, session.begin():
            return await import_workspace(session, data)
    finally:
        await engine.dispose()


def register(app: typer.Typer) -> None:
    """Add `export` and `import` to the given app (bot.cli's, or a test's own)."""
    from bot.cli import DbOption, fail, friendly_errors, settings_with

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
        except SQLAlchemyError as exc:
            fail(f"database error: {_first_line(exc)}")
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
        except SQLAlchemyError as exc:
            fail(f"database error: {_first_line(exc)}")
        typer.echo(summary.describe())
