import { expect } from "chai";
import { hasOwn, own, setOwn } from "./own.ts";
import { dict, PROTOTYPE_KEYS } from "./testing.ts";

describe("own, hasOwn, setOwn", () => {
  for (const key of PROTOTYPE_KEYS) {
    it(`${key}: absent unless the map has it, and set as a key of its own`, () => {
      expect(own({}, key)).to.equal(undefined);
      expect(hasOwn({}, key)).to.equal(false);
      expect(own(dict([[key, "v"]]), key)).to.equal("v");
      expect(hasOwn(dict([[key, "v"]]), key)).to.equal(true);
      const m: Record<string, string> = {};
      setOwn(m, key, "v");
      expect(Object.keys(m)).to.deep.equal([key]);
      expect(Object.getPrototypeOf(m)).to.equal(Object.prototype);
      expect(JSON.stringify(m)).to.equal(JSON.stringify(dict([[key, "v"]])));
    });
  }
  it("reads nothing from an absent map", () => {
    expect(own(undefined, "a")).to.equal(undefined);
    expect(hasOwn(null, "a")).to.equal(false);
  });
});
