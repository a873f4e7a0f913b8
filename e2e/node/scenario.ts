// One Fleetscope install on the real node, as the e2e test, the demo and the start-up benchmark
// set it up: the chart in its namespace, a Monolithic policy with its Pyroscope pod, app
// namespaces pinned to the node, the demo workload, and removing all of it afterwards.
import { rm } from "node:fs/promises";
import type { V1Pod } from "@kubernetes/client-node";
import { type HelmResult, helm } from "../chart/helm.ts";
import { eventually, kubeconfigPath, kubectl, uniqueName } from "../harness/cluster.ts";
import { admin, deletePolicy, injectionLabel } from "../harness/scenarios.ts";
import {
  createNamespace,
  createPolicyWithPyroscope,
  installOperator,
  type Pyroscope,
  scratchDir,
} from "./install.ts";
import { images, readyPods } from "./node.ts";
import { demoDeployment } from "./workloads.ts";

type BaseNames = Record<"operatorNs" | "pyroscopeNs" | "storageClass" | "policy", string>;

export interface ScenarioOptions {
  /** The helm release; its pods carry app.kubernetes.io/instance=<release>. */
  release: string;
  /** Names default to <prefix>-system, <prefix>-pyroscope, <prefix>-data and policy <prefix>. */
  prefix: string;
  /** The fleetscope.io/test value of the namespaces the policy selects. */
  testLabel: string;
  /** Base names in place of the prefix's (the demo shows its names to the reader). */
  names?: Partial<BaseNames>;
}

/** Every name is made unique per run, so runs never meet each other's leftovers. */
export function realNodeScenario(opts: ScenarioOptions) {
  const base: BaseNames = {
    operatorNs: `${opts.prefix}-system`,
    pyroscopeNs: `${opts.prefix}-pyroscope`,
    storageClass: `${opts.prefix}-data`,
    policy: opts.prefix,
    ...opts.names,
  };
  const { release } = opts;
  const operatorNs = uniqueName(base.operatorNs);
  const pyroscopeNs = uniqueName(base.pyroscopeNs);
  const storageClass = uniqueName(base.storageClass);
  const policy = uniqueName(base.policy);
  const testLabel = uniqueName(opts.testLabel);
  const operatorSelector = `app.kubernetes.io/instance=${release}`;
  const namespaces: string[] = [];
  let scratch: Promise<string> | undefined;
  let installAttempted = false;
  let pyroscope: Pyroscope | undefined;
  let cleaning: Promise<void> | undefined;

  /** The scratch folder holds the values file and the Pyroscope volume's data. */
  const scratchFolder = () => {
    scratch ??= scratchDir();
    return scratch;
  };
  const hostAliases = () => {
    if (!pyroscope) throw new Error("the demo workload needs the policy's Pyroscope first");
    return pyroscope.hostAliases;
  };
  /** The demo Deployment, reaching the policy's Pyroscope by its write URL. */
  const deployment = (name: string) => demoDeployment(name, images.demo, hostAliases());

  return {
    release,
    operatorNs,
    pyroscopeNs,
    storageClass,
    policy,
    testLabel,
    operatorSelector,

    /** The operator namespace under Pod Security "restricted", and the chart installed there. */
    async installOperator(): Promise<HelmResult> {
      namespaces.push(operatorNs);
      await createNamespace(operatorNs, { restricted: true });
      installAttempted = true;
      return installOperator(release, operatorNs, await scratchFolder());
    },

    /** Waits until both operator replicas are Ready. */
    operatorPods: (): Promise<V1Pod[]> => readyPods(operatorNs, operatorSelector, 2),

    /** The Pyroscope namespace pinned to the node, and the policy; resolves once PyroscopeReady. */
    async createPolicy(): Promise<Pyroscope> {
      namespaces.push(pyroscopeNs);
      await createNamespace(pyroscopeNs, { pinned: true });
      pyroscope = await createPolicyWithPyroscope({
        policy,
        testLabel,
        pyroNs: pyroscopeNs,
        storageClass,
        dataDir: await scratchFolder(),
      });
      return pyroscope;
    },

    /** A workload namespace under "restricted", pinned to the node; selected when `optedIn`. */
    async appNamespace(name: string, { optedIn }: { optedIn: boolean }): Promise<string> {
      const ns = uniqueName(name);
      namespaces.push(ns);
      await createNamespace(ns, {
        restricted: true,
        pinned: true,
        ...(optedIn ? { testLabel } : {}),
      });
      return ns;
    },

    /** Waits until the operator has labelled the namespace for injection. */
    async waitOptedIn(namespace: string): Promise<void> {
      await eventually(`${namespace} opted in`, async () =>
        (await injectionLabel(namespace)) === "enabled" ? true : undefined,
      );
    },

    /** A bare pod of the demo Deployment's template, labelled app.kubernetes.io/name=<app>. */
    demoPod(name: string, app = name) {
      const { template } = deployment(app).spec;
      return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, labels: template.metadata.labels },
        spec: template.spec,
      };
    },

    /** Creates the demo Deployment `name` in `namespace` and returns its pod once Ready. */
    async startDemo(namespace: string, name: string): Promise<V1Pod> {
      await admin().apps.createNamespacedDeployment({ namespace, body: deployment(name) });
      const [pod] = await readyPods(namespace, `app.kubernetes.io/name=${name}`, 1);
      return pod!;
    },

    /** Removes the policy, the release, the namespaces, the volume and the scratch folder. */
    cleanup(): Promise<void> {
      cleaning ??= (async () => {
        await deletePolicy(policy);
        if (installAttempted) {
          await helm([
            "uninstall",
            release,
            "-n",
            operatorNs,
            "--wait",
            "--kubeconfig",
            kubeconfigPath(),
          ]);
        }
        if (namespaces.length > 0) {
          await kubectl([
            "delete",
            "namespace",
            ...namespaces,
            "--ignore-not-found",
            "--wait=false",
          ]).catch(() => {});
        }
        await kubectl(["delete", "pv", storageClass, "--ignore-not-found"]).catch(() => {});
        if (scratch) await rm(await scratch, { recursive: true, force: true });
      })();
      return cleaning;
    },
  };
}
