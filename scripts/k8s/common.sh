# Shared settings of the throwaway Kubernetes test cluster (sourced, not run).
# See scripts/k8s/README.md for what the cluster is and why it is built this way.

K8S_CACHE="${RUNBOOK_K8S_CACHE:-/var/cache/runbook-k8s}"   # outside every work tree
K8S_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
K8S_SRC_PACKAGE=kubernetes
K8S_BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubelet)
K8S_PAUSE_IMAGE="k8s.gcr.io/pause:3.2"

k8s_log() { printf '[k8s] %s\n' "$*" >&2; }
k8s_die() { printf '[k8s] ERROR: %s\n' "$*" >&2; exit 1; }

# The .dsc of the downloaded source package (empty when not downloaded yet).
k8s_dsc() { ls "$K8S_CACHE"/dl/${K8S_SRC_PACKAGE}_*.dsc 2>/dev/null | head -n1; }

# Bump when build_binaries in build.sh changes how the binaries are made.
K8S_RECIPE=1

# Cache key of the binaries: source package version, the patches, the recipe
# version, the Go toolchain and the reflect2 copy that replaces the vendored one.
k8s_build_key() {
  local dsc; dsc="$(k8s_dsc)"
  [ -n "$dsc" ] || k8s_die "kubernetes source package not downloaded"
  { sha256sum "$dsc" | cut -c1-64
    (cd "$K8S_SCRIPTS/patches" && sha256sum ./*.patch)
    echo "recipe $K8S_RECIPE"
    dpkg-query -W -f='${Version}\n' golang-go golang-github-modern-go-reflect2-dev
  } | sha256sum | cut -c1-16
}

k8s_bin_dir() { echo "$K8S_CACHE/$(k8s_build_key)/bin"; }
