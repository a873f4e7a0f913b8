import { expect } from "chai";
import { PROTOTYPE_KEYS } from "../core/testing.ts";
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
    ["status", ["status"], { command: { name: "status" } }],
    [
      "status with an argument",
      ["status", "shop"],
      { error: "status takes no arguments; see coverage <policy>" },
    ],
    [
      "explain pod with -n",
      ["explain", "pod", "checkout-7f9-a", "-n", "shop"],
      {
        command: { name: "explain", kind: "Pod", namespace: "shop", target: "checkout-7f9-a" },
      },
    ],
    [
      "explain pod with --namespace=, before the name",
      ["explain", "--namespace=shop", "po", "checkout-7f9-a"],
      {
        command: { name: "explain", kind: "Pod", namespace: "shop", target: "checkout-7f9-a" },
      },
    ],
    [
      "explain in the default namespace",
      ["explain", "pod", "web"],
      { command: { name: "explain", kind: "Pod", namespace: "default", target: "web" } },
    ],
    [
      "explain a deployment",
      ["explain", "deploy", "checkout", "-n", "shop"],
      {
        command: { name: "explain", kind: "Deployment", namespace: "shop", target: "checkout" },
      },
    ],
    [
      "explain without a name",
      ["explain", "pod"],
      {
        error: "explain takes pod (or deployment, statefulset, daemonset) <name> [-n <namespace>]",
      },
    ],
    [
      "explain with namespace/name",
      ["explain", "pod", "shop/web"],
      {
        error: "explain takes pod (or deployment, statefulset, daemonset) <name> [-n <namespace>]",
      },
    ],
    [
      "-n on another command",
      ["why", "shop/web", "-n", "shop"],
      { error: "-n/--namespace is a flag of explain; why takes <namespace>/<name>" },
    ],
    [
      "rollout pause",
      ["rollout", "pause", "shop"],
      { command: { name: "rollout", action: "pause", policy: "shop" } },
    ],
    [
      "rollout resume",
      ["rollout", "resume", "shop"],
      { command: { name: "rollout", action: "resume", policy: "shop" } },
    ],
    ["unknown command", ["describe"], { error: "unknown command describe" }],
    // Kinds named like Object.prototype members are unknown kinds, not its functions.
    ...PROTOTYPE_KEYS.flatMap((key): [string, string[], object][] => [
      [
        `explain with kind ${key}`,
        ["explain", key, "web"],
        {
          error:
            "explain takes pod (or deployment, statefulset, daemonset) <name> [-n <namespace>]",
        },
      ],
      [
        `why with kind ${key}`,
        ["why", `shop/${key}/web`],
        { error: `unknown kind ${key}: use pod, deployment, statefulset or daemonset` },
      ],
    ]),
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

  describe("profile commands", () => {
    const NOW = Date.parse("2025-06-01T12:00:00Z");
    const cmd = (argv: string[]) => parseCommand(argv, {}, NOW);

    it("top with defaults: cpu over the last 15 minutes, 20 rows", () => {
      expect(cmd(["top", "--app", "shop/checkout"])).to.deep.include({
        command: {
          name: "top",
          profile: { app: "shop/checkout", type: "cpu", all: false, limit: 20 },
          range: { start: NOW - 900_000, end: NOW },
        },
      });
    });

    it("top with every flag", () => {
      const argv = [
        "top",
        "--app=shop/checkout",
        "--from=2025-06-01T10:00:00Z",
        "--to=1748777400000",
        "--type=alloc",
        "--server=http://127.0.0.1:4040",
        "--tenant=shop-team",
        "--policy=shop",
        "--own=com.shop",
        "--own=org/acme/",
        "--limit=5",
      ];
      expect(cmd(argv)).to.deep.include({
        command: {
          name: "top",
          profile: {
            app: "shop/checkout",
            type: "alloc",
            all: false,
            limit: 5,
            server: "http://127.0.0.1:4040",
            tenant: "shop-team",
            policy: "shop",
            own: ["com/shop/", "org/acme/"],
          },
          range: { start: Date.parse("2025-06-01T10:00:00Z"), end: 1748777400000 },
        },
      });
    });

    it("flamegraph picks the format from the file name", () => {
      const svg = cmd(["flamegraph", "--app", "a", "-o", "flame.svg"]);
      expect(svg).to.have.nested.property("command.format", "svg");
      const html = cmd(["flamegraph", "--app", "a", "--output", "out/Flame.HTML"]);
      expect(html).to.have.nested.property("command.format", "html");
      expect(html).to.have.nested.property("command.output", "out/Flame.HTML");
    });

    it("diff takes two ranges", () => {
      expect(
        cmd(["diff", "--app", "a", "--before", "now-2h..now-1h", "--after", "now-1h..now"]),
      ).to.deep.include({
        command: {
          name: "diff",
          profile: { app: "a", type: "cpu", all: false, limit: 20 },
          before: { start: NOW - 7_200_000, end: NOW - 3_600_000 },
          after: { start: NOW - 3_600_000, end: NOW },
        },
      });
    });

    const base = { type: "cpu", all: false, limit: 20 };
    const revisionRows: [string, string[], object][] = [
      [
        "diff --revisions alone: the last two revisions",
        ["diff", "--app", "shop/checkout", "--revisions"],
        { name: "diff-revisions", namespace: "shop", workload: "checkout", minSamples: 500 },
      ],
      [
        "diff --revisions followed by another flag",
        ["diff", "--revisions", "--app", "shop/checkout", "-o", "d.html"],
        { name: "diff-revisions", workload: "checkout", output: "d.html" },
      ],
      [
        "diff --revisions OLD..NEW",
        ["diff", "--app", "shop/checkout", "--revisions", "3..4", "--min-samples", "50"],
        { name: "diff-revisions", revisions: "3..4", minSamples: 50 },
      ],
      [
        "diff of ranges with a diff flame graph",
        [
          "diff",
          "--app",
          "a",
          "--before",
          "now-2h..now-1h",
          "--after",
          "now-1h..now",
          "-o",
          "d.html",
        ],
        { name: "diff", output: "d.html" },
      ],
      [
        "regressions with defaults: the last 24 hours, a table",
        ["regressions"],
        {
          name: "regressions",
          since: NOW - 86_400_000,
          sinceText: "24h",
          json: false,
          minSamples: 500,
          profile: base,
        },
      ],
      [
        "regressions as JSON over 90 minutes",
        ["regressions", "--since", "90m", "-o", "json", "--type", "alloc"],
        {
          name: "regressions",
          since: NOW - 5_400_000,
          json: true,
          profile: { ...base, type: "alloc" },
        },
      ],
    ];
    for (const [what, argv, want] of revisionRows) {
      it(what, () => {
        const got = cmd(argv);
        if ("error" in got) throw new Error(got.error);
        expect(got.command).to.deep.include(want);
      });
    }

    const errors: [string, string[], RegExp][] = [
      ["top without --app", ["top"], /needs --app/],
      [
        "--revisions without a namespace",
        ["diff", "--app", "checkout", "--revisions"],
        /<namespace>\/<workload>/,
      ],
      [
        "--revisions with ranges",
        ["diff", "--app", "s/c", "--revisions", "--before", "now-1h..now"],
        /drop --before/,
      ],
      ["--revisions on top", ["top", "--app", "s/c", "--revisions"], /flag of diff/],
      [
        "a diff flame graph as SVG",
        ["diff", "--app", "s/c", "--revisions", "-o", "d.svg"],
        /end in \.html/,
      ],
      [
        "a bad --min-samples",
        ["diff", "--app", "s/c", "--revisions", "--min-samples", "0"],
        /--min-samples/,
      ],
      ["--since that is not a duration", ["regressions", "--since", "yesterday"], /24h, 90m or 7d/],
      ["regressions -o yaml", ["regressions", "-o", "yaml"], /-o json/],
      ["regressions --app", ["regressions", "--app", "s/c"], /not a flag of regressions/],
      ["--since on top", ["top", "--app", "a", "--since", "1h"], /flag of regressions/],
      ["an unknown type", ["top", "--app", "a", "--type", "heap"], /unknown --type heap/],
      ["a bad time", ["top", "--app", "a", "--from", "yesterday"], /cannot read time/],
      ["an empty range", ["top", "--app", "a", "--from", "now", "--to", "now-1h"], /empty/],
      ["a bad limit", ["top", "--app", "a", "--limit", "0"], /--limit/],
      ["positionals", ["top", "checkout"], /flags only/],
      ["-o on top", ["top", "--app", "a", "-o", "x.svg"], /flag of flamegraph/],
      ["flamegraph without -o", ["flamegraph", "--app", "a"], /needs -o/],
      ["another extension", ["flamegraph", "--app", "a", "-o", "x.png"], /\.svg or \.html/],
      ["diff without ranges", ["diff", "--app", "a", "--before", "now-2h..now-1h"], /--after/],
      ["diff with --from", ["diff", "--app", "a", "--from", "now-1h"], /not --from/],
      ["a malformed range", ["diff", "--app", "a", "--before", "x", "--after", "y"], /FROM..TO/],
      ["--before on top", ["top", "--app", "a", "--before", "now-1h..now"], /flags of diff/],
      ["profile flags elsewhere", ["coverage", "--app", "a"], /--app is a flag of top/],
    ];
    for (const [what, argv, error] of errors) {
      it(`refuses ${what}`, () => expect(cmd(argv)).to.have.property("error").that.match(error));
    }
  });
});
