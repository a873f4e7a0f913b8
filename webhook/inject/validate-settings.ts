// Checks resolved settings against what the agent's parsers accept, because the agent drops a
// bad value silently (or with a log line nobody reads) and runs unprofiled or with defaults.
import { MANAGED_PROPERTIES, propertyKey } from "./agent-options.ts";
import { TEMPLATE_PLACEHOLDERS } from "./app-name.ts";
import type { InjectionSettings } from "./settings.ts";

/** Only `ms`, `us` and `s`: a bare number means nanoseconds and `1m` is rejected by the agent. */
const DURATION = /^[0-9]+(ms|us|s)$/;
const BYTES = /^[0-9]+[kmgKMG]?$/;
const NO_SPACE = /^\S+$/;
const TENANT = /^[A-Za-z0-9!._*'()-]{1,150}$/;
const PROPERTY = /^[A-Za-z0-9]+([._-][A-Za-z0-9]+)*$/;
const EVENTS = new Set(["itimer", "cpu", "wall"]);

/** Problems found, empty when the settings are usable. */
export function settingsProblems(s: InjectionSettings): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, problem: string) => {
    if (!ok) problems.push(problem);
  };
  check(typeof s.initImage === "string" && NO_SPACE.test(s.initImage), "initImage is empty");
  check(typeof s.agentVersion === "string" && s.agentVersion !== "", "agentVersion is empty");
  check(
    validServerAddress(s.serverAddress),
    `serverAddress ${JSON.stringify(s.serverAddress)} is not an http(s) URL`,
  );
  check(
    EVENTS.has(s.profiles?.event),
    `profiles.event ${JSON.stringify(s.profiles?.event)} is not itimer, cpu or wall`,
  );
  check(
    DURATION.test(s.profiles?.interval ?? ""),
    durationProblem("profiles.interval", s.profiles?.interval),
  );
  check(DURATION.test(s.uploadInterval ?? ""), durationProblem("uploadInterval", s.uploadInterval));
  if (s.profiles?.lock !== undefined) {
    check(DURATION.test(s.profiles.lock), durationProblem("profiles.lock", s.profiles.lock));
  }
  if (s.profiles?.alloc !== undefined) {
    check(
      BYTES.test(s.profiles.alloc),
      `profiles.alloc ${JSON.stringify(s.profiles.alloc)} is not a byte count like 512k`,
    );
  }
  if (s.tenantID !== undefined)
    check(
      TENANT.test(s.tenantID),
      `tenantID ${JSON.stringify(s.tenantID)} is not a valid tenant ID`,
    );
  if (s.logLevel !== undefined)
    check(
      /^[A-Za-z]+$/.test(s.logLevel),
      `logLevel ${JSON.stringify(s.logLevel)} is not a level name`,
    );
  const template = s.applicationNameTemplate ?? "";
  check(template.trim() !== "", "applicationNameTemplate is empty");
  for (const m of template.matchAll(/\{([^}]*)\}/g)) {
    const known = (TEMPLATE_PLACEHOLDERS as readonly string[]).includes(m[1] ?? "");
    check(known, `applicationNameTemplate has unknown placeholder ${m[0]}`);
  }
  const auth = s.basicAuthSecret;
  if (auth)
    check(
      !!auth.name && !!auth.userKey && !!auth.passwordKey,
      "basicAuthSecret needs name, userKey and passwordKey",
    );
  for (const [key, value] of Object.entries(s.extraProperties ?? {})) {
    const name = propertyKey(key);
    check(PROPERTY.test(key), `extra property ${JSON.stringify(key)} is not a property name`);
    check(
      !MANAGED_PROPERTIES.has(name),
      `extra property ${name} is managed by the policy's own fields`,
    );
    check(
      typeof value === "string" && NO_SPACE.test(value),
      `extra property ${name} must be non-empty without whitespace`,
    );
  }
  return problems;
}

function durationProblem(field: string, v: string | undefined): string {
  return `${field} ${JSON.stringify(v)} is not a duration in ms, us or s`;
}

function validServerAddress(v: string): boolean {
  if (typeof v !== "string" || !/^https?:\/\/\S+$/.test(v)) return false;
  try {
    new URL(v);
    return true;
  } catch {
    return false;
  }
}
