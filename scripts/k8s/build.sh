#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager, kube-scheduler and kubelet
# 1.20.2 offline from Debian's `kubernetes` source package (vendored Go modules),
# once: the binaries are cached in $K8S_CACHE/<key>/bin, keyed by the source
# version, the patches and this recipe, so a second run takes a second.
# Also extracts Debian's kubectl 1.20.2 (kubernetes-client) beside them and
# builds the pause image (no registry here).
#
# Cold build: about 11 minutes on 2 cores, peak RSS 1.4 GB.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

[ "$(id -u)" = 0 ] || k8s_die "must run as root (installs packages)"

PACKAGES=(golang-go golang-github-modern-go-reflect2-dev etcd-server socat rsync gcc openssl curl)

install_packages() {
  local p missing=()
  for p in "${PACKAGES[@]}"; do
    [[ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)" == ii* ]] || missing+=("$p")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  k8s_log "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# apt-get source needs a deb-src line: a copy of Debian's deb entries as deb-src.
ensure_deb_src() {
  local src=/etc/apt/sources.list.d/runbook-k8s-src.sources
  [ -e "$src" ] && return 0
  [ -e /etc/apt/sources.list.d/debian.sources ] \
    || k8s_die "no /etc/apt/sources.list.d/debian.sources to derive a deb-src entry from"
  sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources > "$src"
  apt-get update -qq
}

download() {
  mkdir -p "$K8S_CACHE/dl"
  if [ -z "$(k8s_dsc)" ]; then
    ensure_deb_src
    k8s_log "downloading the $K8S_SRC_PACKAGE source package"
    (cd "$K8S_CACHE/dl" && apt-get source --download-only -qq "$K8S_SRC_PACKAGE" >/dev/null 2>&1) \
      || k8s_die "apt-get source $K8S_SRC_PACKAGE failed"
  fi
  if ! ls "$K8S_CACHE"/dl/kubernetes-client_*.deb >/dev/null 2>&1; then
    (cd "$K8S_CACHE/dl" && apt-get download -qq kubernetes-client >/dev/null 2>&1) \
      || k8s_die "apt-get download kubernetes-client failed"
  fi
}

build_binaries() {
  local key dir src
  key="$(k8s_build_key)"; dir="$K8S_CACHE/$key"
  if [ -e "$dir/bin/.complete" ]; then return 0; fi
  k8s_log "building ${K8S_BINARIES[*]} into $dir (about 11 minutes on 2 cores; log: $dir/build.log)"
  rm -rf "$dir"; mkdir -p "$dir/bin"
  src="$dir/src"
  dpkg-source -x "$(k8s_dsc)" "$src" >"$dir/build.log" 2>&1 || { tail -n 20 "$dir/build.log" >&2; k8s_die "dpkg-source -x failed"; }
  local p
  for p in "$K8S_SCRIPTS"/patches/*.patch; do
    patch -d "$src" -p1 --forward --quiet < "$p" || k8s_die "patch $(basename "$p") does not apply"
  done
  # The vendored reflect2 v1.0.1 breaks with Go >= 1.18 (every json-iterator map
  # encoding crashes); Debian's packaged v1.0.2 has the fix and the same API.
  rsync -a --delete --exclude go.mod --exclude BUILD \
    /usr/share/gocode/src/github.com/modern-go/reflect2/ "$src/vendor/github.com/modern-go/reflect2/"
  local what="" b
  for b in "${K8S_BINARIES[@]}"; do what+="cmd/$b "; done
  # Own GOCACHE under the cache: a rebuild after a patch change is warm.
  if ! (cd "$src" && GOPROXY=off GOFLAGS=-mod=vendor GOCACHE="$K8S_CACHE/gocache" \
          make WHAT="${what% }" >>"$dir/build.log" 2>&1); then
    tail -n 40 "$dir/build.log" >&2
    k8s_die "kubernetes build failed (log: $dir/build.log)"
  fi
  for b in "${K8S_BINARIES[@]}"; do cp "$src/_output/bin/$b" "$dir/bin/"; done
  cp "$src/build/pause/linux/pause.c" "$dir/bin/pause.c"
  rm -rf "$src"   # 1+ GB; the go cache keeps rebuilds fast
  touch "$dir/bin/.complete"
}

extract_kubectl() {
  local dir; dir="$(k8s_bin_dir)"
  [ -x "$dir/kubectl" ] && return 0
  local tmp; tmp="$(mktemp -d)"
  dpkg -x "$(ls "$K8S_CACHE"/dl/kubernetes-client_*.deb | head -n1)" "$tmp"
  cp "$tmp/usr/bin/kubectl" "$dir/kubectl"
  rm -rf "$tmp"
}

# pause image from the source's pause.c, statically linked (771 kB image).
build_pause_image() {
  docker image inspect "$K8S_PAUSE_IMAGE" >/dev/null 2>&1 && return 0
  local tmp; tmp="$(mktemp -d)"
  gcc -Os -static -DVERSION=3.2 -o "$tmp/pause" "$(k8s_bin_dir)/pause.c"
  tar -C "$tmp" -cf - pause | docker import --change 'ENTRYPOINT ["/pause"]' - "$K8S_PAUSE_IMAGE" >/dev/null
  rm -rf "$tmp"
  k8s_log "built $K8S_PAUSE_IMAGE"
}

install_packages
download
build_binaries
extract_kubectl
if docker info >/dev/null 2>&1; then build_pause_image; else k8s_log "docker not running: pause image not built"; fi
k8s_log "binaries: $(k8s_bin_dir)"
