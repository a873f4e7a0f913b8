// The images `hack/images.sh` built (its manifest) and the OCI archives' own index, manifest and config.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../datapath/artifacts.ts";

const run = promisify(execFile);

/** One line of the manifest hack/images.sh writes. */
export interface BuiltImage {
  name: string;
  archive: string;
  /** The image manifest's digest: what containerd records after `ctr images import`. */
  digest: string;
  configDigest: string;
  archiveBytes: number;
  layersBytes: number;
  layers: number;
  user: string;
  entrypoint: string[] | null;
  cmd: string[] | null;
}

export interface ImageConfig {
  User?: string;
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Env?: string[];
  WorkingDir?: string;
  Labels?: Record<string, string>;
}

interface Descriptor {
  digest: string;
  size: number;
  mediaType: string;
}

/** Builds (or reuses) every image and returns the manifest; the first run takes minutes. */
export async function buildImages(): Promise<BuiltImage[]> {
  const { stdout } = await run(resolve(repoRoot, "hack/images.sh"), [], {
    maxBuffer: 1 << 24,
  });
  const path = stdout.trim().split("\n").at(-1) ?? "";
  const parsed = JSON.parse(await readFile(path, "utf8")) as { images: BuiltImage[] };
  return parsed.images;
}

export function byName(images: BuiltImage[], name: string): BuiltImage {
  const found = images.find((i) => i.name === name);
  if (found === undefined) {
    throw new Error(`no image ${name} among ${images.map((i) => i.name).join(", ")}`);
  }
  return found;
}

async function member(archive: string, path: string): Promise<Buffer> {
  const { stdout } = await run("tar", ["-xOf", archive, path], {
    encoding: "buffer",
    maxBuffer: 1 << 26,
  });
  return stdout;
}

async function blob(archive: string, digest: string): Promise<Buffer> {
  return member(archive, `blobs/sha256/${digest.replace(/^sha256:/, "")}`);
}

export interface ArchiveContents {
  manifestDigest: string;
  layers: Descriptor[];
  config: ImageConfig;
}

/** The archive's index, its one manifest and the image config, read from the tar itself. */
export async function readArchive(archive: string): Promise<ArchiveContents> {
  const index = JSON.parse((await member(archive, "index.json")).toString()) as {
    manifests: Descriptor[];
  };
  const [only, ...more] = index.manifests;
  if (only === undefined || more.length > 0) {
    throw new Error(`${archive}: expected one manifest, found ${index.manifests.length}`);
  }
  const manifestDigest = only.digest;
  const manifest = JSON.parse((await blob(archive, manifestDigest)).toString()) as {
    config: Descriptor;
    layers: Descriptor[];
  };
  const config = JSON.parse((await blob(archive, manifest.config.digest)).toString()) as {
    config: ImageConfig;
  };
  return { manifestDigest, layers: manifest.layers, config: config.config };
}

/** Unpacks the layers in order into dir, as a runtime would (the images delete no files). */
export async function unpackRootfs(archive: string, dir: string): Promise<void> {
  const { layers } = await readArchive(archive);
  for (const layer of layers) {
    const data = await blob(archive, layer.digest);
    const list = await tarList(data, layer.mediaType);
    const whiteout = list.find((p) => p.split("/").at(-1)?.startsWith(".wh."));
    if (whiteout !== undefined) throw new Error(`${archive}: layer deletes ${whiteout}`);
    await tarExtract(data, layer.mediaType, dir);
  }
}

function gzipped(mediaType: string): boolean {
  return mediaType.endsWith("+gzip") || mediaType.endsWith(".gzip");
}

function tarWithInput(args: string[], input: Buffer): Promise<string> {
  return new Promise((res, rej) => {
    const child = execFile("tar", args, { maxBuffer: 1 << 26 }, (err, stdout) =>
      err ? rej(err) : res(stdout),
    );
    child.stdin?.end(input);
  });
}

async function tarList(data: Buffer, mediaType: string): Promise<string[]> {
  const out = await tarWithInput([gzipped(mediaType) ? "-tz" : "-t"], data);
  return out.split("\n").filter((l) => l !== "");
}

async function tarExtract(data: Buffer, mediaType: string, dir: string): Promise<void> {
  await tarWithInput(
    [gzipped(mediaType) ? "-xz" : "-x", "--numeric-owner", "--same-permissions", "-C", dir],
    data,
  );
}
