// Every skip code the webhook records on a pod reads as a sentence in coverage and `why`.
import { expect } from "chai";
import { camelReason, describeReason } from "./reasons.ts";

describe("coverage reasons", () => {
  const recorded = [
    "opted-out",
    "windows-pod",
    "invalid-settings",
    "name-conflict",
    "no-target-container",
    "java-options-unmergeable",
    "java8-options-unmergeable",
    "no-writable-tmp",
  ];
  for (const code of recorded) {
    it(`${code} has a description`, () => {
      const reason = camelReason(code);
      expect(describeReason(reason), reason).to.not.equal(reason);
    });
  }
});
