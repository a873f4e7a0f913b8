// The ProfilingPolicy API on a real API server: the generated CRD is accepted, every example
// policy is stored with the defaults withDefaults predicts, and every invalid example is refused
// with the error its `# expect:` line names.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { parse, stringify } from "yaml";
import { withDefaults } from "../../core/api/v1alpha1/defaults.ts";
import { loadExamples } from "../../core/api/v1alpha1/examples.ts";
import { eventually, kubectl, uniqueName } from "../harness/cluster.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const crdFile = resolve(root, "crds/fleetscope.io_profilingpolicies.yaml");
const fieldManager = "fleetscope-api-test";

describe("ProfilingPolicy API on the API server", () => {
  // A suffix per run, so the examples never collide with policies someone else created.
  const run = uniqueName("t");
  const created: string[] = [];

  function renamed(text: string): { name: string; manifest: string; spec: unknown } {
    const obj = parse(text) as { metadata: { name: string }; spec: unknown };
    obj.metadata.name = `${obj.metadata.name}-${run}`;
    return { name: obj.metadata.name, manifest: stringify(obj), spec: obj.spec };
  }

  function apply(manifest: string): Promise<string> {
    return kubectl(
      ["apply", "--server-side", `--field-manager=${fieldManager}`, "-f", "-"],
      manifest,
    );
  }

  before(async () => {
    await kubectl(
      ["apply", "--server-side", "--force-conflicts", `--field-manager=${fieldManager}`, "-f", "-"],
      readFileSync(crdFile, "utf8"),
    );
    await eventually("the CRD to be established", async () => {
      const status = await kubectl([
        "get",
        "crd",
        "profilingpolicies.fleetscope.io",
        "-o",
        'jsonpath={.status.conditions[?(@.type=="Established")].status}',
      ]);
      return status === "True" ? true : undefined;
    });
    // Discovery can lag behind Established for a moment.
    await eventually("the resource to be served", () => kubectl(["get", "profilingpolicies"]));
  });

  after(async () => {
    if (created.length > 0) {
      await kubectl(["delete", "profilingpolicy", "--ignore-not-found", ...created]).catch(
        () => undefined,
      );
    }
  });

  for (const example of loadExamples("policies")) {
    it(`stores ${example.file} with the defaults withDefaults predicts`, async () => {
      const { name, manifest, spec } = renamed(example.text);
      await apply(manifest);
      created.push(name);
      const stored = JSON.parse(await kubectl(["get", "profilingpolicy", name, "-o", "json"]));
      expect(stored.spec).to.deep.equal(withDefaults(spec as Parameters<typeof withDefaults>[0]));
    });
  }

  for (const example of loadExamples("invalid")) {
    it(`refuses ${example.file}`, async () => {
      const { name, manifest } = renamed(example.text);
      const error = await apply(manifest).then(
        () => {
          created.push(name);
          return "accepted";
        },
        (err: Error) => err.message,
      );
      expect(error).to.include(example.expect);
    });
  }

  it("takes status only through the status subresource, and prints it under its short name", async () => {
    const name = `status-${run}`;
    await apply(
      stringify({
        apiVersion: "fleetscope.io/v1alpha1",
        kind: "ProfilingPolicy",
        metadata: { name },
        spec: {},
      }),
    );
    created.push(name);
    const status = {
      observedGeneration: 1,
      conditions: [
        {
          type: "Ready",
          status: "True",
          reason: "AllComponentsReady",
          message: "",
          lastTransitionTime: "2026-01-01T00:00:00Z",
        },
      ],
      coverage: {
        summary: "9/10 (90%)",
        namespaces: 2,
        workloads: { eligible: 4, injected: 3, outdated: 0, skipped: 1 },
        pods: { eligible: 10, injected: 9, outdated: 0, skipped: 1 },
        skippedReasons: { NoJavaContainer: 1 },
      },
      rollout: { phase: "Complete", inFlight: 0, done: 3, total: 3 },
    };
    await kubectl([
      "patch",
      "profilingpolicy",
      name,
      "--subresource=status",
      "--type=merge",
      "-p",
      JSON.stringify({ status }),
    ]);
    const [header, row] = (await kubectl(["get", "pp", name])).split("\n");
    expect(header?.split(/\s+/).filter((s) => s !== "")).to.deep.equal([
      "NAME",
      "MODE",
      "READY",
      "COVERAGE",
      "ROLLOUT",
      "AGE",
    ]);
    expect(row?.split(/\s+/).slice(0, 6)).to.deep.equal([
      name,
      "Monolithic",
      "True",
      "9/10",
      "(90%)",
      "Complete",
    ]);
    const refused = await kubectl([
      "patch",
      "profilingpolicy",
      name,
      "--subresource=status",
      "--type=merge",
      "-p",
      JSON.stringify({
        status: { rollout: { phase: "Exploded", inFlight: 0, done: 0, total: 0 } },
      }),
    ]).catch((err: Error) => err.message);
    expect(refused).to.include('status.rollout.phase: Unsupported value: "Exploded"');
  });

  it("documents its fields in kubectl explain", async () => {
    const text = await kubectl(["explain", "profilingpolicy.spec.agent"]);
    expect(text).to.include("The Pyroscope Java agent injected into selected containers.");
    expect(text).to.match(/uploadInterval\s+<string>/);
    const lock = await kubectl(["explain", "profilingpolicy.spec.agent.profiles.lock"]);
    expect(lock).to.include("Units: us, ms or s");
  });
});
