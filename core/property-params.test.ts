import { expect } from "chai";
import fc from "fast-check";
import { propertyParams } from "./property-params.ts";

describe("propertyParams", () => {
  it("runs the property's own count, or FLEETSCOPE_FUZZ_RUNS when larger", () => {
    expect(propertyParams(500, [], {}).numRuns).to.equal(500);
    expect(propertyParams(500, [], { FLEETSCOPE_FUZZ_RUNS: "100000" }).numRuns).to.equal(100000);
    expect(propertyParams(500, [], { FLEETSCOPE_FUZZ_RUNS: "10" }).numRuns).to.equal(500);
  });

  it("replays a seed and path when asked to, else draws a seed it can print", () => {
    expect(propertyParams(1, [], {}).seed).to.be.a("number");
    expect(propertyParams(1, [], {})).to.not.have.property("path");
    expect(
      propertyParams(1, [], {
        FLEETSCOPE_FUZZ_SEED: "-1687965506",
        FLEETSCOPE_FUZZ_PATH: "404:66",
      }),
    ).to.include({ seed: -1687965506, path: "404:66" });
  });

  it("refuses a count or seed that is not an integer, naming the variable", () => {
    expect(() => propertyParams(1, [], { FLEETSCOPE_FUZZ_RUNS: "lots" })).to.throw(
      /FLEETSCOPE_FUZZ_RUNS=lots/,
    );
    expect(() => propertyParams(1, [], { FLEETSCOPE_FUZZ_RUNS: "0" })).to.throw(/>= 1/);
    expect(() => propertyParams(1, [], { FLEETSCOPE_FUZZ_SEED: "1.5" })).to.throw(
      /FLEETSCOPE_FUZZ_SEED=1.5/,
    );
  });

  it("checks the kept counterexamples first, and a failure reports its seed and path", () => {
    const seen: number[] = [];
    let message = "";
    try {
      fc.assert(
        fc.property(fc.integer(), (n) => {
          seen.push(n);
          return n !== 7;
        }),
        propertyParams(5, [[7]], {}),
      );
    } catch (err) {
      message = (err as Error).message;
    }
    expect(seen[0]).to.equal(7);
    expect(message).to.match(/seed: -?\d+, path: "[\d:]+"/);
    expect(message).to.include("Counterexample: [7]");
  });
});
