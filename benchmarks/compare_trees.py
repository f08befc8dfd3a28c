"""Compare a benchmark's ratios between two checkouts, run alternately on the same machine, as JSON.

A benchmark's ratio is already measured against a baseline timed in the same run, but on a busy
machine one run of each tree still differs by chance. So this runs the benchmark from tree A,
then from tree B, then A again, and so on for --rounds rounds: each run is a fresh subprocess
with its cwd and PYTHONPATH set to that tree and the same interpreter, so load that comes and
goes falls on both trees alike. It reads each run's JSON, takes every ratio in it, and reports
the median per tree and B's relative difference from A ((B - A) / A).

    python benchmarks/compare_trees.py --tree-a /tmp/before --tree-b . --rounds 5 \\
        -- benchmarks/fanout.py --quick
    python benchmarks/compare_trees.py --tree-a /tmp/before --tree-b . \\
        --cmd-a "benchmarks/old_name.py --quick" --cmd-b "benchmarks/new_name.py --quick"
    python benchmarks/compare_trees.py --tree-a /tmp/before --tree-b . \\
        --key python_heap_per_1000_rounds_kib -- benchmarks/round_memory.py --rounds 100

Any two directories holding the project will do (e.g. a `git worktree add /tmp/before <commit>`
beside your own). The command is split like a shell would; a first word ending in .py runs under
--python. By default the ratios are the numbers whose key holds "ratio" (targets aside), found
anywhere in the JSON and named by their dotted path; --key picks paths of your own instead.
Every run has a timeout, and the runs stop after --rounds; nothing here opens a socket (the
benchmarks themselves stay on 127.0.0.1). Exits non-zero if any run failed.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

MAX_ROUNDS = 50


def ratios(report: Any, prefix: str = "") -> dict[str, float]:
    """Every number under a key that names a ratio (not a target), by dotted path."""
    found: dict[str, float] = {}
    if isinstance(report, dict):
        for key, value in report.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, (dict, list)):
                found |= ratios(value, path)
            elif _is_number(value) and "ratio" in str(key) and not str(key).startswith("target"):
                found[path] = float(value)
    elif isinstance(report, list):
        for index, value in enumerate(report):
            found |= ratios(value, f"{prefix}.{index}" if prefix else str(index))
    return found


def pick(report: Any, path: str) -> float | None:
    """The number at a dotted path, or None when the report has no number there."""
    node = report
    for part in path.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return float(node) if _is_number(node) else None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def parse_json(stdout: str) -> Any:
    """The run's JSON: all of stdout, or failing that, from its first line that opens an object."""
    try:
        return json.loads(stdout)
    except ValueError:
        lines = stdout.splitlines()
        for index, line in enumerate(lines):
            if line.lstrip().startswith("{"):
                try:
                    return json.loads("\n".join(lines[index:]))
                except ValueError:
                    continue
    raise ValueError("no JSON object in the benchmark's output")


def command_for(words: list[str], python: str) -> list[str]:
    return [python, *words] if words and words[0].endswith(".py") else words


def commit_of(tree: Path) -> str | None:
    out = subprocess.run(
        ["git", "-C", str(tree), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    return out.stdout.strip() or None


def run_once(
    tree: Path, command: list[str], timeout: float, env: dict[str, str]
) -> tuple[dict[str, Any] | None, float, str]:
    """One run of the command from `tree`: its JSON (None on failure), seconds, and an error."""
    started = time.perf_counter()
    child_env = os.environ | env | {"PYTHONPATH": str(tree)}
    try:
        out = subprocess.run(
            command,
            cwd=tree,
            env=child_env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None, time.perf_counter() - started, f"timed out after {timeout:g}s"
    seconds = time.perf_counter() - started
    if out.returncode != 0:
        return None, seconds, f"exit {out.returncode}: {out.stderr.strip()[-1500:]}"
    try:
        return parse_json(out.stdout), seconds, ""
    except ValueError as error:
        return None, seconds, f"{error}: {out.stdout.strip()[-500:]}"


def summary(a_runs: list[float], b_runs: list[float]) -> dict[str, Any]:
    a_median = statistics.median(a_runs) if a_runs else None
    b_median = statistics.median(b_runs) if b_runs else None
    difference = None
    if a_median and b_median is not None:
        difference = round((b_median - a_median) / a_median, 4)
    return {
        "a_runs": a_runs,
        "b_runs": b_runs,
        "a_median": a_median,
        "b_median": b_median,
        "relative_difference": difference,
    }


def load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="Put the command shared by both trees after `--`.",
    )
    parser.add_argument("--tree-a", type=Path, required=True, help="the reference checkout")
    parser.add_argument("--tree-b", type=Path, required=True, help="the checkout compared")
    parser.add_argument("--cmd-a", help="tree A's own command (when its interface differs)")
    parser.add_argument("--cmd-b", help="tree B's own command (when its interface differs)")
    parser.add_argument("--rounds", type=int, default=5, help=f"A-then-B pairs (<= {MAX_ROUNDS})")
    parser.add_argument("--key", action="append", default=[], help="a dotted path to compare")
    parser.add_argument("--timeout", type=float, default=900, help="seconds allowed per run")
    parser.add_argument("--python", default=sys.executable, help="interpreter for .py commands")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- the benchmark command")
    args = parser.parse_args()

    shared = args.command[1:] if args.command[:1] == ["--"] else args.command
    words_a = shlex.split(args.cmd_a) if args.cmd_a else shared
    words_b = shlex.split(args.cmd_b) if args.cmd_b else shared
    if not words_a or not words_b:
        parser.error("give the benchmark command after `--` (or both --cmd-a and --cmd-b)")
    if not 1 <= args.rounds <= MAX_ROUNDS:
        parser.error(f"--rounds must be between 1 and {MAX_ROUNDS}")
    env = {}
    for item in args.env:
        name, sep, value = item.partition("=")
        if not sep or not name:
            parser.error(f"--env takes NAME=VALUE, not {item!r}")
        env[name] = value
    trees = {"a": args.tree_a.resolve(), "b": args.tree_b.resolve()}
    for label, tree in trees.items():
        if not tree.is_dir():
            parser.error(f"tree {label.upper()} is not a directory: {tree}")
    commands = {
        "a": command_for(words_a, args.python),
        "b": command_for(words_b, args.python),
    }

    values: dict[str, dict[str, list[float]]] = {}
    failures: list[dict[str, Any]] = []
    seconds: dict[str, list[float]] = {"a": [], "b": []}
    load_start = load_average()
    for round_no in range(args.rounds):
        for label in ("a", "b"):
            report, took, error = run_once(trees[label], commands[label], args.timeout, env)
            seconds[label].append(round(took, 1))
            print(f"round {round_no + 1} {label.upper()}: {took:.1f}s {error}", file=sys.stderr)
            if report is None:
                failures.append({"round": round_no + 1, "tree": label, "error": error})
                continue
            found = (
                {key: v for key in args.key if (v := pick(report, key)) is not None}
                if args.key
                else ratios(report)
            )
            for key, value in found.items():
                values.setdefault(key, {"a": [], "b": []})[label].append(value)

    print(
        json.dumps(
            {
                "tree_a": {"path": str(trees["a"]), "commit": commit_of(trees["a"])},
                "tree_b": {"path": str(trees["b"]), "commit": commit_of(trees["b"])},
                "command_a": shlex.join(words_a),
                "command_b": shlex.join(words_b),
                "rounds": args.rounds,
                "order": "A then B, each round",
                "load_average_start": load_start,
                "load_average_end": load_average(),
                "seconds_per_run": seconds,
                "ratios": {key: summary(v["a"], v["b"]) for key, v in sorted(values.items())},
                "failed_runs": failures,
            },
            indent=2,
        )
    )
    if failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
