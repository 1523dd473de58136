#!/usr/bin/env bash
# Builds runbook-test/runbook:dev, the project's image for the Kubernetes ITs (see
# runbook-image/Dockerfile for how it differs from the repository's Dockerfile and why), from
# the jar in target/ (run `mvn package` first). The JRE layer is cached by Docker; a rebuild
# after a code change only copies the jar (seconds).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
ROOT="$(cd "$K8S_SCRIPTS/../.." && pwd)"
TAG="${1:-runbook-test/runbook:dev}"
[ -f "$ROOT/target/runbook.jar" ] || k8s_die "no target/runbook.jar: run mvn -DskipTests package first"
ctx="$(mktemp -d)"; trap 'rm -rf "$ctx"' EXIT
mkdir -p "$ctx/target" "$ctx/bin"
cp "$K8S_SCRIPTS/runbook-image/Dockerfile" "$ctx/"
cp "$ROOT/target/runbook.jar" "$ctx/target/"; cp -r "$ROOT/target/lib" "$ctx/target/lib"
cp "$ROOT/bin/runbook" "$ctx/bin/"; cp -r "$ROOT/runbooks" "$ctx/runbooks"
if ! out="$(DOCKER_BUILDKIT=0 docker build -t "$TAG" "$ctx" 2>&1)"; then
  printf '%s\n' "$out" >&2; k8s_die "docker build of $TAG failed"
fi
k8s_log "built $TAG"
