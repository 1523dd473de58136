#!/usr/bin/env bash
# Benchmark of the core (issue 2): wall time of `runbook validate` and `runbook plan` on a
# 20-step and a generated 5,000-step runbook, against `java -version` as the floor, and the
# engine's overhead per step (a 1,000-step run of no-op steps, journal fsync included).
# Each figure is the median of RUNS runs. Needs: target/runbook.jar (mvn -DskipTests package).
# usage: scripts/bench/core.sh [RUNS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
RUNS="${1:-5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 scripts/bench/gen-runbook.py 20 > "$work/rb20.yaml"
python3 scripts/bench/gen-runbook.py 1000 > "$work/rb1000.yaml"
python3 scripts/bench/gen-runbook.py 5000 > "$work/rb5000.yaml"
bin/runbook validate "$work/rb20.yaml" >/dev/null   # makes the class-data-sharing archive once

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
measure() { # label, command...
  local label="$1"; shift
  local t
  t="$(for _ in $(seq "$RUNS"); do
    /usr/bin/time -f "%e" "$@" >/dev/null 2>"$work/time" || true; tail -1 "$work/time"; done | median)"
  printf '%-46s %6.2f s\n' "$label" "$t"
}
echo "machine: $(nproc) cores, $(uptime | sed 's/.*load average/load average/')"
measure "java -version (floor)" java -version
measure "runbook validate, 20 steps" bin/runbook validate "$work/rb20.yaml"
measure "runbook plan, 20 steps" bin/runbook plan "$work/rb20.yaml"
measure "runbook validate, 5,000 steps" bin/runbook validate "$work/rb5000.yaml"
measure "runbook plan, 5,000 steps" bin/runbook plan "$work/rb5000.yaml"
measure "runbook run, 20 no-op steps" bin/runbook run "$work/rb20.yaml" --yes --state-dir "$work/state"
measure "runbook run, 1,000 no-op steps" bin/runbook run "$work/rb1000.yaml" --yes --state-dir "$work/state"
