// The reads of `top`, `flamegraph` and `diff`: query Pyroscope, hand the profiles to pure renderers.
import { writeFile } from "node:fs/promises";
import type { Command, ProfileFlags, QueryFlags } from "./args.ts";
import {
  appSelector,
  chooseProfileType,
  formatRange,
  isClusterInternal,
  portForwardHint,
  type Range,
  type ServerChoice,
  unitOf,
} from "./profiles.ts";
import { diffProfiles, renderDiffTable } from "./pyroscope/diff.ts";
import { renderDiffFlameHtml } from "./pyroscope/diff-flamegraph.ts";
import { renderFlameHtml, renderFlameSvg } from "./pyroscope/flamegraph.ts";
import { type FlameGraph, PyroscopeClient, type PyroscopeQueryError } from "./pyroscope/query.ts";
import { renderTopTable, topFunctions, topOwnFunctions } from "./pyroscope/top.ts";

type ProfileCommand = Extract<Command, { name: "top" | "flamegraph" | "diff" }>;

export interface Output {
  out: string;
  code: number;
  /** Said on stderr before `out`, e.g. where the server URL came from. */
  note?: string;
}

/** Turns a failed fetch into a sentence; for an in-cluster URL, the port-forward to run. */
export function explainFetchError(err: unknown, server: ServerChoice): Error {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === "PyroscopeQueryError") {
    const q = err as PyroscopeQueryError;
    if (q.status === 401 && !server.tenant)
      return new Error(
        `${q.message}\nthe server wants a tenant: pass --tenant or set $PYROSCOPE_TENANT_ID`,
      );
    return q;
  }
  const cause = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
  const what = `cannot reach the Pyroscope server ${server.url} (from ${server.source}): ${cause}`;
  return new Error(
    isClusterInternal(server.url) ? `${what}\n${portForwardHint(server.url)}` : what,
  );
}

export async function runProfileCommand(
  command: ProfileCommand,
  server: ServerChoice,
): Promise<Output> {
  const client = new PyroscopeClient({
    baseUrl: server.url,
    ...(server.tenant ? { tenantId: server.tenant } : {}),
  });
  try {
    return await run(command, client, server);
  } catch (err) {
    throw explainFetchError(err, server);
  }
}

async function run(
  command: ProfileCommand,
  client: PyroscopeClient,
  server: ServerChoice,
): Promise<Output> {
  const p = command.profile;
  const ranges = command.name === "diff" ? [command.before, command.after] : [command.range];
  const span: Range = {
    start: Math.min(...ranges.map((r) => r.start)),
    end: Math.max(...ranges.map((r) => r.end)),
  };
  const profileTypeId = chooseProfileType(p.type, await client.profileTypes(span));
  const unit = unitOf(profileTypeId);
  const select = (r: Range) =>
    client.selectMergeStacktraces({
      profileTypeId,
      labelSelector: appSelector(p.app),
      start: r.start,
      end: r.end,
      ...(command.name === "flamegraph" ? { maxNodes: 4096 } : {}),
    });
  const heading = `${p.app} · ${p.type === profileTypeId ? p.type : `${p.type} (${profileTypeId})`}`;

  if (command.name === "diff") {
    const [before, after] = await Promise.all([select(command.before), select(command.after)]);
    if (before.total === 0 && after.total === 0)
      return noData(client, p, profileTypeId, span, server);
    const d = diffProfiles(before, after, {
      ...(p.all ? { allFrames: true } : { isOwn: ownPredicate(p) }),
      beforeMs: command.before.end - command.before.start,
      afterMs: command.after.end - command.after.start,
    });
    const beforeLabel = formatRange(command.before);
    const afterLabel = formatRange(command.after);
    let out = `${heading}\n${renderDiffTable(d, { unit, limit: p.limit, beforeLabel, afterLabel })}`;
    if (command.output) {
      await writeFile(
        command.output,
        renderDiffFlameHtml(before, after, {
          title: heading,
          subtitle: `${beforeLabel} → ${afterLabel}`,
        }),
      );
      out += `\nwrote ${command.output} (diff flame graph)`;
    }
    return { out, code: 0 };
  }

  const fg = await select(command.range);
  if (fg.total === 0) return noData(client, p, profileTypeId, command.range, server);
  const subtitle = formatRange(command.range);
  if (command.name === "top") {
    const rows = p.all ? topFunctions(fg, p.limit) : topOwnFunctions(fg, ownPredicate(p), p.limit);
    const kind = p.all ? "all frames" : p.own ? `own code ${p.own.join(", ")}` : "own code";
    const table = renderTopTable(rows, {
      total: fg.total,
      unit,
      title: `${heading} · ${subtitle} · ${kind}`,
    }).trimEnd();
    const hint =
      rows.length === 0
        ? `\nno frame counts as ${kind} in ${fg.names.length} functions; try --all`
        : "";
    return { out: `${table}${hint}`, code: 0 };
  }
  const opts = { unit, title: heading, subtitle };
  await writeFile(
    command.output,
    command.format === "svg" ? renderFlameSvg(fg, opts) : renderFlameHtml(fg, opts),
  );
  return { out: `wrote ${command.output} (${summary(fg)})`, code: 0 };
}

function summary(fg: FlameGraph): string {
  return `${fg.names.length} functions, ${fg.levels.length} levels deep`;
}

/** Own code: the `--own` prefixes, else every frame that is not JDK, agent or native. */
export function ownPredicate(p: QueryFlags): ((name: string) => boolean) | undefined {
  const own = p.own;
  return own ? (name) => own.some((prefix) => name.startsWith(prefix)) : undefined;
}

async function noData(
  client: PyroscopeClient,
  p: ProfileFlags,
  profileTypeId: string,
  range: Range,
  server: ServerChoice,
): Promise<Output> {
  const [apps, types] = await Promise.all([
    client.labelValues("service_name", range),
    client.profileTypes(range),
  ]);
  const lines = [
    `no ${profileTypeId} samples for ${appSelector(p.app)} in ${formatRange(range)} at ${server.url}${server.tenant ? ` (tenant ${server.tenant})` : ""}`,
    apps.length
      ? `applications with profiles in this range: ${apps.join(", ")}`
      : "no application has profiles in this range: widen --from/--to, or check the tenant",
  ];
  if (types.length) lines.push(`profile types in this range: ${types.map((t) => t.id).join(", ")}`);
  return { out: lines.join("\n"), code: 3 };
}
