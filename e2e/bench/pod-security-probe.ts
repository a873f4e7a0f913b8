// What one Pod Security level probe costs: a second local cluster enforcing baseline by default,
// then sequential dry runs in a namespace without a label and in one labelled privileged.
import * as k8s from "@kubernetes/client-node";
import { KubeClient } from "../../operator/kube/client.ts";
import { probeLevel } from "../../operator/pod-security/probe.ts";
import { connection, kubeConfig } from "../harness/cluster.ts";
import { startLocalCluster } from "../harness/local-cluster.ts";

const RUNS = 200;
const t0 = performance.now();
const cluster = await startLocalCluster({ suffix: "pss-bench", podSecurityDefault: "baseline" });
console.log(`second cluster up in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
try {
  const core = cluster.kc.makeApiClient(k8s.CoreV1Api);
  const namespaces: [string, Record<string, string>][] = [
    ["plain", {}],
    ["privileged", { "pod-security.kubernetes.io/enforce": "privileged" }],
  ];
  const client = new KubeClient(connection(kubeConfig(cluster.kubeconfig)));
  for (const [name, labels] of namespaces) {
    await core.createNamespace({ body: { metadata: { name, labels } } });
    const created = performance.now();
    // Unknown until kube-controller-manager has created the default ServiceAccount.
    let r = await probeLevel(client, name);
    while (r.kind !== "known") {
      await new Promise((x) => setTimeout(x, 100));
      r = await probeLevel(client, name);
    }
    const known = performance.now() - created;
    const ms: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const s = performance.now();
      r = await probeLevel(client, name);
      ms.push(performance.now() - s);
    }
    ms.sort((a, b) => a - b);
    const at = (q: number) => ms[Math.min(RUNS - 1, Math.floor(q * RUNS))]!.toFixed(1);
    console.log(
      `${name}: ${r.kind === "known" ? r.level : r.why}; known ${known.toFixed(0)} ms after the namespace was created; ${RUNS} dry runs: median ${at(0.5)} ms, p90 ${at(0.9)} ms, max ${at(1)} ms`,
    );
  }
} finally {
  await cluster.stop();
}
