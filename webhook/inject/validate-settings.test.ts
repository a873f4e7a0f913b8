import { expect } from "chai";
import type { InjectionSettings } from "./settings.ts";
import { settings } from "./testing.ts";
import { settingsProblems } from "./validate-settings.ts";

describe("settingsProblems", () => {
  it("accepts the defaults", () => expect(settingsProblems(settings())).to.deep.equal([]));

  const rows: [string, Partial<InjectionSettings>, RegExp][] = [
    ["a minute interval, which the agent rejects", { uploadInterval: "1m" }, /uploadInterval "1m"/],
    [
      "a bare number, which the agent reads as nanoseconds",
      { profiles: { event: "itimer", interval: "10" } },
      /profiles.interval/,
    ],
    [
      "an unknown event",
      { profiles: { event: "perf" as "cpu", interval: "10ms" } },
      /profiles.event/,
    ],
    [
      "an alloc threshold that is not bytes",
      { profiles: { event: "itimer", interval: "10ms", alloc: "lots" } },
      /profiles.alloc/,
    ],
    [
      "a lock threshold that is not a duration",
      { profiles: { event: "itimer", interval: "10ms", lock: "1h" } },
      /profiles.lock/,
    ],
    ["a server address that is not a URL", { serverAddress: "pyroscope:4040" }, /serverAddress/],
    ["whitespace in the server address", { serverAddress: "http://a b" }, /serverAddress/],
    [
      "an unknown placeholder",
      { applicationNameTemplate: "{team}/{workload}" },
      /unknown placeholder \{team\}/,
    ],
    ["an empty template", { applicationNameTemplate: " " }, /applicationNameTemplate is empty/],
    ["a tenant with spaces", { tenantID: "team a" }, /tenantID/],
    [
      "an extra property overriding a managed one",
      { extraProperties: { "server.address": "http://x" } },
      /managed/,
    ],
    [
      "an extra property with whitespace",
      { extraProperties: { "ingest.max.tries": "1 2" } },
      /whitespace/,
    ],
    [
      "incomplete basic auth",
      { basicAuthSecret: { name: "s", userKey: "", passwordKey: "p" } },
      /basicAuthSecret/,
    ],
  ];
  for (const [what, overrides, want] of rows) {
    it(`rejects ${what}`, () =>
      expect(settingsProblems(settings(overrides)).join("; ")).to.match(want));
  }
});
