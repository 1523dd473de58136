#!/usr/bin/env bash
# Benchmark for issue 11: on the real single-node Kubernetes test cluster (scripts/k8s), the
# wall time and step times (`runbook show --json`) of
#   runbook run runbooks/full-restore.yaml --target kubernetes
# against the same steps typed by hand with kubectl (k8s-full-restore-by-hand.sh: apply,
# create secret, scale + rollout status, port-forward + psql -f, exec alembic, scale,
# port-forward + curl), one after the other in one run, each from an empty namespace.
# Real parts: the cluster (started here if it is not running, and then stopped), a host
# PostgreSQL 15 seeded with BENCH_ROWS users + orders and backed up by runbooks/backup.yaml,
# secrets by runbooks/backup-secrets.yaml. The backups are a local directory (file://), so both
# contenders read the same files and S3 is not part of the comparison.
# The cluster has no DNS or Service routing: as in FullRestoreKubernetesIT, the db pod uses the
# host's network on a free port and the api reaches it at the Docker bridge's gateway.
# Usage: flock /tmp/bench.lock scripts/bench/k8s-full-restore.sh   (env: BENCH_ROWS, default 200000)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
rows=${BENCH_ROWS:-200000}
work=$(mktemp -d /tmp/bench-k8s-restore.XXXXXX)
chmod 755 "$work"   # the postgres user runs the source cluster below
started_cluster=
eval "$(scripts/k8s/cluster.sh env | sed 's/^/export /')"
kc=("$KUBECTL" --kubeconfig "$KUBECONFIG")
cleanup() {
  "${kc[@]}" delete namespace shop --ignore-not-found --wait=true --timeout=120s >/dev/null 2>&1 || true
  [ -d "$work/pg" ] && runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
  [ -z "$started_cluster" ] || scripts/k8s/cluster.sh stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
# shellcheck source=scripts/bench/lib.sh
. "$(dirname "$0")/lib.sh"   # free_port
ms() { date +%s%3N; }

if ! scripts/k8s/cluster.sh status >/dev/null 2>&1; then
  scripts/k8s/cluster.sh start >/dev/null; started_cluster=1
fi
[ -f target/runbook.jar ] || mvn -B -q -o -DskipTests package
"${kc[@]}" delete namespace shop --ignore-not-found --wait=true --timeout=120s >/dev/null

# the source database, seeded, owned by the app's role (the dump's ALTER ... OWNER TO app works in the pod)
. "$repo/scripts/bench/shop-source.sh"
store=$work/store
export RUNBOOK_STATE_DIR=$work/state
bin/runbook run runbooks/backup.yaml --yes --input location="file://$store/postgres/" --input host=127.0.0.1 \
  --input port="$pgport" --input user=app --input database=app >/dev/null
mkdir -p "$work/saved/secrets"
printf '%s' "$PGPASSWORD" > "$work/saved/secrets/db_password"; printf 'APP_ENV=production\n' > "$work/saved/.env"
chmod 600 "$work/saved/secrets/db_password" "$work/saved/.env"
bin/runbook run runbooks/backup-secrets.yaml --yes --input to="file://$store/secrets/" --input deploy_dir="$work/saved" >/dev/null

# examples/k8s-shop/shop.yaml adapted to this cluster's network (see FullRestoreKubernetesIT)
manifest() { # OUT → writes the manifest with a fresh host port for the db pod, prints the port
  python3 - "$1" "$(free_port)" "$(ip -4 -o addr show docker0 | sed -E 's/.*inet ([0-9.]+)\/.*/\1/')" <<'PY'
import sys
out, port, gw = sys.argv[1], sys.argv[2], sys.argv[3]
text = open("examples/k8s-shop/shop.yaml").read()
edits = {
    "    spec:\n      containers:\n        - name: db\n":
        f"    spec:\n      hostNetwork: true\n      containers:\n        - name: db\n          args: [postgres, -p, \"{port}\"]\n",
    "containerPort: 5432,": f"containerPort: {port},",
    "[pg_isready, -h, 127.0.0.1,": f"[pg_isready, -h, 127.0.0.1, -p, \"{port}\",",
    "{ name: DATABASE_HOST, value: db.shop.svc }":
        f"{{ name: DATABASE_HOST, value: {gw} }}\n            - {{ name: DATABASE_PORT, value: \"{port}\" }}",
}
for old, new in edits.items():
    assert old in text, "the example manifest no longer has: " + old
    text = text.replace(old, new)
open(out, "w").write(text)
print(port)
PY
}

# 1. runbook
orders() { "${kc[@]}" -n shop exec deploy/db -- psql -h /var/run/postgresql -p "$1" -U app -d app -tAc "select count(*) from orders"; }
port=$(manifest "$work/shop-rb.yaml")
printf 'manifests: ["%s"]\n' "$work/shop-rb.yaml" > "$work/inputs.yaml"
export RUNBOOK_STATE_DIR=$work/state-rb
t0=$(ms)
bin/runbook run runbooks/full-restore.yaml --target kubernetes --yes --inputs "$work/inputs.yaml" \
  --input location="file://$store/postgres/" --input secrets_location="file://$store/secrets/" \
  --input deploy_dir="$work/deploy-rb" --input db_user=app --input database=app >"$work/rb.out" 2>&1 \
  || { cat "$work/rb.out"; exit 1; }
rb_total=$(( $(ms) - t0 ))
bin/runbook show last --json > "$work/rb.json"
rb_rows=$(orders "$port")
"${kc[@]}" delete namespace shop --wait=true --timeout=120s >/dev/null

# 2. by hand, from an empty namespace again
port=$(manifest "$work/shop-hand.yaml")
t0=$(ms)
KUBECTL="$KUBECTL" scripts/bench/k8s-full-restore-by-hand.sh "$store" "$work/deploy-hand" "$work/shop-hand.yaml" > "$work/hand.out"
hand_total=$(( $(ms) - t0 ))
hand_rows=$(orders "$port")

echo "Kubernetes full restore, $rows users + $rows orders ($(du -h "$store/postgres" | tail -1 | cut -f1) of backups); $(nproc) cores;"
echo "server $("${kc[@]}" version -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)["serverVersion"]["gitVersion"])'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "runbook run runbooks/full-restore.yaml --target kubernetes: ${rb_total} ms wall (process start to exit; orders in the pod: $rb_rows)"
python3 - "$work/rb.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
print(f"  run.durationMs {doc['run']['durationMs']} ms (engine start to end)")
for s in doc["steps"]:
    print(f"  {s['id']:<24} {s['outcome']:<10} {s['durationMs'] if s['durationMs'] is not None else '-':>7} ms")
PY
echo
echo "by hand (k8s-full-restore-by-hand.sh): ${hand_total} ms wall (orders in the pod: $hand_rows)"
awk '{printf "  %-24s %7d ms\n", $2, $3}' "$work/hand.out"
