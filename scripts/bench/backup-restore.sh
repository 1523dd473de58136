#!/usr/bin/env bash
# Benchmark for issue 3: PostgreSQL backup and restore through runbook, side by side with the
# floor (pg_dump to /dev/null, psql -f of a local file) and today's way (pg_dump > file, then
# aws s3 cp; aws s3 cp, then psql -f). Not part of the test suite; results go to
# docs/benchmarks.md by hand.
#
#   scripts/bench/backup-restore.sh            # scale 70 (about 1 GiB), one round
#   BENCH_SCALE=280 scripts/bench/backup-restore.sh   # about 4 GiB
#   BENCH_AGE=1 scripts/bench/backup-restore.sh       # only: encrypted (age) against unencrypted
#   BENCH_INFLIGHT="1 2 8" scripts/bench/backup-restore.sh   # also: backups with 1, 2, 8 parts in flight
#   BENCH_SCALE=1 BENCH_GEN_GIB="1 4 8" scripts/bench/backup-restore.sh
#                                   # only: peak RSS of backups of generated 1, 4, 8 GiB dumps
#
# Everything runs on this machine: a throwaway PostgreSQL 15 cluster (Debian's binaries) and
# S3Proxy 4.1 as a separate JVM over a local directory (filesystem store), reached by runbook
# and by Debian's AWS CLI (/usr/bin/aws) over HTTP on 127.0.0.1. Each measurement is taken
# with GNU time (`/usr/bin/time -v`): wall time and the peak RSS of the largest process of
# the measured command (for runbook: its JVM). Needs root (runs the server as postgres),
# a built runbook (mvn -B -q -DskipTests package) and the test classpath in ~/.m2.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

SCALE="${BENCH_SCALE:-70}"
PG_PORT="${BENCH_PGPORT:-55499}"
S3_PORT="${BENCH_S3PORT:-58499}"
PGBIN=/usr/lib/postgresql/15/bin
AWS=/usr/bin/aws
WORK="$(mktemp -d /tmp/runbook-bench-XXXXXX)"
chmod 755 "$WORK"
RESULTS="$WORK/results.txt"

say() { printf '\n== %s\n' "$*" >&2; }
for tool in "$PGBIN/pgbench" "$AWS" /usr/bin/time; do
  [ -x "$tool" ] || { echo "missing $tool (apt-get install -y postgresql-15 awscli time)" >&2; exit 2; }
done
[ -f target/runbook.jar ] || { echo "build first: mvn -B -q -DskipTests package" >&2; exit 2; }

# ---------------------------------------------------------------- services
as_pg() { runuser -u postgres -- "$@"; }
S3PID=""
cleanup() {
  [ -n "$S3PID" ] && kill "$S3PID" 2>/dev/null || true
  as_pg "$PGBIN/pg_ctl" -D "$WORK/pg/data" -m fast stop >/dev/null 2>&1 || true
  if [ -z "${BENCH_KEEP:-}" ]; then rm -rf "$WORK"; else echo "kept $WORK" >&2; fi
}
trap cleanup EXIT

say "PostgreSQL 15 on 127.0.0.1:$PG_PORT (default settings: fsync on)"
mkdir -p "$WORK/pg" && chown postgres "$WORK/pg"
as_pg "$PGBIN/initdb" -D "$WORK/pg/data" -A trust -U postgres >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$WORK/pg/data" -o "-p $PG_PORT -k $WORK/pg -c listen_addresses=127.0.0.1" \
  -w -l "$WORK/pg/log" start >/dev/null
export PGHOST=127.0.0.1 PGPORT="$PG_PORT" PGUSER=postgres PGPASSWORD=unused

say "S3Proxy on 127.0.0.1:$S3_PORT (filesystem store under $WORK/s3)"
# shellcheck source=scripts/bench/lib.sh
source "$ROOT/scripts/bench/lib.sh"
start_s3proxy "$WORK" "$S3_PORT"
export BACKUP_BUCKET=bench
export RUNBOOK_STATE_DIR="$WORK/state"
aws() { "$AWS" --endpoint-url "$AWS_ENDPOINT_URL" "$@"; }
aws s3 mb s3://bench >/dev/null

# ---------------------------------------------------------------- data
say "pgbench -i -s $SCALE"
"$PGBIN/psql" -X -q -d postgres -c "CREATE DATABASE bench"
/usr/bin/time -f "%e" -o "$WORK/gen.time" "$PGBIN/pgbench" -i -q -s "$SCALE" bench >"$WORK/pgbench.log" 2>&1
DBSIZE=$("$PGBIN/psql" -X -Atc "SELECT pg_size_pretty(pg_database_size('bench')) || ' (' || pg_database_size('bench') || ' bytes)'" -d postgres)

# ---------------------------------------------------------------- measuring
N=0
# measure LABEL CMD... : one run under GNU time; the line goes to $RESULTS
measure() {
  local label="$1"; shift
  N=$((N + 1))
  say "$label"
  local rc=0
  # a measurement that hangs is killed and recorded as such; the others still run
  timeout -k 10 "${BENCH_STEP_TIMEOUT:-900}" /usr/bin/time -v -o "$WORK/t.txt" "$@" >"$WORK/out.$N" 2>&1 || rc=$?
  if [ "$rc" != 0 ]; then
    local why="FAILED (exit $rc)"
    [ "$rc" = 124 ] && why="HUNG: killed after ${BENCH_STEP_TIMEOUT:-900} s"
    printf '%-58s %s\n' "$label" "$why" | tee -a "$RESULTS" >&2
    tail -15 "$WORK/out.$N" | sed 's/^/#   /' | tee -a "$RESULTS" >&2
    return 0
  fi
  local wall rss cpu
  # CPU seconds (user + sys) of the command and the children it waited for (pg_dump, psql,
  # age): on a loaded machine a fairer comparison of two pipelines than wall time
  cpu=$(awk -F': ' '/User time|System time/ {s+=$2} END {printf "%.1f", s}' "$WORK/t.txt")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; printf "%.1f", s}' "$WORK/t.txt")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%d", $2/1024}' "$WORK/t.txt")
  printf '%-58s %8s s %7s MiB %8s s\n' "$label" "$wall" "$rss" "$cpu" | tee -a "$RESULTS" >&2
}
# stored size of the newest object under a prefix
size_of() { aws s3 ls "s3://bench/$1" | awk -v k="${1##*/}" '$4 == k {print $3}'; }

# a private copy of the launcher, jar and runbooks: a rebuild during the benchmark cannot change them
mkdir -p "$WORK/app/target"
cp -r bin runbooks "$WORK/app/"
cp -r target/runbook.jar target/lib "$WORK/app/target/"
cd "$WORK/app"
# the launcher writes its class-data-sharing archive on its first run after a build (slower, and
# more memory, at exit): do that once here, so the first measured command is not that run
bin/runbook validate runbooks/backup.yaml >/dev/null
RB=(bin/runbook run --yes)
# a bench-only runbook: postgres.dump with the parameters backup.yaml does not expose
BENCH_DUMP="$WORK/app/runbooks/bench-dump.yaml"
cat >"$BENCH_DUMP" <<'YAML'
name: bench-dump
inputs:
  name: { type: string, default: gen }
  format: { type: string, default: plain }
  row_counts: { type: bool, default: true }
  bin_dir: { type: string, default: /usr/lib/postgresql/15/bin }
  part_size: { type: string, default: "" }
steps:
  - id: dump
    uses: postgres.dump
    with:
      to: s3://bench/bench/
      name: ${{ inputs.name }}
      database: bench
      format: ${{ inputs.format }}
      row-counts: ${{ inputs.row_counts }}
      bin-dir: ${{ inputs.bin_dir }}
      storage: { part-size: "${{ inputs.part_size }}" }
YAML
PSQL=("$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -o /dev/null)
createdb() { "$PGBIN/psql" -X -q -d postgres -c "CREATE DATABASE $1"; }
dropdb() { "$PGBIN/psql" -X -q -d postgres -c "DROP DATABASE IF EXISTS $1"; }

{
  echo "# runbook benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $(free -m | awk '/Mem:/ {print $2}') MiB RAM"
  echo "# database: pgbench -i -s $SCALE -> $DBSIZE, generated in $(cat "$WORK/gen.time") s"
  echo "# load average at start: $(cut -d" " -f1-3 /proc/loadavg)"
  echo "# java: $(java -version 2>&1 | head -1); $("$PGBIN/pg_dump" --version); $("$AWS" --version)"
  printf '%-58s %10s %11s %10s\n' "measurement" "wall" "peak RSS" "CPU"
} | tee "$RESULTS" >&2

# --- memory at any size: a generated plain dump (a bench-only pg_dump in a bin-dir that prints
# BENCH_GEN_GIB GiB of COPY rows) through the same dump, count, hash and upload path, with the
# part size a 40 GiB database gets (17 MiB): peak RSS must not grow with the size
if [ -n "${BENCH_GEN_GIB:-}" ]; then
  mkdir -p "$WORK/genbin"
  for gib in $BENCH_GEN_GIB; do
    line=$'1\tgenerated row of about a hundred bytes, like a pgbench_accounts line of a plain dump ......'
    lines=$(( (gib << 30) / (${#line} + 1) ))
    cat >"$WORK/genbin/pg_dump" <<GEN
#!/usr/bin/env bash
# bench-only: a plain dump of $gib GiB of generated rows; --version answers as the real pg_dump
if [ "\${1:-}" = --version ]; then exec $PGBIN/pg_dump --version; fi
printf -- '--\n-- PostgreSQL database dump\n--\n\n--\n-- Data for Name: gen; Type: TABLE DATA; Schema: public; Owner: postgres\n--\n\nCOPY public.gen (id, body) FROM stdin;\n'
yes '$line' | head -n $lines
printf '\\\\.\n\n--\n-- PostgreSQL database dump complete\n--\n\n'
GEN
    chmod 755 "$WORK/genbin/pg_dump"
    measure "backup runbook: generated $gib GiB plain dump, 17 MiB parts (s3)" \
      "${RB[@]}" "$BENCH_DUMP" --input bin_dir="$WORK/genbin" --input name="gen$gib" --input part_size=17825792
    grep -h "counted the rows\|checked" "$WORK/out.$N" | sed 's/^/#   /' | tee -a "$RESULTS" >&2
    aws s3 rm --recursive --quiet s3://bench/bench/
  done
# --- encrypted (age in the pipeline) against unencrypted, same runbooks, pairs back to back
elif [ "${BENCH_AGE:-0}" = 1 ]; then
  for tool in /usr/bin/age /usr/bin/age-keygen; do
    [ -x "$tool" ] || { echo "missing $tool (apt-get install -y age)" >&2; exit 2; }
  done
  age-keygen -o "$WORK/age-key.txt" 2>/dev/null
  RECIPIENT=$(age-keygen -y "$WORK/age-key.txt")
  measure "backup runbook: backup.yaml plain (s3)" \
    "${RB[@]}" runbooks/backup.yaml --input database=bench --input name=clear
  measure "backup runbook: backup.yaml plain, encrypt_to (age) (s3)" \
    "${RB[@]}" runbooks/backup.yaml --input database=bench --input name=sealed --input encrypt_to="$RECIPIENT"
  measure "restore runbook: restore.yaml plain (s3)" \
    "${RB[@]}" runbooks/restore.yaml --input database=r_clear --input name=clear
  dropdb r_clear
  measure "restore runbook: restore.yaml .sql.age, identity_file (s3)" \
    "${RB[@]}" runbooks/restore.yaml --input database=r_sealed --input name=sealed --input extension=.sql.age \
    --input identity_file="$WORK/age-key.txt"
  dropdb r_sealed
  # the second order, so that a change of load during the run does not favour one side
  measure "backup runbook: backup.yaml plain, encrypt_to (age) (s3) #2" \
    "${RB[@]}" runbooks/backup.yaml --input database=bench --input name=sealed2 --input encrypt_to="$RECIPIENT"
  measure "backup runbook: backup.yaml plain (s3) #2" \
    "${RB[@]}" runbooks/backup.yaml --input database=bench --input name=clear2
  measure "restore runbook: restore.yaml .sql.age, identity_file (s3) #2" \
    "${RB[@]}" runbooks/restore.yaml --input database=r_sealed2 --input name=sealed2 --input identity_file="$WORK/age-key.txt"
  dropdb r_sealed2
  measure "restore runbook: restore.yaml plain (s3) #2" \
    "${RB[@]}" runbooks/restore.yaml --input database=r_clear2 --input name=clear2
  dropdb r_clear2
  echo "# objects: $(aws s3 ls s3://bench/postgres/ | awk '$4 !~ /manifest/ {print $4 " " $3}' | tr '\n' ' ')" | tee -a "$RESULTS" >&2
else
# --- backup, plain SQL (issue 10, "Backup: one pass"): the two limits of a streamed backup
# (reading the database, writing the object), today's two passes, and runbook in one pass
measure "backup floor: pg_dump > /dev/null" \
  bash -c '"$1" "$2" > /dev/null' _ "$PGBIN/pg_dump" bench
"$PGBIN/pg_dump" bench >"$WORK/today.sql" # not measured: the file the next line uploads
measure "backup floor: aws s3 cp of the dump file" \
  "$AWS" --endpoint-url "$AWS_ENDPOINT_URL" s3 cp --only-show-errors "$WORK/today.sql" s3://bench/floor/postgres_floor.sql
rm -f "$WORK/today.sql"
measure "backup today: pg_dump > file; aws s3 cp file" \
  bash -c '"$1" "$2" > "$3" && "$4" --endpoint-url "$AWS_ENDPOINT_URL" s3 cp --only-show-errors "$3" "$5"' _ \
  "$PGBIN/pg_dump" bench "$WORK/today.sql" "$AWS" s3://bench/today/postgres_today.sql
measure "backup runbook: backup.yaml plain (s3)" \
  "${RB[@]}" runbooks/backup.yaml --input database=bench --input name=plain
measure "backup runbook: backup.yaml compression=zstd (s3)" \
  "${RB[@]}" runbooks/backup.yaml --input database=bench --input name=zstd --input compression=zstd
measure "backup runbook: backup.yaml plain, verify=read-back (s3)" \
  "${RB[@]}" runbooks/backup.yaml --input database=bench --input name=readback --input verify=read-back
# parts in flight: how the default (4) was chosen
for n in ${BENCH_INFLIGHT:-}; do
  measure "backup runbook: backup.yaml plain, parts_in_flight=$n (s3)" \
    "${RB[@]}" runbooks/backup.yaml --input database=bench --input name="inflight$n" --input parts_in_flight="$n"
done
PLAIN_KEY=$(aws s3 ls s3://bench/postgres/ | awk '{print $4}' | grep '^plain_.*\.sql$' | sort | tail -1)
echo "# plain dump: $(stat -c %s "$WORK/today.sql") bytes; runbook object $PLAIN_KEY: $(size_of "postgres/$PLAIN_KEY") bytes" | tee -a "$RESULTS" >&2

# --- restore, plain SQL (each into a new database)
createdb r_floor
measure "restore floor: psql -f local file" \
  "${PSQL[@]}" -d r_floor -f "$WORK/today.sql"
measure "restore runbook: run runbooks/restore.yaml (s3)" \
  "${RB[@]}" runbooks/restore.yaml --input database=r_runbook --input name=plain
dropdb r_floor; dropdb r_runbook
# plain SQL over N connections (issue 10): jobs 1 is the serial psql path above with the same runbook
for jobs in 2 4; do
  measure "restore runbook: restore.yaml plain, jobs=$jobs (s3)" \
    "${RB[@]}" runbooks/restore.yaml --input database=r_jobs$jobs --input name=plain --input jobs=$jobs
  dropdb r_jobs$jobs
done
rm -f "$WORK/today.sql"
createdb r_today
measure "restore today: aws s3 cp; psql -f file" \
  bash -c '"$1" --endpoint-url "$AWS_ENDPOINT_URL" s3 cp --only-show-errors "$2" "$3" && "${@:4}" -f "$3"' _ \
  "$AWS" s3://bench/today/postgres_today.sql "$WORK/today.sql" "${PSQL[@]}" -d r_today
dropdb r_today
rm -f "$WORK/today.sql"

# --- custom format, restored with 2 jobs
measure "backup floor: pg_dump -Fc > /dev/null" \
  bash -c '"$1" -Fc "$2" > /dev/null' _ "$PGBIN/pg_dump" bench
measure "backup runbook: backup.yaml format=custom (s3)" \
  "${RB[@]}" runbooks/backup.yaml --input database=bench --input name=custom --input format=custom
# the custom format's row counts run in the dump's snapshot beside pg_dump: the same dump without
# counts, and the counts alone (what the former second scan after the dump cost)
measure "backup runbook: dump format=custom, row-counts=false (s3)" \
  "${RB[@]}" "$BENCH_DUMP" --input format=custom --input row_counts=false --input name=custom_nocounts
measure "row counts alone: count(*) of every table (former 2nd scan)" \
  "$PGBIN/psql" -X -q -o /dev/null -d bench -c "SELECT count(*) FROM pgbench_accounts" -c "SELECT count(*) FROM pgbench_branches" \
  -c "SELECT count(*) FROM pgbench_history" -c "SELECT count(*) FROM pgbench_tellers"
measure "restore runbook: restore.yaml custom, jobs=2 (s3)" \
  "${RB[@]}" runbooks/restore.yaml --input database=r_custom --input name=custom --input jobs=2
dropdb r_custom
CUSTOM_KEY=$(aws s3 ls s3://bench/postgres/ | awk '{print $4}' | grep '^custom_.*\.dump$' | sort | tail -1)
echo "# custom dump object $CUSTOM_KEY: $(size_of "postgres/$CUSTOM_KEY") bytes" | tee -a "$RESULTS" >&2
createdb r_today2
measure "restore today (custom): aws s3 cp; pg_restore -j 2" \
  bash -c '"$1" --endpoint-url "$AWS_ENDPOINT_URL" s3 cp --only-show-errors "$2" "$3" && "${@:4}" "$3"' _ \
  "$AWS" "s3://bench/postgres/$CUSTOM_KEY" "$WORK/today.dump" "$PGBIN/pg_restore" --exit-on-error -j 2 -d r_today2
dropdb r_today2
fi

# step durations as the runbook journal recorded them (the dump/load step alone, without verify)
say "step durations from the journal"
for run in $(bin/runbook runs 2>/dev/null | awk 'NR>1 {print $1}'); do
  bin/runbook show "$run" 2>/dev/null | awk -v r="$run" '/✓ [a-z-]+ succeeded in/ {print "# " r ": " $3 " " $6 " " $7}'
done | tee -a "$RESULTS" >&2

echo "# load average at end: $(cut -d" " -f1-3 /proc/loadavg)" | tee -a "$RESULTS" >&2
cd "$ROOT"
cp "$RESULTS" "${BENCH_RESULTS:-$ROOT/target/bench-backup-restore.txt}"
cat "$RESULTS"
