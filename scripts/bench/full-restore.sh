#!/usr/bin/env bash
# Benchmark for issue 4: wall time of `runbook run runbooks/full-restore.yaml` (per step, from
# the run's journal.jsonl) against the same procedure typed as shell commands
# (full-restore-by-hand.sh). Real parts: S3Proxy (S3 API), a host PostgreSQL 15 seeded with
# BENCH_ROWS rows dumped by runbooks/backup.yaml, the Docker engine with Compose v1 and the
# local images (scripts/setup-services.sh). Cleans up its containers, volumes and servers.
# Usage: scripts/bench/full-restore.sh    (env: BENCH_ROWS, default 200000)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
rows=${BENCH_ROWS:-200000}
work=$(mktemp -d /tmp/bench-full-restore.XXXXXX)
chmod 755 "$work"   # the postgres user runs the source cluster below
pids=()
cleanup() {
  for p in benchrb benchhand; do
    ids=$(docker ps -aq --filter "label=com.docker.compose.project=$p"); [ -z "$ids" ] || docker rm -f -v $ids >/dev/null
    ids=$(docker network ls -q --filter "label=com.docker.compose.project=$p"); [ -z "$ids" ] || docker network rm $ids >/dev/null
    ids=$(docker volume ls -q --filter "label=com.docker.compose.project=$p"); [ -z "$ids" ] || docker volume rm -f $ids >/dev/null
  done
  [ -d "$work/pg" ] && runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
ROOT=$repo
# shellcheck source=scripts/bench/lib.sh
. "$repo/scripts/bench/lib.sh"   # free_port, start_s3proxy

[ -f target/runbook.jar ] || mvn -B -q -o -DskipTests package

# S3Proxy, in memory
s3port=$(free_port)
start_s3proxy "$work" "$s3port" memory
pids+=("$S3PID")
/usr/bin/aws --endpoint-url "$AWS_ENDPOINT_URL" s3 mb s3://bench >/dev/null

# the source database, seeded
. "$repo/scripts/bench/shop-source.sh"
export RUNBOOK_STATE_DIR=$work/state
bin/runbook run runbooks/backup.yaml --yes --input location=s3://bench/postgres/ --input host=127.0.0.1 \
  --input port="$pgport" --input user=app --input database=app >/dev/null

# one deployment copy per contender; secrets only in the bucket
deploy() { # NAME PROJECT → prints the copy's root
  local root=$work/$1
  mkdir -p "$root/examples"; cp -r runbooks "$root/"; cp -r examples/compose-shop "$root/examples/"
  sed -i "s/project: shop,/project: $2,/" "$root/runbooks/full-restore.yaml"
  echo "$root"
}
apiport=$(free_port)
src=$(deploy secrets-src unused)
mkdir -p "$src/examples/compose-shop/secrets"
printf '%s' "$PGPASSWORD" > "$src/examples/compose-shop/secrets/db_password"
printf 'API_HOST_PORT=%s\nAPP_ENV=production\n' "$apiport" > "$src/examples/compose-shop/.env"
chmod 600 "$src/examples/compose-shop/secrets/db_password" "$src/examples/compose-shop/.env"
bin/runbook run "$src/runbooks/backup-secrets.yaml" --yes --input to=s3://bench/secrets/ >/dev/null

ms() { date +%s%3N; }
# runbook
rb=$(deploy runbook benchrb)
export RUNBOOK_STATE_DIR=$work/state-rb
t0=$(ms)
bin/runbook run "$rb/runbooks/full-restore.yaml" --yes --input location=s3://bench/postgres/ \
  --input secrets_location=s3://bench/secrets/ --input health_url="http://127.0.0.1:$apiport/health" >"$work/rb.out" 2>&1 \
  || { cat "$work/rb.out"; exit 1; }
rb_total=$(( $(ms) - t0 ))
run_id=$(ls "$RUNBOOK_STATE_DIR/runs")
cp "$RUNBOOK_STATE_DIR/runs/$run_id/journal.jsonl" "$work/rb.json"   # the raw events (JSON Lines)
cleanup_project() { ids=$(docker ps -aq --filter "label=com.docker.compose.project=$1"); [ -z "$ids" ] || docker rm -f -v $ids >/dev/null
  ids=$(docker volume ls -q --filter "label=com.docker.compose.project=$1"); [ -z "$ids" ] || docker volume rm -f $ids >/dev/null; }
cleanup_project benchrb   # free the api host port for the second contender

# by hand
hand=$(deploy by-hand benchhand)
t0=$(ms)
scripts/bench/full-restore-by-hand.sh bench "$hand/examples/compose-shop" benchhand "http://127.0.0.1:$apiport/health" > "$work/hand.out"
hand_total=$(( $(ms) - t0 ))

echo "Full restore, $rows users + $rows orders ($(du -h "$work/pg" | tail -1 | cut -f1) cluster); $(nproc) cores"
echo
echo "runbook run runbooks/full-restore.yaml: ${rb_total} ms wall (process start to exit)"
python3 - "$work/rb.json" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("event") == "step-finished":
        print(f"  {e['step']:<18} {e['outcome']:<10} {e['duration_ms']:>7} ms")
PY
echo
echo "by hand (full-restore-by-hand.sh): ${hand_total} ms wall"
awk '{printf "  %-18s %7d ms\n", $2, $3}' "$work/hand.out"
