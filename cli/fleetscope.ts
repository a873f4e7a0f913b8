#!/usr/bin/env node
import { owningWorkload } from "../webhook/inject/app-name.ts";
// Entry point of the `fleetscope` CLI (also `kubectl fleetscope`): parse, fetch, print.
import { type Command, type Options, parseCommand, USAGE } from "./args.ts";
import { coverageDetail, coverageTable } from "./coverage.ts";
import { explainFullPod } from "./explain.ts";
import {
  connect,
  getNamespace,
  getPod,
  getPolicy,
  getRawPod,
  getTemplate,
  getWorkload,
  listPolicies,
  patchPolicy,
  patchWorkload,
} from "./kube.ts";
import { predictWorkload } from "./predict.ts";
import { runProfileCommand } from "./profile-run.ts";
import { chooseServer, type PolicyEndpoints } from "./profiles.ts";
import { runRevisionCommand } from "./revision-run.ts";
import { acknowledgePatch, haltedWorkload, pausePatch, rolloutStatusText } from "./rollout.ts";
import { statusTable } from "./status.ts";
import { explainPod, explainWorkload, formatExplanation } from "./why.ts";

const WORKLOAD_KINDS = ["Deployment", "StatefulSet", "DaemonSet"];

async function run(command: Command, options: Options): Promise<{ out: string; code: number }> {
  if (command.name === "help") return { out: USAGE, code: 0 };
  if (
    command.name === "top" ||
    command.name === "flamegraph" ||
    command.name === "diff" ||
    command.name === "diff-revisions" ||
    command.name === "regressions"
  ) {
    const flags = command.profile;
    let policy: PolicyEndpoints | undefined;
    if (flags.policy && !flags.server && !process.env.PYROSCOPE_URL) {
      const p = await getPolicy(connect(options.context), flags.policy);
      if (!p) return { out: `no ProfilingPolicy ${flags.policy}`, code: 2 };
      policy = {
        name: flags.policy,
        ...(p.status?.pyroscope?.readURL ? { readURL: p.status.pyroscope.readURL } : {}),
        ...(p.spec.pyroscope?.tenantID ? { tenantID: p.spec.pyroscope.tenantID } : {}),
      };
    }
    const server = chooseServer(flags, process.env, policy);
    if ("error" in server) return { out: server.error, code: 2 };
    if (command.name === "diff-revisions" || command.name === "regressions")
      return runRevisionCommand(command, server, connect(options.context));
    return runProfileCommand(command, server);
  }
  const client = connect(options.context);
  if (command.name === "status") return { out: statusTable(await listPolicies(client)), code: 0 };
  if (command.name === "explain") {
    const [namespace, policies] = await Promise.all([
      getNamespace(client, command.namespace),
      listPolicies(client),
    ]);
    const ctx = { namespace, policies, operatorNamespace: options.operatorNamespace };
    const what = `${command.kind.toLowerCase()} ${command.namespace}/${command.target}`;
    if (command.kind === "Pod") {
      const pod = await getRawPod(client, command.namespace, command.target);
      if (!pod) return { out: `no ${what}`, code: 2 };
      const e = explainFullPod(ctx, pod);
      return { out: formatExplanation(e), code: e.profiled ? 0 : 1 };
    }
    const found = await getWorkload(client, command.kind, command.namespace, command.target);
    if (!found) return { out: `no ${what}`, code: 2 };
    const e = explainWorkload(ctx, found.workload, found.pods);
    return { out: formatExplanation(e), code: e.profiled ? 0 : 1 };
  }
  if (command.name === "why") {
    const [namespace, policies] = await Promise.all([
      getNamespace(client, command.namespace),
      listPolicies(client),
    ]);
    const ctx = { namespace, policies, operatorNamespace: options.operatorNamespace };
    if (!command.kind || command.kind === "Pod") {
      const pod = await getPod(client, command.namespace, command.target);
      if (pod) {
        const owner = owningWorkload({
          metadata: {
            name: pod.name,
            labels: pod.labels ?? {},
            ownerReferences: pod.ownerReferences ?? [],
          },
        });
        const found = WORKLOAD_KINDS.includes(owner.kind)
          ? await getTemplate(client, owner.kind, command.namespace, owner.name)
          : undefined;
        const prediction = predictWorkload(
          ctx,
          { ...owner, namespace: command.namespace, ...(found?.uid ? { uid: found.uid } : {}) },
          found?.template,
        );
        const e = explainPod(ctx, pod, prediction);
        return { out: formatExplanation(e), code: e.profiled ? 0 : 1 };
      }
    }
    for (const kind of command.kind ? [command.kind] : WORKLOAD_KINDS) {
      if (kind === "Pod") continue;
      const found = await getWorkload(client, kind, command.namespace, command.target);
      if (found) {
        const prediction = predictWorkload(ctx, found.workload, found.workload.template);
        const e = explainWorkload(ctx, found.workload, found.pods, prediction);
        return { out: formatExplanation(e), code: e.profiled ? 0 : 1 };
      }
    }
    return { out: `no pod or workload ${command.namespace}/${command.target}`, code: 2 };
  }
  if (command.name === "coverage") {
    if (!command.policy) return { out: coverageTable(await listPolicies(client)), code: 0 };
    const policy = await getPolicy(client, command.policy);
    return policy
      ? { out: coverageDetail(policy), code: 0 }
      : { out: `no ProfilingPolicy ${command.policy}`, code: 2 };
  }
  const policy = await getPolicy(client, command.policy);
  if (!policy) return { out: `no ProfilingPolicy ${command.policy}`, code: 2 };
  if (command.action === "status") return { out: rolloutStatusText(policy), code: 0 };
  if (command.action === "pause") {
    await patchPolicy(client, command.policy, pausePatch(true));
    return { out: `rollout of ${command.policy} paused; restarts in flight finish`, code: 0 };
  }
  await patchPolicy(client, command.policy, pausePatch(false));
  const halted = haltedWorkload(policy);
  if (halted)
    await patchWorkload(client, halted.kind, halted.namespace, halted.name, acknowledgePatch);
  return {
    out: `rollout of ${command.policy} resumed${halted ? `; the failure of ${halted.kind}/${halted.namespace}/${halted.name} is acknowledged and it is not restarted again` : ""}`,
    code: 0,
  };
}

const parsed = parseCommand(process.argv.slice(2), process.env);
if ("error" in parsed) {
  process.stderr.write(`fleetscope: ${parsed.error}\n\n${USAGE}\n`);
  process.exitCode = 2;
} else {
  run(parsed.command, parsed.options).then(
    ({ out, code }) => {
      process.stdout.write(`${out}\n`);
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`fleetscope: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
