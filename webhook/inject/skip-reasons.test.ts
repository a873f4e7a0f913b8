import type { V1Pod } from "@kubernetes/client-node";
import { expect } from "chai";
import type { InjectionSettings } from "./settings.ts";
import { firstSkip, type PodContext } from "./skip-reasons.ts";
import { chooseContainers } from "./targets.ts";
import { settings } from "./testing.ts";

const javaPod: V1Pod = {
  metadata: { name: "p" },
  spec: { containers: [{ name: "app", image: "openjdk:21" }] },
};

function ctx(
  pod: unknown,
  operation = "CREATE",
  policy: InjectionSettings | null = settings(),
): PodContext {
  const p = pod as V1Pod;
  const s = policy ?? undefined;
  return {
    input: { pod: p, operation, settings: s, namespace: { name: "ns", labels: {} } },
    pod: p,
    settings: s,
    choices: () => (s ? chooseContainers(p, s.containers) : []),
  };
}

describe("pod skip reasons, in order", () => {
  const rows: [string, PodContext, string | undefined][] = [
    ["an injectable pod has none", ctx(javaPod), undefined],
    ["UPDATE before anything else, even a malformed pod", ctx(null, "UPDATE"), "not-create"],
    ["DELETE", ctx(javaPod, "DELETE"), "not-create"],
    ["no spec", ctx({ metadata: {} }), "malformed-pod"],
    ["containers not a list", ctx({ spec: { containers: {} } }), "malformed-pod"],
    [
      "env not a list of named vars",
      ctx({ spec: { containers: [{ name: "a", env: [{ value: "x" }] }] } }),
      "malformed-pod",
    ],
    [
      "labels holding a number",
      ctx({ metadata: { labels: { a: 1 } }, spec: { containers: [] } }),
      "malformed-pod",
    ],
    ["no policy", ctx(javaPod, "CREATE", null), "no-policy"],
    [
      "opted out beats no target",
      ctx({ metadata: { labels: { "fleetscope.io/inject": "false" } }, spec: { containers: [] } }),
      "opted-out",
    ],
    [
      "opted in explicitly is no opt-out",
      ctx({ ...javaPod, metadata: { labels: { "fleetscope.io/inject": "true" } } }),
      undefined,
    ],
    [
      "windows",
      ctx({ ...javaPod, spec: { ...javaPod.spec, os: { name: "windows" } } }),
      "windows-pod",
    ],
    [
      "invalid settings",
      ctx(javaPod, "CREATE", settings({ serverAddress: "" })),
      "invalid-settings",
    ],
    [
      "reserved name taken by the user",
      ctx({
        ...javaPod,
        spec: { ...javaPod.spec, volumes: [{ name: "fleetscope-tmp", emptyDir: {} }] },
      }),
      "name-conflict",
    ],
    [
      "no container targeted",
      ctx({ spec: { containers: [{ name: "web", image: "nginx" }] } }),
      "no-target-container",
    ],
    ["no containers at all", ctx({ spec: { containers: [] } }), "no-target-container"],
  ];
  for (const [what, c, want] of rows) {
    it(what, () => expect(firstSkip(c)?.reason).to.equal(want));
  }
});
