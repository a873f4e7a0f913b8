// Table of when the JVM's temp dir is pointed at the scratch volume, and when it is left alone.
import type { V1Container } from "@kubernetes/client-node";
import { expect } from "chai";
import { planTmpDir } from "./tmp-dir.ts";

const readOnly = { readOnlyRootFilesystem: true };
const base: V1Container = { name: "app", image: "eclipse-temurin:21", securityContext: readOnly };

const cases: { what: string; c: Partial<V1Container>; variable?: string; want: string }[] = [
  { what: "read-only root, no /tmp mount: set", c: {}, want: "set" },
  {
    what: "read-only root, mounts elsewhere only: set",
    c: {
      volumeMounts: [
        { name: "data", mountPath: "/data" },
        { name: "t", mountPath: "/tmp/cache" },
      ],
    },
    want: "set",
  },
  {
    what: "read-only root, /tmp mounted read-only: set",
    c: { volumeMounts: [{ name: "t", mountPath: "/tmp", readOnly: true }] },
    want: "set",
  },
  {
    what: "/tmp mounted: leave",
    c: { volumeMounts: [{ name: "t", mountPath: "/tmp" }] },
    want: "leave",
  },
  {
    what: "/tmp/ mounted (trailing slash): leave",
    c: { volumeMounts: [{ name: "t", mountPath: "/tmp/" }] },
    want: "leave",
  },
  {
    what: "a volume at / covers /tmp: leave",
    c: { volumeMounts: [{ name: "root", mountPath: "/" }] },
    want: "leave",
  },
  {
    what: "user tmpdir in JAVA_TOOL_OPTIONS: leave",
    c: { env: [{ name: "JAVA_TOOL_OPTIONS", value: "-Xmx1g -Djava.io.tmpdir=/data/tmp" }] },
    want: "leave",
  },
  {
    what: "user tmpdir in JDK_JAVA_OPTIONS: leave",
    c: { env: [{ name: "JDK_JAVA_OPTIONS", value: "-Djava.io.tmpdir=/data/tmp" }] },
    want: "leave",
  },
  {
    what: "user tmpdir in JAVA_OPTS of a start script: leave",
    c: { env: [{ name: "JAVA_OPTS", value: "-Djava.io.tmpdir=/data/tmp" }] },
    want: "leave",
  },
  {
    what: "user tmpdir in command: leave",
    c: { command: ["java", "-Djava.io.tmpdir=/data/tmp", "-jar", "app.jar"] },
    want: "leave",
  },
  {
    what: "user tmpdir in args: leave",
    c: { command: ["java"], args: ["-Djava.io.tmpdir=/data/tmp", "-jar", "app.jar"] },
    want: "leave",
  },
  { what: "writable root (unset): leave", c: { securityContext: {} }, want: "leave" },
  {
    what: "writable root (false): leave",
    c: { securityContext: { readOnlyRootFilesystem: false } },
    want: "leave",
  },
  { what: "no security context: leave", c: { securityContext: undefined }, want: "leave" },
  {
    what: "agent through JDK_JAVA_OPTIONS, JAVA_TOOL_OPTIONS unreadable: refuse",
    c: {
      env: [
        { name: "JAVA_TOOL_OPTIONS", valueFrom: { configMapKeyRef: { name: "cm", key: "k" } } },
      ],
    },
    variable: "JDK_JAVA_OPTIONS",
    want: "refuse",
  },
  {
    what: "agent through JDK_JAVA_OPTIONS but /tmp mounted: leave",
    c: { volumeMounts: [{ name: "t", mountPath: "/tmp" }] },
    variable: "JDK_JAVA_OPTIONS",
    want: "leave",
  },
];

describe("planTmpDir", () => {
  for (const t of cases) {
    it(t.what, () => {
      const plan = planTmpDir({ ...base, ...t.c }, t.variable ?? "JAVA_TOOL_OPTIONS");
      expect(plan.kind).to.equal(t.want);
      if (plan.kind === "set") expect(plan.option).to.equal("-Djava.io.tmpdir=/fleetscope/tmp");
      if (plan.kind === "refuse")
        expect(plan.message).to.contain("mount a writable volume at /tmp");
    });
  }
});
