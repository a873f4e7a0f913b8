# Fleetscope developer entry points. `make help` lists them.
SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# Node.js >= 22.19 first on PATH: the system's when new enough, else a cached Node 24.
NODE_BIN := $(shell hack/ensure-node.sh)
export PATH := $(NODE_BIN):$(PATH)
export KUBECONFIG ?= $(CURDIR)/.cluster/kubeconfig

##@ General

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*##"; printf "Usage: make <target>\n"} \
	  /^[a-zA-Z0-9_-]+:.*?##/ { printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2 } \
	  /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) }' $(MAKEFILE_LIST)

##@ Development

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

.PHONY: deps
deps: node_modules/.installed ## Install Node dependencies (npm ci).

.PHONY: build
build: deps ## Compile TypeScript to dist/.
	npm run --silent build

.PHONY: lint
lint: deps ## Lint and check formatting (biome), type-check (tsc --noEmit) and the import layers (docs/adr/0021).
	npm run --silent lint
	npm run --silent typecheck
	node hack/import-layers.ts

.PHONY: fmt
fmt: deps ## Format and fix what biome can fix.
	npm run --silent format

.PHONY: generate
generate: deps ## Regenerate the CRD and docs/profilingpolicy.md from core/api/v1alpha1.
	node hack/gen-api.ts

.PHONY: verify-generated
verify-generated: deps ## Fail when the committed CRD or field reference differ from the schema.
	node hack/gen-api.ts --check

.PHONY: test-unit
test-unit: deps ## Unit tests (pure functions, no cluster).
	npm run --silent test:unit

.PHONY: fuzz
fuzz: deps ## Property tests, long: FLEETSCOPE_FUZZ_RUNS runs each (default 100000, minutes); see docs/adr/0016.
	FLEETSCOPE_FUZZ_RUNS=$${FLEETSCOPE_FUZZ_RUNS:-100000} npx mocha --timeout 0 \
	  $$(grep -rl --include='*.test.ts' "from \"fast-check\"" core webhook operator cli hack e2e)

.PHONY: test-integration
test-integration: deps ## Integration tests against the local control plane (started and stopped if needed).
	hack/with-cluster.sh npm run --silent test:integration

.PHONY: datapath-artifacts
datapath-artifacts: ## Fetch the Pyroscope Java agent (Maven Central) and build the test server and demo service (cached).
	@hack/fetch-agent.sh >/dev/null
	@hack/build-pyroscope.sh >/dev/null
	@examples/demo-service/build.sh >/dev/null

.PHONY: test-datapath
test-datapath: deps datapath-artifacts ## Data path: real agent in a real JVM, from the webhook's own mutation, to a Pyroscope API; revisions from the local control plane (~3 min).
	hack/with-cluster.sh npx mocha --timeout 600000 --slow 60000 'e2e/datapath/**/*.test.ts'

.PHONY: test-chart
test-chart: deps helm ## Chart lint/render/schema/RBAC tests and the Argo CD health check (no cluster).
	npx mocha --timeout 600000 e2e/chart/chart.test.ts e2e/chart/argocd-health.test.ts

.PHONY: e2e
e2e: deps helm ## Chart tests plus helm install into $KUBECONFIG's cluster (the local control plane if none runs).
	hack/with-cluster.sh npx mocha --timeout 600000 'e2e/chart/**/*.test.ts'

.PHONY: test-images
test-images: deps ## Build the images (make images) and check each archive: non-root, no shell in the operator, pinned agent jar, each image's command run from its archive.
	npx mocha --timeout 600000 --slow 60000 'e2e/images/**/*.test.ts'

.PHONY: e2e-node
e2e-node: deps helm datapath-artifacts ## End to end on a real kubelet node (root; installs containerd, runc, CNI plugins, buildah); checks the host is unchanged afterwards.
	hack/e2e-node.sh

.PHONY: test
test: lint verify-generated test-unit test-integration test-datapath test-images e2e e2e-node ## Everything CI runs: lint, type-check, unit, integration, data-path, image, chart and real-node tests.

##@ Benchmarks

.PHONY: bench
bench: deps datapath-artifacts ## Webhook vs no-op route, mutate, operator, agent overhead, the Pod Security probe, then the fleet rollout (about 45 min in all; docs/benchmarks.md).
	node e2e/bench/webhook.ts
	node e2e/bench/mutate.ts
	hack/with-cluster.sh node e2e/bench/operator.ts
	node e2e/bench/overhead.ts
	node e2e/bench/pod-security-probe.ts
	hack/with-cluster.sh node e2e/bench/fleet.ts

.PHONY: bench-node
bench-node: deps helm datapath-artifacts ## Real node: pod start-up injected vs not (20 each), operator RSS/CPU from its cgroup, image sizes (root).
	hack/e2e-node.sh node e2e/bench/node-startup.ts 20

.PHONY: bench-fleet
bench-fleet: deps ## Fleet rollout alone: 1,000 Deployments x 3 replicas, Rolling with maxConcurrent 50 (about 30 min).
	hack/with-cluster.sh node e2e/bench/fleet.ts

##@ Local control plane

.PHONY: controlplane
controlplane: ## Build (or reuse cached) kube-apiserver, controller-manager, scheduler, etcd, kwok.
	@hack/build-controlplane.sh >/dev/null

.PHONY: cluster
cluster: ## Start the local control plane and, where the machine allows, a real node (idempotent); kubeconfig at .cluster/kubeconfig.
	@hack/cluster.sh up

.PHONY: cluster-down
cluster-down: ## Stop the local control plane and the real node, delete their state and undo the node's host changes.
	@hack/cluster.sh down

.PHONY: kubectl
kubectl: ## Print the path of the kubectl built with the control plane.
	@echo "$$(hack/build-controlplane.sh | tail -n 1)/kubectl"

##@ Deployment

.PHONY: images
images: ## Build the operator, agent-init, demo and test Pyroscope images with buildah (no registry; cached OCI archives, loaded into the real node when it runs).
	@hack/images.sh >/dev/null

HELM = $$(hack/build-helm.sh | tail -n 1)

.PHONY: helm
helm: ## Build (or reuse cached) helm from its Go module.
	@hack/build-helm.sh >/dev/null

.PHONY: deploy
deploy: helm ## helm upgrade --install the chart into fleetscope-system of $KUBECONFIG.
	"$(HELM)" upgrade --install fleetscope charts/fleetscope -n fleetscope-system --create-namespace --wait

.PHONY: undeploy
undeploy: helm ## Uninstall the release; the webhook configuration and its Secret, owned by the chart's ClusterRole, go with it.
	"$(HELM)" uninstall fleetscope -n fleetscope-system --ignore-not-found

.PHONY: install
install: deps ## Install the CRDs into the cluster of $KUBECONFIG.
	"$$(hack/build-controlplane.sh | tail -n 1)/kubectl" apply --server-side --force-conflicts -f crds/

.PHONY: uninstall
uninstall: ## Remove the CRDs (and every ProfilingPolicy) from the cluster of $KUBECONFIG.
	"$$(hack/build-controlplane.sh | tail -n 1)/kubectl" delete --ignore-not-found -f crds/

.PHONY: run
run: deps ## Run the operator as a local process against $KUBECONFIG (webhook on https://127.0.0.1:9443).
	"$$(hack/build-controlplane.sh --dir)/kubectl" create namespace $${FLEETSCOPE_NAMESPACE:-fleetscope-system} \
	  --dry-run=client -o yaml | "$$(hack/build-controlplane.sh --dir)/kubectl" apply -f - >/dev/null
	FLEETSCOPE_NAMESPACE=$${FLEETSCOPE_NAMESPACE:-fleetscope-system} FLEETSCOPE_HOST=127.0.0.1 \
	  FLEETSCOPE_WEBHOOK_URL=$${FLEETSCOPE_WEBHOOK_URL:-https://127.0.0.1:9443} node operator/main.ts

.PHONY: demo
demo: deps cluster ## Local cluster; on the real node the chart, a Pyroscope pod, the injected Java service in its own pod and its top functions (kwok fallback elsewhere).
	hack/demo.sh
