#!/usr/bin/env bash
# The demo: shows the local control plane and what Fleetscope installs into it so far.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export KUBECONFIG="$root/.cluster/kubeconfig"
kubectl="$("$root/hack/build-controlplane.sh" | tail -n 1)/kubectl"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "Local control plane (real kube-apiserver, etcd, controller-manager, scheduler; kwok nodes)"
"$kubectl" version 2>/dev/null | sed 's/^/    /'
"$kubectl" get nodes -o wide | sed 's/^/    /'

if [ -f "$root/crds/fleetscope.io_profilingpolicies.yaml" ]; then
  step "Installing the ProfilingPolicy CRD"
  "$kubectl" apply --server-side --force-conflicts -f "$root/crds/" | sed 's/^/    /'
  "$kubectl" wait --for=condition=Established crd/profilingpolicies.fleetscope.io --timeout=30s >/dev/null
  step "kubectl explain profilingpolicy.spec"
  "$kubectl" explain profilingpolicy.spec | sed 's/^/    /' | head -40
fi

step "Done. Use the cluster with: export KUBECONFIG=$KUBECONFIG"
echo "    kubectl: $kubectl"
echo "    tear down: make cluster-down"
