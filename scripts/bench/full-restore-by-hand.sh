#!/usr/bin/env bash
# Today's full restore (the wiki page) as plain shell commands, timed per step, for comparison
# with runbooks/full-restore.yaml (see full-restore.sh). No checksum check, no row-count check,
# no resume: exactly what an engineer types.
# Usage: full-restore-by-hand.sh BUCKET DEPLOY_DIR PROJECT HEALTH_URL
# Env: AWS_* (credentials, AWS_ENDPOINT_URL), PGPASSWORD (the database password).
set -euo pipefail
bucket=$1 dir=$2 project=$3 health=$4
aws=${AWS_CLI:-/usr/bin/aws}
endpoint=(); [ -z "${AWS_ENDPOINT_URL:-}" ] || endpoint=(--endpoint-url "$AWS_ENDPOINT_URL")   # older AWS CLIs ignore AWS_ENDPOINT_URL
compose=(docker-compose -p "$project" -f "$dir/docker-compose.yml" --project-directory "$dir")
now() { date +%s%3N; }
t=$(now)
step() { local n; n=$(now); echo "step $1 $((n - t))"; t=$n; }

# 1. secrets/ and .env
"$aws" "${endpoint[@]}" s3 cp --quiet --recursive "s3://$bucket/secrets/" "$dir/"
chmod 600 "$dir/.env" "$dir"/secrets/*
step restore-secrets
# 2. the newest dump
key=$("$aws" "${endpoint[@]}" s3 ls "s3://$bucket/postgres/" | awk '{print $4}' | grep -v manifest | sort | tail -1)
"$aws" "${endpoint[@]}" s3 cp --quiet "s3://$bucket/postgres/$key" "$dir/restore.sql"
step download-dump
# 3. database up and ready
"${compose[@]}" up -d db >/dev/null 2>&1
until [ "$(docker inspect -f '{{.State.Health.Status}}' "$("${compose[@]}" ps -q db)")" = healthy ]; do sleep 0.5; done
step start-db
# 4. load
port=$("${compose[@]}" port db 5432 | cut -d: -f2)
psql -q -h 127.0.0.1 -p "$port" -U app -d app -v ON_ERROR_STOP=1 -f "$dir/restore.sql" >/dev/null
rm -f "$dir/restore.sql"
step load
# 5. migrations
"${compose[@]}" up -d api >/dev/null 2>&1
"${compose[@]}" exec -T api alembic upgrade head >/dev/null 2>&1
step migrate
# 6. everything
"${compose[@]}" up -d >/dev/null 2>&1
step start-all
# 7. health
until curl -fsS -o /dev/null "$health"; do sleep 1; done
step health
