#!/usr/bin/env bash
# A throwaway single-node Kubernetes 1.20 cluster on loopback for the integration
# tests: etcd + kube-apiserver + kube-controller-manager + kube-scheduler + kubelet
# (dockershim driving the local Docker engine; no CNI, pods on Docker's bridge).
# Binaries come from scripts/k8s/build.sh (cached). Everything listens on 127.0.0.1.
#
#   cluster.sh start    start from empty state, wait until the node is Ready (~18 s)
#   cluster.sh stop     stop it, remove the pods' containers, unmount, delete the state
#   cluster.sh status   exit 0 when the API server answers
#   cluster.sh env      print KUBECONFIG=... and KUBECTL=... lines
#
# State and logs: $RUNBOOK_K8S_HOME (default /var/tmp/runbook-k8s): pki/ (kept between
# runs), run/ (etcd data, kubelet root; deleted by stop), logs/, admin.kubeconfig.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

HOME_DIR="${RUNBOOK_K8S_HOME:-/var/tmp/runbook-k8s}"
PKI="$HOME_DIR/pki"; RUN="$HOME_DIR/run"; LOGS="$HOME_DIR/logs"
ETCD_PORT=57579; ETCD_PEER_PORT=57580; API_PORT=57543; KCM_PORT=57557; SCHED_PORT=57559
API="https://127.0.0.1:$API_PORT"
ADMIN_KUBECONFIG="$HOME_DIR/admin.kubeconfig"
START_WAIT_SECONDS="${RUNBOOK_K8S_START_WAIT:-120}"

# ---------------------------------------------------------------- PKI (openssl)
cert() { # name subject [san]  -> $PKI/name.{key,crt}, signed by the CA
  local name="$1" subj="$2" san="${3:-}" ext
  [ -s "$PKI/$name.crt" ] && return 0
  openssl genrsa -out "$PKI/$name.key" 2048 2>/dev/null
  ext="$(mktemp)"
  { echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=serverAuth,clientAuth"
    [ -n "$san" ] && echo "subjectAltName=$san"; } > "$ext"
  openssl req -new -key "$PKI/$name.key" -subj "$subj" -out "$PKI/$name.csr" 2>/dev/null
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 365 -sha256 -extfile "$ext" -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$ext" "$PKI/$name.csr"
}

make_pki() {
  mkdir -p "$PKI"; chmod 700 "$PKI"
  # A CA older than 300 days is replaced with everything it signed.
  if [ -s "$PKI/ca.crt" ] && ! openssl x509 -checkend $((65*86400)) -noout -in "$PKI/ca.crt" >/dev/null; then
    rm -f "$PKI"/*
  fi
  if [ ! -s "$PKI/ca.crt" ]; then
    openssl genrsa -out "$PKI/ca.key" 2048 2>/dev/null
    openssl req -x509 -new -key "$PKI/ca.key" -subj "/CN=runbook-test-ca" -days 365 -sha256 -out "$PKI/ca.crt" 2>/dev/null
  fi
  cert apiserver "/CN=kube-apiserver" \
    "IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  cert admin "/O=system:masters/CN=admin"
  cert controller-manager "/CN=system:kube-controller-manager"
  cert scheduler "/CN=system:kube-scheduler"
  cert kubelet-client "/O=system:nodes/CN=system:node:localhost"
  cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client"
  cert kubelet-serving "/CN=localhost" "IP:127.0.0.1,DNS:localhost"
  if [ ! -s "$PKI/sa.key" ]; then
    openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
    openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
  fi
  chmod 600 "$PKI"/*.key
}

# Written by hand: Debian's kubectl 1.20.2 `config set-credentials` crashes (reflect2).
kubeconfig() { # file cert-name
  umask 077
  cat > "$1" <<KC
apiVersion: v1
kind: Config
clusters:
- name: runbook-test
  cluster:
    server: $API
    certificate-authority-data: $(base64 -w0 < "$PKI/ca.crt")
users:
- name: $2
  user:
    client-certificate-data: $(base64 -w0 < "$PKI/$2.crt")
    client-key-data: $(base64 -w0 < "$PKI/$2.key")
contexts:
- name: runbook-test
  context: { cluster: runbook-test, user: $2 }
current-context: runbook-test
KC
}

# ---------------------------------------------------------------- processes
launch() { # name binary args...
  local name="$1"; shift
  setsid nohup "$@" >"$LOGS/$name.log" 2>&1 < /dev/null &
  echo $! > "$RUN/$name.pid"
}

alive() { [ -s "$RUN/$1.pid" ] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

api_ready() {
  curl -sf --max-time 2 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" \
    "$API/readyz" >/dev/null 2>&1
}

wait_for() { # what deadline-seconds command...
  local what="$1" deadline=$((SECONDS + $2)); shift 2
  until "$@"; do
    local p; for p in etcd kube-apiserver kube-controller-manager kube-scheduler kubelet; do
      if [ -e "$RUN/$p.pid" ] && ! alive "$p"; then
        tail -n 20 "$LOGS/$p.log" >&2; k8s_die "$p exited while waiting for $what (log: $LOGS/$p.log)"
      fi
    done
    [ "$SECONDS" -lt "$deadline" ] || k8s_die "timed out waiting for $what (logs: $LOGS)"
    sleep 0.5
  done
}

node_ready() {
  [ "$("$BIN/kubectl" --kubeconfig "$ADMIN_KUBECONFIG" get node localhost \
        -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]
}

default_sa() { "$BIN/kubectl" --kubeconfig "$ADMIN_KUBECONFIG" get serviceaccount default >/dev/null 2>&1; }

start() {
  if alive kube-apiserver && api_ready; then k8s_log "already running"; return 0; fi
  BIN="$(k8s_bin_dir)"
  [ -e "$BIN/.complete" ] || k8s_die "Kubernetes binaries not built: run scripts/k8s/build.sh (or scripts/setup-services.sh)"
  docker image inspect "$K8S_PAUSE_IMAGE" >/dev/null 2>&1 || k8s_die "$K8S_PAUSE_IMAGE missing: run scripts/k8s/build.sh"
  stop_quietly
  local t0=$SECONDS
  mkdir -p "$RUN" "$LOGS"; chmod 700 "$HOME_DIR" "$RUN"
  make_pki
  kubeconfig "$ADMIN_KUBECONFIG" admin
  kubeconfig "$RUN/controller-manager.kubeconfig" controller-manager
  kubeconfig "$RUN/scheduler.kubeconfig" scheduler
  kubeconfig "$RUN/kubelet.kubeconfig" kubelet-client

  launch etcd etcd --name runbook-test --data-dir "$RUN/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "runbook-test=http://127.0.0.1:$ETCD_PEER_PORT"

  launch kube-apiserver "$BIN/kube-apiserver" --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port=$API_PORT --insecure-port=0 \
    --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" --client-ca-file="$PKI/ca.crt" \
    --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-cluster-ip-range=10.96.0.0/12 --authorization-mode=Node,RBAC \
    --enable-admission-plugins=NodeRestriction --allow-privileged=true \
    --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority="$PKI/ca.crt" --kubelet-preferred-address-types=Hostname,InternalIP
  wait_for "the API server" "$START_WAIT_SECONDS" api_ready

  launch kube-controller-manager "$BIN/kube-controller-manager" --kubeconfig="$RUN/controller-manager.kubeconfig" \
    --authentication-kubeconfig="$RUN/controller-manager.kubeconfig" --authorization-kubeconfig="$RUN/controller-manager.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port=$KCM_PORT --port=0 --service-account-private-key-file="$PKI/sa.key" \
    --root-ca-file="$PKI/ca.crt" --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
    --use-service-account-credentials=true --leader-elect=false
  launch kube-scheduler "$BIN/kube-scheduler" --kubeconfig="$RUN/scheduler.kubeconfig" \
    --authentication-kubeconfig="$RUN/scheduler.kubeconfig" --authorization-kubeconfig="$RUN/scheduler.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port=$SCHED_PORT --port=0 --leader-elect=false

  cat > "$RUN/kubelet-config.yaml" <<KC
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: 127.0.0.1
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
cgroupDriver: cgroupfs
failSwapOn: false
cgroupsPerQOS: false
enforceNodeAllocatable: []
tlsCertFile: $PKI/kubelet-serving.crt
tlsPrivateKeyFile: $PKI/kubelet-serving.key
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: $PKI/ca.crt }
authorization: { mode: Webhook }
evictionHard: { memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%" }
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
KC
  launch kubelet "$BIN/kubelet" --config="$RUN/kubelet-config.yaml" --kubeconfig="$RUN/kubelet.kubeconfig" \
    --hostname-override=localhost --container-runtime=docker --pod-infra-container-image="$K8S_PAUSE_IMAGE" \
    --root-dir="$RUN/kubelet" --experimental-dockershim-root-directory="$RUN/dockershim" \
    --cert-dir="$RUN/kubelet-pki" --register-node=true
  wait_for "node localhost to be Ready" "$START_WAIT_SECONDS" node_ready
  wait_for "the default ServiceAccount" 60 default_sa
  k8s_log "cluster ready in $((SECONDS - t0)) s: KUBECONFIG=$ADMIN_KUBECONFIG"
}

# ---------------------------------------------------------------- stop
stop_process() {
  local name="$1" pid i
  [ -s "$RUN/$name.pid" ] || return 0
  pid="$(cat "$RUN/$name.pid")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for i in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$RUN/$name.pid"
}

stop_quietly() {
  local p ids
  for p in kubelet kube-scheduler kube-controller-manager kube-apiserver etcd; do stop_process "$p"; done
  # The pods' containers and sandboxes (dockershim labels every one of them).
  if docker info >/dev/null 2>&1; then
    ids="$(docker ps -aq --filter label=io.kubernetes.docker.type)"
    [ -z "$ids" ] || docker rm -f $ids >/dev/null 2>&1 || true
  fi
  # kubelet bind-mounts its root dir onto itself and mounts tmpfs for secret volumes.
  if [ -d "$RUN" ]; then
    awk -v p="$RUN/" '$2 ~ "^"p || $2"/" == p {print $2}' /proc/mounts | sort -r | while read -r m; do
      umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
    done
    rm -rf --one-file-system "$RUN"
  fi
}

stop() { stop_quietly; k8s_log "stopped; pods' containers removed"; }

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) [ -s "$PKI/admin.crt" ] && api_ready ;;
  env) echo "KUBECONFIG=$ADMIN_KUBECONFIG"; echo "KUBECTL=$(k8s_bin_dir)/kubectl" ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
