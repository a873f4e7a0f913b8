#!/usr/bin/env bash
# The demo. With the real node (hack/node.sh, started by `make cluster` where the machine allows
# it): the images built here, the chart installed, a Monolithic Pyroscope pod, the Java checkout
# service injected inside its own pod, and its top functions read from that Pyroscope pod
# (e2e/node/demo.ts). Without it, says what the machine lacks and falls back to kwok nodes: the
# operator as a local process, the quickstart policy, the injected pod on a kwok node, and that
# pod's JVM run on this machine with exactly its injected environment.
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

step "Local control plane: real kube-apiserver, etcd, controller-manager, scheduler; kwok nodes and, where the machine allows, one real node"
k version 2>/dev/null | indent
k get nodes | indent

# node_demo: everything in real containers on the real node.
node_demo() {
  step "The images, built here from the project's Dockerfiles and loaded into the node's containerd"
  "$root/hack/images.sh" >/dev/null
  "$root/hack/node.sh" ctr -n k8s.io images ls | awk '$1 ~ /^localhost\/fleetscope\// {print $1, $4, $5}' | indent
  "$root/hack/build-helm.sh" >/dev/null
  FLEETSCOPE_KUBECTL=$kubectl node "$root/e2e/node/demo.ts"
  step "Done"
  echo "    kubeconfig: export KUBECONFIG=$KUBECONFIG"
  echo "    kubectl:    $kubectl"
  echo "    the real node and the local control plane keep running; tear down: make cluster-down"
}

# kwok_demo: the path for machines without a real node.
kwok_demo() {
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
}

if "$root/hack/node.sh" running; then
  node_demo
else
  step "FALLBACK: no real node in this cluster, so the demo runs on kwok nodes (no container starts)"
  if lacks=$("$root/hack/node.sh" check); then
    echo "    the machine could run one, but it is not running (FLEETSCOPE_REAL_NODE=0?): make cluster-down && make demo" >&2
  else
    echo "    a real node needs what this machine lacks:"
    echo "$lacks" | sed 's/^/      - /'
  fi
  kwok_demo
fi
