// Who the operator's requests come from: the User-Agent `fleetscope/<version>` (the version of
// package.json, next to dist/ in the image) and the field manager of every write.
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

/** The field manager of writes that name none; controllers use `fleetscope-<controller>`. */
export const FIELD_MANAGER = "fleetscope";

/** The nearest package.json named fleetscope above this module, source or compiled. */
function packageVersion(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = resolve(dir, "package.json");
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "fleetscope" && pkg.version) return pkg.version;
    }
    if (dirname(dir) === dir) return "unknown";
  }
}

export const VERSION = packageVersion(import.meta.dirname);
export const USER_AGENT = `fleetscope/${VERSION}`;
