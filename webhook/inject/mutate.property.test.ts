// Property tests of the mutation over generated pods: nothing of the user's is ever lost or
// duplicated, references follow their definitions, and a second call changes nothing.
import type { V1Container, V1EnvVar, V1Pod } from "@kubernetes/client-node";
import { expect } from "chai";
import fc from "fast-check";
import { PROPERTY_TIMEOUT_MS, propertyParams } from "../../core/property-params.ts";
import { PROTOTYPE_KEYS } from "../../core/testing.ts";
import { applyPatch } from "./json-patch.ts";
import { mutate } from "./mutate.ts";
import type { InjectionSettings, MutationInput, NamespaceInfo } from "./settings.ts";
import { envValue, settings } from "./testing.ts";

const FLAG = "-javaagent:/fleetscope/agent/pyroscope.jar";

const envVarArb: fc.Arbitrary<V1EnvVar> = fc.oneof(
  fc.record({
    name: fc.constantFrom(
      "A",
      "B",
      "JAVA_HOME",
      "JAVA_TOOL_OPTIONS",
      "JDK_JAVA_OPTIONS",
      "PYROSCOPE_TMP_DIR",
      ...PROTOTYPE_KEYS,
    ),
    value: fc.constantFrom(
      "",
      "-Xmx1g",
      "-Dx=1 -Xss1m",
      `-Xmx1g ${FLAG}`,
      "plain value",
      "$$(NOT_A_REF)",
      "-Djava.io.tmpdir=/data",
    ),
  }),
  fc.record({
    name: fc.constantFrom("A", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "SECRET"),
    valueFrom: fc.constant({ configMapKeyRef: { name: "cm", key: "k" } }),
  }),
  fc.record({
    name: fc.constant("POD_IP"),
    valueFrom: fc.constant({ fieldRef: { fieldPath: "status.podIP" } }),
  }),
);

const containerArb = (name: string): fc.Arbitrary<V1Container> =>
  fc.record(
    {
      name: fc.constant(name),
      image: fc.constantFrom(
        "eclipse-temurin:21",
        "openjdk:8-jre",
        "nginx:1.27",
        "istio/proxyv2:1.24",
        "acme/app:1",
      ),
      command: fc.constantFrom(undefined, ["java", "-jar", "app.jar"], ["./run.sh"]),
      env: fc.array(envVarArb, { maxLength: 6 }),
      envFrom: fc.array(
        fc.record(
          {
            prefix: fc.constantFrom(undefined, "", "APP_", "JAVA_"),
            configMapRef: fc.constant({ name: "env" }),
          },
          { requiredKeys: ["configMapRef"] },
        ),
        { maxLength: 2 },
      ),
      volumeMounts: fc.uniqueArray(
        fc.record(
          {
            name: fc.constantFrom("data", "config"),
            readOnly: fc.boolean(),
            mountPath: fc.constantFrom(
              "/data",
              "/config",
              "/tmp",
              "/srv",
              "/cache",
              "/fleetscope/agent",
            ),
          },
          { requiredKeys: ["name", "mountPath"] },
        ),
        { maxLength: 2, selector: (m) => m.mountPath },
      ),
      securityContext: fc.record(
        {
          runAsUser: fc.constantFrom(0, 1000),
          readOnlyRootFilesystem: fc.boolean(),
          capabilities: fc.record(
            {
              add: fc.uniqueArray(fc.constantFrom("NET_BIND_SERVICE", "SYS_PTRACE", "CHOWN"), {
                maxLength: 2,
              }),
              drop: fc.uniqueArray(fc.constantFrom("ALL", "SYS_PTRACE"), { maxLength: 2 }),
            },
            { requiredKeys: [] },
          ),
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: ["name", "image"] },
  );

/** Labels or annotations of the user's, keyed by names Object.prototype also answers for too. */
const userMap = fc.dictionary(
  fc.constantFrom("app", ...PROTOTYPE_KEYS),
  fc.constantFrom("x", "true", "false"),
  { maxKeys: 3 },
);

const podArb: fc.Arbitrary<V1Pod> = fc
  .record({
    names: fc.uniqueArray(fc.constantFrom("app", "worker", "istio-proxy", "api"), {
      minLength: 1,
      maxLength: 3,
    }),
    volumes: fc.uniqueArray(
      fc.constantFrom("data", "config", "cache", "logs", "certs", "fleetscope-tmp"),
      {
        maxLength: 2,
      },
    ),
    withInit: fc.boolean(),
    generateName: fc.boolean(),
    runAsUser: fc.constantFrom(undefined, 0, 1000),
    labels: userMap,
    annotations: userMap,
  })
  .chain(({ names, volumes, withInit, generateName, runAsUser, labels, annotations }) =>
    fc.tuple(...names.map(containerArb)).map(
      (containers): V1Pod => ({
        metadata: {
          ...(generateName ? { generateName: "web-5d4c-" } : { name: "solo" }),
          labels: { ...labels, ...(generateName ? { "pod-template-hash": "5d4c" } : {}) },
          annotations,
        },
        spec: {
          ...(runAsUser === undefined ? {} : { securityContext: { runAsUser } }),
          ...(withInit ? { initContainers: [{ name: "setup", image: "busybox" }] } : {}),
          containers,
          volumes: volumes.map((name) => ({ name, emptyDir: {} })),
        },
      }),
    ),
  );

const settingsArb: fc.Arbitrary<InjectionSettings> = fc
  .record({
    sysPtrace: fc.constantFrom("Auto", "Always", "Never" as const),
    event: fc.constantFrom("itimer", "cpu", "wall" as const),
    detect: fc.constantFrom("Java", "All", "Names" as const),
    dryRun: fc.boolean(),
    basicAuth: fc.boolean(),
  })
  .map((r) =>
    settings({
      sysPtrace: r.sysPtrace,
      dryRun: r.dryRun,
      profiles: { event: r.event, interval: "10ms" },
      containers: { detect: r.detect, names: ["worker"] },
      applicationNameTemplate: "{namespace}/{workload}/{pod}",
      ...(r.basicAuth ? { basicAuthSecret: { name: "auth", userKey: "u", passwordKey: "p" } } : {}),
    }),
  );

const inputArb: fc.Arbitrary<MutationInput> = fc
  .record({
    pod: podArb,
    settings: settingsArb,
    operation: fc.constantFrom("CREATE", "CREATE", "CREATE", "UPDATE"),
    namespace: fc
      .record({
        label: fc.constantFrom(undefined, "privileged", "baseline", "restricted"),
        probed: fc.constantFrom(undefined, "privileged", "baseline", "restricted", "unknown"),
      })
      .map(
        ({ label, probed }): NamespaceInfo => ({
          name: "ns",
          labels: label ? { "pod-security.kubernetes.io/enforce": label } : {},
          ...(probed === undefined
            ? {}
            : {
                probedLevel:
                  probed === "unknown"
                    ? { kind: "unknown", why: "the dry run answered 503" }
                    : { kind: "known", level: probed },
              }),
        }),
      ),
    // A pod created from a template the webhook already injected, or a reinvocation: without
    // it, pods already carrying the agent came up about 3 times in 400 runs, and none at all in
    // about 3 % of unit test runs, which failed the generator guard below at random.
    reinjected: fc.boolean(),
  })
  .map(({ reinjected, ...input }) =>
    reinjected ? { ...input, pod: applyPatch(input.pod, mutate(input).patch) } : input,
  );

/** $(VAR) references in an env value, skipping `$$` escapes as Kubernetes does. */
function references(value: string): string[] {
  const refs: string[] = [];
  for (let i = 0; i < value.length; i++) {
    if (value[i] !== "$") continue;
    if (value[i + 1] === "$") {
      i++;
      continue;
    }
    if (value[i + 1] === "(") {
      const end = value.indexOf(")", i);
      if (end > 0) refs.push(value.slice(i + 2, end));
    }
  }
  return refs;
}

const count = <T>(xs: T[], x: T) => xs.filter((y) => y === x).length;

/** Checks one container; returns whether the JVM's temp dir was set in it. */
function checkContainer(
  before: V1Container,
  after: V1Container,
  level: string | undefined,
): boolean {
  const userEnv = before.env ?? [];
  const userNames = new Set(userEnv.map((e) => e.name));
  const finalEnv = after.env ?? [];
  // The user's entries, in order, with only a JVM options value allowed to grow.
  const kept = finalEnv.filter((e) => userNames.has(e.name));
  expect(kept.length, `${before.name}: user env count`).to.equal(userEnv.length);
  kept.forEach((e, i) => {
    const orig = userEnv[i]!;
    if (
      e.value !== orig.value &&
      (e.name === "JAVA_TOOL_OPTIONS" || e.name === "JDK_JAVA_OPTIONS")
    ) {
      expect(e.value?.startsWith(orig.value ?? "")).to.equal(true);
      expect({ ...e, value: orig.value }).to.deep.equal(orig);
    } else {
      expect(e).to.deep.equal(orig);
    }
  });
  const finalNames = finalEnv.map((e) => e.name);
  for (const name of finalNames) {
    if (!userNames.has(name)) expect(count(finalNames, name), `${name} added once`).to.equal(1);
  }
  // Every $(VAR) is defined before it is used.
  finalEnv.forEach((e, i) => {
    for (const ref of references(e.value ?? "")) {
      const defined = finalEnv.findIndex((d) => d.name === ref);
      expect(defined, `$(${ref}) in ${e.name}`).to.be.within(0, i - 1);
    }
  });
  const mounts = after.volumeMounts ?? [];
  expect(mounts.slice(0, before.volumeMounts?.length ?? 0)).to.deep.equal(
    before.volumeMounts ?? [],
  );
  // The JVM's temp dir is set only where the root is read-only with no writable /tmp, and never
  // where the user set it.
  const tmpdirs = (env: V1EnvVar[] = []) =>
    env.filter((e) => e.value?.includes("-Djava.io.tmpdir")).length;
  const addedTmpdir = tmpdirs(after.env) - tmpdirs(before.env);
  if (addedTmpdir > 0) {
    expect(addedTmpdir).to.equal(1);
    expect(tmpdirs(before.env), `${before.name}: user tmpdir kept`).to.equal(0);
    expect(before.securityContext?.readOnlyRootFilesystem).to.equal(true);
    expect(mounts.some((m) => m.mountPath === "/tmp" && !m.readOnly)).to.equal(false);
    expect(envValue(after, "JAVA_TOOL_OPTIONS")).to.contain(" -Djava.io.tmpdir=/fleetscope/tmp");
  }
  const paths = mounts.map((m) => m.mountPath);
  expect(new Set(paths).size, "mount paths unique").to.equal(paths.length);
  const capsBefore = before.securityContext?.capabilities;
  const capsAfter = after.securityContext?.capabilities;
  expect(capsAfter?.drop).to.deep.equal(capsBefore?.drop);
  const added = capsAfter?.add ?? [];
  expect(added.slice(0, capsBefore?.add?.length ?? 0)).to.deep.equal(capsBefore?.add ?? []);
  expect(new Set(added).size, "capabilities unique").to.equal(added.length);
  // SYS_PTRACE is never added where it is not known to be admitted.
  if (level !== "privileged") {
    expect(added.includes("SYS_PTRACE")).to.equal((capsBefore?.add ?? []).includes("SYS_PTRACE"));
  }
  return addedTmpdir > 0;
}

describe("mutate (properties)", () => {
  it("keeps every user env var, volume, mount and capability exactly once, and refs after defs", function () {
    this.timeout(PROPERTY_TIMEOUT_MS);
    // Guards the generators: the property must see real injections and refusals, not only skips.
    const seen = new Map<string, number>();
    const tally = (k: string) => seen.set(k, (seen.get(k) ?? 0) + 1);
    const params = propertyParams<[MutationInput]>(400);
    fc.assert(
      fc.property(inputArb, (input) => {
        const before = structuredClone(input.pod);
        const result = mutate(input);
        const after = applyPatch(before, result.patch);
        if (result.injected.length > 0) tally("injected");
        if (after.metadata?.annotations?.["fleetscope.io/would-inject"]) tally("dry-run");
        for (const s of result.skipped) tally(s.reason);
        if (input.operation !== "CREATE") expect(result.patch).to.deep.equal([]);
        const volumes = (after.spec?.volumes ?? []).map((v) => v.name);
        expect(volumes.slice(0, before.spec?.volumes?.length ?? 0)).to.deep.equal(
          (before.spec?.volumes ?? []).map((v) => v.name),
        );
        expect(new Set(volumes).size, "volume names unique").to.equal(volumes.length);
        const inits = after.spec?.initContainers ?? [];
        expect(inits.slice(0, before.spec?.initContainers?.length ?? 0)).to.deep.equal(
          before.spec?.initContainers ?? [],
        );
        expect(inits.filter((c) => c.name === "fleetscope-agent-init").length).to.be.at.most(1);
        const probed = input.namespace.probedLevel;
        const level =
          input.namespace.labels["pod-security.kubernetes.io/enforce"] ??
          (probed?.kind === "known" ? probed.level : undefined);
        before.spec!.containers.forEach((c, i) => {
          if (checkContainer(c, after.spec!.containers[i]!, level)) tally("tmpdir");
        });
        if (result.injected.length === 0) expect(after.spec).to.deep.equal(before.spec);
        const again = mutate({ ...input, pod: after });
        expect(again.patch, "a second call changes nothing").to.deep.equal([]);
      }),
      params,
    );
    for (const k of [
      "injected",
      "dry-run",
      "already-injected",
      "java-options-unmergeable",
      "name-conflict",
      "sidecar",
      "tmpdir",
    ]) {
      expect(seen.get(k) ?? 0, `runs with ${k} (seed ${params.seed})`).to.be.greaterThan(0);
    }
  });

  it("never throws, whatever shape the pod has", function () {
    this.timeout(PROPERTY_TIMEOUT_MS);
    const junkPod = fc.oneof(
      fc.anything(),
      fc.record({ metadata: fc.anything(), spec: fc.anything() }),
      fc.record({
        metadata: fc.record({
          labels: fc.anything(),
          annotations: fc.anything(),
          ownerReferences: fc.anything(),
        }),
        spec: fc.record({
          containers: fc.array(
            fc.record({ name: fc.anything(), env: fc.anything(), image: fc.anything() }),
          ),
          volumes: fc.anything(),
          initContainers: fc.anything(),
        }),
      }),
    );
    fc.assert(
      fc.property(junkPod, (pod) => {
        const result = mutate({
          pod: pod as V1Pod,
          operation: "CREATE",
          settings: settings(),
          namespace: { name: "ns", labels: {} },
        });
        expect(result.patch).to.be.an("array");
      }),
      propertyParams(1000),
    );
  });
});
