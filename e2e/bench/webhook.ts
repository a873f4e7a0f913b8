// Webhook benchmark: the real admission server vs a no-op fastify HTTPS route, same load, same run.
// Two measurements, both side by side with alternating order:
// - open loop (--rates): a fixed arrival rate below saturation, latency from the scheduled send
//   time: the latency the webhook adds to one admission;
// - closed loop (--concurrency): a fixed number in flight, both servers saturated: throughput.
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
    /** Open loop: arrival rates in requests/s; empty to skip. */
    rates: { type: "string", default: "250,500,1000,1500" },
    "open-duration": { type: "string", default: "4000" },
    "open-warmup": { type: "string", default: "1000" },
    "open-rounds": { type: "string", default: "3" },
    /** Open loop: connections the load generator may open to each target. */
    connections: { type: "string", default: "64" },
    /** Closed loop: requests in flight; empty to skip. */
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
const list = (v: string) => v.split(",").filter(Boolean).map(Number);
const rates = list(args.rates);
const openDurationMs = Number(args["open-duration"]);
const openWarmupMs = Number(args["open-warmup"]);
const openRounds = Number(args["open-rounds"]);
const connections = Number(args.connections);
const concurrencies = list(args.concurrency);
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
  /** Closed loop: requests in flight (0 for open-loop rows). */
  concurrency: number;
  /** Open loop: arrival rate (0 for closed-loop rows). */
  rate: number;
  result: LoadResult;
  serverCpuMicrosPerRequest: number;
  serverRss: number;
}

type Load = { kind: "closed"; concurrency: number } | { kind: "open"; rate: number };

async function measure(
  s: Server,
  load: Load,
  ca: string,
  bodies: string[],
  round: number,
): Promise<Row> {
  const [warmup, duration] =
    load.kind === "open" ? [openWarmupMs, openDurationMs] : [warmupMs, durationMs];
  const child = forkTs("./load.ts");
  let before: Promise<{ cpuMicros: number }> | undefined;
  child.on("message", (m: LoadMessage) => {
    if (m.type === "measuring") before = usage(s);
  });
  const done = nextMessage(
    child,
    (m) => ((m as LoadMessage).type === "done" ? (m as { result: LoadResult }) : undefined),
    warmup + duration + 90_000,
  );
  child.send({
    url: s.url,
    path: MUTATE_PATH,
    ca,
    bodies,
    concurrency: load.kind === "closed" ? load.concurrency : 0,
    ...(load.kind === "open" ? { rate: load.rate, connections } : {}),
    warmupMs: warmup,
    durationMs: duration,
    maxRequests: Number(args["max-requests"]),
  } satisfies LoadCommand);
  const { result } = await done;
  const after = await usage(s);
  const cpu0 = (await before)?.cpuMicros ?? 0;
  return {
    round,
    mode: s.mode,
    concurrency: load.kind === "closed" ? load.concurrency : 0,
    rate: load.kind === "open" ? load.rate : 0,
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
  if (rates.length > 0) {
    console.log(
      `open loop: ${openRounds} rounds × ${rates.join("/")} req/s, ${openWarmupMs} ms warm-up + ${openDurationMs} ms measured each, up to ${connections} keep-alive connections; latency from the scheduled send time`,
    );
  }
  if (concurrencies.length > 0) {
    console.log(
      `closed loop: ${rounds} rounds × concurrency ${concurrencies.join("/")}, ${warmupMs} ms warm-up + ${durationMs} ms measured each, one keep-alive connection per in-flight request`,
    );
  }
  console.log("");

  const servers = {
    webhook: await startServer("webhook", tls),
    noop: await startServer("noop", tls),
  };
  const rows: Row[] = [];
  const pair = async (load: Load, round: number, first: ServerMode) => {
    // Alternate which target goes first, so drift in the machine's load hits both alike.
    const order: ServerMode[] = first === "noop" ? ["noop", "webhook"] : ["webhook", "noop"];
    for (const mode of order) {
      const row = await measure(servers[mode], load, tls.caCert, bodies, round);
      rows.push(row);
      const r = row.result;
      const what = load.kind === "open" ? `${load.rate}/s` : `c=${load.concurrency}`;
      console.error(
        `round ${round} ${what} ${mode}: ${f(r.perSecond, 0)}/s p50 ${f(r.latencyMs.p50)} p99 ${f(r.latencyMs.p99)} ms, errors ${r.errors}`,
      );
    }
  };
  try {
    for (let round = 1; round <= openRounds && rates.length > 0; round++) {
      for (const [i, rate] of rates.entries()) {
        await pair({ kind: "open", rate }, round, (round + i) % 2 ? "noop" : "webhook");
      }
    }
    for (let round = 1; round <= rounds; round++) {
      for (const c of concurrencies) {
        await pair({ kind: "closed", concurrency: c }, round, round % 2 ? "noop" : "webhook");
      }
    }
  } finally {
    for (const s of Object.values(servers)) s.child.send({ type: "stop" } satisfies ServerCommand);
  }

  const perRequest = (r: Row) => r.result.clientCpuMicros / Math.max(1, r.result.requests);
  /** The median over rounds of each round's side-by-side ratio webhook / no-op. */
  const ratios = (of: (mode: ServerMode) => Row[], metric: (r: Row) => number) =>
    of("webhook").map((w) => metric(w) / metric(of("noop").find((n) => n.round === w.round) ?? w));
  const srv = (xs: Row[], mode: ServerMode) =>
    median(xs.filter((r) => r.mode === mode).map((r) => r.serverCpuMicrosPerRequest));

  const open = rows.filter((r) => r.rate > 0);
  if (open.length > 0) {
    console.log("## Open loop (fixed arrival rate)\n");
    console.log(
      "| round | rate/s | target | answered/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | errors | max in flight | send lag p99 ms | server CPU µs/req | load-gen CPU µs/req |",
    );
    console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (const r of open) {
      const l = r.result.latencyMs;
      console.log(
        `| ${r.round} | ${r.rate} | ${r.mode} | ${f(r.result.perSecond, 0)} | ${f(l.p50)} | ${f(l.p90)} | ${f(l.p99)} | ${f(l.p999)} | ${f(l.max)} | ${r.result.errors} | ${r.result.maxInFlight ?? "–"} | ${f(r.result.sendLagMs?.p99 ?? Number.NaN)} | ${f(r.serverCpuMicrosPerRequest, 0)} | ${f(perRequest(r), 0)} |`,
      );
    }
    console.log(
      `\nOpen-loop summary (median over ${openRounds} rounds of each quantile; the ratio is the median of the per-round p99(webhook)/p99(no-op); target ratio ≤ ${TARGET_P99_RATIO}):\n`,
    );
    console.log(
      "| rate/s | no-op p50 / p90 / p99 ms | webhook p50 / p90 / p99 ms | p50 added ms | p99 ratio | ratio range | ratio ≤ 1.5 |",
    );
    console.log("|---|---|---|---|---|---|---|");
    for (const rate of rates) {
      const of = (mode: ServerMode) => open.filter((r) => r.rate === rate && r.mode === mode);
      const q = (mode: ServerMode, k: "p50" | "p90" | "p99") =>
        median(of(mode).map((r) => r.result.latencyMs[k]));
      const qs = (mode: ServerMode) =>
        `${f(q(mode, "p50"))} / ${f(q(mode, "p90"))} / ${f(q(mode, "p99"))}`;
      const rs = ratios(of, (r) => r.result.latencyMs.p99);
      const added = median(
        of("webhook").map(
          (w) =>
            w.result.latencyMs.p50 -
            (of("noop").find((n) => n.round === w.round)?.result.latencyMs.p50 ?? Number.NaN),
        ),
      );
      const ratio = median(rs);
      console.log(
        `| ${rate} | ${qs("noop")} | ${qs("webhook")} | ${f(added)} | ${f(ratio)} | ${f(Math.min(...rs))}–${f(Math.max(...rs))} | ${ratio <= TARGET_P99_RATIO ? "yes" : "no"} |`,
      );
    }
    console.log(
      `\nOpen loop, server CPU per request (median): webhook ${f(srv(open, "webhook"), 0)} µs, no-op ${f(srv(open, "noop"), 0)} µs\n`,
    );
  }

  const closed = rows.filter((r) => r.concurrency > 0);
  if (closed.length > 0) {
    console.log("## Closed loop (fixed concurrency, saturated)\n");
    console.log(
      "| round | concurrency | target | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | errors | server CPU µs/req | load-gen CPU µs/req |",
    );
    console.log("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (const r of closed) {
      const l = r.result.latencyMs;
      console.log(
        `| ${r.round} | ${r.concurrency} | ${r.mode} | ${f(r.result.perSecond, 0)} | ${f(l.p50)} | ${f(l.p90)} | ${f(l.p99)} | ${f(l.p999)} | ${f(l.max)} | ${r.result.errors} | ${f(r.serverCpuMicrosPerRequest, 0)} | ${f(perRequest(r), 0)} |`,
      );
    }
    console.log(
      `\nClosed-loop summary (median over ${rounds} rounds; targets: p99 ratio ≤ ${TARGET_P99_RATIO}, webhook ≥ ${TARGET_RPS}/s):\n`,
    );
    console.log(
      "| concurrency | no-op req/s | webhook req/s | no-op p99 ms | webhook p99 ms | p99 ratio | ratio range | ≥ 2,000/s | ratio ≤ 1.5 |",
    );
    console.log("|---|---|---|---|---|---|---|---|---|");
    for (const c of concurrencies) {
      const of = (mode: ServerMode) => closed.filter((r) => r.concurrency === c && r.mode === mode);
      const rps = (mode: ServerMode) => median(of(mode).map((r) => r.result.perSecond));
      const p99 = (mode: ServerMode) => median(of(mode).map((r) => r.result.latencyMs.p99));
      const rs = ratios(of, (r) => r.result.latencyMs.p99);
      const ratio = median(rs);
      console.log(
        `| ${c} | ${f(rps("noop"), 0)} | ${f(rps("webhook"), 0)} | ${f(p99("noop"))} | ${f(p99("webhook"))} | ${f(ratio)} | ${f(Math.min(...rs))}–${f(Math.max(...rs))} | ${rps("webhook") >= TARGET_RPS ? "yes" : "no"} | ${ratio <= TARGET_P99_RATIO ? "yes" : "no"} |`,
      );
    }
    console.log(
      `\nClosed loop, server CPU per request (median): webhook ${f(srv(closed, "webhook"), 0)} µs, no-op ${f(srv(closed, "noop"), 0)} µs`,
    );
  }
  const peak = (mode: ServerMode) =>
    Math.max(...rows.filter((r) => r.mode === mode).map((r) => r.serverRss)) / 2 ** 20;
  console.log(`Peak RSS: webhook ${f(peak("webhook"), 0)} MiB, no-op ${f(peak("noop"), 0)} MiB`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
