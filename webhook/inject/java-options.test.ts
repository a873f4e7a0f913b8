import type { V1Container } from "@kubernetes/client-node";
import { expect } from "chai";
import { appendOptions, planJvmOptions } from "./java-options.ts";

const FLAG = "-javaagent:/fleetscope/agent/pyroscope.jar";
const fromConfigMap = { configMapKeyRef: { name: "jvm", key: "opts" } };

describe("planJvmOptions", () => {
  // container → plan kind and variable (or refusal reason); trustEnvFrom false unless said
  const rows: [string, V1Container, string, boolean?][] = [
    ["nothing set: add JAVA_TOOL_OPTIONS", { name: "a" }, "add JAVA_TOOL_OPTIONS"],
    [
      "set by value: append to it",
      { name: "a", env: [{ name: "JAVA_TOOL_OPTIONS", value: "-Xmx1g" }] },
      "append JAVA_TOOL_OPTIONS",
    ],
    [
      "set without a value: append to it",
      { name: "a", env: [{ name: "JAVA_TOOL_OPTIONS" }] },
      "append JAVA_TOOL_OPTIONS",
    ],
    [
      "our flag already there",
      { name: "a", env: [{ name: "JAVA_TOOL_OPTIONS", value: `-Xmx1g ${FLAG}` }] },
      "present JAVA_TOOL_OPTIONS",
    ],
    [
      "a different agent path is not ours",
      { name: "a", env: [{ name: "JAVA_TOOL_OPTIONS", value: `${FLAG}.bak` }] },
      "append JAVA_TOOL_OPTIONS",
    ],
    [
      "the last of duplicate entries is the one in effect",
      {
        name: "a",
        env: [
          { name: "JAVA_TOOL_OPTIONS", value: "x" },
          { name: "JAVA_TOOL_OPTIONS", valueFrom: fromConfigMap },
        ],
      },
      "add JDK_JAVA_OPTIONS",
    ],
    [
      "valueFrom: add JDK_JAVA_OPTIONS",
      { name: "a", env: [{ name: "JAVA_TOOL_OPTIONS", valueFrom: fromConfigMap }] },
      "add JDK_JAVA_OPTIONS",
    ],
    [
      "valueFrom, JDK_JAVA_OPTIONS by value: append to that",
      {
        name: "a",
        env: [
          { name: "JAVA_TOOL_OPTIONS", valueFrom: fromConfigMap },
          { name: "JDK_JAVA_OPTIONS", value: "-Xss1m" },
        ],
      },
      "append JDK_JAVA_OPTIONS",
    ],
    [
      "both from valueFrom: refuse",
      {
        name: "a",
        env: [
          { name: "JAVA_TOOL_OPTIONS", valueFrom: fromConfigMap },
          { name: "JDK_JAVA_OPTIONS", valueFrom: fromConfigMap },
        ],
      },
      "refuse java-options-unmergeable",
    ],
    [
      "valueFrom on Java 8: refuse",
      {
        name: "a",
        image: "eclipse-temurin:8-jre",
        env: [{ name: "JAVA_TOOL_OPTIONS", valueFrom: fromConfigMap }],
      },
      "refuse java8-options-unmergeable",
    ],
    [
      "unprefixed envFrom: refuse",
      { name: "a", envFrom: [{ configMapRef: { name: "env" } }] },
      "refuse java-options-unmergeable",
    ],
    [
      "unprefixed envFrom, asserted free of options: add",
      { name: "a", envFrom: [{ configMapRef: { name: "env" } }] },
      "add JAVA_TOOL_OPTIONS",
      true,
    ],
    [
      "envFrom prefixed APP_: add",
      { name: "a", envFrom: [{ prefix: "APP_", secretRef: { name: "s" } }] },
      "add JAVA_TOOL_OPTIONS",
    ],
    [
      "envFrom prefixed JAVA_ could hold JAVA_TOOL_OPTIONS but not JDK_JAVA_OPTIONS",
      { name: "a", envFrom: [{ prefix: "JAVA_", configMapRef: { name: "env" } }] },
      "add JDK_JAVA_OPTIONS",
    ],
    [
      "envFrom, but JAVA_TOOL_OPTIONS explicit by value wins over it: append",
      {
        name: "a",
        envFrom: [{ configMapRef: { name: "env" } }],
        env: [{ name: "JAVA_TOOL_OPTIONS", value: "-Xmx1g" }],
      },
      "append JAVA_TOOL_OPTIONS",
    ],
  ];
  for (const [what, c, want, trust] of rows) {
    it(what, () => {
      const plan = planJvmOptions(c, trust ?? false);
      const got =
        plan.kind === "refuse" ? `refuse ${plan.reason}` : `${plan.kind} ${plan.variable}`;
      expect(got).to.equal(want);
    });
  }
});

describe("appendOptions", () => {
  it("appends with one space, keeping the user's value byte for byte", () => {
    expect(appendOptions("-Xmx1g  -Dx=$(Y) ", "-javaagent:a")).to.equal(
      "-Xmx1g  -Dx=$(Y)  -javaagent:a",
    );
  });
  it("does not leave a leading space on an empty value", () => {
    expect(appendOptions("", "-javaagent:a")).to.equal("-javaagent:a");
  });
});
