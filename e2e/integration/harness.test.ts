// Proves the local control plane is a real one: the API server stores namespaces and CRDs,
// kube-scheduler binds pods to kwok nodes, and kwok drives them to Running.
import * as k8s from "@kubernetes/client-node";
import { expect } from "chai";
import { eventually, kubeConfig, kubectl, uniqueName } from "../harness/cluster.ts";

describe("local control plane", () => {
  const kc = kubeConfig();
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);
  const ns = uniqueName("harness");
  const crdName = "probes.harness.fleetscope.io";

  after(async () => {
    await core.deleteNamespace({ name: ns }).catch(() => undefined);
    await ext.deleteCustomResourceDefinition({ name: crdName }).catch(() => undefined);
  });

  it("serves a real kube-apiserver", async () => {
    const version = await kc.makeApiClient(k8s.VersionApi).getCode();
    expect(version.gitVersion).to.match(/^v1\.3[45]\./);
  });

  it("authorizes with RBAC: a bare ServiceAccount may not read Secrets", async () => {
    const answer = await kubectl([
      "auth",
      "can-i",
      "list",
      "secrets",
      "--as=system:serviceaccount:default:default",
    ]).catch((e: Error) => e.message);
    expect(answer).to.match(/\bno\b/);
  });

  it("runs Pod Security admission: a restricted namespace refuses a privileged pod", async () => {
    const restricted = `${ns}-restricted`;
    await core.createNamespace({
      body: {
        metadata: {
          name: restricted,
          labels: { "pod-security.kubernetes.io/enforce": "restricted" },
        },
      },
    });
    try {
      const refusal = await core
        .createNamespacedPod({
          namespace: restricted,
          body: {
            metadata: { name: "privileged" },
            spec: {
              containers: [{ name: "c", image: "x", securityContext: { privileged: true } }],
            },
          },
        })
        .then(
          () => "admitted",
          (e: { body?: string }) => JSON.parse(e.body ?? "{}").message as string,
        );
      expect(refusal).to.match(/violates PodSecurity "restricted/);
    } finally {
      await core.deleteNamespace({ name: restricted });
    }
  });

  it("creates a namespace and a CRD, then stores a custom object", async () => {
    await core.createNamespace({ body: { metadata: { name: ns } } });
    await ext.createCustomResourceDefinition({
      body: {
        metadata: { name: crdName },
        spec: {
          group: "harness.fleetscope.io",
          names: { kind: "Probe", plural: "probes", singular: "probe" },
          scope: "Namespaced",
          versions: [
            {
              name: "v1",
              served: true,
              storage: true,
              schema: {
                openAPIV3Schema: {
                  type: "object",
                  properties: {
                    spec: { type: "object", properties: { note: { type: "string" } } },
                  },
                },
              },
            },
          ],
        },
      },
    });
    await eventually("the CRD to be established", async () => {
      const crd = await ext.readCustomResourceDefinition({ name: crdName });
      const established = crd.status?.conditions?.find((c) => c.type === "Established");
      return established?.status === "True" ? true : undefined;
    });
    const created = await eventually("the custom object to be stored", () =>
      custom.createNamespacedCustomObject({
        group: "harness.fleetscope.io",
        version: "v1",
        namespace: ns,
        plural: "probes",
        body: {
          apiVersion: "harness.fleetscope.io/v1",
          kind: "Probe",
          metadata: { name: "p" },
          spec: { note: "stored" },
        },
      }),
    );
    expect(created.spec.note).to.equal("stored");
  });

  it("schedules a pod on a kwok node and drives it to Running", async () => {
    // The ServiceAccount admission plugin refuses pods until the namespace's default
    // ServiceAccount exists, which kube-controller-manager creates shortly after the namespace.
    await eventually("the pod to be admitted", () =>
      core.createNamespacedPod({
        namespace: ns,
        body: {
          metadata: { name: "sleeper" },
          spec: { containers: [{ name: "main", image: "registry.invalid/sleeper:1" }] },
        },
      }),
    );
    const pod = await eventually("the pod to be Running", async () => {
      const p = await core.readNamespacedPod({ namespace: ns, name: "sleeper" });
      return p.status?.phase === "Running" ? p : undefined;
    });
    const node = await core.readNode({ name: pod.spec!.nodeName! });
    expect(node.metadata?.annotations?.["kwok.x-k8s.io/node"]).to.equal("fake");
    expect(pod.status?.conditions?.find((c) => c.type === "Ready")?.status).to.equal("True");
  });
});
