"""The platform-neutral commands of `interview-bot`: database, question packs, grading.

Commands that start a chat adapter are added by `adapters.cli`, so this module stays free of
any platform.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from pydantic import ValidationError

from bot.app.config import Settings
from bot.app.root import StartupError, prepare_database
from bot.banks import BankRegistry
from bot.grading import Rubric
from bot.grading.batch import run_batch
from bot.grading.calibrate import LabelledFileError, calibrate, load_scored
from bot.grading.explain import explain
from bot.grading.lint import pack_warnings
from questions.bank import QuestionBank, UnknownTopic
from questions.loader import PackError, load_bank
from storage import Database, DatabaseUrlError, SecretKeyError

app = typer.Typer(
    name="interview-bot",
    help="Machine-learning interview practice for team chat.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
questions_app = typer.Typer(help="Question packs.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(questions_app, name="questions")

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (default: $DATABASE_URL or ./interview-bot.db)."),
]
PacksOption = Annotated[
    list[Path] | None,
    typer.Option("--packs", help="Question pack files or folders (default: the shipped bank)."),
]

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=1)


def friendly_errors(func: F) -> F:
    """Known failures end with one clear line and a non-zero exit, never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except PackError as exc:
            count = len(exc.problems)
            typer.echo(
                f"error: {count} problem{'s' if count != 1 else ''} in the question packs:",
                err=True,
            )
            for problem in exc.problems:
                typer.echo(f"  {problem}", err=True)
            raise typer.Exit(code=1) from None
        except (DatabaseUrlError, SecretKeyError) as exc:
            fail(str(exc))
        except BrokenPipeError:
            raise typer.Exit(code=0) from None  # the reader went away (`| head`): not an error
        except OSError as exc:
            fail(f"cannot reach the database or file: {exc}")

    return wrapper  # type: ignore[return-value]


def settings_with(db: str | None = None, packs: list[Path] | None = None) -> Settings:
    overrides: dict[str, Any] = {}
    if db:
        overrides["database_url"] = db
    if packs:
        overrides["question_packs"] = packs
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        # One line naming the variable and the rule it broke.
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else ""
        name = field if field.isupper() else f"INTERVIEW_BOT_{field.upper()}"
        fail(f"bad setting {name}: {error['msg'].removeprefix('Value error, ')}")
    except Exception as exc:
        fail(f"bad setting: {exc}".splitlines()[0])


def bank_from(packs: list[Path] | None) -> QuestionBank:
    missing = [str(p) for p in packs or [] if not p.exists()]
    if missing:
        fail(f"no such pack file or folder: {', '.join(missing)}")
    return load_bank(packs or None)


@db_app.command("upgrade")
@friendly_errors
def db_upgrade(db: DbOption = None) -> None:
    """Create or migrate the schema to the newest version."""
    settings = settings_with(db)

    async def run() -> str | None:
        database = Database(settings.database_url)
        try:
            await database.upgrade()
            return await database.current_revision()
        finally:
            await database.dispose()

    try:
        revision = asyncio.run(run())
    except (OSError, ConnectionError) as exc:
        fail(f"cannot reach the database: {exc}")
    typer.echo(f"database is at revision {revision}")


@questions_app.command("validate")
@friendly_errors
def questions_validate(
    paths: Annotated[list[Path], typer.Argument(help="Pack files or folders.")],
) -> None:
    """Check packs against the schema; report file, line, question and field of each problem,
    and warn of misconceptions the grader would never name and model answers it would accuse."""
    bank = bank_from(paths)
    typer.echo(f"ok: {len(bank)} questions in {len(bank.topics)} topics")
    derived = [q.id for q in bank.questions if q.answer_only]
    if derived:
        typer.echo(f"key points derived from the model answer: {', '.join(derived)}")
    for warning in pack_warnings(bank):
        typer.echo(f"warning: {warning}")


@questions_app.command("calibrate")
@friendly_errors
def questions_calibrate(
    pack: Annotated[Path, typer.Argument(help="The pack file or folder to calibrate.")],
    labelled: Annotated[Path, typer.Argument(help="JSON lines: question_id, answer, score.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Compare the grader with scores people gave: Spearman, Pearson and MAE per question."""
    try:
        report = calibrate(bank_from([pack]), load_scored(labelled), Settings().rubric_grader())
    except LabelledFileError as exc:
        fail(str(exc))
    typer.echo(json.dumps(report.to_dict(), indent=2) if as_json else report.to_text())


@questions_app.command("list")
@friendly_errors
def questions_list(
    topic: Annotated[str | None, typer.Option(help="Only this topic (id or alias).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
    packs: PacksOption = None,
) -> None:
    """List questions."""
    bank = bank_from(packs)
    topic_id = None
    if topic:
        try:
            topic_id = bank.resolve_topic(topic)
        except UnknownTopic as exc:
            hint = f" (did you mean {', '.join(exc.suggestions)}?)" if exc.suggestions else ""
            fail(f"unknown topic {topic!r}{hint}")
    selected = bank.select(topic=topic_id)
    if as_json:
        rows = [
            {
                "id": q.id,
                "topic": q.topic,
                "difficulty": q.difficulty.value,
                "stage": q.stage.value,
                "prompt": q.prompt,
            }
            for q in selected
        ]
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for q in selected:
        typer.echo(f"{q.id:<36} {q.topic:<20} {q.difficulty.value:<7} {q.prompt[:70]}")


@questions_app.command("stats")
@friendly_errors
def questions_stats(packs: PacksOption = None) -> None:
    """Count questions per topic, difficulty and stage."""
    bank = bank_from(packs)
    counts = bank.counts()
    typer.echo(f"{len(bank)} questions")
    for dimension in ("topic", "difficulty", "stage"):
        typer.echo(f"\nby {dimension}:")
        for name, count in sorted(counts[dimension].items()):
            typer.echo(f"  {name:<22} {count}")


@questions_app.command("import")
@friendly_errors
def questions_import(
    paths: Annotated[
        list[Path], typer.Argument(help="Pack files or a folder, imported as one pack.")
    ],
    workspace: Annotated[str, typer.Option(help="PLATFORM:ID, e.g. slack:T0123 or console:local.")],
    name: Annotated[
        str | None, typer.Option(help="Pack name (default: the file or folder name).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Add (or replace) a workspace's own question pack; schedules and rounds can pick it."""
    platform, _, external_id = workspace.partition(":")
    if not platform or not external_id:
        fail(f"--workspace must look like PLATFORM:ID, not {workspace!r}")
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        fail(f"no such pack file or folder: {', '.join(missing)}")
    pack = (name or (paths[0].name if paths[0].is_dir() else paths[0].stem)).lower()
    settings = settings_with(db)

    async def run() -> tuple[int, bool]:
        database = await prepare_database(settings)
        try:
            async with database.units()() as uow:
                now = datetime.now(UTC)
                workspace_id = await uow.directory.workspace(platform, external_id, now)
                result = await BankRegistry(load_bank()).import_pack(
                    uow, workspace_id, pack, paths, now
                )
                await uow.commit()
                return result
        finally:
            await database.dispose()

    try:
        count, replaced = asyncio.run(run())
    except ValueError as exc:
        fail(str(exc))
    except StartupError as exc:
        fail(str(exc))
    verb = "replaced" if replaced else "imported"
    typer.echo(f"{verb} pack {pack!r} for {platform}:{external_id}: {count} questions")


@app.command("grade")
@friendly_errors
def grade(
    question_id: Annotated[
        str | None, typer.Argument(help="The question's id (see 'questions list').")
    ] = None,
    packs: PacksOption = None,
    batch: Annotated[
        bool, typer.Option("--batch", help='Grade JSON lines {"question_id", "answer"} from stdin.')
    ] = False,
    explain_points: Annotated[
        bool,
        typer.Option(
            "--explain", help="Also say, per key point, which phrasing credited it and where."
        ),
    ] = False,
) -> None:
    """Grade an answer read from standard input; print JSON."""
    bank = bank_from(packs)
    if batch:
        grader = Settings().rubric_grader()
        failed = run_batch(sys.stdin.buffer, sys.stdout, bank, grader)
        if failed:
            typer.echo(f"{failed} line(s) could not be graded; see their error objects", err=True)
        return
    if question_id is None:
        fail("give a question id, or --batch to read JSON lines")
    question = bank.get(question_id)
    if question is None:
        fail(f"no question with id {question_id!r}; 'interview-bot questions list' shows them")
    answer = sys.stdin.read()
    grader = Settings().rubric_grader()
    rubric = Rubric.for_question(question)
    output = grader.grade(rubric, answer).to_dict()
    if explain_points:
        output["points"] = [trace.to_dict() for trace in explain(grader, rubric, answer)]
    typer.echo(json.dumps(output, ensure_ascii=False))
