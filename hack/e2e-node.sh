#!/usr/bin/env bash
# make e2e-node: the end-to-end tests on a real kubelet node. Starts the local control plane and
# the node when they are not running, runs e2e/node (or the command given), stops what it
# started and then checks that the host is exactly as before (hack/node/host-state.sh). A
# machine that cannot run a node gets the list of what it lacks: a failure in CI (CI=true), a
# loud skip elsewhere.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
state=${FLEETSCOPE_CLUSTER_DIR:-$root/.cluster}

if ! lacks=$("$here/node.sh" check); then
  echo "e2e-node: this machine cannot run a real node; it lacks:" >&2
  echo "$lacks" | sed 's/^/  - /' >&2
  if [ "${CI:-}" = true ]; then
    echo "e2e-node: FAILED (CI=true requires the real node)" >&2
    exit 1
  fi
  echo "e2e-node: NOT RUN on this machine" >&2
  exit 0
fi

before=$(mktemp) after=$(mktemp)
started_cluster=0 started_node=0
cleanup() {
  local status=$?
  [ $started_node = 1 ] && "$here/node.sh" down
  [ $started_cluster = 1 ] && [ -z "${FLEETSCOPE_KEEP_CLUSTER:-}" ] && "$here/cluster.sh" down
  if [ $started_node = 1 ]; then
    "$here/node/host-state.sh" "$state/node" >"$after"
    if ! diff -u "$before" "$after" >&2; then
      echo "e2e-node: FAILED: the host differs after the node was removed (diff above)" >&2
      status=1
    else
      echo "e2e-node: host unchanged after teardown (sysctls, iptables, mounts, cgroups, links, paths, processes)" >&2
    fi
  fi
  rm -f "$before" "$after"
  exit $status
}
trap cleanup EXIT

# Images are built (cached) before the snapshot: building is not the node's host change.
if [ -x "$here/images.sh" ]; then
  "$here/images.sh" >/dev/null
fi
if ! "$here/node.sh" running; then
  "$here/node/host-state.sh" "$state/node" >"$before"
fi
if ! "$here/cluster.sh" running; then
  started_cluster=1
  FLEETSCOPE_REAL_NODE=0 "$here/cluster.sh" up
fi
if ! "$here/node.sh" running; then
  started_node=1
  "$here/node.sh" up
fi
# Loads the images into the node's containerd (they are cached).
if [ -x "$here/images.sh" ]; then
  "$here/images.sh" >/dev/null
fi
export KUBECONFIG="$state/kubeconfig"
export FLEETSCOPE_KUBECTL="$("$here/build-controlplane.sh" | tail -n 1)/kubectl"
cd "$root"
if [ $# -gt 0 ]; then
  "$@"
else
  npx mocha --timeout 900000 --slow 120000 'e2e/node/**/*.test.ts'
fi
