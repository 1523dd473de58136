#!/usr/bin/env bash
# The Kubernetes full restore typed by hand with kubectl, timed per step, for comparison with
# `runbook run runbooks/full-restore.yaml --target kubernetes` (see k8s-full-restore.sh):
# apply, create the Secret, scale + rollout status, port-forward + psql -f, exec alembic,
# scale, port-forward + curl. No checksum, no row-count check, no resume: what an engineer types.
# Usage: k8s-full-restore-by-hand.sh STORE_DIR DEPLOY_DIR MANIFEST
#   STORE_DIR: the backups (postgres/ and secrets/ as backup.yaml and backup-secrets.yaml left
#   them); env: KUBECTL, KUBECONFIG, PGPASSWORD (the database password).
set -euo pipefail
store=$1 dir=$2 manifest=$3
k=("${KUBECTL:-kubectl}" -n shop)
now() { date +%s%3N; }
# shellcheck source=scripts/bench/lib.sh
. "$(dirname "$0")/lib.sh"   # free_port
t=$(now)
step() { local n; n=$(now); echo "step $1 $((n - t))"; t=$n; }
fwd=
trap '[ -z "$fwd" ] || kill "$fwd" 2>/dev/null || true' EXIT

# 1. secrets/ and .env from the backup
mkdir -p "$dir"; cp -r "$store/secrets/." "$dir/"; chmod 600 "$dir/.env" "$dir"/secrets/*
step restore-secrets
# 2. the app's objects, server-side (every workload at replicas 0)
"${KUBECTL:-kubectl}" apply --server-side -f "$manifest" >/dev/null
step apply-manifests
# 3. the Secret the pods mount
"${k[@]}" create secret generic app-secrets --from-file="$dir/secrets" >/dev/null
step cluster-secrets
# 4. the database
"${k[@]}" scale deploy/db --replicas=1 >/dev/null
"${k[@]}" rollout status deploy/db --timeout=3m >/dev/null
step start-db
# 5. the newest dump through a port-forward
dump=$(ls "$store/postgres/" | grep -v -e manifest -e drill | sort | tail -1)
lp=$(free_port)
"${k[@]}" port-forward svc/db "$lp:5432" >/dev/null & fwd=$!
until pg_isready -q -h 127.0.0.1 -p "$lp"; do sleep 0.2; done
psql -q -h 127.0.0.1 -p "$lp" -U app -d app -v ON_ERROR_STOP=1 -f "$store/postgres/$dump" >/dev/null
kill "$fwd"; wait "$fwd" 2>/dev/null || true; fwd=
step load
# 6. migrations in an api pod
"${k[@]}" scale deploy/api --replicas=1 >/dev/null
"${k[@]}" rollout status deploy/api --timeout=3m >/dev/null
"${k[@]}" exec deploy/api -- alembic upgrade head >/dev/null 2>&1
step migrate
# 7. everything
"${k[@]}" scale deploy/db deploy/api deploy/web --replicas=1 >/dev/null
for d in db api web; do "${k[@]}" rollout status "deploy/$d" --timeout=5m >/dev/null; done
step start-all
# 8. /health through a port-forward
lp=$(free_port)
"${k[@]}" port-forward svc/api "$lp:8000" >/dev/null & fwd=$!
until curl -fsS -o /dev/null "http://127.0.0.1:$lp/health" 2>/dev/null; do sleep 0.5; done
step health
