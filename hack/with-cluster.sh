#!/usr/bin/env bash
# Runs a command against the local control plane: starts the cluster first when it is not
# running, and stops it afterwards only if this script started it. The cluster it starts has
# kwok nodes only unless FLEETSCOPE_REAL_NODE says otherwise (hack/cluster.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
started=0
if ! "$here/cluster.sh" running; then
  FLEETSCOPE_REAL_NODE=${FLEETSCOPE_REAL_NODE:-0} "$here/cluster.sh" up
  started=1
fi
export KUBECONFIG="$(cd "$here/.." && pwd)/.cluster/kubeconfig"
export FLEETSCOPE_KUBECTL="$("$here/build-controlplane.sh" | tail -n 1)/kubectl"
status=0
"$@" || status=$?
if [ "$started" = 1 ] && [ -z "${FLEETSCOPE_KEEP_CLUSTER:-}" ]; then
  "$here/cluster.sh" down
fi
exit $status
