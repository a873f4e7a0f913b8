// The import rules of the source tree (docs/adr/0021-layered-layout.md): layers import only
// downwards, pure folders never reach the I/O shells, and no file imports itself back.
//
//   node hack/import-layers.ts      prints every violation and exits 1 when there is one
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

/** Lowest first: a file may import files of its own layer and of the layers before it. */
export const LAYERS: readonly { name: string; folders: readonly string[] }[] = [
  { name: "core", folders: ["core"] },
  { name: "webhook", folders: ["webhook"] },
  { name: "operator", folders: ["operator"] },
  { name: "cli", folders: ["cli"] },
  { name: "tests and tools", folders: ["e2e", "hack"] },
];

/** Pure cores (tests aside) never import the machinery that talks to the API server. */
export const PURE = [
  "core",
  "webhook/inject",
  "operator/coverage",
  "operator/render",
  "operator/rollout",
  "operator/status",
];
export const IO_SHELLS = [
  "operator/kube",
  "operator/runtime",
  "operator/controllers",
  "operator/caches.ts",
  "operator/context.ts",
  "operator/leading.ts",
  "operator/manager.ts",
  "operator/main.ts",
];

export interface SourceFile {
  /** Repository-relative, with forward slashes. */
  path: string;
  /** Repository-relative paths of the files it imports (relative specifiers only). */
  imports: readonly string[];
}

const within = (path: string, folder: string) => path === folder || path.startsWith(`${folder}/`);
const layerOf = (path: string) => LAYERS.findIndex((l) => l.folders.some((f) => within(path, f)));
const isTest = (path: string) => /\.test\.ts$/.test(path);

/** Every broken rule, one sentence each, naming both files. */
export function violations(files: readonly SourceFile[]): string[] {
  const out: string[] = [];
  for (const file of files) {
    const from = layerOf(file.path);
    for (const target of file.imports) {
      const to = layerOf(target);
      if (from >= 0 && to > from) {
        const allowed = LAYERS.slice(0, from + 1).map((l) => l.name);
        out.push(
          `${file.path} imports ${target}: ${LAYERS[from]!.name} may import only ${allowed.join(", ")}`,
        );
      }
      const pure = PURE.find((f) => within(file.path, f));
      const shell = IO_SHELLS.find((f) => within(target, f));
      if (pure && shell && !isTest(file.path)) {
        out.push(`${file.path} imports ${target}: ${pure} is pure and may not import ${shell}`);
      }
    }
  }
  return [...out, ...cycles(files).map((c) => `import cycle: ${c.join(" → ")}`)];
}

/** Import cycles among the files, each as the path that closes it (Tarjan's components). */
export function cycles(files: readonly SourceFile[]): string[][] {
  const graph = new Map(files.map((f) => [f.path, f.imports]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    const selfImport = graph.get(v)!.includes(v);
    if (component.length > 1 || selfImport) found.push([...component.reverse(), v]);
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

/** The repository's TypeScript files (from git) and what each imports. */
export function readTree(root: string): SourceFile[] {
  const listed = execGitLsFiles(root);
  return listed.map((path) => {
    const source = readFileSync(join(root, path), "utf8");
    const imports = ts
      .preProcessFile(source, true, true)
      .importedFiles.map((f) => f.fileName)
      .filter((spec) => spec.startsWith("."))
      .map((spec) =>
        normalize(join(dirname(path), spec))
          .split("\\")
          .join("/"),
      );
    return { path, imports };
  });
}

function execGitLsFiles(root: string): string[] {
  // git, so that build output and dependencies never count; untracked new files do.
  const out = execFileSync(
    "git",
    ["ls-files", "--cached", "--others", "--exclude-standard", "--", "*.ts"],
    { cwd: root, encoding: "utf8" },
  );
  return out.split("\n").filter((p) => p && existsSync(join(root, p)));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = relative(process.cwd(), resolve(import.meta.dirname, "..")) || ".";
  const found = violations(readTree(root));
  for (const v of found) console.error(v);
  if (found.length > 0) process.exit(1);
  console.log("imports: layers point down, pure folders stay pure, no cycles");
}
