// Test support: loading policy fixtures, defaulted as the API server would, and finding objects.
import { readFileSync } from "node:fs";
import type { V1Container, V1PodTemplateSpec } from "@kubernetes/client-node";
import { parse } from "yaml";
import { withDefaults } from "../../../core/api/v1alpha1/defaults.ts";
import type {
  ProfilingPolicy,
  ProfilingPolicySpecInput,
} from "../../../core/api/v1alpha1/types.ts";
import type { RenderedObject } from "./objects.ts";

export interface Fixture {
  policy: ProfilingPolicy;
  /** Values of the Secrets the policy references; they must never be rendered. */
  secretValues: string[];
}

export function loadFixture(file: string): Fixture {
  const text = readFileSync(new URL(`./fixtures/${file}`, import.meta.url), "utf8");
  const doc = parse(text) as {
    metadata: { name: string; uid: string };
    spec: ProfilingPolicySpecInput;
    secretValues?: Record<string, string>;
  };
  return {
    policy: {
      apiVersion: "fleetscope.io/v1alpha1",
      kind: "ProfilingPolicy",
      metadata: doc.metadata,
      spec: withDefaults(doc.spec),
    },
    secretValues: Object.values(doc.secretValues ?? {}),
  };
}

export function find(objects: RenderedObject[], kind: string, name: string): RenderedObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (found === undefined) {
    const have = objects.map((o) => `${o.kind}/${o.metadata.name}`).join(", ");
    throw new Error(`no ${kind}/${name} among ${have}`);
  }
  return found;
}

export function podTemplateOf(o: RenderedObject): V1PodTemplateSpec {
  const spec = (o as { spec?: { template?: V1PodTemplateSpec } }).spec;
  if (spec?.template === undefined) throw new Error(`${o.kind}/${o.metadata.name} has no pods`);
  return spec.template;
}

export function containerOf(o: RenderedObject): V1Container {
  const c = podTemplateOf(o).spec?.containers[0];
  if (c === undefined) throw new Error(`${o.kind}/${o.metadata.name} has no container`);
  return c;
}

export function kindsAndNames(objects: RenderedObject[]): string[] {
  return objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`);
}
