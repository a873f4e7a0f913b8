// The identity the operator's requests carry: its package version in the User-Agent.
import { readFileSync } from "node:fs";
import { expect } from "chai";
import { USER_AGENT, VERSION } from "./identity.ts";

describe("identity", () => {
  it("is fleetscope/<version of package.json>", () => {
    const pkg = JSON.parse(
      readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
    ) as { version: string };
    expect(VERSION).to.equal(pkg.version);
    expect(USER_AGENT).to.equal(`fleetscope/${pkg.version}`);
  });
});
