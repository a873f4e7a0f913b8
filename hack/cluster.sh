#!/usr/bin/env bash
# Starts, stops and inspects the local control plane: etcd, kube-apiserver (admission and RBAC
# on), kube-controller-manager, kube-scheduler and kwok's simulated nodes, run as local
# processes by kwokctl's binary runtime. Everything it creates lives under .cluster/.
#   cluster.sh up       build if needed, start if not running, print nothing else when running
#   cluster.sh down     stop and delete everything
#   cluster.sh running  exit 0 when the cluster answers
# A second cluster beside the usual one: its own FLEETSCOPE_CLUSTER_NAME and FLEETSCOPE_CLUSTER_DIR
# (state, kubeconfig). FLEETSCOPE_POD_SECURITY_DEFAULT=baseline|restricted|privileged starts its
# API server with that Pod Security level enforced by default in every unlabelled namespace
# (the PodSecurity plugin's `defaults` in an AdmissionConfiguration file under the state dir).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
NAME=${FLEETSCOPE_CLUSTER_NAME:-fleetscope}
NODES=${FLEETSCOPE_NODES:-3}
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

up() {
  "$root/hack/build-controlplane.sh" >/dev/null  # progress goes to stderr
  if running; then
    echo "local control plane '$NAME' is running; kubeconfig: $KUBECONFIG"
    return 0
  fi
  # A stopped or half-created cluster is recreated from scratch: state is cheap here.
  kwokctl delete cluster >/dev/null 2>&1 || true
  rm -rf "$state"
  mkdir -p "$state"
  local t0=$SECONDS
  local extra=()
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
  kubectl wait --for=condition=Ready node --all --timeout=60s >/dev/null
  # Pods are admitted only once kube-controller-manager has created the default ServiceAccount.
  for _ in $(seq 1 120); do
    kubectl get serviceaccount default -n default >/dev/null 2>&1 && break
    sleep 0.5
  done
  echo "local control plane ready in $((SECONDS - t0))s with $NODES kwok nodes"
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
  if [ -d "$KWOK_WORKDIR" ]; then
    kwokctl delete cluster >/dev/null 2>&1 || true
  fi
  rm -rf "$state"
  echo "local control plane '$NAME' removed"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  running) running ;;
  *) echo "usage: $0 up|down|running" >&2; exit 2 ;;
esac
