// The images `make images` builds from the project's Dockerfiles without a registry: one OCI
// archive each, non-root, the operator without a shell, the agent jar pinned, and each image's own
// command run from its archive (own namespaces, read-only root) the way a pod would run it.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { chmod, chown, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { CONFIG_FILE, DATA_DIR, PORT_HTTP } from "../../operator/render/pyroscope/components.ts";
import { renderPyroscope } from "../../operator/render/pyroscope/render.ts";
import {
  containerOf,
  find,
  loadFixture,
  podTemplateOf,
} from "../../operator/render/pyroscope/testing.ts";
import { repoRoot } from "../datapath/artifacts.ts";
import { poll } from "../datapath/process.ts";
import { startContainerd } from "./containerd.ts";
import {
  type BuiltImage,
  buildImages,
  byName,
  type ImageConfig,
  readArchive,
  unpackRootfs,
} from "./manifest.ts";
import { runToEnd, type Sandbox, type SandboxSpec, start, waitHttp } from "./sandbox.ts";

const fetchScript = readFileSync(resolve(repoRoot, "hack/fetch-agent.sh"), "utf8");
const AGENT_VERSION = /PYROSCOPE_AGENT_VERSION:-([0-9.]+)/.exec(fetchScript)?.[1] ?? "";
const AGENT_SHA256 =
  new RegExp(`\\[${AGENT_VERSION.replaceAll(".", "\\.")}\\]=([0-9a-f]{64})`).exec(
    fetchScript,
  )?.[1] ?? "";

const OPERATOR = "localhost/fleetscope/operator:dev";
const AGENT_INIT = `localhost/fleetscope/agent-init:${AGENT_VERSION}`;
const DEMO = "localhost/fleetscope/demo-service:dev";
const PYROSCOPE = "localhost/fleetscope/pyroscope-test:dev";

const run = promisify(execFile);
const sha256 = async (path: string) =>
  createHash("sha256")
    .update(await readFile(path))
    .digest("hex");

describe("images built from the project's Dockerfiles (make images)", function () {
  this.timeout(600_000);
  this.slow(60_000);

  let images: BuiltImage[];
  let work: string;
  const unpacked = new Map<string, { rootfs: string; config: ImageConfig }>();

  /** The image's rootfs and config, unpacked once from its archive. */
  async function image(name: string): Promise<{ rootfs: string; config: ImageConfig }> {
    const have = unpacked.get(name);
    if (have) return have;
    const { archive } = byName(images, name);
    const rootfs = await mkdtemp(join(work, "rootfs-"));
    await chmod(rootfs, 0o755); // the image's "/" (mkdtemp makes it 0700)
    await unpackRootfs(archive, rootfs);
    const { config } = await readArchive(archive);
    const got = { rootfs, config };
    unpacked.set(name, got);
    return got;
  }

  /** A sandbox spec that runs the image's entrypoint + cmd, or argv instead of the cmd. */
  async function spec(name: string, over: Partial<SandboxSpec> = {}): Promise<SandboxSpec> {
    const { rootfs, config } = await image(name);
    return {
      rootfs,
      argv: [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])],
      user: config.User ?? "0:0",
      env: config.Env ?? [],
      workingDir: config.WorkingDir,
      ...over,
    };
  }

  before(async function () {
    this.timeout(3_600_000); // a first run assembles the bases and runs npm ci in the build
    if (process.getuid?.() !== 0) {
      throw new Error("e2e/images needs root: buildah's vfs storage, unshare, mount and chroot");
    }
    expect(AGENT_SHA256, "pinned agent SHA-256 in hack/fetch-agent.sh").to.match(/^[0-9a-f]{64}$/);
    images = await buildImages();
    work = await mkdtemp(join(tmpdir(), "fleetscope-images-"));
  });

  after(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("writes one OCI archive per image whose own manifest digest is the recorded one", async () => {
    expect(images.map((i) => i.name)).to.have.members([OPERATOR, AGENT_INIT, DEMO, PYROSCOPE]);
    for (const built of images) {
      const { manifestDigest, layers } = await readArchive(built.archive);
      expect(manifestDigest, built.name).to.equal(built.digest);
      expect((await stat(built.archive)).size, built.name).to.equal(built.archiveBytes);
      expect(
        layers.reduce((s, l) => s + l.size, 0),
        built.name,
      ).to.equal(built.layersBytes);
    }
  });

  it("reuses the archives on a second run: same files, same digests", async () => {
    const again = await buildImages();
    expect(again.map((i) => [i.name, i.archive, i.digest])).to.deep.equal(
      images.map((i) => [i.name, i.archive, i.digest]),
    );
  });

  it("imports into containerd under its name with the recorded digest, as the node imports it", async () => {
    await run(resolve(repoRoot, "hack/install-host-packages.sh"), ["containerd"]);
    const dir = await mkdtemp(join(work, "containerd-"));
    const containerd = await startContainerd(dir);
    try {
      for (const built of images) {
        await containerd.ctr(["images", "import", built.archive]);
      }
      const listed = await containerd.ctr(["images", "ls"]);
      const refs = listed
        .split("\n")
        .slice(1)
        .filter((l) => l.trim() !== "")
        .map((l) => {
          const [ref, , digest] = l.split(/\s+/);
          return [ref, digest];
        });
      expect(refs).to.have.deep.members(images.map((i) => [i.name, i.digest]));
    } finally {
      await containerd.stop();
    }
  });

  it("runs every image as the non-root user 65532 by default", async () => {
    for (const built of images) {
      const { config } = await readArchive(built.archive);
      expect(config.User, built.name).to.equal("65532:65532");
    }
  });

  describe("operator", () => {
    it("has Node as its entrypoint, the Dockerfile's cmd, and no shell or busybox", async () => {
      const { rootfs, config } = await image(OPERATOR);
      expect(config.Entrypoint).to.deep.equal(["/nodejs/bin/node"]);
      expect(config.Cmd).to.deep.equal([
        "--max-semi-space-size=8",
        "--heap-growing-percent=100",
        "dist/operator/main.js",
      ]);
      expect(config.WorkingDir).to.equal("/app");
      for (const path of ["bin/sh", "usr/bin/sh", "bin/busybox", "usr/bin/busybox", "bin/bash"]) {
        await stat(join(rootfs, path)).then(
          () => expect.fail(`${path} exists in the operator image`),
          (err: NodeJS.ErrnoException) => expect(err.code, path).to.equal("ENOENT"),
        );
      }
    });

    it("loads every module and stops at the missing kubeconfig, as 65532 on a read-only root", async () => {
      const s = await spec(OPERATOR);
      const res = await runToEnd({ ...s, env: [...s.env, "KUBECONFIG=/nonexistent/kubeconfig"] });
      expect(res.stderr.trim(), res.stdout).to.equal(
        "fleetscope: KUBECONFIG names no file that exists: /nonexistent/kubeconfig",
      );
      expect(res.code).to.equal(2);
    });
  });

  describe("agent-init", () => {
    it("carries the agent jar with the pinned SHA-256, read-only for everyone", async () => {
      const { rootfs } = await image(AGENT_INIT);
      const jar = join(rootfs, "agent/pyroscope.jar");
      expect(await sha256(jar)).to.equal(AGENT_SHA256);
      expect((await stat(jar)).mode & 0o777).to.equal(0o444);
    });

    it("copies the jar into the shared volume with its own cmd as a non-root user", async () => {
      const volume = await mkdtemp(join(work, "agent-volume-"));
      await chown(volume, 65532, 65532);
      const res = await runToEnd(
        await spec(AGENT_INIT, { binds: [{ host: volume, container: "/fleetscope/agent" }] }),
      );
      expect(res.code, res.stderr).to.equal(0);
      expect(await sha256(join(volume, "pyroscope.jar"))).to.equal(AGENT_SHA256);
    });
  });

  describe("Java images", () => {
    it("runs java -version on the jlink'd JRE 17 as 65532 on a read-only root", async () => {
      const res = await runToEnd(await spec(DEMO, { argv: ["java", "-version"] }));
      expect(res.code, res.stderr).to.equal(0);
      expect(res.stderr).to.match(/openjdk version "17\./);
    });

    describe("the test Pyroscope server with the renderer's args, and the demo with the agent", () => {
      const { policy } = loadFixture("quickstart-monolithic.yaml");
      const objects = renderPyroscope(policy, { operatorNamespace: "fleetscope" });
      const sts = find(objects, "StatefulSet", "java-fleet-pyroscope") as Parameters<
        typeof containerOf
      >[0];
      const container = containerOf(sts);
      const uid = podTemplateOf(sts).spec?.securityContext?.runAsUser ?? 0;
      const configMap = find(objects, "ConfigMap", "java-fleet-pyroscope-config") as {
        data: Record<string, string>;
      };
      let server: Sandbox | undefined;
      let demo: Sandbox | undefined;
      let data: string;

      let config: string;

      /** The server as the StatefulSet's pod runs it: its uid, args, config file and claim. */
      async function startServer(): Promise<Sandbox> {
        return start(
          await spec(PYROSCOPE, {
            // The pod's args replace the image's cmd and follow its entrypoint.
            argv: [
              ...((await image(PYROSCOPE)).config.Entrypoint ?? []),
              ...(container.args ?? []),
            ],
            user: `${uid}:${uid}`,
            binds: [
              { host: config, container: CONFIG_FILE.replace(/\/[^/]+$/, ""), readOnly: true },
              { host: data, container: DATA_DIR },
            ],
          }),
        );
      }

      before(async () => {
        config = await mkdtemp(join(work, "pyroscope-config-"));
        await chmod(config, 0o755); // as a ConfigMap volume: readable by the pod's uid
        data = await mkdtemp(join(work, "pyroscope-data-"));
        const text = configMap.data["config.yaml"];
        if (text === undefined) throw new Error("the rendered ConfigMap has no config.yaml");
        await writeFile(join(config, "config.yaml"), text);
        await chown(data, uid, uid); // fsGroup's effect on the claim
        server = await startServer();
      });

      after(async () => {
        await demo?.stop();
        await server?.stop();
      });

      it("starts as the pod's uid with exactly the rendered args and serves /ready on the rendered port", async () => {
        expect(uid).to.be.greaterThan(0);
        expect(container.args).to.include("-target=all");
        expect(container.args).to.include(`-config.file=${CONFIG_FILE}`);
        const body = await waitHttp(server!, `http://127.0.0.1:${PORT_HTTP}/ready`, 60_000);
        expect(body.trim()).to.equal("ready");
        expect(server!.logs()).to.include(
          "pyroscope-standin: storing profiles under /data/shared/standin-ingest",
        );
      });

      it("receives the demo's profiles from the agent of the agent-init image, stored under the rendered data dir", async () => {
        const agent = join((await image(AGENT_INIT)).rootfs, "agent");
        demo = start(
          await spec(DEMO, {
            network: server,
            binds: [{ host: agent, container: "/fleetscope/agent", readOnly: true }],
            env: [
              ...(await image(DEMO)).config.Env!,
              "JAVA_TOOL_OPTIONS=-javaagent:/fleetscope/agent/pyroscope.jar -Xmx128m",
              `PYROSCOPE_SERVER_ADDRESS=http://127.0.0.1:${PORT_HTTP}`,
              "PYROSCOPE_APPLICATION_NAME=checkout",
              "PYROSCOPE_UPLOAD_INTERVAL=2s",
              "PORT=8080",
            ],
          }),
        );
        await waitHttp(demo, "http://127.0.0.1:8080/healthz", 60_000);
        expect(demo.logs()).to.include("Profiling started");
        const types = await waitForProfiles(server!);
        expect(types).to.include("process_cpu:cpu:nanoseconds:cpu:nanoseconds");
        const journal = await readdir(join(data, "shared/standin-ingest"));
        expect(journal.filter((f) => f.endsWith(".ingest")).length).to.be.greaterThan(0);
      });

      it("keeps the profiles across a restart: the next server replays the data dir", async () => {
        await demo?.stop();
        await server?.stop();
        server = await startServer();
        await waitHttp(server, `http://127.0.0.1:${PORT_HTTP}/ready`, 60_000);
        expect(server.logs()).to.match(
          /storing profiles under \/data\/shared\/standin-ingest \([1-9]\d* replayed\)/,
        );
        expect(await waitForProfiles(server)).to.include(
          "process_cpu:cpu:nanoseconds:cpu:nanoseconds",
        );
      });
    });
  });
});

/** The profile types the server holds, once it holds any. */
function waitForProfiles(server: Sandbox): Promise<string[]> {
  const url = `http://127.0.0.1:${PORT_HTTP}/querier.v1.QuerierService/ProfileTypes`;
  return poll(
    "profiles in the test Pyroscope server",
    async () => {
      const out = await server.inNetwork([
        "curl",
        "-fsS",
        "--max-time",
        "2",
        "-H",
        "Content-Type: application/json",
        "-d",
        JSON.stringify({ start: Date.now() - 3_600_000, end: Date.now() + 60_000 }),
        url,
      ]);
      const ids = (JSON.parse(out) as { profileTypes: { ID: string }[] }).profileTypes.map(
        (t) => t.ID,
      );
      return ids.length > 0 ? ids : undefined;
    },
    60_000,
    1_000,
  );
}
