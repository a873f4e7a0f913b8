// Webhook benchmark: the real admission server vs a no-op fastify HTTPS route, same load, same run.
import type { ChildProcess } from "node:child_process";
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { MUTATE_PATH } from "../../webhook/server/paths.ts";
import { createBundle } from "../../webhook/tls/certificates.ts";
import { forkTs, nextMessage } from "./child.ts";
import type { LoadCommand, LoadMessage, LoadResult } from "./load.ts";
import { admitWith, kindAt, MIX, request, reviewBodies } from "./pods.ts";
import type { ServerCommand, ServerMode, ServerReply } from "./server.ts";

const { values: args } = parseArgs({
  options: {
    concurrency: { type: "string", default: "16,32,64" },
    duration: { type: "string", default: "5000" },
    warmup: { type: "string", default: "1500" },
    rounds: { type: "string", default: "2" },
    policies: { type: "string", default: "10" },
    "max-requests": { type: "string", default: "200000" },
    /** Writes a V8 CPU profile of each server process here (for finding where time goes). */
    "profile-dir": { type: "string" },
  },
});
const concurrencies = args.concurrency.split(",").map(Number);
const durationMs = Number(args.duration);
const warmupMs = Number(args.warmup);
const rounds = Number(args.rounds);
const policyCount = Number(args.policies);
const TARGET_P99_RATIO = 1.5;
const TARGET_RPS = 2000;

interface Server {
  mode: ServerMode;
  child: ChildProcess;
  url: string;
}

async function startServer(mode: ServerMode, tls: { cert: string; key: string }): Promise<Server> {
  const dir = args["profile-dir"];
  const child = forkTs(
    "./server.ts",
    {},
    dir ? ["--cpu-prof", `--cpu-prof-dir=${dir}/${mode}`] : [],
  );
  const listening = nextMessage(
    child,
    (m) => ((m as ServerReply).type === "listening" ? (m as { url: string }) : undefined),
    30_000,
  );
  child.send({ type: "start", mode, tls, policies: policyCount } satisfies ServerCommand);
  return { mode, child, url: (await listening).url };
}

async function usage(s: Server) {
  const reply = nextMessage(
    s.child,
    (m) =>
      (m as ServerReply).type === "usage"
        ? (m as Extract<ServerReply, { type: "usage" }>)
        : undefined,
    10_000,
  );
  s.child.send({ type: "usage" } satisfies ServerCommand);
  return reply;
}

interface Row {
  round: number;
  mode: ServerMode;
  concurrency: number;
  result: LoadResult;
  serverCpuMicrosPerRequest: number;
  serverRss: number;
}

async function measure(
  s: Server,
  concurrency: number,
  ca: string,
  bodies: string[],
  round: number,
): Promise<Row> {
  const child = forkTs("./load.ts");
  let before: Promise<{ cpuMicros: number }> | undefined;
  child.on("message", (m: LoadMessage) => {
    if (m.type === "measuring") before = usage(s);
  });
  const done = nextMessage(
    child,
    (m) => ((m as LoadMessage).type === "done" ? (m as { result: LoadResult }) : undefined),
    warmupMs + durationMs + 60_000,
  );
  child.send({
    url: s.url,
    path: MUTATE_PATH,
    ca,
    bodies,
    concurrency,
    warmupMs,
    durationMs,
    maxRequests: Number(args["max-requests"]),
  } satisfies LoadCommand);
  const { result } = await done;
  const after = await usage(s);
  const cpu0 = (await before)?.cpuMicros ?? 0;
  return {
    round,
    mode: s.mode,
    concurrency,
    result,
    serverCpuMicrosPerRequest: (after.cpuMicros - cpu0) / Math.max(1, result.requests),
    serverRss: after.maxRss,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};
const f = (n: number, d = 2) => n.toFixed(d);

async function main() {
  const tls = await createBundle({ hosts: ["127.0.0.1"] });
  // 200 distinct reviews (own uid, name, namespace), cycled; 4 of 20 in the mix are not injected.
  const bodies = reviewBodies(200);
  const admit = admitWith(policyCount);
  const outcomes = new Map<string, number>();
  for (let i = 0; i < bodies.length; i++) {
    const a = admit(request(kindAt(i), i));
    const key = `${kindAt(i)}→${a.result}/${a.reason}`;
    outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
  }
  for (const m of MIX) {
    const ok = [...outcomes.keys()].some((k) => k.startsWith(`${m.kind}→${m.expect}`));
    if (!ok) throw new Error(`mix: ${m.kind} did not come out ${m.expect}: ${[...outcomes]}`);
  }
  const sizes = bodies.map((b) => b.length);
  console.log(
    `# webhook benchmark: ${cpus().length} CPUs, ${cpus()[0]?.model}, node ${process.version}`,
  );
  console.log(
    `bodies: ${bodies.length}, ${Math.min(...sizes)}–${Math.max(...sizes)} bytes (mean ${Math.round(sizes.reduce((a, b) => a + b) / sizes.length)}); policies: ${policyCount}`,
  );
  console.log(`mix: ${[...outcomes].map(([k, n]) => `${k} ×${n}`).join(", ")}`);
  console.log(
    `load: ${rounds} rounds × concurrency ${concurrencies.join("/")}, ${warmupMs} ms warm-up + ${durationMs} ms measured each, one keep-alive connection per in-flight request\n`,
  );

  const servers = {
    webhook: await startServer("webhook", tls),
    noop: await startServer("noop", tls),
  };
  const rows: Row[] = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const c of concurrencies) {
        // Alternate which target goes first, so drift in the machine's load hits both alike.
        const order: ServerMode[] = round % 2 ? ["noop", "webhook"] : ["webhook", "noop"];
        for (const mode of order) {
          const row = await measure(servers[mode], c, tls.caCert, bodies, round);
          rows.push(row);
          const r = row.result;
          console.error(
            `round ${round} c=${c} ${mode}: ${f(r.perSecond, 0)}/s p50 ${f(r.latencyMs.p50)} p99 ${f(r.latencyMs.p99)} ms, errors ${r.errors}`,
          );
        }
      }
    }
  } finally {
    for (const s of Object.values(servers)) s.child.send({ type: "stop" } satisfies ServerCommand);
  }

  console.log(
    "| round | concurrency | target | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | errors | server CPU µs/req | load-gen CPU µs/req |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|");
  for (const r of rows) {
    const l = r.result.latencyMs;
    console.log(
      `| ${r.round} | ${r.concurrency} | ${r.mode} | ${f(r.result.perSecond, 0)} | ${f(l.p50)} | ${f(l.p90)} | ${f(l.p99)} | ${f(l.p999)} | ${f(l.max)} | ${r.result.errors} | ${f(r.serverCpuMicrosPerRequest, 0)} | ${f(r.result.clientCpuMicros / Math.max(1, r.result.requests), 0)} |`,
    );
  }

  console.log(
    `\nSummary (median over ${rounds} rounds; targets: p99 ratio ≤ ${TARGET_P99_RATIO}, webhook ≥ ${TARGET_RPS}/s):\n`,
  );
  console.log(
    "| concurrency | no-op req/s | webhook req/s | no-op p99 ms | webhook p99 ms | p99 ratio | ratio range | ≥ 2,000/s | ratio ≤ 1.5 |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|");
  for (const c of concurrencies) {
    const of = (mode: ServerMode) => rows.filter((r) => r.concurrency === c && r.mode === mode);
    const rps = (mode: ServerMode) => median(of(mode).map((r) => r.result.perSecond));
    const p99 = (mode: ServerMode) => median(of(mode).map((r) => r.result.latencyMs.p99));
    // The ratio of each round's side-by-side pair, then the median of those ratios.
    const ratios = of("webhook").map(
      (w) =>
        w.result.latencyMs.p99 /
        (of("noop").find((n) => n.round === w.round)?.result.latencyMs.p99 ?? Number.NaN),
    );
    const ratio = median(ratios);
    console.log(
      `| ${c} | ${f(rps("noop"), 0)} | ${f(rps("webhook"), 0)} | ${f(p99("noop"))} | ${f(p99("webhook"))} | ${f(ratio)} | ${f(Math.min(...ratios))}–${f(Math.max(...ratios))} | ${rps("webhook") >= TARGET_RPS ? "yes" : "no"} | ${ratio <= TARGET_P99_RATIO ? "yes" : "no"} |`,
    );
  }
  const srv = (mode: ServerMode) =>
    median(rows.filter((r) => r.mode === mode).map((r) => r.serverCpuMicrosPerRequest));
  console.log(
    `\nServer CPU per request (median of all runs): webhook ${f(srv("webhook"), 0)} µs, no-op ${f(srv("noop"), 0)} µs; peak RSS webhook ${f(Math.max(...rows.filter((r) => r.mode === "webhook").map((r) => r.serverRss)) / 2 ** 20, 0)} MiB, no-op ${f(Math.max(...rows.filter((r) => r.mode === "noop").map((r) => r.serverRss)) / 2 ** 20, 0)} MiB`,
  );
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
