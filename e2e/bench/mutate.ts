// In-process micro-benchmark of the admission path's pure parts: mutate(), admit() and their steps.
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { diff } from "../../webhook/inject/json-patch.ts";
import { mutate } from "../../webhook/inject/mutate.ts";
import type { InjectionSettings } from "../../webhook/inject/settings.ts";
import { settingsFromPolicy } from "../../webhook/policy-settings.ts";
import { parseReview, reviewResponse } from "../../webhook/server/admission-review.ts";
import {
  admitWith,
  kindAt,
  MIX,
  namespaces,
  type PodKind,
  pod,
  policies,
  request,
} from "./pods.ts";

const { values: args } = parseArgs({
  options: {
    time: { type: "string", default: "1000" },
    repeats: { type: "string", default: "3" },
  },
});
const timeMs = Number(args.time);
const repeats = Number(args.repeats);
const MAX_OPS = 5_000_000;

/** ops/s of `fn` over `timeMs` (bounded by MAX_OPS), the median of `repeats` runs after warm-up. */
function bench(fn: (i: number) => unknown): number {
  let sink = 0;
  for (let i = 0; i < 2000; i++) sink ^= fn(i) ? 1 : 0;
  const rates: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    let n = 0;
    while (n < MAX_OPS) {
      for (let j = 0; j < 100; j++) sink ^= fn(n + j) ? 1 : 0;
      n += 100;
      if (performance.now() - t0 >= timeMs) break;
    }
    rates.push((n / (performance.now() - t0)) * 1000);
  }
  if (sink === 2) console.log(""); // keeps the results observable
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)] ?? 0;
}

const settings: InjectionSettings = settingsFromPolicy(policies(1)[0]!, {
  clusterName: "bench",
  serverAddress: "http://pyroscope.pyroscope.svc:4040",
});
const ns = namespaces();
const N = 64;

const rows: [string, number][] = [];
const row = (name: string, opsPerSec: number) => {
  rows.push([name, opsPerSec]);
  console.error(`${name}: ${Math.round(opsPerSec)}/s`);
};

// mutate() alone, one pod kind at a time, 64 distinct pods each.
for (const kind of MIX.map((m) => m.kind) as PodKind[]) {
  const inputs = Array.from({ length: N }, (_, i) => {
    const p = pod(kind, i);
    const labels = ns.get(p.namespace)?.metadata?.labels ?? {};
    return {
      pod: p.pod,
      namespace: { name: p.namespace, labels },
      // As admit would: no settings when no policy selects the pod's namespace.
      settings: kind === "unselected-namespace" ? undefined : settings,
      operation: "CREATE",
    };
  });
  row(
    `mutate() ${kind}`,
    bench((i) => mutate(inputs[i % N]!).patch.length),
  );
}

// Two steps inside mutate() for the common (java) pod: copying the pod and diffing the copy.
const javaPods = Array.from({ length: N }, (_, i) => pod("java", i).pod);
row(
  "  step: structuredClone(java pod)",
  bench((i) => structuredClone(javaPods[i % N]!)),
);
row(
  "  reference: JSON.parse(JSON.stringify(java pod))",
  bench((i) => JSON.parse(JSON.stringify(javaPods[i % N]!))),
);
const copies = javaPods.map((p) => structuredClone(p));
row(
  "  step: diff(java pod, unchanged copy)",
  bench((i) => diff(javaPods[i % N]!, copies[i % N]!).length),
);
const injectedPods = javaPods.map((p) => {
  const edited = structuredClone(p);
  edited.metadata!.labels!["fleetscope.io/injected"] = "true";
  edited.spec!.containers[0]!.env!.push({ name: "PYROSCOPE_X", value: "1" });
  return edited;
});
row(
  "  step: diff(java pod, copy with 2 edits)",
  bench((i) => diff(javaPods[i % N]!, injectedPods[i % N]!).length),
);

const mixed = Array.from({ length: 200 }, (_, i) => request(kindAt(i), i));
const bodies = mixed.map((r) =>
  JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: r }),
);
for (const count of [1, 10, 200]) {
  const admit = admitWith(count);
  row(
    `admit() mix, ${count} policies`,
    bench((i) => admit(mixed[i % 200]!).patch.length),
  );
}

// The whole server-side path without HTTP and TLS, split into its steps.
const admit = admitWith(10);
row(
  "JSON.parse(body)",
  bench((i) => JSON.parse(bodies[i % 200]!)),
);
const parsed = bodies.map((b) => JSON.parse(b));
row(
  "parseReview()",
  bench((i) => parseReview(parsed[i % 200]!)),
);
const admissions = mixed.map((r) => admit(r));
row(
  "reviewResponse() + JSON.stringify",
  bench((i) => JSON.stringify(reviewResponse("uid", admissions[i % 200]!)).length),
);
row(
  "parse + admit + respond (mix, 10 policies)",
  bench((i) => {
    const req = parseReview(JSON.parse(bodies[i % 200]!));
    return JSON.stringify(reviewResponse(req.uid, admit(req))).length;
  }),
);

const responseSizes = admissions.map((a) => JSON.stringify(reviewResponse("uid", a)).length);
console.log(
  `# mutate/admit micro-benchmark: ${cpus().length} CPUs, ${cpus()[0]?.model}, node ${process.version}`,
);
console.log(
  `median of ${repeats} × ${timeMs} ms after warm-up; response bodies ${Math.min(...responseSizes)}–${Math.max(...responseSizes)} bytes\n`,
);
console.log("| operation | ops/s | µs/op |");
console.log("|---|---|---|");
for (const [name, ops] of rows)
  console.log(`| ${name} | ${Math.round(ops)} | ${(1e6 / ops).toFixed(1)} |`);
