// Escaping and sanitizing of values written into env vars, profile labels and pod labels,
// each of which has its own parser that silently drops or rewrites what it does not accept.

/**
 * Kubernetes expands `$(VAR)` in env values and reduces `$$` to `$`, so every literal `$` we
 * write must be doubled or a user-controlled string could reference another variable.
 */
export function escapeDollars(s: string): string {
  return s.replaceAll("$", () => "$$");
}

/** The agent drops a label pair holding `{ } , =` or a space without a message. */
const PROFILE_LABEL_UNSAFE = /[{},=\s]/g;

export function profileLabelValue(v: string): string {
  const s = v.replace(PROFILE_LABEL_UNSAFE, "_");
  return s === "" ? "_" : s;
}

/** Label names are stricter than values on the server: letters, digits, `_` and `.`. */
export function profileLabelName(k: string): string {
  const s = k.replace(/[^A-Za-z0-9_.]/g, "_");
  return /^[A-Za-z_]/.test(s) ? s : `_${s}`;
}

/** The application name is sent as `name=app{labels}`: braces and separators would split it. */
export function applicationNamePart(s: string): string {
  return s.replace(/[{},=\s]/g, "_");
}

/** A Kubernetes label value: at most 63 characters, alphanumeric at both ends. */
export function kubeLabelValue(v: string): string {
  return v
    .replace(/[^A-Za-z0-9_.-]/g, "-")
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+/, "")
    .replace(/[^A-Za-z0-9]+$/, "");
}
