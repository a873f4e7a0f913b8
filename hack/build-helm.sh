#!/usr/bin/env bash
# Builds the helm CLI from the Go module proxy (hack/helm pins helm.sh/helm/v4) into a versioned
# cache directory and prints the binary's path on stdout; a cached binary is not rebuilt.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
HELM_VERSION=v4.3.1
cache=${FLEETSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fleetscope}
dir="$cache/helm/helm-$HELM_VERSION"
helm="$dir/helm"

# `--dir` only names the cache directory, for callers that must not wait for a build.
if [ "${1:-}" = --dir ]; then
  echo "$dir"
  exit 0
fi

if [ -x "$helm" ]; then
  echo "$helm"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "error: the Go toolchain (go >= 1.26) is required to build helm; install Go and retry" >&2
  exit 1
fi
mkdir -p "$dir"
# Two callers (make targets run side by side) must not build into the same file.
exec 9>"$dir/.lock"
flock 9
if [ ! -x "$helm" ]; then
  t0=$SECONDS
  echo "  building helm $HELM_VERSION (helm.sh/helm/v4/cmd/helm) into $dir..." >&2
  ldflags="-s -w -X helm.sh/helm/v4/internal/version.version=$HELM_VERSION -X helm.sh/helm/v4/internal/version.gitTreeState=clean"
  (cd "$here/helm" && CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$helm.tmp.$$" helm.sh/helm/v4/cmd/helm)
  mv "$helm.tmp.$$" "$helm"
  echo "  built helm in $((SECONDS - t0))s" >&2
fi
echo "$helm"
