// Property: the prediction from a workload's pod template is what the webhook decides for a pod
// the API server creates from it — generated name, controller owner reference and hash labels,
// the ServiceAccount's token volume and the defaults it adds.
import type { V1Container, V1Pod, V1PodTemplateSpec } from "@kubernetes/client-node";
import { expect } from "chai";
import fc from "fast-check";
import { withDefaults } from "../../core/api/v1alpha1/defaults.ts";
import type { ProfilingPolicy, ProfilingPolicySpecInput } from "../../core/api/v1alpha1/types.ts";
import type { NamespaceLike } from "../../core/match/policies.ts";
import { PROPERTY_TIMEOUT_MS, propertyParams } from "../../core/property-params.ts";
import { createAdmit } from "../../webhook/admit.ts";
import type { ProbedLevel } from "../../webhook/inject/settings.ts";
import { settingsFromPolicy } from "../../webhook/policy-settings.ts";
import { createRequest, predictionOf, predictTemplate, type TemplateKind } from "./predict.ts";

const cm = { valueFrom: { configMapKeyRef: { name: "jvm", key: "opts" } } };

const containerArb = (name: string): fc.Arbitrary<V1Container> =>
  fc.record(
    {
      name: fc.constant(name),
      image: fc.constantFrom("eclipse-temurin:21-jre", "openjdk:8-jre", "nginx:1.27", "acme/app:1"),
      command: fc.constantFrom(undefined, ["java", "-jar", "app.jar"], ["./run.sh"]),
      env: fc.array(
        fc.oneof(
          fc.record({
            name: fc.constantFrom("A", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "FLEETSCOPE_X"),
            value: fc.constantFrom("", "-Xmx1g", "-javaagent:/fleetscope/agent/pyroscope.jar"),
          }),
          fc.record({
            name: fc.constantFrom("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS"),
            valueFrom: fc.constant(cm.valueFrom),
          }),
        ),
        { maxLength: 3 },
      ),
      envFrom: fc.array(
        fc.record(
          { prefix: fc.constantFrom(undefined, "APP_"), configMapRef: fc.constant({ name: "e" }) },
          { requiredKeys: ["configMapRef"] },
        ),
        { maxLength: 1 },
      ),
      volumeMounts: fc.constantFrom(
        [],
        [{ name: "data", mountPath: "/data" }],
        [{ name: "x", mountPath: "/fleetscope/agent" }],
      ),
    },
    { requiredKeys: ["name", "image"] },
  );

const templateArb: fc.Arbitrary<V1PodTemplateSpec> = fc
  .record({
    names: fc.uniqueArray(fc.constantFrom("app", "web", "worker", "istio-proxy"), {
      minLength: 1,
      maxLength: 3,
    }),
    labels: fc.record(
      {
        app: fc.constant("shop"),
        tier: fc.constantFrom("backend", "frontend"),
        "fleetscope.io/inject": fc.constantFrom("false", "true"),
      },
      { requiredKeys: ["app"] },
    ),
    annotations: fc.constantFrom<Record<string, string> | undefined>(
      undefined,
      { "fleetscope.io/envfrom-sets-java-options": "false" },
      { "fleetscope.io/application-name": "{workload}" },
    ),
    windows: fc.boolean(),
    volumes: fc.constantFrom([], ["data"], ["fleetscope-agent"], ["fleetscope-tmp", "data"]),
  })
  .chain((t) =>
    fc.tuple(...t.names.map(containerArb)).map(
      (containers): V1PodTemplateSpec => ({
        metadata: { labels: t.labels, ...(t.annotations ? { annotations: t.annotations } : {}) },
        spec: {
          containers,
          ...(t.windows ? { os: { name: "windows" } } : {}),
          ...(t.volumes.length
            ? { volumes: t.volumes.map((name) => ({ name, emptyDir: {} })) }
            : {}),
        },
      }),
    ),
  );

const specArb: fc.Arbitrary<ProfilingPolicySpecInput> = fc.record(
  {
    dryRun: fc.boolean(),
    selector: fc.record(
      {
        podSelector: fc.constantFrom({ matchLabels: { tier: "backend" } }, {}),
        containers: fc.constantFrom(
          { detect: "Java" as const },
          { detect: "All" as const },
          { detect: "Names" as const, names: ["worker"] },
        ),
      },
      { requiredKeys: [] },
    ),
    profiles: fc.record({ cpu: fc.record({ event: fc.constantFrom("cpu", "itimer") }) }),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<ProfilingPolicySpecInput>;

const nsLabelsArb = fc.record(
  {
    "fleetscope.io/profiling": fc.constant("enabled"),
    "pod-security.kubernetes.io/enforce": fc.constantFrom("privileged", "baseline", "restricted"),
  },
  { requiredKeys: ["fleetscope.io/profiling"] },
);

const hashArb = fc.stringMatching(/^[a-z0-9]{8,10}$/);

/** The pod the workload's controller and the API server make, as the webhook receives it. */
function createdPod(
  kind: TemplateKind,
  name: string,
  template: V1PodTemplateSpec,
  hash: string,
  ordinal: number,
): V1Pod {
  const tokenVolume = `kube-api-access-${hash.slice(0, 5)}`;
  const mount = {
    name: tokenVolume,
    mountPath: "/var/run/secrets/kubernetes.io/serviceaccount",
    readOnly: true,
  };
  const withDefaults = (c: V1Container): V1Container => ({
    imagePullPolicy: "IfNotPresent",
    terminationMessagePath: "/dev/termination-log",
    terminationMessagePolicy: "File",
    resources: {},
    ...c,
    volumeMounts: [...(c.volumeMounts ?? []), mount],
  });
  const spec = template.spec!;
  const owner = {
    apiVersion: "apps/v1",
    uid: `uid-${hash}`,
    controller: true,
    blockOwnerDeletion: true,
  };
  const labels = { ...template.metadata?.labels };
  let naming: { name?: string; generateName?: string };
  let ownerRef: typeof owner & { kind: string; name: string };
  if (kind === "Deployment") {
    labels["pod-template-hash"] = hash;
    ownerRef = { ...owner, kind: "ReplicaSet", name: `${name}-${hash}` };
    naming = { generateName: `${name}-${hash}-` };
  } else if (kind === "StatefulSet") {
    labels["controller-revision-hash"] = `${name}-${hash}`;
    labels["statefulset.kubernetes.io/pod-name"] = `${name}-${ordinal}`;
    labels["apps.kubernetes.io/pod-index"] = String(ordinal);
    ownerRef = { ...owner, kind: "StatefulSet", name };
    naming = { name: `${name}-${ordinal}` };
  } else {
    labels["controller-revision-hash"] = hash;
    labels["pod-template-generation"] = "1";
    ownerRef = { ...owner, kind: "DaemonSet", name };
    naming = { generateName: `${name}-` };
  }
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      ...naming,
      namespace: "shop",
      labels,
      ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
      ownerReferences: [ownerRef],
    },
    spec: {
      ...spec,
      containers: spec.containers.map(withDefaults),
      volumes: [
        ...(spec.volumes ?? []),
        { name: tokenVolume, projected: { sources: [{ serviceAccountToken: { path: "token" } }] } },
      ],
      serviceAccountName: "default",
      restartPolicy: "Always",
      dnsPolicy: "ClusterFirst",
      schedulerName: "default-scheduler",
      terminationGracePeriodSeconds: 30,
      enableServiceLinks: true,
      securityContext: {},
      ...(kind === "DaemonSet"
        ? {
            tolerations: [
              { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" },
            ],
          }
        : {}),
    },
  };
}

describe("predictTemplate (property)", () => {
  it("predicts what the webhook does to a pod created from the template", function () {
    this.timeout(PROPERTY_TIMEOUT_MS);
    const outcomes = new Map<string, number>();
    const params =
      propertyParams<
        [
          V1PodTemplateSpec,
          ProfilingPolicySpecInput,
          Record<string, string>,
          TemplateKind,
          string,
          number,
          ProbedLevel | undefined,
        ]
      >(300);
    fc.assert(
      fc.property(
        templateArb,
        specArb,
        nsLabelsArb,
        fc.constantFrom<TemplateKind>("Deployment", "StatefulSet", "DaemonSet"),
        hashArb,
        fc.nat(20),
        fc.constantFrom<ProbedLevel | undefined>(
          undefined,
          { kind: "known", level: "privileged" },
          { kind: "known", level: "restricted" },
          { kind: "unknown", why: "probe failed" },
        ),
        (template, spec, nsLabels, kind, hash, ordinal, probed) => {
          const policy = {
            apiVersion: "fleetscope.io/v1alpha1",
            kind: "ProfilingPolicy",
            metadata: { name: "fleet", uid: "p", generation: 1 },
            spec: withDefaults(spec),
          } as ProfilingPolicy;
          const ns: NamespaceLike = { metadata: { name: "shop", labels: nsLabels } };
          const deps = {
            policies: () => [policy],
            namespace: (n: string) => (n === "shop" ? ns : undefined),
            operatorNamespace: "fleetscope",
            settingsFor: (p: ProfilingPolicy) =>
              settingsFromPolicy(p, { clusterName: "c", serverAddress: "http://pyroscope:4040" }),
          };
          // The webhook knows the namespace's probed Pod Security level; the prediction does not.
          const admit = createAdmit({ ...deps, probedLevel: () => probed });
          const predictAdmit = createAdmit({ ...deps, probedLevel: () => undefined });
          const predicted = predictTemplate(
            predictAdmit,
            { kind, namespace: "shop", name: "web" },
            template,
          );
          const pod = createdPod(kind, "web", template, hash, ordinal);
          const actual = predictionOf(admit(createRequest(pod)));
          expect(predicted).to.deep.equal(actual);
          const k = actual.outcome === "skip" ? actual.reason : actual.outcome;
          outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
        },
      ),
      params,
    );
    // Guards the generators: both decisions and the main reasons must have been exercised.
    for (const k of ["inject", "dry-run", "NoTargetContainer", "OptedOut", "NoPolicy"])
      expect(outcomes.get(k) ?? 0, `${k} generated (seed ${params.seed})`).to.be.greaterThan(0);
  });
});
