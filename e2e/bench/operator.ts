// Operator benchmark on the local control plane: time to Ready, bulk reconcile throughput, RSS.
import { connect } from "node:net";
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { withDefaults } from "../../core/api/v1alpha1/defaults.ts";
import type { ProfilingPolicy } from "../../core/api/v1alpha1/types.ts";
import { ApiError, isNotFound, KubeClient } from "../../operator/kube/client.ts";
import { collectionPath, objectPath } from "../../operator/kube/resources.ts";
import { renderPyroscope } from "../../operator/render/pyroscope/render.ts";
import { connection, kubectl } from "../harness/cluster.ts";
import { installCRDs } from "../harness/operator.ts";
import {
  cpuSeconds,
  memory,
  type OperatorProcess,
  scrape,
  spawnOperator,
  stopOperator,
} from "./operator-process.ts";

const { values: args } = parseArgs({
  options: {
    policies: { type: "string", default: "200" },
    namespaces: { type: "string", default: "20" },
    "create-concurrency": { type: "string", default: "8" },
    /** How long to wait for other test operators to finish before giving up. */
    "wait-others": { type: "string", default: "300000" },
  },
});
const BULK = Number(args.policies);
const BULK_NAMESPACES = Number(args.namespaces);
const id = `bench-${Date.now().toString(36)}`;
const BENCH_LABEL = "fleetscope.io/bench";
const opNamespace = `${id}-system`;
const client = new KubeClient(connection());
const policiesPath = collectionPath("ProfilingPolicy");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (msg: string) => console.error(`[${new Date().toISOString().slice(11, 23)}] ${msg}`);

interface Policy {
  metadata: { name: string; labels?: Record<string, string> };
  spec: Record<string, unknown>;
  status?: { conditions?: { type: string; status: string }[] };
}
const condition = (p: Policy, type: string) =>
  p.status?.conditions?.find((c) => c.type === type)?.status;

/** Polls `check` every `everyMs` until it returns a value, or throws after `timeoutMs`. */
async function until<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** fleetscope_reconciles_total by controller and result, from the operator's /metrics. */
async function reconciles(port: number): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const [key, value] of await scrape(port)) {
    if (!key.startsWith("fleetscope_reconciles_total{")) continue;
    const labels = Object.fromEntries(
      [...key.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]),
    );
    out.set(`${labels.controller}/${labels.result}`, value);
  }
  return out;
}

const delta = (a: Map<string, number>, b: Map<string, number>) =>
  [...b]
    .map(([k, v]) => [k, v - (a.get(k) ?? 0)] as const)
    .filter(([, v]) => v > 0)
    .sort();

// --- preflight and cleanup --------------------------------------------------------------------

/** Whether something accepts connections at a webhook URL (a leftover configuration does not). */
function listening(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((done) => {
    const socket = connect({ host: hostname, port: Number(port || 443), timeout: 2_000 });
    const end = (up: boolean) => {
      socket.destroy();
      done(up);
    };
    socket.once("connect", () => end(true));
    socket.once("error", () => end(false));
    socket.once("timeout", () => end(false));
  });
}

interface WebhookConfig {
  metadata: { name: string };
  webhooks?: { clientConfig?: { url?: string } }[];
}

/**
 * Policies are cluster-scoped: another running operator would reconcile ours too. A webhook
 * configuration whose URL nobody serves is a leftover of a stopped one and does not count.
 */
async function waitForOtherOperators() {
  const deadline = Date.now() + Number(args["wait-others"]);
  for (;;) {
    const list = await client.request<{ items: WebhookConfig[] }>(
      "GET",
      collectionPath("MutatingWebhookConfiguration"),
    );
    const live: string[] = [];
    for (const w of list.items) {
      const url = w.webhooks?.[0]?.clientConfig?.url;
      // In-cluster (service) webhooks cannot be probed from here: count them as running.
      if (w.metadata.name !== id && (!url || (await listening(url)))) live.push(w.metadata.name);
    }
    if (live.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`other operators still running (${live.join(", ")}): try again later`);
    }
    log(`waiting for other operators to finish: ${live.join(", ")}`);
    await sleep(10_000);
  }
}

const ignoreNotFound = (e: unknown) => {
  if (!isNotFound(e)) throw e;
};

async function cleanup(pvName: string, namespaces: string[]) {
  await client
    .request("DELETE", policiesPath, { query: { labelSelector: `${BENCH_LABEL}=${id}` } })
    .catch((e) => log(`deleting policies: ${e}`));
  for (const ns of namespaces) {
    await client.request("DELETE", objectPath("Namespace", ns)).catch(ignoreNotFound);
  }
  await client.request("DELETE", `/api/v1/persistentvolumes/${pvName}`).catch(ignoreNotFound);
  await kubectl(["delete", "mutatingwebhookconfiguration", id, "--ignore-not-found"]);
}

// --- policies -----------------------------------------------------------------------------------

const labels = { [BENCH_LABEL]: id };

function monolithic(name: string, namespace: string, storageClassName: string): Policy {
  return {
    metadata: { name, labels },
    spec: {
      selector: { namespaceSelector: { matchLabels: { [BENCH_LABEL]: `${id}-none` } } },
      pyroscope: { namespace, monolithic: { storage: { size: "1Gi", storageClassName } } },
    },
  };
}

function external(name: string, i: number): Policy {
  return {
    metadata: { name, labels },
    spec: {
      // Every bulk policy selects the bench namespaces, each for its own pods: no conflicts.
      selector: {
        namespaceSelector: { matchLabels: { [BENCH_LABEL]: id } },
        podSelector: { matchLabels: { "app.kubernetes.io/name": `svc-${i}` } },
      },
      pyroscope: { mode: "External", external: { url: `https://profiles-${i}.example.com` } },
    },
  };
}

const create = (p: Policy) =>
  client.request("POST", policiesPath, {
    body: { apiVersion: "fleetscope.io/v1alpha1", kind: "ProfilingPolicy", ...p },
  });

const getPolicy = (name: string) =>
  client.request<Policy>("GET", objectPath("ProfilingPolicy", name));

async function listBench(): Promise<Policy[]> {
  const list = await client.request<{ items: Policy[] }>("GET", policiesPath, {
    query: { labelSelector: `${BENCH_LABEL}=${id}` },
  });
  return list.items;
}

/** Milliseconds since `t0` at which each milestone was first seen, polling every 100 ms. */
async function timeline(
  t0: number,
  milestones: Record<string, () => Promise<boolean>>,
  timeoutMs: number,
): Promise<Record<string, number>> {
  const seen: Record<string, number> = {};
  await until(
    Object.keys(milestones).join(", "),
    async () => {
      for (const [name, check] of Object.entries(milestones)) {
        if (seen[name] === undefined && (await check().catch(() => false))) {
          seen[name] = Date.now() - t0;
        }
      }
      return Object.keys(seen).length === Object.keys(milestones).length ? true : undefined;
    },
    timeoutMs,
  );
  return seen;
}

// --- the benchmark ------------------------------------------------------------------------------

async function main() {
  await waitForOtherOperators();
  await installCRDs();
  const foreign = (
    await client.request<{ items: Policy[] }>("GET", policiesPath, {
      query: { labelSelector: `!${BENCH_LABEL}` },
    })
  ).items.map((p) => p.metadata.name);
  const pvName = `${id}-pv`;
  const storageClass = `${id}-local`;
  const pyroscopeNs = `${id}-pyroscope`;
  const benchNamespaces = Array.from({ length: BULK_NAMESPACES }, (_, i) => `${id}-ns-${i}`);
  const ourNamespaces = [pyroscopeNs, ...benchNamespaces, opNamespace];
  let op: OperatorProcess | undefined;
  // Interrupted: still remove what this run created.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      log(`${signal}: cleaning up`);
      const stopping = op ? stopOperator(op) : Promise.resolve();
      void stopping.then(() => cleanup(pvName, ourNamespaces)).finally(() => process.exit(130));
    });
  }
  const results: string[] = [];
  const out = (line: string) => {
    results.push(line);
    log(line);
  };
  try {
    await client.request("POST", collectionPath("Namespace"), {
      body: { apiVersion: "v1", kind: "Namespace", metadata: { name: opNamespace } },
    });
    for (const name of benchNamespaces) {
      await client.request("POST", collectionPath("Namespace"), {
        body: { apiVersion: "v1", kind: "Namespace", metadata: { name, labels } },
      });
    }
    // kwok nodes have no storage provisioner: a static volume for Pyroscope's claim.
    await client.request("POST", "/api/v1/persistentvolumes", {
      body: {
        apiVersion: "v1",
        kind: "PersistentVolume",
        metadata: { name: pvName, labels },
        spec: {
          storageClassName: storageClass,
          capacity: { storage: "1Gi" },
          accessModes: ["ReadWriteOnce"],
          hostPath: { path: `/tmp/${pvName}` },
        },
      },
    });

    const t0 = Date.now();
    op = await spawnOperator({ id, namespace: opNamespace });
    const { pid, port } = op;
    // Started: serving, leading, webhook registered.
    await until(
      "the operator to serve and register its webhook",
      async () => {
        await client.request("GET", objectPath("MutatingWebhookConfiguration", id));
        const counts = [...(await reconciles(port))].filter(([k]) => k.startsWith("webhook/"));
        return counts.length > 0 ? true : undefined;
      },
      60_000,
    );
    out(`operator started and webhook registered in ${Date.now() - t0} ms`);
    if (foreign.length > 0) {
      out(`note: ${foreign.length} policies not ours were present and reconciled too: ${foreign}`);
    }
    await sleep(5_000);
    const idle = memory(pid);
    out(`idle RSS ${idle.rss.toFixed(1)} MiB (peak so far ${idle.hwm.toFixed(1)} MiB)`);

    // (a) one Monolithic policy: objects, PyroscopeReady, Ready.
    const mono = monolithic(`${id}-mono`, pyroscopeNs, storageClass);
    const rendered = renderPyroscope(
      {
        apiVersion: "fleetscope.io/v1alpha1",
        kind: "ProfilingPolicy",
        metadata: { name: mono.metadata.name, uid: "x", generation: 1 },
        spec: withDefaults(mono.spec as never),
      } as ProfilingPolicy,
      { operatorNamespace: opNamespace },
    );
    const tm = Date.now();
    await create(mono);
    const monoTimes = await timeline(
      tm,
      {
        [`all ${rendered.length} objects present`]: async () => {
          for (const o of rendered) {
            await client.request("GET", objectPath(o.kind, o.metadata.name, o.metadata.namespace));
          }
          return true;
        },
        "PyroscopeReady=True": async () =>
          condition(await getPolicy(mono.metadata.name), "PyroscopeReady") === "True",
        "Ready=True": async () =>
          condition(await getPolicy(mono.metadata.name), "Ready") === "True",
      },
      180_000,
    );
    for (const [k, v] of Object.entries(monoTimes)) out(`monolithic: ${k} after ${v} ms`);
    out(`monolithic objects: ${rendered.map((o) => o.kind).join(", ")}`);

    // (a) one External policy: Ready.
    const ext = external(`${id}-ext`, 0);
    const te = Date.now();
    await create(ext);
    const extTimes = await timeline(
      te,
      {
        "Ready=True": async () => condition(await getPolicy(ext.metadata.name), "Ready") === "True",
      },
      60_000,
    );
    for (const [k, v] of Object.entries(extTimes)) out(`external: ${k} after ${v} ms`);
    await client.request("DELETE", objectPath("ProfilingPolicy", ext.metadata.name));
    await sleep(3_000);

    // (b) BULK External policies created at a bounded concurrency; time until all are Ready.
    const before = await reconciles(port);
    const cpu0 = cpuSeconds(pid);
    const tb = Date.now();
    const bulk = Array.from({ length: BULK }, (_, i) => external(`${id}-p${i}`, i + 1));
    const bulkNames = new Set(bulk.map((p) => p.metadata.name));
    let next = 0;
    let createdAt = 0;
    let peakRss = 0;
    const creating = Promise.all(
      Array.from({ length: Number(args["create-concurrency"]) }, async () => {
        while (next < bulk.length) await create(bulk[next++]!);
      }),
    ).then(() => {
      createdAt = Date.now() - tb;
    });
    const readyTimes: number[] = [];
    await until(
      `${BULK} policies to be Ready`,
      async () => {
        peakRss = Math.max(peakRss, memory(pid).rss);
        const ready = (await listBench()).filter(
          (p) => bulkNames.has(p.metadata.name) && condition(p, "Ready") === "True",
        ).length;
        while (readyTimes.length < ready) readyTimes.push(Date.now() - tb);
        return ready >= BULK ? true : undefined;
      },
      600_000,
      250,
    );
    await creating;
    const allReady = Date.now() - tb;
    const bulkCpu = cpuSeconds(pid) - cpu0;
    const atReady = await reconciles(port);
    out(
      `bulk: ${BULK} External policies created in ${createdAt} ms (${args["create-concurrency"]} in flight); first Ready ${readyTimes[0]} ms, half ${readyTimes[Math.floor(BULK / 2)]} ms, all Ready ${allReady} ms (${((BULK / allReady) * 1000).toFixed(1)} policies/s)`,
    );
    out(`bulk: operator CPU ${bulkCpu.toFixed(2)} s until all Ready`);
    out(
      `bulk: reconciles until all Ready: ${delta(before, atReady)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")}`,
    );
    // Settled: what the operator keeps doing with nothing changing.
    const cpu1 = cpuSeconds(pid);
    await sleep(10_000);
    const settled = await reconciles(port);
    out(
      `bulk: in the 10 s after: reconciles ${
        delta(atReady, settled)
          .map(([k, v]) => `${k} ${v}`)
          .join(", ") || "none"
      }, CPU ${(cpuSeconds(pid) - cpu1).toFixed(2)} s`,
    );
    const loaded = memory(pid);
    out(
      `RSS with ${BULK + 1} policies: ${loaded.rss.toFixed(1)} MiB; highest sampled during bulk ${peakRss.toFixed(1)} MiB; peak (VmHWM) ${loaded.hwm.toFixed(1)} MiB`,
    );
  } finally {
    if (op) {
      await cleanup(pvName, ourNamespaces).catch((e) => log(`cleanup: ${e}`));
      await stopOperator(op);
    }
    await cleanup(pvName, ourNamespaces).catch((e) => log(`cleanup: ${e}`));
  }

  console.log(
    `# operator benchmark: ${cpus().length} CPUs, ${cpus()[0]?.model}, node ${process.version}, run ${id}\n`,
  );
  for (const r of results) console.log(`- ${r}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof ApiError ? `${err.status} ${err.message}` : err);
    process.exit(1);
  },
);
