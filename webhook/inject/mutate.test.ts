// Fixture-driven tests of the whole mutation: each row is one admission scenario, the patch is
// applied to the pod and the resulting pod is checked.
import type { V1Container, V1Pod } from "@kubernetes/client-node";
import { expect } from "chai";
import { applyPatch } from "./json-patch.ts";
import { mutate } from "./mutate.ts";
import type { InjectionSettings, MutationResult, ProbedLevel } from "./settings.ts";
import { container, envValue, envVar, input, property, settings } from "./testing.ts";

const FLAG = "-javaagent:/fleetscope/agent/pyroscope.jar";
const BASELINE_CAPS = [
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "MKNOD",
  "NET_BIND_SERVICE",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT",
];

interface Outcome {
  result: MutationResult;
  before: V1Pod;
  after: V1Pod;
}

interface Case {
  what: string;
  fixture: string;
  settings?: Partial<InjectionSettings> | "none";
  enforce?: string;
  /** The namespace's probed Pod Security level (a cluster default shows only there). */
  probed?: ProbedLevel;
  /** Edits the fixture's pod before the mutation, for variants of a fixture. */
  edit?: (pod: V1Pod) => void;
  check: (o: Outcome) => void;
}

function run(c: Case): Outcome {
  const s = c.settings === "none" ? null : settings(c.settings);
  const i = input(c.fixture, s, c.enforce, c.probed);
  c.edit?.(i.pod);
  const before = structuredClone(i.pod);
  const result = mutate(i);
  expect(i.pod, "the input pod is not modified").to.deep.equal(before);
  return { result, before, after: applyPatch(before, result.patch) };
}

function options(c: V1Container): string | undefined {
  return envValue(c, "JAVA_TOOL_OPTIONS");
}

function envIndex(c: V1Container, name: string): number {
  return (c.env ?? []).findIndex((e) => e.name === name);
}

function initContainer(pod: V1Pod): V1Container | undefined {
  return pod.spec?.initContainers?.find((c) => c.name === "fleetscope-agent-init");
}

/** What Pod Security "restricted" would refuse in one container, given the pod's context. */
function restrictedViolations(c: V1Container, pod: V1Pod): string[] {
  const sc = c.securityContext ?? {};
  const psc = pod.spec?.securityContext ?? {};
  const v: string[] = [];
  if (sc.allowPrivilegeEscalation !== false) v.push("allowPrivilegeEscalation != false");
  if (!(sc.capabilities?.drop ?? []).includes("ALL")) v.push("capabilities.drop lacks ALL");
  if ((sc.capabilities?.add ?? []).some((x) => x !== "NET_BIND_SERVICE"))
    v.push("adds capabilities");
  if ((sc.runAsNonRoot ?? psc.runAsNonRoot) !== true) v.push("runAsNonRoot != true");
  if ((sc.runAsUser ?? psc.runAsUser) === 0) v.push("runAsUser 0");
  const seccomp = sc.seccompProfile?.type ?? psc.seccompProfile?.type;
  if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") v.push("no seccomp profile");
  if (sc.privileged) v.push("privileged");
  return v;
}

function baselineViolations(pod: V1Pod): string[] {
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  return all.flatMap((c) =>
    (c.securityContext?.capabilities?.add ?? [])
      .filter((cap) => !BASELINE_CAPS.includes(cap))
      .map((cap) => `${c.name} adds ${cap}`),
  );
}

const cases: Case[] = [
  {
    what: "JAVA_TOOL_OPTIONS set by value: the agent is appended after the user's own options",
    fixture: "deployment-jto-by-value.yaml",
    check: ({ result, after }) => {
      expect(result.injected).to.deep.equal(["app"]);
      const opts = options(container(after, "app"))!;
      expect(opts.startsWith(`-Xmx512m -XX:+UseG1GC ${FLAG} `)).to.equal(true);
      expect(property(opts, "server.address")).to.equal("http://pyroscope.pyroscope.svc:4040");
      expect(property(opts, "format")).to.equal("jfr");
      expect(property(opts, "profiler.event")).to.equal("itimer");
      expect(property(opts, "profiling.interval")).to.equal("10ms");
      expect(property(opts, "upload.interval")).to.equal("10s");
      expect(property(opts, "profiler.alloc"), "unset options are left out").to.equal(undefined);
    },
  },
  {
    what: "a Deployment's pod is named after the Deployment, stripping the pod-template-hash",
    fixture: "deployment-jto-by-value.yaml",
    check: ({ after }) => {
      const opts = options(container(after, "app"));
      expect(property(opts, "application.name")).to.equal("shop/web");
      expect(property(opts, "labels")).to.equal(
        "namespace=$(FLEETSCOPE_NAMESPACE),pod=$(FLEETSCOPE_POD_NAME),node=$(FLEETSCOPE_NODE_NAME),workload=web,container=app,revision=$(FLEETSCOPE_REVISION)",
      );
    },
  },
  ...(
    [
      ["a Deployment's pod", { "pod-template-hash": "5d4c7f9b8" }, "pod-template-hash"],
      [
        "a StatefulSet's pod",
        { "controller-revision-hash": "billing-6c5d8f7b9" },
        "controller-revision-hash",
      ],
      [
        "a DaemonSet's pod",
        { "controller-revision-hash": "7b9f6d5c4" },
        "controller-revision-hash",
      ],
    ] as const
  ).map(
    ([kind, labels, key]): Case => ({
      what: `${kind} labels its profiles with its revision, read through the Downward API`,
      fixture: "deployment-jto-by-value.yaml",
      edit: (pod) => {
        pod.metadata!.labels = { app: "web", ...labels };
      },
      check: ({ after }) => {
        const app = container(after, "app");
        expect(envVar(app, "FLEETSCOPE_REVISION")?.valueFrom?.fieldRef?.fieldPath).to.equal(
          `metadata.labels['${key}']`,
        );
        expect(envIndex(app, "FLEETSCOPE_REVISION")).to.be.lessThan(
          envIndex(app, "JAVA_TOOL_OPTIONS"),
        );
        const labelPairs = property(options(app), "labels")!.split(",");
        expect(labelPairs).to.include("revision=$(FLEETSCOPE_REVISION)");
        expect(new Set(labelPairs.map((p) => p.split("=")[0])).size).to.equal(labelPairs.length);
      },
    }),
  ),
  {
    what: "a pod without a revision label (a bare pod, a Job's) gets no revision label",
    fixture: "hardened.yaml",
    check: ({ result, after }) => {
      expect(result.injected).to.not.be.empty;
      for (const name of result.injected) {
        const c = container(after, name);
        expect(envVar(c, "FLEETSCOPE_REVISION")).to.equal(undefined);
        expect(property(options(c), "labels")).not.to.contain("revision=");
      }
    },
  },
  {
    what: "the pod's revision wins over a static policy label of the same name",
    fixture: "deployment-jto-by-value.yaml",
    settings: { labels: { revision: "static", team: "web" } },
    check: ({ after }) => {
      const labels = property(options(container(after, "app")), "labels")!.split(",");
      expect(labels.filter((p) => p.startsWith("revision="))).to.deep.equal([
        "revision=$(FLEETSCOPE_REVISION)",
      ]);
      expect(labels).to.include("team=web");
    },
  },
  {
    what: "generateName pod: its name reaches the agent through the Downward API, defined before use",
    fixture: "deployment-jto-by-value.yaml",
    settings: { applicationNameTemplate: "{workload}-{pod}" },
    check: ({ after }) => {
      const app = container(after, "app");
      expect(envVar(app, "FLEETSCOPE_POD_NAME")?.valueFrom?.fieldRef?.fieldPath).to.equal(
        "metadata.name",
      );
      expect(envVar(app, "FLEETSCOPE_NODE_NAME")?.valueFrom?.fieldRef?.fieldPath).to.equal(
        "spec.nodeName",
      );
      expect(envIndex(app, "FLEETSCOPE_POD_NAME")).to.be.lessThan(
        envIndex(app, "JAVA_TOOL_OPTIONS"),
      );
      expect(property(options(app), "application.name")).to.equal("web-$(FLEETSCOPE_POD_NAME)");
    },
  },
  {
    what: "the user's env, volumes and mounts are kept as they were, in order",
    fixture: "deployment-jto-by-value.yaml",
    check: ({ before, after }) => {
      const app = container(after, "app");
      const names = (app.env ?? []).map((e) => e.name);
      expect(
        names.filter((n) => !n.startsWith("FLEETSCOPE_") && !n.startsWith("PYROSCOPE_")),
      ).to.deep.equal(["SPRING_PROFILES_ACTIVE", "JAVA_TOOL_OPTIONS", "GREETING"]);
      expect(envValue(app, "GREETING"), "escaped dollars untouched").to.equal("costs $$5");
      expect(after.spec?.volumes?.map((v) => v.name)).to.deep.equal([
        "config",
        "fleetscope-agent",
        "fleetscope-tmp",
      ]);
      expect(app.volumeMounts).to.deep.equal([
        ...(container(before, "app").volumeMounts ?? []),
        { name: "fleetscope-agent", mountPath: "/fleetscope/agent", readOnly: true },
        { name: "fleetscope-tmp", mountPath: "/fleetscope/tmp" },
      ]);
      expect(app.ports).to.deep.equal(container(before, "app").ports);
    },
  },
  {
    what: "the init container is hardened, non-root by default and explicitly sized",
    fixture: "deployment-jto-by-value.yaml",
    check: ({ after }) => {
      const init = initContainer(after)!;
      expect(init.image).to.equal("ghcr.io/fleetscope/pyroscope-java-agent:2.9.2");
      expect(init.command).to.deep.equal([
        "cp",
        "/agent/pyroscope.jar",
        "/fleetscope/agent/pyroscope.jar",
      ]);
      expect(init.securityContext).to.deep.include({
        runAsNonRoot: true,
        runAsUser: 65532,
        runAsGroup: 65532,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
      });
      expect(restrictedViolations(init, after)).to.deep.equal([]);
      expect(init.resources?.requests).to.deep.equal({ cpu: "10m", memory: "32Mi" });
      expect(init.resources?.limits).to.deep.equal({ cpu: "100m", memory: "64Mi" });
    },
  },
  {
    what: "the pod is stamped with what injected it, as labels for metadata-only watches",
    fixture: "deployment-jto-by-value.yaml",
    check: ({ result, after }) => {
      expect(after.metadata?.labels).to.deep.include({
        "fleetscope.io/injected": "true",
        "fleetscope.io/policy": "java-fleet",
        "fleetscope.io/policy-generation": "3",
        "fleetscope.io/agent-version": "2.9.2",
      });
      expect(after.metadata?.annotations?.["fleetscope.io/injected-containers"]).to.equal("app");
      expect(
        result.patch.some((op) => op.path === "/metadata/labels/fleetscope.io~1injected"),
      ).to.equal(true);
      expect(result.events.map((e) => e.reason)).to.deep.equal(["Injected"]);
    },
  },
  {
    what: "JAVA_TOOL_OPTIONS from valueFrom is left alone; the agent goes through JDK_JAVA_OPTIONS",
    fixture: "jto-value-from.yaml",
    check: ({ result, before, after }) => {
      const c = container(after, "orders");
      expect(envVar(c, "JAVA_TOOL_OPTIONS")).to.deep.equal(
        envVar(container(before, "orders"), "JAVA_TOOL_OPTIONS"),
      );
      const jdk = envValue(c, "JDK_JAVA_OPTIONS")!;
      expect(jdk.startsWith(`${FLAG} `)).to.equal(true);
      expect(property(jdk, "application.name"), "app.kubernetes.io/name wins").to.equal(
        "shop/orders",
      );
      expect(envIndex(c, "FLEETSCOPE_POD_NAME")).to.be.lessThan(envIndex(c, "JDK_JAVA_OPTIONS"));
      expect(result.injected).to.deep.equal(["orders"]);
      expect(result.warnings.join("\n")).to.match(/JDK_JAVA_OPTIONS/);
    },
  },
  {
    what: "JAVA_TOOL_OPTIONS from valueFrom on Java 8: no safe way in, the container is skipped",
    fixture: "jto-value-from-java8.yaml",
    check: ({ result, before, after }) => {
      expect(result.injected).to.deep.equal([]);
      expect(after.spec).to.deep.equal(before.spec);
      expect(result.skipped).to.deep.include({
        container: "billing",
        reason: "java8-options-unmergeable",
        message:
          "JAVA_TOOL_OPTIONS is set with valueFrom and the container runs Java 8, whose launcher ignores JDK_JAVA_OPTIONS",
      });
      expect(after.metadata?.labels?.["fleetscope.io/skip-reason"]).to.equal(
        "java8-options-unmergeable",
      );
      expect(after.metadata?.annotations?.["fleetscope.io/skip-reason"]).to.match(
        /billing: .*Java 8/,
      );
      expect(result.events.map((e) => e.reason)).to.include("InjectionSkipped");
    },
  },
  {
    what: "envFrom without a prefix may carry JVM options: skipped, with the way out in the message",
    fixture: "jto-env-from.yaml",
    check: ({ result, before, after }) => {
      expect(after.spec).to.deep.equal(before.spec);
      expect(after.metadata?.labels?.["fleetscope.io/skip-reason"]).to.equal(
        "java-options-unmergeable",
      );
      expect(result.skipped.find((s) => s.container === "catalog")?.message).to.match(
        /may come from envFrom.*fleetscope.io\/envfrom-sets-java-options: "false"/,
      );
    },
  },
  {
    what: "envFrom asserted free of JVM options by annotation: JAVA_TOOL_OPTIONS is added",
    fixture: "jto-env-from.yaml",
    edit: (pod) => {
      pod.metadata!.annotations = { "fleetscope.io/envfrom-sets-java-options": "false" };
    },
    check: ({ result, after }) => {
      expect(result.injected).to.deep.equal(["catalog"]);
      expect(options(container(after, "catalog"))?.startsWith(FLAG)).to.equal(true);
      expect(container(after, "catalog").envFrom).to.have.length(1);
    },
  },
  {
    what: "envFrom with a prefix cannot define JAVA_TOOL_OPTIONS; a `java` command marks the JVM",
    fixture: "env-from-prefixed.yaml",
    check: ({ result, after }) => {
      expect(result.injected).to.deep.equal(["search"]);
      expect(property(options(container(after, "search")), "application.name")).to.equal(
        "shop/search",
      );
    },
  },
  {
    what: "mesh sidecar and its init container are left alone; ours runs after istio-init",
    fixture: "mesh-sidecar.yaml",
    check: ({ result, before, after }) => {
      expect(result.injected).to.deep.equal(["ledger"]);
      expect(container(after, "istio-proxy")).to.deep.equal(container(before, "istio-proxy"));
      expect(after.spec?.initContainers?.map((c) => c.name)).to.deep.equal([
        "istio-init",
        "fleetscope-agent-init",
      ]);
      expect(result.skipped).to.deep.include({
        container: "istio-proxy",
        reason: "sidecar",
        message: "istio-proxy is a known sidecar name",
      });
    },
  },
  {
    what: "detect All: every application container except known sidecars",
    fixture: "mesh-sidecar.yaml",
    settings: { containers: { detect: "All", names: [] } },
    check: ({ result }) => expect(result.injected).to.deep.equal(["ledger"]),
  },
  {
    what: "detect Names: the list overrides detection",
    fixture: "non-java.yaml",
    settings: { containers: { detect: "Names", names: ["cache"] } },
    check: ({ result, after }) => {
      expect(result.injected).to.deep.equal(["cache"]);
      expect(container(after, "nginx").env).to.equal(undefined);
    },
  },
  {
    what: "non-Java pod: only the reason is recorded, the spec is untouched",
    fixture: "non-java.yaml",
    check: ({ result, before, after }) => {
      expect(after.spec).to.deep.equal(before.spec);
      expect(after.metadata?.labels?.["fleetscope.io/skip-reason"]).to.equal("no-target-container");
      expect(after.metadata?.annotations?.["fleetscope.io/skip-reason"]).to.match(
        /nginx: no JVM detected/,
      );
      expect(result.patch.every((op) => op.path.startsWith("/metadata/"))).to.equal(true);
    },
  },
  {
    what: "restricted namespace, cpu wanted: no SYS_PTRACE, itimer instead, and the reason recorded",
    fixture: "hardened.yaml",
    enforce: "restricted",
    settings: { profiles: { event: "cpu", interval: "10ms" } },
    check: ({ result, after }) => {
      const c = container(after, "report");
      expect(property(options(c), "profiler.event")).to.equal("itimer");
      expect(c.securityContext?.capabilities?.add).to.deep.equal(["NET_BIND_SERVICE"]);
      expect(after.metadata?.annotations?.["fleetscope.io/profiler-event-fallback"]).to.match(
        /cpu replaced by itimer: namespace batch enforces Pod Security level restricted/,
      );
      expect(result.warnings.join("\n")).to.match(/itimer/);
      expect(result.events.map((e) => e.reason)).to.include("ProfilerEventFallback");
      for (const k of [initContainer(after)!, c]) {
        expect(restrictedViolations(k, after), k.name).to.deep.equal([]);
      }
    },
  },
  {
    what: "restricted pod: the init container takes its ids from the pod security context",
    fixture: "hardened.yaml",
    enforce: "restricted",
    check: ({ after }) => {
      expect(initContainer(after)?.securityContext).to.deep.include({
        runAsUser: 1000,
        runAsGroup: 3000,
      });
    },
  },
  {
    what: "a CronJob's Job pod is named after the CronJob",
    fixture: "hardened.yaml",
    check: ({ after }) => {
      expect(property(options(container(after, "report")), "application.name")).to.equal(
        "batch/report",
      );
    },
  },
  {
    what: "read-only root filesystem: the agent gets a writable scratch dir of its own",
    fixture: "hardened.yaml",
    check: ({ after }) => {
      const c = container(after, "report");
      expect(c.securityContext?.readOnlyRootFilesystem).to.equal(true);
      expect(envValue(c, "PYROSCOPE_TMP_DIR")).to.equal("/fleetscope/tmp");
      const tmp = c.volumeMounts?.find((m) => m.mountPath === "/fleetscope/tmp");
      expect(tmp?.readOnly).to.not.equal(true);
      expect(after.spec?.volumes?.find((v) => v.name === "fleetscope-tmp")?.emptyDir).to.not.equal(
        undefined,
      );
      // Its own /tmp volume is writable, so the JVM's temp dir stays the user's.
      expect(options(c)).to.not.contain("java.io.tmpdir");
    },
  },
  {
    what: "read-only root filesystem without a /tmp volume: the JVM's temp dir is the scratch dir",
    fixture: "hardened.yaml",
    edit: (pod) => {
      pod.spec!.containers[0]!.volumeMounts = [];
    },
    check: ({ after }) => {
      const c = container(after, "report");
      expect(options(c)?.split(" ")).to.include("-Djava.io.tmpdir=/fleetscope/tmp");
      expect(c.volumeMounts?.find((m) => m.mountPath === "/fleetscope/tmp")?.readOnly).to.not.equal(
        true,
      );
    },
  },
  {
    what: "read-only root filesystem, the user's own java.io.tmpdir: kept, none added",
    fixture: "hardened.yaml",
    edit: (pod) => {
      const c = pod.spec!.containers[0]!;
      c.volumeMounts = [];
      c.env = [{ name: "JAVA_TOOL_OPTIONS", value: "-Djava.io.tmpdir=/data" }];
    },
    check: ({ after }) => {
      const o = options(container(after, "report")) ?? "";
      expect(o.startsWith("-Djava.io.tmpdir=/data ")).to.equal(true);
      expect(o.match(/java\.io\.tmpdir/g)).to.have.length(1);
    },
  },
  {
    what: "read-only root, no /tmp volume, JAVA_TOOL_OPTIONS unreadable: refused, not crashed",
    fixture: "hardened.yaml",
    edit: (pod) => {
      const c = pod.spec!.containers[0]!;
      c.volumeMounts = [];
      c.env = [
        { name: "JAVA_TOOL_OPTIONS", valueFrom: { configMapKeyRef: { name: "cm", key: "k" } } },
      ];
    },
    check: ({ result, before, after }) => {
      expect(result.injected).to.deep.equal([]);
      expect(result.skipped.map((s) => s.reason)).to.include("no-writable-tmp");
      expect(after.spec).to.deep.equal(before.spec);
    },
  },
  {
    what: "writable root filesystem without a /tmp volume: the JVM's temp dir stays the user's",
    fixture: "hardened.yaml",
    edit: (pod) => {
      const c = pod.spec!.containers[0]!;
      c.volumeMounts = [];
      c.securityContext = { ...c.securityContext, readOnlyRootFilesystem: false };
    },
    check: ({ result, after }) => {
      expect(result.injected).to.deep.equal(["report"]);
      expect(options(container(after, "report"))).to.not.contain("java.io.tmpdir");
    },
  },
  {
    what: "baseline namespace, Always: SYS_PTRACE is still not added, and the event kept",
    fixture: "deployment-jto-by-value.yaml",
    enforce: "baseline",
    settings: { sysPtrace: "Always", profiles: { event: "wall", interval: "10ms" } },
    check: ({ result, after }) => {
      expect(baselineViolations(after)).to.deep.equal([]);
      expect(property(options(container(after, "app")), "profiler.event")).to.equal("wall");
      expect(result.warnings.join("\n")).to.match(/SYS_PTRACE not added: .*baseline/);
      expect(after.metadata?.annotations?.["fleetscope.io/profiler-event-fallback"]).to.equal(
        undefined,
      );
    },
  },
  {
    what: "privileged namespace, cpu, Auto: SYS_PTRACE added beside the container's own capabilities",
    fixture: "hardened.yaml",
    enforce: "privileged",
    settings: { profiles: { event: "cpu", interval: "10ms" } },
    check: ({ after }) => {
      const c = container(after, "report");
      expect(c.securityContext?.capabilities).to.deep.equal({
        drop: ["ALL"],
        add: ["NET_BIND_SERVICE", "SYS_PTRACE"],
      });
      expect(property(options(c), "profiler.event")).to.equal("cpu");
    },
  },
  {
    what: "no Pod Security label, Auto with itimer: no capability is needed, none is added",
    fixture: "deployment-jto-by-value.yaml",
    check: ({ after }) => expect(container(after, "app").securityContext).to.equal(undefined),
  },
  {
    what: "no Pod Security label, probed privileged, Always: SYS_PTRACE added",
    fixture: "deployment-jto-by-value.yaml",
    settings: { sysPtrace: "Always" },
    probed: { kind: "known", level: "privileged" },
    check: ({ after }) =>
      expect(container(after, "app").securityContext?.capabilities?.add).to.deep.equal([
        "SYS_PTRACE",
      ]),
  },
  {
    what: "no Pod Security label, a cluster default of baseline probed, cpu: as a baseline label",
    fixture: "deployment-jto-by-value.yaml",
    settings: { profiles: { event: "cpu", interval: "10ms" } },
    probed: { kind: "known", level: "baseline" },
    check: ({ result, after }) => {
      const c = container(after, "app");
      expect(c.securityContext).to.equal(undefined);
      expect(baselineViolations(after)).to.deep.equal([]);
      expect(property(options(c), "profiler.event")).to.equal("itimer");
      expect(after.metadata?.annotations?.["fleetscope.io/profiler-event-fallback"]).to.equal(
        "profiler event cpu replaced by itimer: namespace shop enforces Pod Security level baseline, which forbids SYS_PTRACE",
      );
      expect(result.warnings.join("\n")).to.match(/SYS_PTRACE not added: namespace shop enforces/);
      expect(result.events.map((e) => e.reason)).to.include("ProfilerEventFallback");
    },
  },
  {
    what: "no Pod Security label, not probed yet, Always: not added, and said why",
    fixture: "deployment-jto-by-value.yaml",
    settings: { sysPtrace: "Always" },
    check: ({ result, after }) => {
      expect(container(after, "app").securityContext).to.equal(undefined);
      expect(result.warnings.join("\n")).to.match(
        /SYS_PTRACE not added: the Pod Security level namespace shop enforces is not known \(not probed yet\)/,
      );
    },
  },
  {
    what: "Never with cpu: no capability and no fallback; the nodes may allow perf events",
    fixture: "deployment-jto-by-value.yaml",
    enforce: "restricted",
    settings: { sysPtrace: "Never", profiles: { event: "cpu", interval: "10ms" } },
    check: ({ result, after }) => {
      expect(container(after, "app").securityContext).to.equal(undefined);
      expect(property(options(container(after, "app")), "profiler.event")).to.equal("cpu");
      expect(result.warnings).to.deep.equal([]);
    },
  },
  {
    what: "container-level security context: ids stay per container, a dropped SYS_PTRACE is respected",
    fixture: "container-security-context.yaml",
    settings: { profiles: { event: "cpu", interval: "10ms" } },
    probed: { kind: "known", level: "privileged" },
    check: ({ result, after }) => {
      expect(initContainer(after)?.securityContext?.runAsUser).to.equal(65532);
      const api = container(after, "api");
      const worker = container(after, "worker");
      expect(api.securityContext).to.deep.equal({
        runAsUser: 1001,
        runAsNonRoot: true,
        capabilities: { add: ["SYS_PTRACE"] },
      });
      expect(worker.securityContext).to.deep.equal({
        runAsUser: 1002,
        capabilities: { drop: ["SYS_PTRACE"] },
      });
      expect(property(options(api), "profiler.event")).to.equal("cpu");
      expect(property(options(worker), "profiler.event")).to.equal("itimer");
      expect(result.warnings.join("\n")).to.match(/worker: drops SYS_PTRACE/);
    },
  },
  {
    what: "the application-name annotation is a template of its own, sanitized for the agent",
    fixture: "container-security-context.yaml",
    check: ({ after }) => {
      expect(property(options(container(after, "api")), "application.name")).to.equal("search_api");
      expect(property(options(container(after, "worker")), "application.name")).to.equal(
        "search_worker",
      );
    },
  },
  {
    what: "static labels are sanitized so the agent does not drop them; credentials stay out of the options",
    fixture: "deployment-jto-by-value.yaml",
    settings: {
      labels: { team: "pay ments", "cost=center": "{x}", env: "prod" },
      tenantID: "team-a",
      basicAuthSecret: { name: "pyroscope-auth", userKey: "user", passwordKey: "password" },
      profiles: { event: "itimer", interval: "10ms", alloc: "512k", lock: "10ms" },
      extraProperties: { "ingest.max.tries": "-1" },
    },
    check: ({ after }) => {
      const app = container(after, "app");
      const opts = options(app)!;
      expect(property(opts, "labels")).to.match(/,cost_center=_x_,env=prod,team=pay_ments$/);
      expect(property(opts, "tenant.id")).to.equal("team-a");
      expect(property(opts, "profiler.alloc")).to.equal("512k");
      expect(property(opts, "profiler.lock")).to.equal("10ms");
      expect(property(opts, "ingest.max.tries")).to.equal("-1");
      expect(opts).to.not.match(/password|basic/i);
      expect(envVar(app, "PYROSCOPE_BASIC_AUTH_PASSWORD")?.valueFrom?.secretKeyRef).to.deep.equal({
        name: "pyroscope-auth",
        key: "password",
      });
    },
  },
  {
    what: "dry run: only annotations say what would have been done",
    fixture: "mesh-sidecar.yaml",
    settings: { dryRun: true },
    check: ({ result, before, after }) => {
      expect(after.spec).to.deep.equal(before.spec);
      expect(result.injected).to.deep.equal([]);
      expect(after.metadata?.labels?.["fleetscope.io/dry-run"]).to.equal("would-inject");
      expect(after.metadata?.labels?.["fleetscope.io/injected"]).to.equal(undefined);
      expect(after.metadata?.annotations?.["fleetscope.io/would-inject"]).to.equal("ledger");
      expect(result.events.map((e) => e.reason)).to.deep.equal(["WouldInject"]);
    },
  },
  {
    what: "dry run of a pod that would be skipped records the reason",
    fixture: "jto-value-from-java8.yaml",
    settings: { dryRun: true },
    check: ({ before, after }) => {
      expect(after.spec).to.deep.equal(before.spec);
      expect(after.metadata?.labels?.["fleetscope.io/skip-reason"]).to.equal(
        "java8-options-unmergeable",
      );
    },
  },
  {
    what: "UPDATE is never patched",
    fixture: "update.yaml",
    check: ({ result }) => {
      expect(result.patch).to.deep.equal([]);
      expect(result.skipped.map((s) => s.reason)).to.deep.equal(["not-create"]);
    },
  },
  {
    what: "DELETE is never patched",
    fixture: "delete.yaml",
    check: ({ result }) => {
      expect(result.patch).to.deep.equal([]);
      expect(result.events).to.deep.equal([]);
    },
  },
  {
    what: "no matching policy: the pod is not touched at all",
    fixture: "deployment-jto-by-value.yaml",
    settings: "none",
    check: ({ result }) => {
      expect(result.patch).to.deep.equal([]);
      expect(result.skipped.map((s) => s.reason)).to.deep.equal(["no-policy"]);
    },
  },
  {
    what: "opted-out pod: the reason is recorded, nothing injected",
    fixture: "opted-out.yaml",
    check: ({ before, after }) => {
      expect(after.spec).to.deep.equal(before.spec);
      expect(after.metadata?.labels?.["fleetscope.io/skip-reason"]).to.equal("opted-out");
      expect(after.metadata?.labels?.["fleetscope.io/policy"]).to.equal("java-fleet");
    },
  },
  {
    what: "settings the agent would silently reject: the pod is admitted unchanged with the reason",
    fixture: "deployment-jto-by-value.yaml",
    settings: { uploadInterval: "1m" },
    check: ({ result, before, after }) => {
      expect(after.spec).to.deep.equal(before.spec);
      expect(result.skipped[0]?.reason).to.equal("invalid-settings");
      expect(result.skipped[0]?.message).to.match(/uploadInterval "1m"/);
    },
  },
  {
    what: "a user volume with a reserved name: the pod is skipped rather than shadowed",
    fixture: "deployment-jto-by-value.yaml",
    edit: (pod) => {
      pod.spec!.volumes!.push({ name: "fleetscope-agent", emptyDir: {} });
    },
    check: ({ result, before, after }) => {
      expect(after.spec).to.deep.equal(before.spec);
      expect(result.skipped[0]?.reason).to.equal("name-conflict");
    },
  },
  {
    what: "a user mount at the reserved path: that container is skipped",
    fixture: "deployment-jto-by-value.yaml",
    edit: (pod) => {
      pod.spec!.containers[0]!.volumeMounts!.push({
        name: "config",
        mountPath: "/fleetscope/agent",
      });
    },
    check: ({ result }) => {
      expect(result.injected).to.deep.equal([]);
      expect(result.skipped.find((s) => s.container === "app")?.reason).to.equal("name-conflict");
    },
  },
  {
    what: "Windows pod: the profiler runs on Linux only",
    fixture: "deployment-jto-by-value.yaml",
    edit: (pod) => {
      pod.spec!.os = { name: "windows" };
    },
    check: ({ result }) => expect(result.skipped[0]?.reason).to.equal("windows-pod"),
  },
];

describe("mutate", () => {
  for (const c of cases) {
    it(c.what, () => c.check(run(c)));
  }

  describe("re-invocation and repeated calls are no-ops", () => {
    const fixtures = [
      "deployment-jto-by-value.yaml",
      "jto-value-from.yaml",
      "jto-value-from-java8.yaml",
      "jto-env-from.yaml",
      "env-from-prefixed.yaml",
      "mesh-sidecar.yaml",
      "non-java.yaml",
      "hardened.yaml",
      "container-security-context.yaml",
      "opted-out.yaml",
    ];
    for (const fixture of fixtures) {
      for (const dryRun of [false, true]) {
        it(`${fixture}${dryRun ? " (dry run)" : ""}`, () => {
          const s = settings({
            dryRun,
            sysPtrace: "Always",
            profiles: { event: "cpu", interval: "10ms" },
          });
          const first = input(fixture, s);
          const once = applyPatch(first.pod, mutate(first).patch);
          const again = mutate({ ...first, pod: once });
          expect(again.patch).to.deep.equal([]);
        });
      }
    }

    it("reports an injected pod as already injected, with its containers", () => {
      const first = input("mesh-sidecar.yaml");
      const again = mutate({ ...first, pod: applyPatch(first.pod, mutate(first).patch) });
      expect(again.skipped).to.deep.equal([
        {
          reason: "already-injected",
          message: "every targeted container already carries the agent",
        },
      ]);
      expect(again.injected).to.deep.equal(["ledger"]);
    });

    it("injects a JVM container added by a later webhook, without a second init container", () => {
      const first = input("deployment-jto-by-value.yaml");
      const once = applyPatch(first.pod, mutate(first).patch);
      once.spec!.containers.push({ name: "batch", image: "eclipse-temurin:17" });
      const again = mutate({ ...first, pod: once });
      const after = applyPatch(once, again.patch);
      expect(again.injected).to.deep.equal(["app", "batch"]);
      expect(
        after.spec?.initContainers?.filter((c) => c.name === "fleetscope-agent-init"),
      ).to.have.length(1);
      expect(after.spec?.volumes?.filter((v) => v.name.startsWith("fleetscope-"))).to.have.length(
        2,
      );
      expect(after.metadata?.annotations?.["fleetscope.io/injected-containers"]).to.equal(
        "app,batch",
      );
      expect(options(container(after, "app"))).to.equal(options(container(once, "app")));
    });
  });
});
