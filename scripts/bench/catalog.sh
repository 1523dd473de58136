#!/usr/bin/env bash
# Benchmark for issue 12: `runbook backups` on a catalog of 10,000 backups (each with its
# manifest: 20,000 objects) against `aws s3 ls --recursive` of the same prefix, side by side.
# `runbook backups` lists every page AND reads each backup's manifest (recorded SHA-256) and
# drill record, so it does one GET per backup more than the AWS CLI's listing. Not part of the
# test suite; results go to docs/benchmarks.md by hand.
#
#   scripts/bench/catalog.sh                 # 10,000 backups, 3 rounds each
#   BENCH_BACKUPS=2000 BENCH_ROUNDS=1 scripts/bench/catalog.sh
#
# S3Proxy 4.1 runs as a separate JVM over a local directory (filesystem store); the objects are
# written straight into that directory (S3Proxy serves whatever files it finds). Debian's AWS
# CLI (/usr/bin/aws) and runbook reach it over HTTP on 127.0.0.1. Wall time and peak RSS with
# GNU time. Needs a built runbook (mvn -B -q -DskipTests package) and the test classpath in ~/.m2.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

BACKUPS="${BENCH_BACKUPS:-10000}"
ROUNDS="${BENCH_ROUNDS:-3}"
S3_PORT="${BENCH_S3PORT:-58498}"
AWS=/usr/bin/aws
WORK="$(mktemp -d /tmp/runbook-bench-catalog-XXXXXX)"
RESULTS="$WORK/results.txt"
say() { printf '\n== %s\n' "$*" >&2; }
for tool in "$AWS" /usr/bin/time python3; do
  [ -x "$(command -v "$tool")" ] || { echo "missing $tool (apt-get install -y awscli time python3)" >&2; exit 2; }
done
[ -f target/runbook.jar ] || { echo "build first: mvn -B -q -DskipTests package" >&2; exit 2; }

S3PID=""
cleanup() {
  [ -n "$S3PID" ] && kill "$S3PID" 2>/dev/null || true
  if [ -z "${BENCH_KEEP:-}" ]; then rm -rf "$WORK"; else echo "kept $WORK" >&2; fi
}
trap cleanup EXIT

say "$BACKUPS backups (+ a manifest each) under $WORK/s3/bench/postgres/"
mkdir -p "$WORK/s3/bench/postgres"
python3 - "$WORK/s3/bench/postgres" "$BACKUPS" <<'EOF'
import datetime, hashlib, json, os, sys
d, n = sys.argv[1], int(sys.argv[2])
start = datetime.datetime(2020, 1, 1, 2, 0, tzinfo=datetime.timezone.utc)
for i in range(n):
    t = start + datetime.timedelta(hours=4 * i)
    key = "postgres_" + t.strftime("%Y%m%dT%H%M%SZ") + ".sql.zst"
    data = ("-- dump %d\n" % i).encode() * 8
    with open(os.path.join(d, key), "wb") as f:
        f.write(data)
    with open(os.path.join(d, key + ".manifest.json"), "w") as f:
        json.dump({"key": key, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}, f)
EOF

say "S3Proxy on 127.0.0.1:$S3_PORT (filesystem store under $WORK/s3)"
# shellcheck source=scripts/bench/lib.sh
source "$ROOT/scripts/bench/lib.sh"
start_s3proxy "$WORK" "$S3_PORT"

measure() {
  local label="$1"; shift
  say "$label"
  local rc=0
  timeout -k 10 600 /usr/bin/time -v -o "$WORK/t.txt" "$@" >"$WORK/out.txt" 2>"$WORK/err.txt" || rc=$?
  if [ "$rc" != 0 ]; then
    printf '%-52s FAILED (exit %s)\n' "$label" "$rc" | tee -a "$RESULTS" >&2
    tail -5 "$WORK/err.txt" | sed 's/^/#   /' | tee -a "$RESULTS" >&2
    return 0
  fi
  local wall rss lines
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; printf "%.1f", s}' "$WORK/t.txt")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%d", $2/1024}' "$WORK/t.txt")
  lines=$(wc -l <"$WORK/out.txt")
  printf '%-52s %7s s %6s MiB %7s lines\n' "$label" "$wall" "$rss" "$lines" | tee -a "$RESULTS" >&2
}

for round in $(seq 1 "$ROUNDS"); do
  measure "aws s3 ls --recursive s3://bench/postgres/ (round $round)" \
    "$AWS" --endpoint-url "$AWS_ENDPOINT_URL" s3 ls --recursive s3://bench/postgres/
  measure "runbook backups s3://bench/postgres/ (round $round)" \
    bin/runbook backups s3://bench/postgres/
  # a name no key has: every page is listed and parsed, no manifest is read (the listing's share)
  measure "runbook backups --name none, listing only (round $round)" \
    bin/runbook backups s3://bench/postgres/ --name no-such-name
  measure "runbook backups --format json (round $round)" \
    bin/runbook backups s3://bench/postgres/ --format json
done
# the listing must match: every backup once, newest first
first=$(bin/runbook backups s3://bench/postgres/ | sed -n 3p | awk '{print $1"T"$2}')
say "newest listed: $first"

echo
echo "catalog of $BACKUPS backups ($((BACKUPS * 2)) objects), $(nproc) cores, $(date -u +%FT%TZ)"
cat "$RESULTS"
