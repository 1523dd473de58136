#!/usr/bin/env bash
# Makes src/main/resources/dev/runbook/cli/cds-classes.txt, the class list bin/runbook builds its
# class-data-sharing archive from (rebuild the jar afterwards): the classes loaded by `--version`, `validate`, `plan`, and by every runbook run of
# scripts/bench/full-restore.sh (backup.yaml, backup-secrets.yaml, full-restore.yaml with
# restore.yaml): S3, PostgreSQL, Docker and the engine. Needs what that benchmark needs (Docker
# with the local images, PostgreSQL 15, S3Proxy's jars in ~/.m2). Re-run it after adding a
# large dependency; a stale list only makes start-up slower, never wrong (classes missing
# from the archive load from the jars, listed ones that no longer exist are skipped).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
dir=$(mktemp -d /tmp/runbook-classes.XXXXXX)
trap 'rm -rf "$dir"' EXIT
chmod 777 "$dir"
export RUNBOOK_CLASSLIST_DIR=$dir
bin/runbook --version >/dev/null
bin/runbook validate runbooks/*.yaml >/dev/null
bin/runbook plan runbooks/full-restore.yaml --input location=s3://b/postgres/ --input secrets_location=s3://b/secrets/ >/dev/null
scripts/bench/full-restore.sh >/dev/null
# one list, first occurrence kept; the JVM's comments and lambda-form lines dropped
out=src/main/resources/dev/runbook/cli/cds-classes.txt
cat "$dir"/*.classes | grep -v '^#\|^@' | awk '!seen[$0]++' > "$out"
echo "$out: $(wc -l < "$out") classes from $(ls "$dir"/*.classes | wc -l) commands"
