// `make demo` on the real node: the chart installed with the images built here, a Monolithic
// policy whose Pyroscope runs in a pod, the checkout service injected inside its own pod (init
// container, copied jar, JAVA_TOOL_OPTIONS, the agent's start line) and its top functions read
// from that Pyroscope pod. Removes what it installed at the end, so the operator never outlives
// the demo (as the local-process demo stops its operator); the cluster and node stay up.
import * as names from "../../core/names.ts";
import { printTopFunctions } from "../datapath/demo-top.ts";
import { eventually } from "../harness/cluster.ts";
import { agentJarSha256, exec, logs, realNode } from "./node.ts";
import { realNodeScenario } from "./scenario.ts";

const step = (s: string) => console.log(`\n\x1b[1m==> ${s}\x1b[0m`);
const say = (s: string) => console.log(`    ${s}`);

const scenario = realNodeScenario({
  release: "fleetscope",
  prefix: "fleetscope",
  testLabel: "demo",
  names: { pyroscopeNs: "pyroscope", storageClass: "fleetscope-demo", policy: "demo" },
});
const { release, operatorNs: opNs, pyroscopeNs: pyroNs } = scenario;

let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    step("Removing the demo's policy, operator and namespaces (the cluster and node stay up)");
    await scenario.cleanup();
  })();
  return cleaning;
}
process.once("SIGINT", () => void cleanup().finally(() => process.exit(130)));

try {
  const node = await realNode();
  step(`helm install ${release} -n ${opNs}: the chart with the images built here, on '${node}'`);
  const installed = await scenario.installOperator();
  if (installed.code !== 0) throw new Error(`helm install failed: ${installed.stderr}`);
  for (const p of await scenario.operatorPods()) {
    const c = p.status!.containerStatuses![0]!;
    say(`${p.metadata!.name}  Ready on ${p.spec!.nodeName}  ${p.status!.podIP}  ${c.image}`);
  }

  step(`A Monolithic policy: Pyroscope (the test server image) in a pod in '${pyroNs}'`);
  const pyroscope = await scenario.createPolicy();
  say(`${pyroscope.pod.metadata!.name}  Ready (readiness probe /ready)  ${pyroscope.url}`);
  say(`write URL for agents: ${pyroscope.status.pyroscope!.writeURL}`);

  const appNs = await scenario.appNamespace("shop", { optedIn: true });
  step(`The checkout service in '${appNs}' (opted in, Pod Security "restricted" enforced)`);
  await scenario.waitOptedIn(appNs);
  const pod = await scenario.startDemo(appNs, "checkout");
  const name = pod.metadata!.name!;
  say(`${name}  Ready on ${pod.spec!.nodeName}  ${pod.status!.podIP}`);
  for (const [k, v] of Object.entries(pod.metadata!.labels ?? {})) {
    if (k.startsWith("fleetscope.io/")) say(`  label ${k}=${v}`);
  }
  const init = pod.status!.initContainerStatuses!.find((s) => s.name === names.INIT_CONTAINER)!;
  const done = init.state!.terminated!;
  // Pods read through kubectl: timestamps are RFC 3339 strings, whole seconds.
  const ms = (t: unknown) => Date.parse(String(t));
  say(
    `init container ${init.name} (${init.image}): exit ${done.exitCode} after ${(ms(done.finishedAt) - ms(done.startedAt)) / 1000} s (whole-second timestamps)`,
  );
  const sha = (await exec(appNs, name, "checkout", ["sha256sum", names.AGENT_JAR])).split(/\s+/)[0];
  const want = await agentJarSha256();
  say(`${names.AGENT_JAR} in the running container: sha256 ${sha}`);
  say(
    `  ${sha === want ? "the agent release, byte for byte" : `DIFFERS from the release (${want})`}`,
  );
  const container = pod.spec!.containers.find((c) => c.name === "checkout")!;
  const javaOptions = container.env!.find((e) => e.name === names.JAVA_TOOL_OPTIONS)!.value!;
  say(`JAVA_TOOL_OPTIONS: ${javaOptions}`);
  const log = await eventually("the agent's start line", async () => {
    const l = await logs(appNs, name, "checkout");
    return l.includes("Profiling started") ? l : undefined;
  });
  say("container log (kubectl logs):");
  for (const line of log.split("\n")) {
    if (/Picked up JAVA_TOOL_OPTIONS|Profiling started/.test(line)) say(`  ${line}`);
  }

  step("Top functions of that pod's JVM, read from the Pyroscope pod");
  const appName = /-Dpyroscope\.application\.name=(\S+)/.exec(javaOptions)?.[1] ?? "";
  say(`load on http://${pod.status!.podIP}:8080, profiles of ${appName} from ${pyroscope.url}`);
  await printTopFunctions({
    pyroscopeUrl: pyroscope.url,
    appName,
    appUrl: `http://${pod.status!.podIP}:8080`,
    jvmStarted: ms(pod.status!.containerStatuses![0]!.state!.running!.startedAt),
  });
} finally {
  await cleanup();
}
