#!/usr/bin/env bash
# Run every benchmark in benchmarks/ and print one JSON object: each benchmark's own JSON under
# its name, plus "failed" (the ones that exited non-zero) and "seconds" per benchmark.
# Exits non-zero if any benchmark failed. Progress goes to stderr, the JSON to stdout.
#
#   benchmarks/run_all.sh                     # full sizes; leaderboard at --scale 0.1
#   benchmarks/run_all.sh --quick             # smoke run: small sizes, a few minutes
#   benchmarks/run_all.sh --scale 1 --backend sqlite
#
# Options: --quick, --scale S (leaderboard size, 1 = 1,000,000 answers), --backend
# sqlite|postgres|both (leaderboard, engine_throughput, scheduler_scale; postgres needs
# postgresql://postgres@127.0.0.1:5432/test or INTERVIEW_BOT_TEST_POSTGRES_URL).
# PYTHON overrides the interpreter (default: the repo's .venv).
set -uo pipefail

cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
QUICK=0
SCALE=""
BACKEND="both"

while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --scale) SCALE="$2"; shift ;;
    --backend) BACKEND="$2"; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done

if [ "$QUICK" = 1 ]; then
  SCALE="${SCALE:-0.01}"
  runs=(
    "grading|benchmarks/grading.py --repeat 1"
    "grader_agreement|benchmarks/grader_agreement.py --sample 300"
    "leaderboard|benchmarks/leaderboard.py --scale $SCALE --runs 5 --backend $BACKEND"
    "engine_throughput|benchmarks/engine_throughput.py --answers 200 --backend $BACKEND"
    "slack_latency|benchmarks/slack_latency.py --quick"
    "fanout|benchmarks/fanout.py --quick"
    "round_memory|benchmarks/round_memory.py --rounds 100"
    "review_due|benchmarks/review_due.py --scale 0.01 --runs 10 --backend $BACKEND"
    "scheduler_scale|benchmarks/scheduler_scale.py --schedules 2000 --commands 20"
    "discord_latency|benchmarks/discord_latency.py --quick"
    "web_pages|benchmarks/web_pages.py --scale $SCALE --runs 5"
  )
else
  SCALE="${SCALE:-0.1}"
  runs=(
    "grading|benchmarks/grading.py"
    "grader_agreement|benchmarks/grader_agreement.py"
    "leaderboard|benchmarks/leaderboard.py --scale $SCALE --backend $BACKEND"
    "engine_throughput|benchmarks/engine_throughput.py --backend $BACKEND"
    "slack_latency|benchmarks/slack_latency.py"
    "fanout|benchmarks/fanout.py"
    "round_memory|benchmarks/round_memory.py"
    "review_due|benchmarks/review_due.py --backend $BACKEND"
    "scheduler_scale|benchmarks/scheduler_scale.py --backend $BACKEND"
    "discord_latency|benchmarks/discord_latency.py"
    "web_pages|benchmarks/web_pages.py --scale $SCALE"
  )
fi
# The soak runs on PostgreSQL only (postgresql://postgres@127.0.0.1:5432/test by default).
if [ "$BACKEND" != sqlite ]; then
  if [ "$QUICK" = 1 ]; then
    runs+=("soak|benchmarks/soak.py --minutes 1 --rate 20")
  else
    runs+=("soak|benchmarks/soak.py")
  fi
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
failed=()
for entry in "${runs[@]}"; do
  name="${entry%%|*}"
  read -r -a cmd <<< "${entry#*|}"
  echo "== $name: ${cmd[*]}" >&2
  started=$(date +%s)
  if ! "$PY" "${cmd[@]}" > "$out/$name.json"; then
    failed+=("$name")
    echo "!! $name failed" >&2
  fi
  echo $(( $(date +%s) - started )) > "$out/$name.seconds"
done

"$PY" - "$out" "${failed[@]}" <<'EOF'
import json
import sys
from pathlib import Path

out, failed = Path(sys.argv[1]), sys.argv[2:]
report = {}
for path in sorted(out.glob("*.json"), key=lambda p: p.stat().st_mtime):
    text = path.read_text()
    try:
        report[path.stem] = json.loads(text)
    except ValueError:
        report[path.stem] = {"unparsed_output": text[-2000:]}
report["seconds"] = {p.stem: int(p.read_text()) for p in out.glob("*.seconds")}
report["failed"] = failed
print(json.dumps(report, indent=2))
EOF

[ ${#failed[@]} -eq 0 ]
