// The reads of `diff --revisions` and `regressions`: revisions from the cluster, profiles of each
// revision from Pyroscope (selected by the revision label), verdicts from the pure cores.
import { writeFile } from "node:fs/promises";
import type { KubeClient } from "../operator/kube/client.ts";
import type { Command, QueryFlags } from "./args.ts";
import { listRevisionObjects } from "./kube.ts";
import { explainFetchError, type Output, ownPredicate } from "./profile-run.ts";
import {
  chooseProfileType,
  formatRange,
  type Range,
  type ServerChoice,
  unitOf,
  workloadSelector,
} from "./profiles.ts";
import { renderDiffFlameHtml } from "./pyroscope/diff-flamegraph.ts";
import { type FlameGraph, PyroscopeClient } from "./pyroscope/query.ts";
import {
  type RegressionRow,
  regressionRow,
  renderRegressionsTable,
  sampleCount,
  sortRegressions,
} from "./pyroscope/regressions.ts";
import { renderShareTable, shareDiff } from "./pyroscope/shares.ts";
import { formatValue } from "./pyroscope/top.ts";
import {
  changedSince,
  groupRevisions,
  pickRevisions,
  type Revision,
  type RevisionPair,
  type WorkloadRevisions,
} from "./revisions.ts";

type RevisionCommand = Extract<Command, { name: "diff-revisions" | "regressions" }>;

/** Kinds tried, in this order, when a name is used by more than one workload. */
const KIND_ORDER = ["Deployment", "StatefulSet", "DaemonSet"];

/** Workloads changed at once whose profiles are read in parallel. */
const PARALLEL = 4;
// Pyroscope refuses a query range longer than its max_query_length, one day by default.
const DAY_MS = 86_400_000;

export async function runRevisionCommand(
  command: RevisionCommand,
  server: ServerChoice,
  kube: KubeClient,
): Promise<Output> {
  const client = new PyroscopeClient({
    baseUrl: server.url,
    ...(server.tenant ? { tenantId: server.tenant } : {}),
  });
  const objects = await listRevisionObjects(
    kube,
    command.name === "diff-revisions" ? command.namespace : undefined,
  );
  const workloads = groupRevisions(objects);
  try {
    return command.name === "diff-revisions"
      ? await diffRevisions(command, workloads, client)
      : await regressions(command, workloads, client);
  } catch (err) {
    throw explainFetchError(err, server);
  }
}

interface Profiles {
  profileTypeId: string;
  unit: string;
  before: FlameGraph;
  after: FlameGraph;
}

async function profileType(client: PyroscopeClient, flags: QueryFlags, span: Range) {
  const id = chooseProfileType(flags.type, await client.profileTypes(span));
  return { profileTypeId: id, unit: unitOf(id) };
}

async function revisionProfiles(
  client: PyroscopeClient,
  w: WorkloadRevisions,
  pair: RevisionPair,
  type: { profileTypeId: string; unit: string },
): Promise<Profiles> {
  const select = (r: Revision, range: Range) =>
    client.selectMergeStacktraces({
      profileTypeId: type.profileTypeId,
      labelSelector: workloadSelector(w.namespace, w.name, r.id),
      start: range.start,
      end: range.end,
    });
  const [before, after] = await Promise.all([
    select(pair.old, pair.before),
    select(pair.new, pair.after),
  ]);
  return { ...type, before, after };
}

function shareOptions(p: QueryFlags) {
  return p.all ? { allFrames: true } : { isOwn: ownPredicate(p) };
}

async function diffRevisions(
  command: Extract<RevisionCommand, { name: "diff-revisions" }>,
  workloads: WorkloadRevisions[],
  client: PyroscopeClient,
): Promise<Output> {
  const p = command.profile;
  const what = `${command.namespace}/${command.workload}`;
  const w = KIND_ORDER.map((kind) =>
    workloads.find((x) => x.kind === kind && x.name === command.workload),
  ).find((x) => x !== undefined);
  if (!w)
    return {
      out: `no Deployment, StatefulSet or DaemonSet ${what} with revisions (ReplicaSets or ControllerRevisions)`,
      code: 2,
    };
  const pair = pickRevisions(w.revisions, command.revisions, Date.now());
  if ("error" in pair) return { out: `${w.kind} ${what}: ${pair.error}`, code: 2 };
  const span = { start: pair.before.start, end: pair.after.end };
  const type = await profileType(client, p, span);
  const profiles = await revisionProfiles(client, w, pair, type);
  if (profiles.before.total === 0 && profiles.after.total === 0) {
    const labelled = await client.labelValues("revision", span, [
      workloadSelector(w.namespace, w.name),
    ]);
    return {
      out: [
        `no ${type.profileTypeId} samples of ${what} labelled revision=${pair.old.id} or revision=${pair.new.id} in ${formatRange(span)}`,
        labelled.length
          ? `revisions of ${what} with profiles in this range: ${labelled.join(", ")}`
          : `no profile of ${what} carries a revision label in this range: pods injected before the webhook labelled revisions have none until they restart`,
      ].join("\n"),
      code: 3,
    };
  }
  const label = (r: Revision, range: Range) =>
    `revision ${r.number} (${r.id}), ${formatRange(range)}`;
  const total = (fg: FlameGraph) => formatValue(fg.total, type.unit);
  const heading = `${w.kind} ${what} · ${p.type === type.profileTypeId ? p.type : `${p.type} (${type.profileTypeId})`}`;
  const lines = [
    heading,
    renderShareTable(shareDiff(profiles.before, profiles.after, shareOptions(p)), {
      limit: p.limit,
      beforeLabel: label(pair.old, pair.before),
      afterLabel: label(pair.new, pair.after),
      beforeTotal: total(profiles.before),
      afterTotal: total(profiles.after),
    }).trimEnd(),
  ];
  const short = (["before", "after"] as const)
    .map((k) => [k, sampleCount(profiles[k].total, type.unit)] as const)
    .filter(([, n]) => n < command.minSamples);
  if (short.length > 0)
    lines.push(
      `\nfew samples (${short.map(([k, n]) => `${k} ${n}`).join(", ")}; ${command.minSamples} per revision wanted): shares may move by several points from chance alone`,
    );
  if (command.output) {
    await writeFile(
      command.output,
      renderDiffFlameHtml(profiles.before, profiles.after, {
        title: heading,
        subtitle: `${label(pair.old, pair.before)} → ${label(pair.new, pair.after)}`,
      }),
    );
    lines.push(`\nwrote ${command.output} (diff flame graph)`);
  }
  return { out: lines.join("\n"), code: 0 };
}

async function regressions(
  command: Extract<RevisionCommand, { name: "regressions" }>,
  workloads: WorkloadRevisions[],
  client: PyroscopeClient,
): Promise<Output> {
  const now = Date.now();
  const changed = changedSince(workloads, command.since);
  const type = await profileType(client, command.profile, {
    start: Math.max(command.since - DAY_MS, now - DAY_MS),
    end: now,
  });
  const rows: RegressionRow[] = [];
  const unprofiled: string[] = [];
  const queue = [...changed];
  const work = async () => {
    for (let w = queue.shift(); w; w = queue.shift()) {
      const pair = pickRevisions(w.revisions, undefined, now);
      if ("error" in pair) continue;
      const p = await revisionProfiles(client, w, pair, type);
      if (p.before.total === 0 && p.after.total === 0) {
        unprofiled.push(`${w.namespace}/${w.name}`);
        continue;
      }
      rows.push(
        regressionRow(
          {
            namespace: w.namespace,
            workload: w.name,
            kind: w.kind,
            oldRevision: pair.old.id,
            newRevision: pair.new.id,
            deployedAt: pair.new.created,
            ...p,
          },
          { ...shareOptions(command.profile), minSamples: command.minSamples },
        ),
      );
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, work));
  const sorted = sortRegressions(rows);
  unprofiled.sort();
  if (command.json) {
    const doc = {
      since: new Date(command.since).toISOString(),
      until: new Date(now).toISOString(),
      profileType: type.profileTypeId,
      minSamples: command.minSamples,
      regressions: sorted,
      withoutProfiles: unprofiled,
    };
    return { out: JSON.stringify(doc, null, 2), code: 0 };
  }
  const out = [renderRegressionsTable(sorted, command.sinceText).trimEnd()];
  if (unprofiled.length > 0)
    out.push(
      `\n${unprofiled.length} more with a new revision but no profiles of either: ${unprofiled.join(", ")}`,
    );
  if (sorted.some((r) => r.note?.startsWith("too few")))
    out.push(
      `\na verdict needs ${command.minSamples} samples per revision (at 100 Hz, ${command.minSamples / 100} s of CPU); wait for more load, or lower --min-samples`,
    );
  return { out: out.join("\n"), code: 0 };
}
