import { resolve } from "node:path";
import { expect } from "chai";
import { cycles, readTree, type SourceFile, violations } from "./import-layers.ts";

describe("import layers", () => {
  const cases: { name: string; path: string; imports: string[]; broken: RegExp | null }[] = [
    {
      name: "the webhook may use the shared core",
      path: "webhook/admit.ts",
      imports: ["core/match/policies.ts"],
      broken: null,
    },
    {
      name: "the operator may use the webhook's mutation",
      path: "operator/coverage/predict.ts",
      imports: ["webhook/inject/mutate.ts"],
      broken: null,
    },
    {
      name: "the core may not reach the webhook",
      path: "core/match/policies.ts",
      imports: ["webhook/inject/settings.ts"],
      broken:
        /core\/match\/policies\.ts imports webhook\/inject\/settings\.ts: core may import only core$/,
    },
    {
      name: "the webhook may not reach the operator",
      path: "webhook/admit.ts",
      imports: ["operator/kube/client.ts"],
      broken: /webhook may import only core, webhook$/,
    },
    {
      name: "the operator may not reach the CLI",
      path: "operator/manager.ts",
      imports: ["cli/table.ts"],
      broken: /operator may import only core, webhook, operator$/,
    },
    {
      name: "a test belongs to the layer of what it tests",
      path: "core/own.test.ts",
      imports: ["webhook/inject/testing.ts"],
      broken: /core may import only core$/,
    },
    {
      name: "a pure folder may not reach the API client",
      path: "operator/rollout/plan.ts",
      imports: ["operator/kube/client.ts"],
      broken: /operator\/rollout is pure and may not import operator\/kube$/,
    },
    {
      name: "a pure folder may not reach the manager",
      path: "operator/status/conditions.ts",
      imports: ["operator/manager.ts"],
      broken: /operator\/status is pure and may not import operator\/manager\.ts$/,
    },
    {
      name: "a pure folder's test may use the API client against the local control plane",
      path: "operator/coverage/compute.test.ts",
      imports: ["operator/kube/client.ts"],
      broken: null,
    },
    {
      name: "tests and tools may use everything",
      path: "e2e/harness/operator.ts",
      imports: ["cli/table.ts", "operator/manager.ts", "hack/lib.ts"],
      broken: null,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const found = violations([{ path: c.path, imports: c.imports }]);
      if (c.broken) {
        expect(found).to.have.length(1);
        expect(found[0]).to.match(c.broken);
      } else {
        expect(found).to.deep.equal([]);
      }
    });
  }

  it("finds a cycle and names its files in import order", () => {
    const found = cycles([
      { path: "operator/a.ts", imports: ["operator/b.ts"] },
      { path: "operator/b.ts", imports: ["operator/c.ts"] },
      { path: "operator/c.ts", imports: ["operator/a.ts"] },
      { path: "operator/d.ts", imports: ["operator/a.ts"] },
    ]);
    expect(found).to.deep.equal([
      ["operator/a.ts", "operator/b.ts", "operator/c.ts", "operator/a.ts"],
    ]);
  });

  describe("on this repository", () => {
    let tree: SourceFile[];
    before(function () {
      // Reads and parses every file: seconds on a busy machine, so no tight timeout.
      this.timeout(120_000);
      tree = readTree(resolve(import.meta.dirname, ".."));
    });

    it("reads the imports of a real file, type-only and re-exports included", () => {
      const admit = tree.find((f) => f.path === "webhook/admit.ts");
      expect(admit?.imports).to.include("core/match/policies.ts");
      expect(admit?.imports).to.include("core/api/v1alpha1/types.ts");
    });

    it("holds for the whole tree", () => {
      expect(violations(tree)).to.deep.equal([]);
    });
  });
});
