"""Discord interactions: first-response latency under --users concurrent interactions, as JSON.

The bot under test is the real thing: `interview-bot run --platform discord` as its own process,
on a fresh SQLite file, with its REST base and gateway on a Discord stand-in
(tests/adapters/discord/standin.py) that this script serves. In each wave every one of --users
members sends a slash command at once over the gateway (INTERACTION_CREATE): `/interview mock
count:1` (a round opens: intro, thread, first question) and, in the next wave, `/interview end`.
The first response is the interaction's callback (a reply, or a deferral when the work takes
longer than the bot's deferral threshold); latency runs from the dispatch to the callback's
arrival at the stand-in, which Discord wants within 3 s.

The baseline, timed in the same run on the same machine with the same waves, is a minimal
discord.py app (this script with --serve baseline, a `discord.Client` whose `on_interaction`
answers "ok" at once) on a second stand-in. Waves alternate between the two, so noise on a
shared machine falls on both alike. The report gives p50/p95/p99/max for each (the bot's also
per command), and the ratios of the p99s and the p50s. A round's start does the most work
(intro, thread, question), so under load its first response is often the deferral.

    python benchmarks/discord_latency.py                  # 200 members, 6 waves (1,200 each)
    python benchmarks/discord_latency.py --quick          # 20 members, 4 waves
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parent.parent
sys.path.insert(0, str(ROOT))

from tests.adapters.discord.conftest import TOKEN  # noqa: E402
from tests.adapters.discord.standin import FakeDiscord  # noqa: E402

START_TIMEOUT_S = 60.0
WAVE_TIMEOUT_S = 60.0
DISCORD_DEADLINE_S = 3.0
PLATFORM_VARS = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_CLIENT_ID")


@dataclass
class Child:
    proc: asyncio.subprocess.Process
    log: Path

    async def stop(self) -> None:
        if self.proc.returncode is None:
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), 20)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()


def _env(extra: dict[str, str]) -> dict[str, str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in PLATFORM_VARS and not k.startswith(("INTERVIEW_BOT_", "DISCORD_"))
    }
    return clean | {"PYTHONPATH": str(ROOT), "DISCORD_TOKEN": TOKEN} | extra


async def _spawn(args: list[str], log: Path, env: dict[str, str], cwd: Path) -> Child:
    with log.open("wb") as err:
        proc = await asyncio.create_subprocess_exec(
            *args, cwd=cwd, env=env, stdin=asyncio.subprocess.DEVNULL, stdout=err, stderr=err
        )
    return Child(proc, log)


def _bot_command() -> list[str]:
    script = Path(sys.executable).parent / "interview-bot"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from adapters.cli import main; main()"]


async def start_bot(fake: FakeDiscord, tmp: Path) -> Child:
    env = _env(
        {
            "DISCORD_API_URL": fake.api_url,
            "DISCORD_MESSAGE_CONTENT": "true",
            "DATABASE_URL": f"sqlite:///{tmp / 'bot.db'}",
        }
    )
    return await _spawn(
        [*_bot_command(), "run", "--platform", "discord"], tmp / "bot.log", env, tmp
    )


async def start_baseline(fake: FakeDiscord, tmp: Path) -> Child:
    args = [sys.executable, str(SCRIPT), "--serve", "baseline", "--api-url", fake.api_url]
    return await _spawn(args, tmp / "baseline.log", _env({}), tmp)


async def until_answering(fake: FakeDiscord, child: Child, name: str) -> None:
    """Connected and answering: a probe interaction got its first response."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if child.proc.returncode is not None:
            raise RuntimeError(f"{name} exited at start:\n{child.log.read_text()[-3000:]}")
        if fake.connected() and fake.identifies:
            probe = await fake.slash("probe", ["help"])
            with contextlib.suppress(TimeoutError):
                await fake.wait_for(
                    lambda probe=probe: probe in fake.first_response_s,  # type: ignore[misc]
                    within=5.0,
                )
                return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{name} did not answer:\n{child.log.read_text()[-3000:]}")
        await asyncio.sleep(0.2)


async def wave(fake: FakeDiscord, users: int, path: list[str], opts: dict[str, Any]) -> list[float]:
    """Every member sends the command at once; the first-response latency of each."""
    ids = await asyncio.gather(*(fake.slash(f"m{n}", path, opts) for n in range(users)))
    await fake.wait_for(lambda: all(i in fake.first_response_s for i in ids), within=WAVE_TIMEOUT_S)
    return [fake.first_response_s[i] for i in ids]


def summary(seconds: list[float]) -> dict[str, Any]:
    ms = sorted(s * 1000 for s in seconds)

    def pct(p: float) -> float:
        return round(ms[min(len(ms) - 1, math.ceil(p * len(ms)) - 1)], 1)

    return {
        "interactions": len(ms),
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "max_ms": round(ms[-1], 1),
        "over_3s": sum(s > DISCORD_DEADLINE_S for s in seconds),
    }


async def measure(users: int, waves: int) -> dict[str, Any]:
    bot_fake, base_fake = FakeDiscord(TOKEN), FakeDiscord(TOKEN)
    await bot_fake.start()
    await base_fake.start()
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        bot = await start_bot(bot_fake, tmp)
        baseline = await start_baseline(base_fake, tmp)
        try:
            await until_answering(bot_fake, bot, "the bot")
            await until_answering(base_fake, baseline, "the baseline")
            latencies: dict[str, list[float]] = {"bot": [], "baseline": []}
            by_command: dict[str, list[float]] = {"mock": [], "end": []}
            for n in range(waves):
                path, opts = (["mock"], {"count": 1}) if n % 2 == 0 else (["end"], {})
                try:
                    took = await wave(bot_fake, users, path, opts)
                except AssertionError:
                    raise RuntimeError(
                        f"the bot left interactions unanswered in wave {n}; its log ends:\n"
                        + bot.log.read_text()[-4000:]
                    ) from None
                latencies["bot"] += took
                by_command[path[0]] += took
                latencies["baseline"] += await wave(base_fake, users, path, opts)
            bot_threads = len(bot_fake.threads)
        finally:
            await bot.stop()
            await baseline.stop()
            await bot_fake.stop()
            await base_fake.stop()
    bot_summary, base_summary = summary(latencies["bot"]), summary(latencies["baseline"])
    return {
        "users": users,
        "waves": waves,
        "commands": "alternating waves of /interview mock count:1 and /interview end",
        "bot": bot_summary
        | {
            "round_threads_opened": bot_threads,
            "by_command": {name: summary(took) for name, took in by_command.items() if took},
        },
        "baseline": base_summary,
        "p99_ratio": round(bot_summary["p99_ms"] / base_summary["p99_ms"], 2),
        "p50_ratio": round(bot_summary["p50_ms"] / base_summary["p50_ms"], 2),
        "bot_process": "interview-bot run --platform discord (subprocess, SQLite file)",
        "baseline_process": "discord.Client whose on_interaction answers at once (subprocess)",
    }


async def serve_baseline(api_url: str) -> None:
    """The minimal discord.py app: answer every interaction at once, nothing else."""
    import discord
    import yarl
    from discord.gateway import DiscordWebSocket

    discord.http.Route.BASE = api_url
    client = discord.Client(intents=discord.Intents.none())

    async def on_interaction(interaction: discord.Interaction[Any]) -> None:
        await interaction.response.send_message("ok", ephemeral=True)

    client.event(on_interaction)
    await client.login(os.environ["DISCORD_TOKEN"])
    _shards, url, _limits = await client.http.get_bot_gateway()
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)
    await client.connect(reconnect=False)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--waves", type=int, default=6)
    parser.add_argument("--quick", action="store_true", help="20 members, 4 waves")
    parser.add_argument("--serve", choices=["baseline"])
    parser.add_argument("--api-url")
    args = parser.parse_args()
    if args.serve == "baseline":
        await serve_baseline(args.api_url)
        return
    if args.quick:
        args.users, args.waves = 20, 4
    print(json.dumps(await measure(args.users, args.waves), indent=2))


if __name__ == "__main__":
    asyncio.run(main())
