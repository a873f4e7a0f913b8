// Setting Fleetscope up on the real node as a platform team would: the chart from a values file
// for the local node, a Monolithic policy whose Pyroscope pod runs the test server image on a
// hostPath PersistentVolume, and namespaces pinned to the node. The steps scenario.ts puts
// together for e2e/node, the demo and the start-up benchmark.
import { chmod, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { V1HostAlias, V1Pod } from "@kubernetes/client-node";
import { stringify } from "yaml";
import { chartDir, type HelmResult, helm } from "../chart/helm.ts";
import { kubeconfigPath, kubectl } from "../harness/cluster.ts";
import {
  condition,
  createPolicy,
  createStaticVolume,
  monolithicPolicy,
  type PolicyStatus,
  waitForPolicy,
} from "../harness/scenarios.ts";
import {
  AGENT_VERSION,
  images,
  pinNamespaceToRealNode,
  REAL_NODE_LABEL,
  readyPods,
  toleration,
} from "./node.ts";

/** A scratch directory the Pyroscope pod's uid can write (fsGroup does not apply to hostPath). */
export async function scratchDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "fleetscope-node-"));
  await chmod(dir, 0o777);
  return dir;
}

/**
 * Namespaces on the real node. `restricted` enforces Pod Security "restricted"; `testLabel`
 * sets fleetscope.io/test for a policy's selector; `pinned` puts every pod on the real node.
 */
export async function createNamespace(
  name: string,
  opts: { restricted?: boolean; testLabel?: string; pinned?: boolean },
): Promise<void> {
  await kubectl(["create", "namespace", name]);
  const labels = [
    ...(opts.restricted
      ? [
          "pod-security.kubernetes.io/enforce=restricted",
          "pod-security.kubernetes.io/warn=restricted",
        ]
      : []),
    ...(opts.testLabel ? [`fleetscope.io/test=${opts.testLabel}`] : []),
  ];
  if (labels.length > 0) await kubectl(["label", "namespace", name, ...labels]);
  if (opts.pinned) await pinNamespaceToRealNode(name);
}

/**
 * helm install with the local images on the real node. No kube-proxy runs there, so a pod
 * cannot use the `kubernetes` Service's ClusterIP: the operator gets the endpoint kube-proxy
 * would forward it to.
 */
export async function installOperator(
  release: string,
  namespace: string,
  scratch: string,
): Promise<HelmResult> {
  const ep = JSON.parse(
    await kubectl([
      "get",
      "endpointslices",
      "-n",
      "default",
      "-l",
      "kubernetes.io/service-name=kubernetes",
      "-o",
      "json",
    ]),
  ) as { items: { endpoints: { addresses: string[] }[]; ports: { port: number }[] }[] };
  const slice = ep.items[0]!;
  const values = {
    image: { ...images.operator, pullPolicy: "Never" },
    nodeSelector: { [REAL_NODE_LABEL]: "true" },
    tolerations: [toleration],
    operator: {
      extraEnv: [
        { name: "KUBERNETES_SERVICE_HOST", value: slice.endpoints[0]!.addresses[0]! },
        { name: "KUBERNETES_SERVICE_PORT", value: String(slice.ports[0]!.port) },
      ],
    },
  };
  const valuesFile = join(scratch, "values-real-node.yaml");
  await writeFile(valuesFile, stringify(values));
  return helm([
    "install",
    release,
    chartDir,
    "-n",
    namespace,
    "-f",
    valuesFile,
    "--wait",
    "--timeout",
    "5m",
    "--kubeconfig",
    kubeconfigPath(),
  ]);
}

export interface Pyroscope {
  status: PolicyStatus;
  pod: V1Pod;
  /** The Pyroscope pod's HTTP API at its pod IP, reachable from this machine. */
  url: string;
  /** No cluster DNS on the node: the policy's write URL host resolves through /etc/hosts. */
  hostAliases: V1HostAlias[];
}

/**
 * A Monolithic policy selecting namespaces labelled fleetscope.io/test=`testLabel`, its
 * Pyroscope in `pyroNs` (pinned to the node) on a hostPath volume at `dataDir`, agents from
 * the local agent-init image; resolves once PyroscopeReady.
 */
export async function createPolicyWithPyroscope(opts: {
  policy: string;
  testLabel: string;
  pyroNs: string;
  storageClass: string;
  dataDir: string;
}): Promise<Pyroscope> {
  const { policy, testLabel, pyroNs, storageClass, dataDir } = opts;
  await createStaticVolume(storageClass, { dataDir });
  const body = monolithicPolicy(policy, {
    selector: testLabel,
    pyroscopeNamespace: pyroNs,
    storageClass,
  });
  Object.assign(body.spec, {
    pyroscope: { ...body.spec.pyroscope, image: images.pyroscope },
    agent: { image: images.agentInit, version: AGENT_VERSION, uploadInterval: "5s" },
  });
  await createPolicy(body);
  const status = await waitForPolicy(
    policy,
    "PyroscopeReady",
    (s) => condition(s, "PyroscopeReady") === "True" && s.pyroscope?.writeURL !== undefined,
    300_000,
  );
  // The policy's Pyroscope is the only workload in its namespace.
  const [pod] = await readyPods(pyroNs, "app.kubernetes.io/name", 1);
  const ip = pod!.status!.podIP!;
  return {
    status,
    pod: pod!,
    url: `http://${ip}:4040`,
    hostAliases: [{ ip, hostnames: [new URL(status.pyroscope!.writeURL!).hostname] }],
  };
}
