"""`interview-bot`: the neutral commands plus the ones that start a chat adapter."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from adapters.console.chat import ConsoleChat
from adapters.console.session import CONSOLE_HELP, ConsoleSession
from adapters.runtime import PlatformRuntime, SettingsError
from adapters.secrets_cli import register as register_secrets
from adapters.web.runtime import WebRuntime, dashboard_for
from bot.app import logs, memtrace
from bot.app.cli import DbOption, PacksOption, app, fail, friendly_errors, settings_with
from bot.app.heap import HeapTrimmer, glibc_trim
from bot.app.root import CollectorPause, StartupError, build_app
from bot.app.transfer_cli import register as register_transfer
from bot.app.warmup import GraderWarmer
from bot.ports import metrics as bot_metrics
from bot.ports.clock import OffsetClock

log = logging.getLogger(__name__)

register_transfer(app)
register_secrets(app)


def _register_discord_commands() -> None:
    """`interview-bot discord ...` needs discord.py, which only the `discord` extra installs."""
    try:
        from adapters.discord.cli import register
    except ImportError:
        missing = typer.Typer(help="Discord set-up (needs: pip install 'interview-bot[discord]').")

        @missing.callback(invoke_without_command=True)
        def _explain() -> None:
            fail("discord.py is not installed: pip install 'interview-bot[discord]'")

        app.add_typer(missing, name="discord")
        return
    register(app)


_register_discord_commands()


async def _stdin_lines(prompt: str | None) -> AsyncIterator[str]:
    while True:
        if prompt:
            sys.stdout.write(prompt)
            sys.stdout.flush()
        line = await asyncio.to_thread(sys.stdin.readline)
        if not line:
            return
        yield line


def _write(text: str) -> None:
    print(text, flush=True)


@app.command("console")
@friendly_errors
def console(
    db: DbOption = None,
    user: Annotated[str, typer.Option(help="Your name in the local chat.")] = "you",
    channel: Annotated[str, typer.Option(help="The channel you start in.")] = "general",
    tz: Annotated[str, typer.Option(help="Time zone of :time and of printed times.")] = "UTC",
    images: Annotated[
        Path | None, typer.Option(help="Where pictures (stats heatmaps) are saved.")
    ] = None,
    packs: PacksOption = None,
) -> None:
    """A local chat in this terminal, on an embedded database; no tokens needed."""
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        fail(f"unknown time zone {tz!r}; use an IANA name such as Europe/Berlin")
    settings = settings_with(db, packs)
    logs.configure(settings.log_level, json_lines=settings.log_format == "json")
    interactive = sys.stdin.isatty()

    async def run() -> None:
        clock = OffsetClock()
        bot = await build_app(settings, clock=clock)
        try:
            session = ConsoleSession(
                bot.engine,
                ConsoleChat(_write, image_dir=images),
                clock,
                _write,
                user,
                channel,
                zone,
            )
            if interactive:
                _write(
                    f"interview-bot console — #{channel} as {user}, "
                    f"{len(bot.bank)} questions loaded."
                )
                _write(CONSOLE_HELP)
            await session.run(_stdin_lines(f"{user}> " if interactive else None))
        finally:
            await bot.close()

    try:
        asyncio.run(run())
    except StartupError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        pass


Platform = Literal["slack", "discord", "all"]


@app.command("run")
@friendly_errors
def run(
    platform: Annotated[
        str, typer.Option(help="slack, discord, or all (every platform whose tokens are set).")
    ] = "all",
    mode: Annotated[str, typer.Option(help="Slack only: http or socket.")] = "http",
    host: Annotated[str, typer.Option(help="Slack HTTP mode: address to listen on.")] = "0.0.0.0",
    port: Annotated[int, typer.Option(help="Slack HTTP mode: port to listen on.")] = 3000,
    db: DbOption = None,
) -> None:
    """Run the bot on Slack and/or Discord, with the daily scheduler."""
    if platform not in ("slack", "discord", "all"):
        fail(f"--platform must be slack, discord or all, not {platform!r}")
    if mode not in ("http", "socket"):
        fail(f"--mode must be http or socket, not {mode!r}")
    settings = settings_with(db)
    logs.configure(settings.log_level, json_lines=settings.log_format == "json")
    trace_prefix = memtrace.start_if_asked()

    async def serve() -> None:
        from adapters.launch import start_platforms

        starting = CollectorPause()
        try:
            bot = await build_app(settings)
        except BaseException:
            starting.end()
            raise
        scheduler = bot.scheduler
        assert scheduler is not None
        runtimes: list[PlatformRuntime] = []
        pages: WebRuntime | None = None
        dashboard = dashboard_for(bot)
        beside_slack = dashboard is not None and settings.web_port is None and mode == "http"
        stopping = _stop_on_signals()
        warmer = GraderWarmer()
        trimmer = HeapTrimmer(settings.heap_trim_seconds, glibc_trim())
        tracing: asyncio.Task[None] | None = None
        try:
            mount = dashboard.mount if dashboard is not None and beside_slack else None
            runtimes = await start_platforms(bot, platform, mode, host, port, mount)
            slack_http = beside_slack and any(r.platform == "slack" for r in runtimes)
            if dashboard is not None and not slack_http:
                pages = WebRuntime(dashboard, host, settings.web_port or port)
                await pages.start()
            if settings.metrics_port is not None:
                bot_metrics.serve(settings.metrics_port)
            await scheduler.start()
            if bot.inbox is not None:
                bot.inbox.start()
            starting.end()
            if settings.warm_grader:
                warmer.start(bot.bank.questions)
            trimmer.start()
            if trace_prefix is not None:
                tracing = asyncio.create_task(memtrace.dump_every_minute(trace_prefix))
            await stopping.wait()
            log.info("stopping: finishing the events in flight")
        finally:
            starting.end()
            if tracing is not None:
                tracing.cancel()
            await warmer.stop()
            await trimmer.stop()
            await scheduler.shutdown()
            if bot.inbox is not None:
                await bot.inbox.close()  # no more sweeps; what was queued is written
            # Every platform at once takes nothing new and finishes what it acked.
            await asyncio.gather(*(runtime.stop() for runtime in runtimes))
            if pages is not None:
                await pages.stop()
            await bot.close()  # the inbox's last removals, then the database

    _serve_until_stopped(serve)


def _serve_until_stopped(serve: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run a server until Ctrl-C; a bad setting ends with one line, not a traceback."""
    try:
        asyncio.run(serve())
    except (StartupError, SettingsError) as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        pass


@app.command("web")
@friendly_errors
def web(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    packs: PacksOption = None,
) -> None:
    """Serve the web dashboard alone (no chat platform, no scheduler)."""
    settings = settings_with(db, packs)
    logs.configure(settings.log_level, json_lines=settings.log_format == "json")

    async def serve() -> None:
        bot = await build_app(settings)
        try:
            dashboard = dashboard_for(bot)
            if dashboard is None:
                raise SettingsError(
                    "the dashboard needs INTERVIEW_BOT_WEB_SECRET (16+ characters) and "
                    "INTERVIEW_BOT_PUBLIC_URL"
                )
            pages = WebRuntime(dashboard, host, port)
            await pages.start()
            _write(f"dashboard on http://{host}:{pages.port}/dashboard/ (Ctrl-C stops it)")
            try:
                await _stop_on_signals().wait()
            finally:
                await pages.stop()
        finally:
            await bot.close()

    _serve_until_stopped(serve)


def _stop_on_signals() -> asyncio.Event:
    """SIGTERM (and Ctrl-C) ask for a graceful stop: set the event instead of dying."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stopping.set)
    return stopping


def main() -> None:
    app()


if __name__ == "__main__":
    main()
