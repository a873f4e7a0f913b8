// In-process micro-benchmark of the admission path's pure parts: mutate(), admit() and their steps.
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { diff, type JsonPatchOp } from "../../webhook/inject/json-patch.ts";
import { mutate } from "../../webhook/inject/mutate.ts";
import type { InjectionSettings, MutationInput } from "../../webhook/inject/settings.ts";
import { settingsFromPolicy } from "../../webhook/policy-settings.ts";
import {
  type Admission,
  parseReview,
  reviewResponse,
} from "../../webhook/server/admission-review.ts";
import { applyShared, checkDiffers, DIFFERS, prototypeKeyPairs } from "./patch-libraries.ts";
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
    /** `diff`: only the JSON Patch diff against the libraries. */
    only: { type: "string", default: "" },
  },
});
const timeMs = Number(args.time);
const repeats = Number(args.repeats);
const MAX_OPS = 5_000_000;

let sink = 0;

/** ops/s of `fn` over `timeMs`, bounded by MAX_OPS. */
function rate(fn: (i: number) => unknown): number {
  const t0 = performance.now();
  let n = 0;
  while (n < MAX_OPS) {
    for (let j = 0; j < 100; j++) sink ^= fn(n + j) ? 1 : 0;
    n += 100;
    if (performance.now() - t0 >= timeMs) break;
  }
  return (n / (performance.now() - t0)) * 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** ops/s of `fn`, the median of `repeats` runs after warm-up. */
function bench(fn: (i: number) => unknown): number {
  return benchSideBySide([fn])[0]!.opsPerSec;
}

/**
 * Several functions measured in turns (a, b, c, a, b, c, ...) so that drift in the machine's
 * load hits all alike: the median ops/s of each, and the median of each round's ratio to the
 * first.
 */
function benchSideBySide(fns: ((i: number) => unknown)[]): { opsPerSec: number; ratio: number }[] {
  for (const fn of fns) for (let i = 0; i < 2000; i++) sink ^= fn(i) ? 1 : 0;
  const rounds = Array.from({ length: repeats }, () => fns.map((fn) => rate(fn)));
  return fns.map((_, k) => ({
    opsPerSec: median(rounds.map((r) => r[k]!)),
    ratio: median(rounds.map((r) => r[k]! / r[0]!)),
  }));
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

/** 64 distinct mutation inputs of one pod kind. */
const inputsOf = (kind: PodKind): MutationInput[] =>
  Array.from({ length: N }, (_, i) => {
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

let admissions: Admission[] | undefined;
if (args.only !== "diff") {
  // mutate() alone, one pod kind at a time, 64 distinct pods each.
  for (const kind of MIX.map((m) => m.kind) as PodKind[]) {
    const inputs = inputsOf(kind);
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
  admissions = mixed.map((r) => admit(r));
  row(
    "reviewResponse() + JSON.stringify",
    bench((i) => JSON.stringify(reviewResponse("uid", admissions![i % 200]!)).length),
  );
  row(
    "parse + admit + respond (mix, 10 policies)",
    bench((i) => {
      const req = parseReview(JSON.parse(bodies[i % 200]!));
      return JSON.stringify(reviewResponse(req.uid, admit(req))).length;
    }),
  );
}

// The JSON Patch diff against maintained libraries, on the pairs mutate() really diffs: the pod
// and its edited copy, which shares every untouched subtree with it. Same inputs, in turns.
const diffRows: string[] = [];
const patchRows: string[] = [];
for (const [what, from, to] of prototypeKeyPairs()) checkDiffers(from, to, what);
for (const kind of ["java", "java-sidecar", "non-java"] as const) {
  const inputs = inputsOf(kind);
  const pods = inputs.map((x) => x.pod);
  const shared = inputs.map((x) => applyShared(x.pod, mutate(x).patch as JsonPatchOp[]));
  const separate = shared.map((p) => structuredClone(p));
  for (const [i, p] of pods.entries()) checkDiffers(p, separate[i]!, `${kind} pod ${i}`);
  const mutateRate = bench((i) => mutate(inputs[i % N]!).patch.length);
  for (const [flavour, edited] of [
    ["edited copy sharing untouched parts (as in mutate)", shared],
    ["edited copy, nothing shared", separate],
  ] as const) {
    const results = benchSideBySide(
      DIFFERS.map(
        ([, differ]) =>
          (i: number) =>
            differ(pods[i % N]!, edited[i % N]!).length,
      ),
    );
    for (const [k, [name]] of DIFFERS.entries()) {
      const r = results[k]!;
      diffRows.push(
        `| ${kind} | ${flavour} | ${name} | ${Math.round(r.opsPerSec)} | ${(1e6 / r.opsPerSec).toFixed(1)} | ${r.ratio.toFixed(2)} | ${((1e6 / r.opsPerSec / (1e6 / mutateRate)) * 100).toFixed(0)} % |`,
      );
      console.error(
        `diff ${kind} ${flavour} ${name}: ${Math.round(r.opsPerSec)}/s ×${r.ratio.toFixed(2)}`,
      );
    }
  }
  for (const [name, differ] of DIFFERS) {
    const patches = pods.map((p, i) => differ(p, shared[i]!));
    const ops = patches.map((x) => x.length);
    const bytes = patches.map((x) => JSON.stringify(x).length);
    const kinds = [...new Set(patches.flat().map((o) => o.op))].sort().join(", ");
    patchRows.push(
      `| ${kind} | ${name} | ${Math.min(...ops)}–${Math.max(...ops)} | ${Math.round(bytes.reduce((a, b) => a + b) / bytes.length)} | ${kinds} |`,
    );
  }
}

const responseSizes = (admissions ?? []).map(
  (a) => JSON.stringify(reviewResponse("uid", a)).length,
);
console.log(
  `# mutate/admit micro-benchmark: ${cpus().length} CPUs, ${cpus()[0]?.model}, node ${process.version}`,
);
if (sink === 2) console.log(""); // keeps the results observable
console.log(
  `median of ${repeats} × ${timeMs} ms after warm-up${responseSizes.length ? `; response bodies ${Math.min(...responseSizes)}–${Math.max(...responseSizes)} bytes` : ""}\n`,
);
if (rows.length > 0) {
  console.log("| operation | ops/s | µs/op |");
  console.log("|---|---|---|");
  for (const [name, ops] of rows)
    console.log(`| ${name} | ${Math.round(ops)} | ${(1e6 / ops).toFixed(1)} |`);
}
console.log(
  "\nJSON Patch diff of the real mutation, ours vs libraries (in turns; ratio = median of per-round ops/s ÷ ours; share = diff µs ÷ mutate() µs of that kind). Every patch was checked to turn the pod into the edited pod, and each library's on members named valueOf, toString, constructor, __proto__, hasOwnProperty:\n",
);
console.log("| pod | input | diff | ops/s | µs/op | ratio to ours | share of mutate() |");
console.log("|---|---|---|---|---|---|---|");
for (const r of diffRows) console.log(r);
console.log("\nPatch of the real mutation (64 pods per kind):\n");
console.log("| pod | diff | operations | mean bytes (JSON) | operation kinds |");
console.log("|---|---|---|---|---|");
for (const r of patchRows) console.log(r);
