#!/usr/bin/env bash
# Starts, stops and inspects the local control plane: etcd, kube-apiserver (admission and RBAC
# on), kube-controller-manager, kube-scheduler and kwok's simulated nodes, run as local
# processes by kwokctl's binary runtime, plus one real kubelet node (hack/node.sh) where the
# machine allows it. Everything it creates lives under .cluster/; the node's host changes are
# undone by `down`.
#   cluster.sh up       build if needed, start if not running, print nothing else when running
#   cluster.sh down     stop and delete everything
#   cluster.sh running  exit 0 when the cluster answers
# A second cluster beside the usual one: its own FLEETSCOPE_CLUSTER_NAME and FLEETSCOPE_CLUSTER_DIR
# (state, kubeconfig). FLEETSCOPE_POD_SECURITY_DEFAULT=baseline|restricted|privileged starts its
# API server with that Pod Security level enforced by default in every unlabelled namespace
# (the PodSecurity plugin's `defaults` in an AdmissionConfiguration file under the state dir).
# FLEETSCOPE_REAL_NODE: auto (default) adds the real node when the machine allows it and says
# what is missing when not; 1 requires it; 0 starts kwok nodes only.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
NAME=${FLEETSCOPE_CLUSTER_NAME:-fleetscope}
NODES=${FLEETSCOPE_NODES:-3}
REAL_NODE=${FLEETSCOPE_REAL_NODE:-auto}
state=${FLEETSCOPE_CLUSTER_DIR:-$root/.cluster}
PSS_DEFAULT=${FLEETSCOPE_POD_SECURITY_DEFAULT:-}
case "$PSS_DEFAULT" in
  "" | privileged | baseline | restricted) ;;
  *) echo "FLEETSCOPE_POD_SECURITY_DEFAULT must be privileged, baseline or restricted, got '$PSS_DEFAULT'" >&2; exit 2 ;;
esac
export KUBECONFIG="$state/kubeconfig"
export KWOK_WORKDIR="$state/kwok"

bin=$("$root/hack/build-controlplane.sh" --dir)
export KWOK_KUBECTL_BINARY="$bin/kubectl"
kwokctl() { "$bin/kwokctl" --name "$NAME" "$@"; }
kubectl() { "$bin/kubectl" "$@"; }

running() {
  [ -f "$KUBECONFIG" ] && kubectl get --raw /readyz >/dev/null 2>&1
}

# real_node: starts the real node unless FLEETSCOPE_REAL_NODE=0; with `auto`, a machine that
# cannot run one (node.sh exits 3 naming what it lacks) leaves the cluster with kwok nodes only.
real_node() {
  [ "$REAL_NODE" = 0 ] && return 0
  local status=0
  "$root/hack/node.sh" up || status=$?
  if [ $status = 3 ] && [ "$REAL_NODE" = auto ]; then
    echo "continuing with kwok nodes only (FLEETSCOPE_REAL_NODE=0 skips the real node)" >&2
    return 0
  fi
  return $status
}

up() {
  "$root/hack/build-controlplane.sh" >/dev/null  # progress goes to stderr
  if running; then
    echo "local control plane '$NAME' is running; kubeconfig: $KUBECONFIG"
    real_node
    return 0
  fi
  # A stopped or half-created cluster is recreated from scratch: state is cheap here.
  kwokctl delete cluster >/dev/null 2>&1 || true
  rm -rf "$state"
  mkdir -p "$state"
  local t0=$SECONDS
  # kwok manages only its own nodes, never a real kubelet's; the API server reaches kubelets by
  # IP and webhooks at their endpoints; namespaces can be pinned to a node (hack/node.sh).
  # kwokctl v0.8 files a component's later --extra-args under the patch whose index equals the
  # position of its first one: the first arg of each component must come first, in order.
  local extra=(
    --extra-args kwok-controller=manage-all-nodes=false
    --extra-args kube-apiserver=kubelet-preferred-address-types=InternalIP,Hostname
    --extra-args kwok-controller=manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake
    --extra-args kube-apiserver=enable-aggregator-routing=true
    --extra-args kube-apiserver=enable-admission-plugins=PodNodeSelector,PodTolerationRestriction
  )
  if [ -n "$PSS_DEFAULT" ]; then
    admission_config "$PSS_DEFAULT" >"$state/admission.yaml"
    extra+=(--extra-args "kube-apiserver=admission-control-config-file=$state/admission.yaml")
  fi
  echo "starting local control plane '$NAME' (kube-apiserver, etcd, controller-manager, scheduler, kwok)${PSS_DEFAULT:+ with Pod Security enforcing $PSS_DEFAULT by default}"
  kwokctl create cluster "${extra[@]}" \
    --runtime binary \
    --kubeconfig "$KUBECONFIG" \
    --kube-admission \
    --kube-authorization \
    --etcd-binary "$bin/etcd" \
    --kube-apiserver-binary "$bin/kube-apiserver" \
    --kube-controller-manager-binary "$bin/kube-controller-manager" \
    --kube-scheduler-binary "$bin/kube-scheduler" \
    --kwok-controller-binary "$bin/kwok" \
    --wait 120s >"$state/kwokctl.log" 2>&1 || { cat "$state/kwokctl.log" >&2; exit 1; }
  kwokctl scale node --replicas "$NODES" >>"$state/kwokctl.log" 2>&1
  # kwok manages only the nodes carrying its annotation: a real kubelet node must never be one.
  local unmanaged
  unmanaged=$(kubectl get nodes -o jsonpath='{range .items[*]}{.metadata.name}={.metadata.annotations.kwok\.x-k8s\.io/node}{"\n"}{end}' | { grep -v '=fake$' || true; })
  if [ -n "$unmanaged" ]; then
    echo "error: kwok nodes without the kwok.x-k8s.io/node=fake annotation: $unmanaged" >&2
    exit 1
  fi
  kubectl wait --for=condition=Ready node --all --timeout=180s >/dev/null
  # Pods are admitted only once kube-controller-manager has created the default ServiceAccount.
  for _ in $(seq 1 120); do
    kubectl get serviceaccount default -n default >/dev/null 2>&1 && break
    sleep 0.5
  done
  echo "local control plane ready in $((SECONDS - t0))s with $NODES kwok nodes"
  real_node
  echo "kubeconfig: $KUBECONFIG   (export KUBECONFIG=$KUBECONFIG)"
}

# The API server's AdmissionConfiguration: only the PodSecurity plugin's cluster-wide defaults.
admission_config() {
  cat <<EOF
apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
  - name: PodSecurity
    configuration:
      apiVersion: pod-security.admission.config.k8s.io/v1
      kind: PodSecurityConfiguration
      defaults:
        enforce: $1
        enforce-version: latest
        audit: privileged
        audit-version: latest
        warn: privileged
        warn-version: latest
      exemptions:
        usernames: []
        runtimeClasses: []
        namespaces: []
EOF
}

down() {
  # The control plane goes even when restoring the host failed (the error says what is left).
  local status=0
  "$root/hack/node.sh" down || status=$?
  if [ -d "$KWOK_WORKDIR" ]; then
    kwokctl delete cluster >/dev/null 2>&1 || true
  fi
  if [ $status = 0 ]; then
    rm -rf "$state"
  fi
  echo "local control plane '$NAME' removed"
  return $status
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  running) running ;;
  *) echo "usage: $0 up|down|running" >&2; exit 2 ;;
esac
