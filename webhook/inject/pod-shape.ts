// Structural check of the parts of a pod the mutation reads or edits, so that the rest of the
// code can trust their shape and a malformed pod is admitted unchanged rather than half-patched.

type Json = unknown;

const isObject = (v: Json): v is Record<string, Json> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const optional = (v: Json, ok: (v: Json) => boolean) => v === undefined || ok(v);
const isString = (v: Json) => typeof v === "string";
const stringMap = (v: Json) => isObject(v) && Object.values(v).every(isString);
const listOf = (ok: (v: Json) => boolean) => (v: Json) => Array.isArray(v) && v.every(ok);
const named = (v: Json) => isObject(v) && typeof v.name === "string";

function containerProblem(c: Json): string | undefined {
  if (!named(c)) return "a container has no name";
  const { env, envFrom, volumeMounts, securityContext, command, args, image } = c as Record<
    string,
    Json
  >;
  const name = (c as { name: string }).name;
  if (!optional(image, isString)) return `container ${name}: image is not a string`;
  if (!optional(env, listOf(named))) return `container ${name}: env is not a list of named vars`;
  if (!optional(envFrom, listOf(isObject))) return `container ${name}: envFrom is not a list`;
  if (!optional(volumeMounts, listOf(isObject)))
    return `container ${name}: volumeMounts is not a list`;
  if (!optional(command, listOf(isString)) || !optional(args, listOf(isString)))
    return `container ${name}: command or args is not a list of strings`;
  if (!optional(securityContext, isObject))
    return `container ${name}: securityContext is not an object`;
  const caps = (securityContext as Record<string, Json> | undefined)?.capabilities;
  if (!optional(caps, isObject)) return `container ${name}: capabilities is not an object`;
  const { add, drop } = (caps ?? {}) as Record<string, Json>;
  if (!optional(add, listOf(isString)) || !optional(drop, listOf(isString)))
    return `container ${name}: capabilities are not lists of strings`;
  return undefined;
}

/** What is wrong with the pod's shape, or undefined when it can be mutated. */
export function podShapeProblem(pod: Json): string | undefined {
  if (!isObject(pod)) return "the object is not a pod";
  if (!optional(pod.metadata, isObject)) return "metadata is not an object";
  const meta = (pod.metadata ?? {}) as Record<string, Json>;
  if (!optional(meta.labels, stringMap)) return "metadata.labels is not a string map";
  if (!optional(meta.annotations, stringMap)) return "metadata.annotations is not a string map";
  if (!optional(meta.ownerReferences, listOf(isObject)))
    return "metadata.ownerReferences is not a list";
  if (!isObject(pod.spec)) return "the pod has no spec";
  const spec = pod.spec;
  if (!Array.isArray(spec.containers)) return "spec.containers is not a list";
  if (!optional(spec.initContainers, Array.isArray)) return "spec.initContainers is not a list";
  if (!optional(spec.volumes, listOf(named))) return "spec.volumes is not a list of named volumes";
  if (!optional(spec.securityContext, isObject)) return "spec.securityContext is not an object";
  if (!optional(spec.os, isObject)) return "spec.os is not an object";
  for (const c of [...spec.containers, ...((spec.initContainers as Json[]) ?? [])]) {
    const problem = containerProblem(c);
    if (problem) return problem;
  }
  return undefined;
}
