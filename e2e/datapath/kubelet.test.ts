// Unit tests for the kubelet-like env resolution used by the data-path test.
import type { V1Pod } from "@kubernetes/client-node";
import { expect } from "chai";
import { dict, PROTOTYPE_KEYS } from "../../core/testing.ts";
import { containerEnv, expandVars, fieldValue, mapMountPaths } from "./kubelet.ts";

describe("expandVars", () => {
  const vars: Record<string, string> = { A: "x", B: "y" };
  const lookup = (n: string) => vars[n];

  it("replaces known references and keeps unknown ones", () => {
    expect(expandVars("$(A)-$(B)-$(C)", lookup)).to.equal("x-y-$(C)");
  });

  it("treats $$ as an escaped dollar", () => {
    expect(expandVars("$$(A) costs $$5", lookup)).to.equal("$(A) costs $5");
  });

  it("keeps a lone or unterminated dollar", () => {
    expect(expandVars("a$b $(A", lookup)).to.equal("a$b $(A");
    expect(expandVars("end$", lookup)).to.equal("end$");
  });
});

describe("containerEnv", () => {
  const pod: V1Pod = {
    metadata: { name: "checkout-1", namespace: "shop", labels: { app: "checkout" } },
    spec: {
      nodeName: "node-a",
      containers: [
        {
          name: "c",
          env: [
            { name: "POD", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
            { name: "NODE", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
            { name: "OPTS", value: "-Dpod=$(POD) -Dnode=$(NODE) -Dlater=$(LATER)" },
            { name: "LATER", value: "z" },
          ],
        },
      ],
    },
  };

  it("resolves fieldRefs and expands only earlier entries", () => {
    expect(containerEnv(pod, pod.spec!.containers[0]!)).to.deep.equal({
      POD: "checkout-1",
      NODE: "node-a",
      OPTS: "-Dpod=checkout-1 -Dnode=node-a -Dlater=$(LATER)",
      LATER: "z",
    });
  });

  it("reads labels by key and refuses unsupported sources", () => {
    expect(fieldValue(pod, "metadata.labels['app']")).to.equal("checkout");
    const secret = { name: "c", env: [{ name: "S", valueFrom: { secretKeyRef: { key: "k" } } }] };
    expect(() => containerEnv(pod, secret)).to.throw(/only fieldRef/);
  });
});

describe("containerEnv and fieldValue with names Object.prototype also has", () => {
  for (const key of PROTOTYPE_KEYS) {
    it(`${key} is an env var and a label key like any other`, () => {
      const pod: V1Pod = JSON.parse(
        JSON.stringify({ metadata: { labels: dict([[key, "l"]]) }, spec: { containers: [] } }),
      );
      const container = {
        name: "c",
        env: [
          { name: "BEFORE", value: `$(${key})` },
          { name: key, value: "v" },
          { name: "AFTER", value: `$(${key})` },
          { name: "LABEL", valueFrom: { fieldRef: { fieldPath: `metadata.labels['${key}']` } } },
          {
            name: "NOTE",
            valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${key}']` } },
          },
        ],
      };
      const env = containerEnv(pod, container);
      expect(Object.keys(env)).to.deep.equal(["BEFORE", key, "AFTER", "LABEL", "NOTE"]);
      expect(Object.values(env)).to.deep.equal([`$(${key})`, "v", "v", "l", ""]);
      const mapped = mapMountPaths(env, { "/x": "/y" });
      expect(Object.keys(mapped)).to.deep.equal(Object.keys(env));
    });
  }
});

describe("mapMountPaths", () => {
  it("maps mount paths at path boundaries only", () => {
    const env = {
      JAVA_TOOL_OPTIONS:
        "-javaagent:/fleetscope/agent/pyroscope.jar -Xmx256m -Djava.io.tmpdir=/fleetscope/tmp",
      PYROSCOPE_TMP_DIR: "/fleetscope/tmp",
      OTHER: "/fleetscope/agentx/y",
    };
    expect(
      mapMountPaths(env, { "/fleetscope/agent": "/cache/agent", "/fleetscope/tmp": "/tmp/t1" }),
    ).to.deep.equal({
      JAVA_TOOL_OPTIONS: "-javaagent:/cache/agent/pyroscope.jar -Xmx256m -Djava.io.tmpdir=/tmp/t1",
      PYROSCOPE_TMP_DIR: "/tmp/t1",
      OTHER: "/fleetscope/agentx/y",
    });
  });
});
