#!/usr/bin/env bash
# Builds the helm CLI from the Go module proxy (hack/helm pins helm.sh/helm/v4) into a versioned
# cache directory and prints the binary's path on stdout; a cached binary is not rebuilt.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
HELM_VERSION=v4.3.1
dir="$FLEETSCOPE_CACHE/helm/helm-$HELM_VERSION"
helm="$dir/helm"
print_dir_if_asked "$dir" "$@"
if [ -x "$helm" ]; then
  echo "$helm"
  exit 0
fi
require_tools "(the Go toolchain, >= 1.26) to build helm" go
lock_dir "$dir"
if [ ! -x "$helm" ]; then
  t0=$SECONDS
  echo "  building helm $HELM_VERSION (helm.sh/helm/v4/cmd/helm) into $dir..." >&2
  ldflags="-s -w -X helm.sh/helm/v4/internal/version.version=$HELM_VERSION -X helm.sh/helm/v4/internal/version.gitTreeState=clean"
  (cd "$here/helm" && CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$helm.tmp.$$" helm.sh/helm/v4/cmd/helm)
  mv "$helm.tmp.$$" "$helm"
  echo "  built helm in $((SECONDS - t0))s" >&2
fi
echo "$helm"
