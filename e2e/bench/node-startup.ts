// Pod start-up cost of injection on the real node: the demo pod created N times in an opted-in
// namespace and N times in one that is not, alternating, one at a time; client-side times from
// create to Initialized (init containers done), container started and Ready. Also the operator
// pods' RSS and CPU from their cgroups, idle and while the pods are created, and image sizes.
// Needs the real node (hack/node.sh up) with the images loaded (hack/images.sh).
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { promisify } from "node:util";
import type { V1Pod } from "@kubernetes/client-node";
import { repoRoot } from "../datapath/artifacts.ts";
import { admin } from "../harness/scenarios.ts";
import { isInjected, pods, realNode } from "../node/node.ts";
import { realNodeScenario } from "../node/scenario.ts";

const run = promisify(execFile);
const N = Number(process.argv[2] ?? 20);

interface Times {
  initialized: number;
  started: number;
  ready: number;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

/**
 * Creates the pod and polls it every 25 ms until Ready; times in ms from just before create.
 * Fails unless the webhook injected the pod exactly when `injected` says it should.
 */
async function startPod(namespace: string, pod: object, injected: boolean): Promise<Times> {
  const { core } = admin();
  const t0 = performance.now();
  const created = await core.createNamespacedPod({ namespace, body: pod });
  const name = created.metadata!.name!;
  const wasInjected = isInjected(created);
  if (wasInjected !== injected)
    throw new Error(`${namespace}/${name}: injected=${wasInjected}, expected ${injected}`);
  const times: Partial<Times> = {};
  for (;;) {
    const p = await core.readNamespacedPod({ namespace, name });
    const now = performance.now() - t0;
    const cond = (type: string) =>
      p.status?.conditions?.some((c) => c.type === type && c.status === "True");
    if (times.initialized === undefined && cond("Initialized")) times.initialized = now;
    if (times.started === undefined && p.status?.containerStatuses?.[0]?.started)
      times.started = now;
    if (cond("Ready")) {
      times.ready = now;
      times.initialized ??= now;
      times.started ??= now;
      break;
    }
    if (now > 180_000) throw new Error(`${namespace}/${name} not Ready in 180 s`);
    await new Promise((r) => setTimeout(r, 25));
  }
  await core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0 });
  return times as Times;
}

/** The memory and cpuacct cgroup directories of a pod's first container (cgroup v1, cgroupfs). */
async function containerCgroups(pod: V1Pod): Promise<{ memory: string; cpu: string }> {
  const id = pod.status!.containerStatuses![0]!.containerID!.replace(/^containerd:\/\//, "");
  const find = async (hierarchy: string) => {
    const { stdout } = await run("find", [
      `/sys/fs/cgroup/${hierarchy}/kubepods`,
      "-type",
      "d",
      "-name",
      id,
    ]);
    const dir = stdout.trim().split("\n")[0];
    if (!dir) throw new Error(`no ${hierarchy} cgroup for container ${id}`);
    return dir;
  };
  return { memory: await find("memory"), cpu: await find("cpuacct") };
}

interface Usage {
  rssMiB: number;
  cpuSeconds: number;
}

async function usage(cg: { memory: string; cpu: string }): Promise<Usage> {
  const stat = await readFile(`${cg.memory}/memory.stat`, "utf8");
  const rss = Number(/^total_rss (\d+)$/m.exec(stat)?.[1] ?? /^rss (\d+)$/m.exec(stat)?.[1]);
  const cpu = Number((await readFile(`${cg.cpu}/cpuacct.usage`, "utf8")).trim());
  return { rssMiB: rss / 2 ** 20, cpuSeconds: cpu / 1e9 };
}

/** Samples the operator pods' RSS every second until `done` resolves: peak RSS and CPU used. */
async function sampleOperator<T>(
  cgroups: { memory: string; cpu: string }[],
  done: Promise<T>,
): Promise<{ result: T; peakRssMiB: number[]; cpuSeconds: number[]; seconds: number }> {
  const start = await Promise.all(cgroups.map(usage));
  const peak = start.map((u) => u.rssMiB);
  const t0 = performance.now();
  let finished = false;
  const result = done.finally(() => {
    finished = true;
  });
  while (!finished) {
    const now = await Promise.all(cgroups.map(usage));
    now.forEach((u, i) => {
      peak[i] = Math.max(peak[i]!, u.rssMiB);
    });
    await Promise.race([result, new Promise((r) => setTimeout(r, 1_000))]).catch(() => {});
  }
  const end = await Promise.all(cgroups.map(usage));
  return {
    result: await result,
    peakRssMiB: peak,
    cpuSeconds: end.map((u, i) => u.cpuSeconds - start[i]!.cpuSeconds),
    seconds: (performance.now() - t0) / 1000,
  };
}

const node = await realNode();
const scenario = realNodeScenario({ release: "fs", prefix: "fs-bench", testLabel: "bench" });
try {
  const injNs = await scenario.appNamespace("fs-bench-injected", { optedIn: true });
  const plainNs = await scenario.appNamespace("fs-bench-plain", { optedIn: false });
  const installed = await scenario.installOperator();
  if (installed.code !== 0) throw new Error(installed.stderr);
  await scenario.createPolicy();
  await scenario.waitOptedIn(injNs);
  const operators = await scenario.operatorPods();
  const cgroups = await Promise.all(operators.map(containerCgroups));

  const idle = await sampleOperator(cgroups, new Promise((r) => setTimeout(r, 30_000)));
  const pod = (i: number) => scenario.demoPod(`startup-${i}`, "startup");
  const results = { injected: [] as Times[], plain: [] as Times[] };
  const busy = await sampleOperator(
    cgroups,
    (async () => {
      for (let i = 0; i < N; i++) {
        // Alternate which side goes first, so drift on the machine hits both equally.
        const order =
          i % 2 === 0 ? (["injected", "plain"] as const) : (["plain", "injected"] as const);
        for (const side of order) {
          const injected = side === "injected";
          results[side].push(await startPod(injected ? injNs : plainNs, pod(i), injected));
        }
      }
    })(),
  );
  const injectedPods = await pods(injNs, "app.kubernetes.io/name=startup");
  if (injectedPods.length > 0) throw new Error("pods left behind");

  const row = (what: string, pick: (t: Times) => number) => {
    const cell = (ts: Times[]) => {
      const xs = ts.map(pick);
      return `${(percentile(xs, 50) / 1000).toFixed(2)} s / ${(percentile(xs, 90) / 1000).toFixed(2)} s`;
    };
    return `| ${what} | ${cell(results.plain)} | ${cell(results.injected)} |`;
  };
  console.log(
    `Real node ${node}, ${N} pods each side, alternating, one at a time (median / p90):\n`,
  );
  console.log("| create → | not injected | injected |");
  console.log("| --- | --- | --- |");
  console.log(row("Initialized (init containers done)", (t) => t.initialized));
  console.log(row("container started", (t) => t.started));
  console.log(row("Ready (readiness probe)", (t) => t.ready));
  const init = results.injected.map((t) => t.initialized);
  const base = results.plain.map((t) => t.initialized);
  console.log(
    `\nInit container (Initialized, injected minus not injected, medians): ${((percentile(init, 50) - percentile(base, 50)) / 1000).toFixed(2)} s`,
  );
  const fmt = (s: { peakRssMiB: number[]; cpuSeconds: number[]; seconds: number }) =>
    s.peakRssMiB
      .map(
        (r, i) =>
          `pod ${i + 1}: peak RSS ${r.toFixed(1)} MiB, CPU ${((100 * s.cpuSeconds[i]!) / s.seconds).toFixed(1)}% of a core`,
      )
      .join("; ");
  console.log(`\nOperator pods, idle ${idle.seconds.toFixed(0)} s: ${fmt(idle)}`);
  console.log(
    `Operator pods, during the ${2 * N} pod creations (${busy.seconds.toFixed(0)} s): ${fmt(busy)}`,
  );
  const { stdout } = await run(resolve(repoRoot, "hack/node.sh"), [
    "ctr",
    "-n",
    "k8s.io",
    "images",
    "ls",
  ]);
  console.log("\nImages in the node's containerd (ctr images ls, compressed size):");
  for (const line of stdout.split("\n")) {
    const [ref, , , size, unit] = line.split(/\s+/);
    if (ref?.startsWith("localhost/fleetscope/")) console.log(`  ${ref} ${size} ${unit}`);
  }
} finally {
  await scenario.cleanup();
}
