// SYS_PTRACE against the Pod Security level a namespace really enforces. A second local API
// server enforces `baseline` by default (AdmissionConfiguration): in a namespace without any
// enforce label, Java pods are admitted and injected without SYS_PTRACE, reported exactly as in
// a namespace labelled baseline. On the usual cluster (default privileged) an unlabelled
// namespace still gets the capability.
import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import {
  eventually,
  kubeConfig,
  kubeconfigPath,
  kubectl,
  kubectlOutput,
  uniqueName,
} from "../harness/cluster.ts";
import { type LocalCluster, startLocalCluster } from "../harness/local-cluster.ts";
import { installCRDs, startTestOperator, type TestOperator } from "../harness/operator.ts";
import { condition, INJECTION_LABEL, type PolicyStatus, policyApi } from "../harness/scenarios.ts";

const ENFORCE = "pod-security.kubernetes.io/enforce";
const OPT_IN = { "fleetscope.io/profiling": "enabled" };
const FALLBACK = "fleetscope.io/profiler-event-fallback";

const javaPod = (name: string, namespace: string) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace, labels: { "app.kubernetes.io/name": "checkout" } },
  spec: {
    containers: [
      {
        name: "app",
        image: "eclipse-temurin:21-jre",
        env: [{ name: "JAVA_TOOL_OPTIONS", value: "-Xmx256m" }],
      },
    ],
  },
});

/** A policy profiling `cpu` with perf events: SYS_PTRACE is wanted (sysPtrace Auto). */
const cpuPolicy = (name: string) => ({
  apiVersion: "fleetscope.io/v1alpha1",
  kind: "ProfilingPolicy",
  metadata: { name },
  spec: {
    pyroscope: { mode: "External", external: { url: "http://127.0.0.1:4040" } },
    agent: { profiles: { cpu: { event: "cpu" } } },
  },
});

interface Created {
  pod: k8s.V1Pod;
  warnings: string;
}

/** Creates a pod with kubectl, keeping the admission warnings it prints. */
async function createPod(kubeconfig: string, name: string, namespace: string): Promise<Created> {
  // The ServiceAccount admission plugin refuses pods until the default ServiceAccount exists.
  const { stdout, stderr } = await eventually(
    `pod ${namespace}/${name}`,
    () =>
      kubectlOutput(
        ["create", "-o", "json", "-f", "-"],
        JSON.stringify(javaPod(name, namespace)),
        kubeconfig,
      ),
    30_000,
  );
  return { pod: JSON.parse(stdout) as k8s.V1Pod, warnings: stderr };
}

const capabilities = (pod: k8s.V1Pod) =>
  pod.spec?.containers[0]?.securityContext?.capabilities?.add ?? [];
const jvmOptions = (pod: k8s.V1Pod) =>
  pod.spec?.containers[0]?.env?.find((e) => e.name === "JAVA_TOOL_OPTIONS")?.value ?? "";

/** Starts an operator with a cpu policy and namespaces, and waits until it probed them. */
async function setUp(
  kubeconfig: string,
  id: string,
  namespaces: Record<string, Record<string, string>>,
): Promise<TestOperator> {
  const kc = kubeConfig(kubeconfig);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  await installCRDs(kubeconfig);
  const op = await startTestOperator(
    {
      FLEETSCOPE_NAMESPACE: `${id}-system`,
      FLEETSCOPE_WEBHOOK_CONFIG: id,
      FLEETSCOPE_CLUSTER_NAME: "local",
    },
    { kubeconfigPath: kubeconfig },
  );
  for (const [name, labels] of Object.entries(namespaces)) {
    await core.createNamespace({ body: { metadata: { name, labels: { ...OPT_IN, ...labels } } } });
  }
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);
  const policyName = `${id}-policy`;
  await custom.createClusterCustomObject({ ...policyApi, body: cpuPolicy(policyName) });
  // Ready once its webhook configuration is registered.
  await eventually(
    "the policy to be Ready",
    async () => {
      const p = (await custom.getClusterCustomObject({ ...policyApi, name: policyName })) as {
        status?: PolicyStatus;
      };
      return condition(p.status, "Ready") === "True" ? true : undefined;
    },
    120_000,
  );
  await eventually(
    "the namespaces labelled for injection and their Pod Security level probed",
    async () => {
      for (const [name, labels] of Object.entries(namespaces)) {
        const ns = await core.readNamespace({ name });
        if (ns.metadata?.labels?.[INJECTION_LABEL] !== "enabled") return undefined;
        if (op.operator.podSecurity.lookup(name, labels)?.kind !== "known") return undefined;
      }
      return true;
    },
    90_000,
  );
  return op;
}

async function tearDown(
  kubeconfig: string,
  id: string,
  op: TestOperator | undefined,
  namespaces: string[],
): Promise<void> {
  await op?.operator.stop();
  const run = (args: string[]) => kubectl(args, undefined, kubeconfig).catch(() => "");
  await run(["delete", "profilingpolicy", `${id}-policy`, "--ignore-not-found", "--wait=false"]);
  await run(["delete", "mutatingwebhookconfiguration", id, "--ignore-not-found"]);
  for (const ns of [...namespaces, `${id}-system`]) {
    await run(["delete", "namespace", ns, "--ignore-not-found", "--wait=false"]);
  }
}

describe("Pod Security defaults", function () {
  this.timeout(300_000);

  describe("a cluster enforcing baseline by default", () => {
    const id = uniqueName("pss");
    const plain = `${id}-plain`;
    const labelled = `${id}-labelled`;
    let cluster: LocalCluster | undefined;
    let op: TestOperator | undefined;

    before(async () => {
      cluster = await startLocalCluster({ suffix: "pss-baseline", podSecurityDefault: "baseline" });
      op = await setUp(cluster.kubeconfig, id, {
        [plain]: {},
        [labelled]: { [ENFORCE]: "baseline" },
      });
    });

    after(async () => {
      if (cluster) await tearDown(cluster.kubeconfig, id, op, [plain, labelled]);
      await cluster?.stop();
    });

    it("refuses a pod with SYS_PTRACE in a namespace without an enforce label", async () => {
      // Opted out, so the webhook leaves it as it is: Pod Security alone answers.
      const pod = javaPod("with-ptrace", plain);
      const body = {
        ...pod,
        metadata: { ...pod.metadata, labels: { "fleetscope.io/inject": "false" } },
        spec: {
          containers: [
            {
              ...pod.spec.containers[0],
              securityContext: { capabilities: { add: ["SYS_PTRACE"] } },
            },
          ],
        },
      };
      const err = await kubectl(
        ["create", "--dry-run=server", "-f", "-"],
        JSON.stringify(body),
        cluster!.kubeconfig,
      ).then(
        () => "",
        (e: Error) => e.message,
      );
      expect(err).to.match(/violates PodSecurity "baseline/);
      expect(op!.operator.podSecurity.lookup(plain, {})).to.deep.equal({
        kind: "known",
        level: "baseline",
      });
    });

    it("admits and injects a Java pod there without SYS_PTRACE, reported as for a labelled namespace", async () => {
      const byDefault = await createPod(cluster!.kubeconfig, "checkout", plain);
      const byLabel = await createPod(cluster!.kubeconfig, "checkout", labelled);
      for (const { pod } of [byDefault, byLabel]) {
        expect(pod.metadata?.labels?.["fleetscope.io/injected"]).to.equal("true");
        expect(capabilities(pod)).to.not.include("SYS_PTRACE");
        expect(jvmOptions(pod)).to.match(/^-Xmx256m -javaagent:/);
        expect(jvmOptions(pod)).to.include("-Dpyroscope.profiler.event=itimer");
      }
      const said = (ns: string) =>
        `namespace ${ns} enforces Pod Security level baseline, which forbids SYS_PTRACE`;
      expect(byDefault.pod.metadata?.annotations?.[FALLBACK]).to.equal(
        `profiler event cpu replaced by itimer: ${said(plain)}`,
      );
      expect(byDefault.warnings).to.include(`SYS_PTRACE not added: ${said(plain)}`);
      // The same labels, annotations and warnings as in the labelled namespace, but its name.
      const same = (c: Created, ns: string) =>
        JSON.stringify({
          labels: c.pod.metadata?.labels,
          annotations: c.pod.metadata?.annotations,
          warnings: c.warnings.split("\n").filter((l) => l.startsWith("Warning:")),
        }).replaceAll(ns, "NS");
      expect(same(byDefault, plain)).to.equal(same(byLabel, labelled));
      const events = await eventually("the ProfilerEventFallback Event", async () => {
        const list = await cluster!.kc
          .makeApiClient(k8s.EventsV1Api)
          .listNamespacedEvent({ namespace: plain });
        const found = list.items.filter(
          (e) => e.reason === "ProfilerEventFallback" && e.regarding?.name === "checkout",
        );
        return found.length > 0 ? found : undefined;
      });
      expect(events[0]?.note).to.equal(`profiler event cpu replaced by itimer: ${said(plain)}`);
    });
  });

  describe("the usual cluster, privileged by default", () => {
    const id = uniqueName("pss");
    const plain = `${id}-plain`;
    let op: TestOperator | undefined;

    before(async () => {
      op = await setUp(kubeconfigPath(), id, { [plain]: {} });
    });

    after(() => tearDown(kubeconfigPath(), id, op, [plain]));

    it("probes an unlabelled namespace as privileged and adds SYS_PTRACE there", async () => {
      expect(op!.operator.podSecurity.lookup(plain, {})).to.deep.equal({
        kind: "known",
        level: "privileged",
      });
      const { pod, warnings } = await createPod(kubeconfigPath(), "checkout", plain);
      expect(pod.metadata?.labels?.["fleetscope.io/injected"]).to.equal("true");
      expect(capabilities(pod)).to.deep.equal(["SYS_PTRACE"]);
      expect(jvmOptions(pod)).to.include("-Dpyroscope.profiler.event=cpu");
      expect(pod.metadata?.annotations?.[FALLBACK]).to.equal(undefined);
      expect(warnings).to.not.include("SYS_PTRACE not added");
    });
  });
});
