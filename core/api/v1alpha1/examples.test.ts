// The example manifests say what they claim: every policy in examples/policies is valid, and
// every one in examples/invalid is refused at the field its `# expect:` line names.
import { expect } from "chai";
import { parse } from "yaml";
import { fieldIn, loadExamples } from "./examples.ts";
import { formatErrors, validatePolicy } from "./validate.ts";

describe("examples/policies", () => {
  const valid = loadExamples("policies");
  it("has the documented set", () => {
    expect(valid.map((e) => e.file)).to.include.members([
      "quickstart-monolithic.yaml",
      "microservices-v1.yaml",
      "microservices-v2-s3.yaml",
      "microservices-v2-nfs.yaml",
      "external.yaml",
      "dry-run-audit.yaml",
      "rolling-rollout.yaml",
    ]);
  });
  for (const example of valid) {
    it(`${example.file} is valid`, () => {
      const result = validatePolicy(parse(example.text));
      expect(result.ok, formatErrors(result.errors)).to.equal(true);
    });
  }
});

describe("examples/invalid", () => {
  for (const example of loadExamples("invalid")) {
    it(`${example.file} is refused at the field it names`, () => {
      expect(example.expect, "first line must be `# expect: ...`").to.be.a("string");
      const field = fieldIn(example.expect!);
      expect(field, "the expectation must name a spec field").to.be.a("string");
      const result = validatePolicy(parse(example.text));
      expect(result.ok).to.equal(false);
      const text = formatErrors(result.errors);
      // CEL messages are ours and read the same from ajv; built-in ones are worded differently
      // by the API server, so for those the path is what must agree.
      const sameField = result.errors.some((e) => e.path === field);
      expect(text.includes(example.expect!) || sameField, text).to.equal(true);
    });
  }
});
