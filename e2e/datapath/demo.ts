// The end of `make demo`: takes a pod the webhook injected in the local cluster, starts its JVM
// on this machine with exactly that pod's resolved environment (agent volume mapped to the
// cached jar, the policy's Pyroscope address mapped to a local Pyroscope API server), drives
// load past warm-up until the profile holds enough samples, and prints the top functions — the
// incident workflow of the primer, in a minute.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { V1Pod } from "@kubernetes/client-node";
import * as names from "../../core/names.ts";
import { kubectl } from "../harness/cluster.ts";
import { buildArtifacts } from "./artifacts.ts";
import { printTopFunctions } from "./demo-top.ts";
import { startJava } from "./java-process.ts";
import { containerEnv, mapMountPaths } from "./kubelet.ts";
import { startPyroscope } from "./pyroscope-server.ts";

const [namespace = "shop", selector = "app.kubernetes.io/name=checkout"] = process.argv.slice(2);

const pods = JSON.parse(
  await kubectl(["get", "pods", "-n", namespace, "-l", selector, "-o", "json"]),
) as { items: V1Pod[] };
const pod = pods.items.find((p) => p.metadata?.labels?.[names.LABEL_INJECTED] === "true");
if (!pod) throw new Error(`no injected pod matches ${selector} in ${namespace}`);
const container = pod.spec!.containers.find((c) =>
  c.env?.some((e) => e.name === names.JAVA_TOOL_OPTIONS && e.value?.includes(names.JAVAAGENT_FLAG)),
)!;

const artifacts = await buildArtifacts();
const server = await startPyroscope({});
const scratch = await mkdtemp(join(tmpdir(), "fleetscope-demo-"));
const env = mapMountPaths(containerEnv(pod, container), {
  [names.AGENT_DIR]: dirname(artifacts.agentJar),
  [names.TMP_DIR]: scratch,
});
// The in-cluster Service name does not resolve on this machine: point it at the local server,
// and upload every 2 s so the demo is quick (the JVM keeps the last -D of a name).
env.JAVA_TOOL_OPTIONS = `${(env.JAVA_TOOL_OPTIONS ?? "").replace(
  /-Dpyroscope\.server\.address=\S+/,
  `-Dpyroscope.server.address=${server.baseUrl}`,
)} -Dpyroscope.upload.interval=2s`;
const jvmStarted = Date.now();
const app = await startJava({ jar: artifacts.demoJar, env });
try {
  const appName = /-Dpyroscope\.application\.name=(\S+)/.exec(env.JAVA_TOOL_OPTIONS)?.[1];
  console.log(`    pod ${pod.metadata?.name} (node ${pod.spec?.nodeName}), application ${appName}`);
  console.log(`    JAVA_TOOL_OPTIONS=${env.JAVA_TOOL_OPTIONS}\n`);
  await printTopFunctions({
    pyroscopeUrl: server.baseUrl,
    appName: appName ?? "",
    appUrl: app.baseUrl,
    jvmStarted,
  });
} finally {
  await app.stop();
  await server.stop();
  await rm(scratch, { recursive: true, force: true });
}
