import { expect } from "chai";
import { parseCommand } from "./args.ts";

describe("fleetscope arguments", () => {
  const rows: [string, string[], object][] = [
    ["no arguments is help", [], { command: { name: "help" } }],
    [
      "why a pod or workload",
      ["why", "shop/checkout"],
      { command: { name: "why", namespace: "shop", target: "checkout" } },
    ],
    [
      "why with a kind",
      ["why", "shop/sts/ledger"],
      { command: { name: "why", namespace: "shop", kind: "StatefulSet", target: "ledger" } },
    ],
    [
      "why without a namespace",
      ["why", "checkout"],
      { error: "why takes <namespace>/<name> or <namespace>/<kind>/<name>" },
    ],
    [
      "why with an unknown kind",
      ["why", "shop/job/x"],
      { error: "unknown kind job: use pod, deployment, statefulset or daemonset" },
    ],
    ["coverage of all", ["coverage"], { command: { name: "coverage" } }],
    ["coverage of one", ["coverage", "shop"], { command: { name: "coverage", policy: "shop" } }],
    [
      "rollout status",
      ["rollout", "status", "shop"],
      { command: { name: "rollout", action: "status", policy: "shop" } },
    ],
    [
      "rollout without a policy",
      ["rollout", "pause"],
      { error: "rollout takes status, pause or resume and a policy" },
    ],
    ["unknown command", ["explain"], { error: "unknown command explain" }],
  ];
  for (const [what, argv, expected] of rows) {
    it(what, () => expect(parseCommand(argv)).to.deep.include(expected));
  }

  it("takes the operator namespace from the flag, then the environment", () => {
    const env = { FLEETSCOPE_NAMESPACE: "from-env" };
    const get = (argv: string[]) =>
      (parseCommand(argv, env) as { options: { operatorNamespace: string } }).options
        .operatorNamespace;
    expect(get(["coverage"])).to.equal("from-env");
    expect(get(["coverage", "--operator-namespace", "ops"])).to.equal("ops");
    expect(
      (parseCommand(["coverage"]) as { options: { operatorNamespace: string } }).options
        .operatorNamespace,
    ).to.equal("fleetscope");
  });

  it("reports unknown flags", () => {
    expect(parseCommand(["coverage", "--nope"])).to.have.property("error");
  });
});
