// Fleet rollout benchmark on the local control plane: 1,000 Deployments (3 replicas each) in 100
// namespaces, created before a Rolling policy (maxConcurrent 50); the time from applying the
// policy to full coverage, the operator's peak RSS and CPU, its API requests per workload, and
// whether it kept the restarts at the cap (the operator is not the bottleneck when it does).
//
//   node e2e/bench/fleet.ts [--deployments 1000] [--namespaces 100] [--replicas 3]
//                           [--max-concurrent 50] [--nodes 35] [--operator-flags "..."]
//
// The operator runs as a child process, compiled as the image runs it (operator-process.ts).
// kwok nodes take 110 pods each: the cluster is scaled to --nodes for the run and back after.
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { parseArgs, promisify } from "node:util";
import { isNotFound, KubeClient } from "../../operator/kube/client.ts";
import { collectionPath, objectPath } from "../../operator/kube/resources.ts";
import { connection, kubeconfigPath, kubectl } from "../harness/cluster.ts";
import { installCRDs } from "../harness/operator.ts";
import {
  cpuSeconds,
  memory,
  type OperatorProcess,
  scrape,
  spawnOperator,
  stopOperator,
  sum,
} from "./operator-process.ts";

const { values: args } = parseArgs({
  options: {
    deployments: { type: "string", default: "1000" },
    namespaces: { type: "string", default: "100" },
    replicas: { type: "string", default: "3" },
    "max-concurrent": { type: "string", default: "50" },
    nodes: { type: "string", default: "35" },
    "timeout-minutes": { type: "string", default: "40" },
    /** Node flags for the operator instead of the image's, e.g. "--max-old-space-size=192". */
    "operator-flags": { type: "string" },
  },
});
const DEPLOYMENTS = Number(args.deployments);
const NAMESPACES = Number(args.namespaces);
const REPLICAS = Number(args.replicas);
const MAX_CONCURRENT = Number(args["max-concurrent"]);
const NODES = Number(args.nodes);
const TIMEOUT_MS = Number(args["timeout-minutes"]) * 60_000;

const root = resolve(import.meta.dirname, "../..");
const id = `fleet-${Date.now().toString(36)}`;
const opNamespace = `${id}-system`;
const policyName = `${id}-rolling`;
const LABEL = "fleetscope.io/bench";
const namespaces = Array.from({ length: NAMESPACES }, (_, i) => `${id}-${i}`);
const client = new KubeClient(connection());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const t0 = Date.now();
const log = (msg: string) => console.error(`[${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);
const run = promisify(execFile);

// --- kwok nodes -----------------------------------------------------------------------------

async function kwokctl(...a: string[]) {
  const { stdout } = await run(resolve(root, "hack/build-controlplane.sh"), ["--dir"]);
  const bin = stdout.trim().split("\n").at(-1)!;
  // The cluster hack/cluster.sh started: its name and state folder follow the same variables.
  const name = process.env.FLEETSCOPE_CLUSTER_NAME || "fleetscope";
  const state = process.env.FLEETSCOPE_CLUSTER_DIR || resolve(root, ".cluster");
  await run(`${bin}/kwokctl`, ["--name", name, ...a], {
    env: {
      ...process.env,
      KWOK_WORKDIR: resolve(state, "kwok"),
      KWOK_KUBECTL_BINARY: `${bin}/kubectl`,
      KUBECONFIG: kubeconfigPath(),
    },
  });
}

const nodeCount = async () =>
  (await client.request<{ items: unknown[] }>("GET", "/api/v1/nodes")).items.length;

// --- workloads --------------------------------------------------------------------------------

function deployment(ns: string, name: string) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: ns, labels: { [LABEL]: id } },
    spec: {
      replicas: REPLICAS,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name: "app",
              image: "eclipse-temurin:21-jre",
              env: [{ name: "JAVA_OPTS", value: "-Xmx512m" }],
              resources: { requests: { cpu: "10m", memory: "64Mi" } },
            },
          ],
        },
      },
    },
  };
}

interface Deployment {
  metadata: { name: string; namespace: string; annotations?: Record<string, string> };
  spec: { template: { metadata?: { annotations?: Record<string, string> } } };
  status?: { availableReplicas?: number; updatedReplicas?: number };
}

async function listFleet(): Promise<Deployment[]> {
  const out: Deployment[] = [];
  let cont: string | undefined;
  do {
    const page = await client.request<{ items: Deployment[]; metadata: { continue?: string } }>(
      "GET",
      collectionPath("Deployment"),
      { query: { labelSelector: `${LABEL}=${id}`, limit: 500, continue: cont } },
    );
    out.push(...page.items);
    cont = page.metadata.continue || undefined;
  } while (cont);
  return out;
}

async function until<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  everyMs = 1000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

interface PolicyStatus {
  coverage?: { pods: { eligible: number; injected: number }; summary?: string };
  rollout?: { phase: string; done: number; total: number; inFlight: number };
}

const mib = (bytes: number | undefined) => `${((bytes ?? 0) / 1048576).toFixed(0)} MiB`;

const policyStatus = async () =>
  (
    await client.request<{ status?: PolicyStatus }>(
      "GET",
      objectPath("ProfilingPolicy", policyName),
    )
  ).status;

// --- main -------------------------------------------------------------------------------------

async function main() {
  await installCRDs();
  const nodesBefore = await nodeCount();
  let op: OperatorProcess | undefined;
  try {
    if (nodesBefore < NODES) {
      log(`scaling kwok nodes ${nodesBefore} → ${NODES}`);
      await kwokctl("scale", "node", "--replicas", String(NODES));
      await until(
        `${NODES} nodes`,
        async () => ((await nodeCount()) >= NODES ? true : undefined),
        120_000,
      );
    }

    log(`creating ${DEPLOYMENTS} Deployments × ${REPLICAS} replicas in ${NAMESPACES} namespaces`);
    const perNs = Math.ceil(DEPLOYMENTS / NAMESPACES);
    const chunks: object[][] = [];
    for (let n = 0; n < NAMESPACES; n++) {
      const items: object[] = [
        {
          apiVersion: "v1",
          kind: "Namespace",
          metadata: { name: namespaces[n], labels: { [LABEL]: id } },
        },
      ];
      for (let i = 0; i < perNs && n * perNs + i < DEPLOYMENTS; i++)
        items.push(deployment(namespaces[n]!, `svc-${i}`));
      chunks.push(items);
    }
    for (let i = 0; i < chunks.length; i += 10) {
      await Promise.all(
        chunks
          .slice(i, i + 10)
          .map((items) =>
            kubectl(
              ["apply", "-f", "-"],
              JSON.stringify({ apiVersion: "v1", kind: "List", items }),
            ),
          ),
      );
    }
    const tAvail = Date.now();
    await until(
      "every Deployment available",
      async () => {
        const fleet = await listFleet();
        const ok = fleet.filter((d) => d.status?.availableReplicas === REPLICAS).length;
        return fleet.length === DEPLOYMENTS && ok === DEPLOYMENTS ? true : undefined;
      },
      TIMEOUT_MS,
      3000,
    );
    log(`fleet available after ${((Date.now() - tAvail) / 1000).toFixed(0)} s`);

    // The operator, started once the fleet exists; its caches fill with it.
    await client
      .request("POST", collectionPath("Namespace"), { body: { metadata: { name: opNamespace } } })
      .catch(() => undefined);
    op = await spawnOperator({
      id,
      namespace: opNamespace,
      ...(args["operator-flags"] !== undefined
        ? { nodeFlags: args["operator-flags"].split(" ").filter(Boolean) }
        : {}),
    });
    const { pid, port } = op;
    await until("operator metrics", () => scrape(port), 60_000, 500);
    await sleep(10_000); // caches synced, leader elected, webhook configured
    const idle = memory(pid);
    const cpuIdle = cpuSeconds(pid);
    const before = await scrape(port);
    log(`operator idle: RSS ${idle.rss.toFixed(0)} MiB (peak so far ${idle.hwm.toFixed(0)} MiB)`);

    await client.request("POST", collectionPath("ProfilingPolicy"), {
      body: {
        apiVersion: "fleetscope.io/v1alpha1",
        kind: "ProfilingPolicy",
        metadata: { name: policyName, labels: { [LABEL]: id } },
        spec: {
          selector: { namespaceSelector: { matchLabels: { [LABEL]: id } } },
          pyroscope: { mode: "External", external: { url: "http://pyroscope.example:4040" } },
          rollout: { strategy: "Rolling", maxConcurrent: MAX_CONCURRENT, healthTimeout: "5m" },
        },
      },
    });
    const tPolicy = Date.now();
    log("policy applied");

    const requestsSince = (m: Map<string, number>) =>
      sum(m, "fleetscope_api_requests_total", (k) => !k.includes('"watch"')) -
      sum(before, "fleetscope_api_requests_total", (k) => !k.includes('"watch"'));
    const inFlight: number[] = [];
    const depth: number[] = [];
    let maxRss = idle.rss;
    let last: PolicyStatus | undefined;
    let lastLog = 0;
    const end = await until(
      "full coverage",
      async () => {
        const [st, m] = await Promise.all([policyStatus(), scrape(port)]);
        last = st;
        maxRss = Math.max(maxRss, memory(pid).rss);
        if (st?.rollout?.phase === "Progressing") inFlight.push(st.rollout.inFlight);
        depth.push(sum(m, "fleetscope_workqueue_depth", (k) => k.includes("coverage")));
        if (Date.now() - lastLog > 10_000) {
          lastLog = Date.now();
          log(
            `${st?.rollout?.phase} ${st?.rollout?.done}/${st?.rollout?.total}, ${st?.rollout?.inFlight} in flight; coverage ${st?.coverage?.summary}; RSS ${memory(pid).rss.toFixed(0)} MiB (V8 heap ${mib(m.get("nodejs_heap_size_total_bytes"))}, external ${mib(m.get("nodejs_external_memory_bytes"))}); CPU ${(cpuSeconds(pid) - cpuIdle).toFixed(0)} s; API requests ${requestsSince(m)}`,
          );
        }
        const total = DEPLOYMENTS * REPLICAS;
        return st?.rollout?.phase === "Complete" && st.coverage?.pods.injected === total
          ? Date.now()
          : undefined;
      },
      TIMEOUT_MS,
      500,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; last status ${JSON.stringify(last)}`);
    });
    const seconds = (end - tPolicy) / 1000;
    const after = await scrape(port);
    const mem = memory(pid);
    const cpu = cpuSeconds(pid) - cpuIdle;

    // How long each workload's own restart took: restartedAt → the record's Available time.
    const fleet = await listFleet();
    const restarts = fleet
      .map(
        (d) =>
          Date.parse(d.metadata.annotations?.["fleetscope.io/rollout-time"] ?? "") -
          Date.parse(d.spec.template.metadata?.annotations?.["fleetscope.io/restartedAt"] ?? ""),
      )
      .filter((ms) => Number.isFinite(ms))
      .sort((a, b) => a - b);
    const mean = restarts.reduce((a, b) => a + b, 0) / restarts.length / 1000;
    const bound = restarts.reduce((a, b) => a + b, 0) / MAX_CONCURRENT / 1000;
    const stamps = fleet.filter(
      (d) => d.spec.template.metadata?.annotations?.["fleetscope.io/restartedAt"],
    ).length;

    const requests = [...after]
      .filter(([k]) => k.startsWith("fleetscope_api_requests_total"))
      .map(
        ([k, v]) =>
          [k.replace("fleetscope_api_requests_total", ""), v - (before.get(k) ?? 0)] as const,
      )
      .filter(([, v]) => v > 0)
      .sort((a, b) => b[1] - a[1]);
    const totalRequests = requests.reduce((a, [k, v]) => a + (k.includes('"watch"') ? 0 : v), 0);
    const atCap = inFlight.filter((n) => n >= MAX_CONCURRENT).length;
    const reconciles =
      sum(after, "fleetscope_reconciles_total", (k) => k.includes("coverage")) -
      sum(before, "fleetscope_reconciles_total", (k) => k.includes("coverage"));

    const pct = (xs: number[], p: number) =>
      [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)] ?? 0;
    console.log(
      [
        `Fleet rollout: ${DEPLOYMENTS} Deployments × ${REPLICAS} replicas in ${NAMESPACES} namespaces, maxConcurrent ${MAX_CONCURRENT}, ${NODES} kwok nodes`,
        `  time from policy to full coverage   ${seconds.toFixed(1)} s`,
        `  workloads restarted                 ${stamps}/${DEPLOYMENTS}`,
        `  one workload's restart              mean ${mean.toFixed(2)} s, p50 ${(pct(restarts, 0.5) / 1000).toFixed(2)} s, p95 ${(pct(restarts, 0.95) / 1000).toFixed(2)} s`,
        `  lower bound (sum of restarts / cap) ${bound.toFixed(1)} s  → operator overhead ${(seconds - bound).toFixed(1)} s (${((seconds / bound - 1) * 100).toFixed(0)}%)`,
        `  in flight while Progressing         at the cap in ${atCap}/${inFlight.length} samples, median ${pct(inFlight, 0.5)}, min ${Math.min(...inFlight)}`,
        `  coverage queue depth                max ${Math.max(...depth)}, median ${pct(depth, 0.5)}`,
        `  coverage reconciles                 ${reconciles}`,
        `  operator RSS                        idle ${idle.rss.toFixed(0)} MiB, max sampled ${maxRss.toFixed(0)} MiB, peak (VmHWM) ${mem.hwm.toFixed(0)} MiB`,
        `  operator CPU during the rollout     ${cpu.toFixed(1)} s (${((cpu / seconds) * 100).toFixed(0)}% of one core)`,
        `  API requests (no watches)           ${totalRequests} = ${(totalRequests / DEPLOYMENTS).toFixed(2)} per workload`,
        ...requests.map(([k, v]) => `    ${k.padEnd(50)} ${v}`),
      ].join("\n"),
    );
  } finally {
    if (op) await stopOperator(op);
    log("cleaning up");
    await client
      .request("DELETE", objectPath("ProfilingPolicy", policyName))
      .catch((e) => isNotFound(e) || log(`deleting the policy: ${e}`));
    for (const ns of [...namespaces, opNamespace])
      await client.request("DELETE", objectPath("Namespace", ns)).catch(() => undefined);
    await kubectl(["delete", "mutatingwebhookconfiguration", id, "--ignore-not-found"]);
    await until(
      "the namespaces to be gone",
      async () => {
        const list = await client.request<{ items: unknown[] }>(
          "GET",
          collectionPath("Namespace"),
          {
            query: { labelSelector: `${LABEL}=${id}` },
          },
        );
        return list.items.length === 0 ? true : undefined;
      },
      300_000,
      3000,
    ).catch((e) => log(String(e)));
    if (nodesBefore < NODES) {
      log(`scaling kwok nodes back to ${nodesBefore}`);
      await kwokctl("scale", "node", "--replicas", String(nodesBefore)).catch((e) =>
        log(String(e)),
      );
    }
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
