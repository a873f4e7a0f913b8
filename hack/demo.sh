#!/usr/bin/env bash
# The demo: on the local control plane, install the CRD, run the operator, apply the quickstart
# policy (monolithic Pyroscope), deploy the Java checkout service into an opted-in namespace,
# show the injection, then run that pod's JVM here and print where its CPU goes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export KUBECONFIG="$root/.cluster/kubeconfig"
kubectl="$("$root/hack/build-controlplane.sh" --dir)/kubectl"
k() { "$kubectl" "$@"; }
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
indent() { sed 's/^/    /'; }

OPERATOR_NS=fleetscope-system
PORT=${FLEETSCOPE_DEMO_PORT:-9443}
log="$root/.cluster/operator.log"

step "Local control plane: real kube-apiserver, etcd, controller-manager, scheduler; kwok nodes"
k version 2>/dev/null | indent
k get nodes | indent

step "Installing the ProfilingPolicy CRD"
k apply --server-side --force-conflicts -f "$root/crds/" | indent
k wait --for=condition=Established crd/profilingpolicies.fleetscope.io --timeout=60s >/dev/null

step "Starting the operator (webhook on https://127.0.0.1:$PORT, log in $log)"
k create namespace "$OPERATOR_NS" --dry-run=client -o yaml | k apply -f - >/dev/null
FLEETSCOPE_NAMESPACE=$OPERATOR_NS FLEETSCOPE_PORT=$PORT FLEETSCOPE_HOST=127.0.0.1 \
  FLEETSCOPE_WEBHOOK_URL="https://127.0.0.1:$PORT" FLEETSCOPE_CLUSTER_NAME=local \
  node "$root/operator/main.ts" >"$log" 2>&1 &
operator=$!
trap 'kill $operator 2>/dev/null; wait $operator 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  curl -skf "https://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
  kill -0 $operator 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.5
done
echo "    ready (pid $operator)"

step "Applying the quickstart policy: monolithic Pyroscope in namespace 'pyroscope'"
# kwok nodes have no storage provisioner: a static volume for Pyroscope's 10Gi claim.
k apply -f - >/dev/null <<'PV'
apiVersion: v1
kind: PersistentVolume
metadata: { name: fleetscope-demo-pyroscope }
spec:
  capacity: { storage: 10Gi }
  accessModes: [ReadWriteOnce]
  hostPath: { path: /tmp/fleetscope-demo-pyroscope }
PV
k apply -f "$root/examples/policies/quickstart-monolithic.yaml" | indent
k wait --for=condition=Ready profilingpolicy/quickstart --timeout=120s >/dev/null
k get profilingpolicies | indent
k get statefulsets,services,pods -n pyroscope | indent

step "Deploying the Java checkout service into namespace 'shop' (labelled fleetscope.io/profiling=enabled)"
k apply -f "$root/examples/demo-service/deployment.yaml" | indent
k rollout status deployment/checkout -n shop --timeout=120s | indent
pod=$(k get pods -n shop -l app.kubernetes.io/name=checkout -o jsonpath='{.items[0].metadata.name}')
echo "    $pod labels:"
k get pod "$pod" -n shop -o json | node -e '
  const p = JSON.parse(require("fs").readFileSync(0, "utf8"));
  for (const [k, v] of Object.entries(p.metadata.labels)) if (k.startsWith("fleetscope.io/")) console.log(`      ${k}=${v}`);
  console.log("    init containers: " + (p.spec.initContainers || []).map((c) => c.name).join(", "));
  const c = p.spec.containers.find((c) => c.name === "checkout");
  console.log("    JAVA_TOOL_OPTIONS: " + c.env.find((e) => e.name === "JAVA_TOOL_OPTIONS").value);'

step "Coverage: what is profiled, and why not (fleetscope CLI, also usable as 'kubectl fleetscope')"
for _ in $(seq 1 40); do
  [ "$(k get profilingpolicy quickstart -o jsonpath='{.status.coverage.pods.injected}')" = 2 ] && break
  sleep 0.5
done
k get profilingpolicies | indent
node "$root/cli/fleetscope.ts" coverage quickstart --operator-namespace "$OPERATOR_NS" | indent
node "$root/cli/fleetscope.ts" why shop/checkout --operator-namespace "$OPERATOR_NS" | indent

step "Profiling that pod's JVM on this machine: its resolved env, the real agent, a local Pyroscope API"
echo "    (kwok runs no containers; the JVM runs here with exactly the pod's injected environment)"
node "$root/e2e/datapath/demo.ts" shop app.kubernetes.io/name=checkout

step "Done"
echo "    kubeconfig: export KUBECONFIG=$KUBECONFIG"
echo "    kubectl:    $kubectl"
echo "    operator:   stopped with the demo; run it yourself with 'make run'"
echo "    tear down:  make cluster-down"
