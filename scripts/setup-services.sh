#!/usr/bin/env bash
# Installs and starts everything the integration tests need on a Debian 12 host
# (CI and fresh machines start with nothing running), then builds the local test
# images. There is no container registry here, so every image is built locally
# from Debian packages; images are cached by tag and rebuilt only when missing or
# when their build files changed (content hash stored in an image label).
#
# Idempotent: a second run with everything in place takes a second or two.
# Environment:
#   RUNBOOK_REBUILD_IMAGES=1   rebuild all test images even if present
#   DOCKERD_WAIT_SECONDS=60    how long to wait for dockerd to answer
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IMAGES_DIR="$ROOT/docker/test-images"

POSTGRES_ROOTFS_TAG="runbook-test/postgres-rootfs:15"   # debootstrap import (slow part)
POSTGRES_TAG="runbook-test/postgres:15"
BUSYBOX_TAG="runbook-test/busybox:latest"
API_TAG="runbook-test/api:latest"
HASH_LABEL="dev.runbook.test-image.hash"

log() { printf '[setup-services] %s\n' "$*" >&2; }
die() { printf '[setup-services] ERROR: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (installs packages, starts dockerd)"

# ---------------------------------------------------------------- packages
# Host packages: postgresql-15 (throwaway test clusters + pg_dump/psql/pg_restore),
# docker engine + compose v1 (Debian has no compose v2 plugin), Debian's AWS CLI
# (tests call /usr/bin/aws explicitly: a pyenv shim may shadow it on PATH),
# debootstrap + busybox-static to build the images without any registry; chromium (headless)
# to test the HTML run report, graphviz to check `runbook graph --format dot` output.
PACKAGES=(postgresql-15 postgresql-client-15 docker.io docker-compose awscli debootstrap busybox-static chromium graphviz)
# Encrypted backups (age CLI, by hand and in the pipeline), freshness metrics (promtool tests
# the alert rules; the tests start their own pushgateway on a free port), zstd by hand.
PACKAGES+=(age prometheus prometheus-pushgateway zstd)

missing_packages() {
  local p
  for p in "${PACKAGES[@]}"; do
    [[ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)" == ii* ]] || echo "$p"
  done
}

install_packages() {
  local missing
  mapfile -t missing < <(missing_packages)
  [ "${#missing[@]}" -eq 0 ] && return 0
  log "installing: ${missing[*]}"
  # apt-get update only when some missing package has no candidate (no/old lists).
  local p policy need_update=0
  for p in "${missing[@]}"; do
    # (capture first: `grep -q` closing the pipe early would fail under pipefail)
    policy="$(apt-cache policy "$p" 2>/dev/null || true)"
    [[ "$policy" == *"Candidate: "[0-9]* ]] || need_update=1
  done
  if [ "$need_update" = 1 ]; then
    log "apt-get update"
    apt-get update -qq
  fi
  # Keep the Debian packages from starting services on install: we start dockerd
  # ourselves, and a default PostgreSQL cluster on 5432 would only get in the way.
  local policy_added=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    policy_added=1
  fi
  mkdir -p /etc/postgresql-common
  [ -e /etc/postgresql-common/createcluster.conf ] \
    || echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.conf
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    -o Dpkg::Options::=--force-confold "${missing[@]}" >/dev/null
  [ "$policy_added" = 1 ] && rm -f /usr/sbin/policy-rc.d
  return 0
}

# A default cluster (Debian's 15/main) must not run: it would hold port 5432 and
# confuse tests. Stop any running one and make it manual so it never autostarts.
stop_default_clusters() {
  command -v pg_lsclusters >/dev/null || return 0
  local ver name port status
  while read -r ver name port status _; do
    [ -n "$ver" ] || continue
    if [ -w "/etc/postgresql/$ver/$name/start.conf" ] \
       && ! grep -qx 'manual' "/etc/postgresql/$ver/$name/start.conf"; then
      echo manual > "/etc/postgresql/$ver/$name/start.conf"
    fi
    if [ "$status" = online ]; then
      log "stopping default PostgreSQL cluster $ver/$name (port $port)"
      pg_ctlcluster "$ver" "$name" stop || true
    fi
  done < <(pg_lsclusters -h 2>/dev/null)
}

# ---------------------------------------------------------------- dockerd
start_dockerd() {
  if docker info >/dev/null 2>&1; then return 0; fi
  if ! pgrep -x dockerd >/dev/null; then
    log "starting dockerd (log: /var/log/dockerd.log)"
    # setsid + nohup: the daemon must outlive this script and its terminal.
    setsid nohup dockerd >>/var/log/dockerd.log 2>&1 < /dev/null &
  fi
  local deadline=$(( SECONDS + ${DOCKERD_WAIT_SECONDS:-60} ))
  until docker info >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail -n 30 /var/log/dockerd.log >&2 || true
      die "dockerd did not answer within ${DOCKERD_WAIT_SECONDS:-60}s (see /var/log/dockerd.log)"
    fi
    sleep 0.5
  done
  log "dockerd is up"
}

# ---------------------------------------------------------------- image helpers
image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

image_label() {
  docker image inspect -f "{{ index .Config.Labels \"$HASH_LABEL\" }}" "$1" 2>/dev/null || true
}

# Hash of a directory's files plus extra strings (e.g. the base image id), so an
# image is rebuilt when its recipe changes, and only then.
content_hash() {
  local dir="$1"; shift
  { (cd "$dir" && find . -type f -print0 | sort -z | xargs -0 sha256sum); printf '%s\n' "$@"; } \
    | sha256sum | cut -c1-16
}

needs_build() { # tag hash
  [ "${RUNBOOK_REBUILD_IMAGES:-0}" = 1 ] && return 0
  image_exists "$1" || return 0
  [ "$(image_label "$1")" != "$2" ]
}

# First Debian (non-security) mirror configured for apt on this host; the
# debootstrap rootfs uses it so the build works wherever apt works.
debian_mirror() {
  local m
  m="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
        | grep -v '^\s*#' \
        | grep -oE '(https?|file)://[^ ]+' \
        | grep -E '/debian/?$' | grep -v security | head -n1 || true)"
  echo "${m:-http://deb.debian.org/debian}"
}

BUILT=0      # set when any image was (re)built
TMP_DIRS=()
cleanup() {
  local d
  for d in "${TMP_DIRS[@]}"; do
    # debootstrap/chroot may leave /proc mounted; never rm through a mount.
    if [ -d "$d/rootfs/proc" ]; then umount -l "$d/rootfs/proc" 2>/dev/null || true; fi
    rm -rf --one-file-system "$d"
  done
}
trap cleanup EXIT

# Legacy-builder `docker build` (BuildKit would try to pull its frontend/helpers;
# the legacy builder works offline). Its output, including the deprecation
# notice, is shown only when the build fails.
legacy_build() { # tag hash base-image context-dir
  local out
  if ! out="$(DOCKER_BUILDKIT=0 docker build --build-arg "BASE_IMAGE=$3" \
                --label "$HASH_LABEL=$2" -t "$1" "$4" 2>&1)"; then
    printf '%s\n' "$out" >&2
    die "docker build of $1 failed"
  fi
}

new_tmp() { local d; d="$(mktemp -d /var/tmp/runbook-image.XXXXXX)"; TMP_DIRS+=("$d"); echo "$d"; }

# ---------------------------------------------------------------- postgres image
# Rootfs: debootstrap minbase bookworm + postgresql-15 (about a minute), imported
# as $POSTGRES_ROOTFS_TAG. Cached by tag only: it depends on nothing in the repo.
build_postgres_rootfs() {
  if [ "${RUNBOOK_REBUILD_IMAGES:-0}" != 1 ] && image_exists "$POSTGRES_ROOTFS_TAG"; then return 0; fi
  local work rootfs mirror
  work="$(new_tmp)"; rootfs="$work/rootfs"; mirror="$(debian_mirror)"
  log "building $POSTGRES_ROOTFS_TAG with debootstrap from $mirror"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 30 "$work/debootstrap.log" >&2; die "debootstrap failed"; }
  # No service starts and no default cluster inside the image: the entrypoint
  # runs initdb itself on first start.
  printf '#!/bin/sh\nexit 101\n' > "$rootfs/usr/sbin/policy-rc.d"
  chmod +x "$rootfs/usr/sbin/policy-rc.d"
  mkdir -p "$rootfs/etc/postgresql-common"
  echo 'create_main_cluster = false' > "$rootfs/etc/postgresql-common/createcluster.conf"
  cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
  mount -t proc proc "$rootfs/proc" 2>/dev/null || true
  chroot "$rootfs" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends -o Dpkg::Options::=--force-confold postgresql-15 >"$work/apt.log" 2>&1 \
    || { tail -n 30 "$work/apt.log" >&2; die "apt-get install postgresql-15 in rootfs failed"; }
  chroot "$rootfs" apt-get clean
  umount -l "$rootfs/proc" 2>/dev/null || true
  # Smaller image: no apt lists, docs, man pages or translations.
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* \
         "$rootfs"/usr/share/locale/* "$rootfs"/var/cache/debconf/*-old \
         "$rootfs/usr/sbin/policy-rc.d"
  : > "$rootfs/etc/resolv.conf"   # docker bind-mounts its own
  tar -C "$rootfs" --numeric-owner --exclude='./proc/*' --exclude='./sys/*' --exclude='./dev/*' -cf - . \
    | docker import -c 'ENV LANG=C.UTF-8' -c "LABEL $HASH_LABEL=rootfs" - "$POSTGRES_ROOTFS_TAG" >/dev/null
  BUILT=1
}

# Final postgres image: entrypoint + STOPSIGNAL + HEALTHCHECK (docker import
# cannot set those), via the legacy builder which works offline.
build_postgres_image() {
  build_postgres_rootfs
  local hash
  hash="$(content_hash "$IMAGES_DIR/postgres" "$(docker image inspect -f '{{.Id}}' "$POSTGRES_ROOTFS_TAG")")"
  needs_build "$POSTGRES_TAG" "$hash" || return 0
  log "building $POSTGRES_TAG"
  legacy_build "$POSTGRES_TAG" "$hash" "$POSTGRES_ROOTFS_TAG" "$IMAGES_DIR/postgres"
  BUILT=1
}

# ---------------------------------------------------------------- busybox image
# Tiny image from the host's static busybox: /bin/sh, httpd, wget, nc, ...
build_busybox_image() {
  local hash
  hash="$(content_hash "$IMAGES_DIR/busybox" "$(sha256sum /bin/busybox | cut -c1-64)")"
  needs_build "$BUSYBOX_TAG" "$hash" || return 0
  log "building $BUSYBOX_TAG"
  local work rootfs p
  work="$(new_tmp)"; rootfs="$work/rootfs"
  mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,root,var/www,run}
  chmod 1777 "$rootfs/tmp"
  cp /bin/busybox "$rootfs/bin/busybox"
  for p in $(/bin/busybox --list-full); do
    [ -e "$rootfs/$p" ] || ln -s /bin/busybox "$rootfs/$p"
  done
  cp -r "$IMAGES_DIR/busybox/etc/." "$rootfs/etc/"
  tar -C "$rootfs" --numeric-owner -cf - . \
    | docker import -c 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' -c 'CMD ["sh"]' \
        -c "LABEL $HASH_LABEL=$hash" - "$BUSYBOX_TAG" >/dev/null
  BUILT=1
}

# ---------------------------------------------------------------- api image
# Stand-in for the team's api service: psql (from the postgres image), a fake
# `alembic`, and a busybox HTTP server answering GET /health.
build_api_image() {
  local hash
  hash="$(content_hash "$IMAGES_DIR/api" "$(docker image inspect -f '{{.Id}}' "$POSTGRES_TAG")" \
          "$(sha256sum /bin/busybox | cut -c1-64)")"
  needs_build "$API_TAG" "$hash" || return 0
  log "building $API_TAG"
  local work
  work="$(new_tmp)"
  cp -r "$IMAGES_DIR/api/." "$work/"
  cp /bin/busybox "$work/busybox"
  legacy_build "$API_TAG" "$hash" "$POSTGRES_TAG" "$work"
  BUILT=1
}

# ---------------------------------------------------------------- kubernetes
# The throwaway single-node Kubernetes 1.20 cluster of the *KubernetesIT tests: its four
# binaries are built once from Debian's source package (cached outside the work tree, see
# scripts/k8s/build.sh; about 11 minutes cold, a second when cached) and its pause image
# built locally. The tests start and stop the cluster themselves (scripts/k8s/cluster.sh).
# RUNBOOK_SKIP_KUBERNETES=1 skips it (the Kubernetes ITs then fail with a clear message).
build_kubernetes() {
  [ "${RUNBOOK_SKIP_KUBERNETES:-0}" = 1 ] && return 0
  "$ROOT/scripts/k8s/build.sh"
}

# ---------------------------------------------------------------- main
install_packages
stop_default_clusters
start_dockerd
build_postgres_image
build_busybox_image
build_api_image
build_kubernetes
# Rebuilt tags leave their previous images dangling: drop ours (and only ours).
if [ "$BUILT" = 1 ]; then
  docker image prune -f --filter "label=$HASH_LABEL" >/dev/null || true
fi
log "ready: $POSTGRES_TAG $BUSYBOX_TAG $API_TAG"
