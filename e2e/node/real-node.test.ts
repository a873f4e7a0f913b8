// Fleetscope as a platform team runs it, on the local real kubelet node: the chart installed
// with the images built here, the webhook reached through its Service, a Monolithic Pyroscope
// pod, the demo service injected inside its own pod under Pod Security "restricted", its profiles
// in that Pyroscope, and the operator's failure modes (a replica lost, all replicas gone).
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import type { V1Pod } from "@kubernetes/client-node";
import { expect } from "chai";
import { PyroscopeClient } from "../../cli/pyroscope/query.ts";
import * as names from "../../core/names.ts";
import { repoRoot } from "../datapath/artifacts.ts";
import { CPU, loadUntilSamples, STEADY_SAMPLES } from "../datapath/hotspot.ts";
import { baseEnv } from "../datapath/process.ts";
import { eventually, kubectl } from "../harness/cluster.ts";
import { admin, policyApi, waitForPolicy } from "../harness/scenarios.ts";
import type { Pyroscope } from "./install.ts";
import {
  AGENT_VERSION,
  agentJarSha256,
  exec,
  images,
  isInjected as injected,
  isReady,
  logs,
  nodeImages,
  POD_CIDR_PREFIX,
  pods,
  readyPods,
  realNode,
} from "./node.ts";
import { realNodeScenario } from "./scenario.ts";
import { restrictedContainer, restrictedPod } from "./workloads.ts";

const run = promisify(execFile);

describe("Fleetscope on a real node", function () {
  this.timeout(900_000);
  const scenario = realNodeScenario({ release: "fs", prefix: "fs-node", testLabel: "node" });
  const {
    operatorNs: opNs,
    pyroscopeNs: pyroNs,
    storageClass,
    policy,
    operatorSelector,
  } = scenario;
  const fullname = `${scenario.release}-fleetscope`;
  const started = Date.now();
  let node: string;
  let appNs: string;
  let pyroscope: Pyroscope;
  let demoPod: V1Pod | undefined;

  before(async () => {
    node = await realNode();
    const have = await nodeImages();
    const need = [
      `${images.operator.repository}:${images.operator.tag}`,
      `${images.agentInit}:${AGENT_VERSION}`,
      images.demo,
      images.pyroscope,
    ];
    const missing = need.filter((i) => !have.includes(i));
    expect(missing, "images missing from the node's containerd (make images)").to.deep.equal([]);
    appNs = await scenario.appNamespace("fs-node-shop", { optedIn: true });
  });

  after(async () => {
    await scenario.cleanup();
    await kubectl(["delete", "mutatingwebhookconfiguration", fullname, "--ignore-not-found"]);
  });

  /** A server-side dry run goes through admission, webhooks included, and stores nothing. */
  async function dryRunPod(name: string): Promise<V1Pod> {
    return JSON.parse(
      await kubectl(
        ["create", "-n", appNs, "--dry-run=server", "-o", "json", "-f", "-"],
        JSON.stringify(scenario.demoPod(name)),
      ),
    ) as V1Pod;
  }

  it("installs the chart with the local images; both operator pods become Ready on the real node", async () => {
    const r = await scenario.installOperator();
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.not.match(/would violate PodSecurity/);
    const ops = await scenario.operatorPods();
    for (const p of ops) {
      const what = p.metadata?.name;
      expect(p.spec?.nodeName, what).to.equal(node);
      // A pod IP on the node's bridge and a container containerd started: not kwok's doing.
      expect(p.status?.podIP?.startsWith(POD_CIDR_PREFIX), `${what} ${p.status?.podIP}`).to.equal(
        true,
      );
      const c = p.status?.containerStatuses?.[0];
      expect(c?.ready, what).to.equal(true);
      expect(c?.image, what).to.equal(`${images.operator.repository}:${images.operator.tag}`);
      expect(c?.containerID, what).to.match(/^containerd:\/\//);
      expect(c?.state?.running?.startedAt, what).to.not.equal(undefined);
    }
  });

  it("runs the Monolithic Pyroscope pod on the real node, PyroscopeReady from its readiness probe", async () => {
    pyroscope = await scenario.createPolicy();
    const pod = pyroscope.pod;
    expect(pod.spec?.nodeName).to.equal(node);
    expect(pod.status?.podIP?.startsWith(POD_CIDR_PREFIX)).to.equal(true);
    const c = pod.status?.containerStatuses?.[0];
    expect(c?.image).to.equal(images.pyroscope);
    expect(c?.ready).to.equal(true);
    // Ready came from the kubelet's HTTP probe of /ready; the server got the renderer's args.
    expect(pod.spec?.containers[0]?.readinessProbe?.httpGet?.path).to.equal("/ready");
    expect(pod.spec?.containers[0]?.args).to.include("-target=all");
    const res = await fetch(`${pyroscope.url}/ready`);
    expect(res.status).to.equal(200);
    const claims = JSON.parse(await kubectl(["get", "pvc", "-n", pyroNs, "-o", "json"])) as {
      items: { spec: { volumeName?: string }; status: { phase: string } }[];
    };
    expect(claims.items.map((i) => [i.spec.volumeName, i.status.phase])).to.deep.equal([
      [storageClass, "Bound"],
    ]);
    expect(pyroscope.status.pyroscope?.writeURL).to.match(
      new RegExp(`^http://[^/]+\\.${pyroNs}\\.svc:4040$`),
    );
  });

  it("has the API server call the webhook through the chart's Service", async () => {
    const cfg = await eventually("the webhook configuration", async () => {
      const out = await kubectl([
        "get",
        "mutatingwebhookconfiguration",
        fullname,
        "-o",
        "json",
        "--ignore-not-found",
      ]);
      return out.trim() ? JSON.parse(out) : undefined;
    });
    const clientConfig = cfg.webhooks[0].clientConfig;
    expect(clientConfig.url).to.equal(undefined);
    expect(clientConfig.service).to.include({ name: `${fullname}-webhook`, namespace: opNs });
    // Endpoint routing: the Service's endpoints are the two operator pods on the bridge.
    const slices = JSON.parse(
      await kubectl([
        "get",
        "endpointslices",
        "-n",
        opNs,
        "-l",
        `kubernetes.io/service-name=${fullname}-webhook`,
        "-o",
        "json",
      ]),
    ) as { items: { endpoints: { addresses: string[] }[] }[] };
    const addresses = slices.items.flatMap((s) => s.endpoints.flatMap((e) => e.addresses));
    expect(addresses).to.have.length(2);
    await scenario.waitOptedIn(appNs);
    expect(injected(await dryRunPod("dry-run"))).to.equal(true);
  });

  it("starts the demo service injected under Pod Security restricted: jar copied, agent started", async () => {
    demoPod = await scenario.startDemo(appNs, "checkout");
    const pod = demoPod;
    const name = pod.metadata!.name!;
    expect(pod.spec?.nodeName).to.equal(node);
    expect(injected(pod)).to.equal(true);
    const init = pod.status?.initContainerStatuses?.find((s) => s.name === names.INIT_CONTAINER);
    expect(init?.state?.terminated?.exitCode, JSON.stringify(init)).to.equal(0);
    expect(init?.image).to.equal(`${images.agentInit}:${AGENT_VERSION}`);
    // The jar in the running container is the agent release, byte for byte.
    const want = await agentJarSha256();
    const got = await exec(appNs, name, "checkout", ["sha256sum", names.AGENT_JAR]);
    expect(got.split(/\s+/)[0]).to.equal(want);
    const log = await logs(appNs, name, "checkout");
    expect(log).to.match(
      /Picked up JAVA_TOOL_OPTIONS: -Xmx256m .*-javaagent:\/fleetscope\/agent\/pyroscope\.jar/,
    );
    expect(log).to.contain("[INFO] Profiling started");
  });

  it("sends profiles labelled with namespace, pod, node, workload and container to the Pyroscope pod", async () => {
    const pod = demoPod!;
    const client = new PyroscopeClient({ baseUrl: pyroscope.url });
    // Load until the CPU profile holds enough samples, however busy the machine is.
    await loadUntilSamples({
      client,
      labelSelector: `{service_name="${appNs}/checkout"}`,
      baseUrl: `http://${pod.status!.podIP}:8080`,
      paths: ["/hash?n=2000", "/reserve?n=5"],
      samples: STEADY_SAMPLES,
      from: started,
    });
    const range = () => ({ start: started - 60_000, end: Date.now() + 60_000 });
    const values = (label: string) => client.labelValues(label, range());
    expect(await values("namespace")).to.deep.equal([appNs]);
    expect(await values("pod")).to.deep.equal([pod.metadata!.name]);
    expect(await values("node")).to.deep.equal([node]);
    expect(await values("workload")).to.deep.equal(["checkout"]);
    expect(await values("container")).to.deep.equal(["checkout"]);
  });

  it("fleetscope top against the Pyroscope pod shows computeHash as the widest own frame", async () => {
    const { stdout } = await run(
      process.execPath,
      [
        resolve(repoRoot, "cli/fleetscope.ts"),
        "top",
        "--app",
        `${appNs}/checkout`,
        "--from",
        String(started - 60_000),
        "--to",
        "now+1m",
        "--server",
        pyroscope.url,
        "--own",
        "com.shop",
        "--limit",
        "5",
      ],
      { env: baseEnv(), timeout: 60_000 },
    );
    console.log(stdout.replace(/^/gm, "      "));
    expect(stdout).to.contain(`${appNs}/checkout · cpu (${CPU}`);
    // The first table row after the header (the title line names com/shop/ too).
    const lines = stdout.split("\n");
    const header = lines.findIndex((l) => /^\s*Self\s+Self%\s+Total\s+Total%\s+Function$/.test(l));
    expect(header, stdout).to.be.greaterThan(-1);
    const firstRow = lines[header + 1];
    expect(firstRow, stdout).to.match(/com\/shop\/checkout\/BatchProcessor\.computeHash$/);
  });

  it("keeps injecting when one operator pod is deleted (the other replica serves)", async () => {
    const [victim] = await pods(opNs, operatorSelector);
    await kubectl(["delete", "pod", "-n", opNs, victim!.metadata!.name!, "--wait=false"]);
    for (let i = 0; i < 5; i++) {
      expect(injected(await dryRunPod(`after-delete-${i}`)), `dry run ${i}`).to.equal(true);
    }
    await kubectl(["scale", "deployment", "checkout", "-n", appNs, "--replicas=2"]);
    const two = await readyPods(appNs, "app.kubernetes.io/name=checkout", 2);
    expect(two.map(injected)).to.deep.equal([true, true]);
    await scenario.operatorPods();
  });

  it("admits and runs new pods without the agent while the operator is scaled to zero", async () => {
    await kubectl(["scale", "deployment", fullname, "-n", opNs, "--replicas=0"]);
    await eventually(
      "no operator pods",
      async () => ((await pods(opNs, operatorSelector)).length === 0 ? true : undefined),
      120_000,
      1_000,
    );
    const late = await scenario.startDemo(appNs, "late");
    expect(injected(late)).to.equal(false);
    expect(late.spec?.initContainers ?? []).to.deep.equal([]);
    const env = late.spec?.containers[0]?.env ?? [];
    expect(env.find((e) => e.name === "JAVA_TOOL_OPTIONS")?.value).to.equal("-Xmx256m");
  });

  it("restarts that workload with the agent once the operator is back with a Rolling policy", async () => {
    await kubectl(["scale", "deployment", fullname, "-n", opNs, "--replicas=2"]);
    await scenario.operatorPods();
    await admin().custom.patchClusterCustomObject({
      ...policyApi,
      name: policy,
      body: [
        { op: "add", path: "/spec/rollout", value: { strategy: "Rolling", maxConcurrent: 2 } },
      ],
    });
    const [late] = await eventually(
      "the late workload restarted with the agent",
      async () => {
        const ps = await pods(appNs, "app.kubernetes.io/name=late");
        return ps.length === 1 && injected(ps[0]) && isReady(ps[0]!) ? ps : undefined;
      },
      300_000,
      2_000,
    );
    expect(late!.spec?.nodeName).to.equal(node);
    await waitForPolicy(
      policy,
      "every eligible pod covered",
      (s) =>
        s.coverage !== undefined &&
        s.coverage.pods.eligible >= 3 &&
        s.coverage.pods.injected === s.coverage.pods.eligible,
      180_000,
    );
  });

  it("starts a pod whose JVM options cannot be merged, and a non-Java pod, unchanged", async () => {
    await kubectl([
      "create",
      "configmap",
      "jvm",
      "-n",
      appNs,
      "--from-literal=tool=-Xmx128m",
      "--from-literal=jdk=-Xss1m",
    ]);
    const fromConfigMap = (key: string) => ({
      valueFrom: { configMapKeyRef: { name: "jvm", key } },
    });
    const unmergeable = restrictedPod("unmergeable", {
      ...restrictedContainer("app", images.demo),
      command: ["java", "-jar", "/app/checkout.jar"],
      env: [
        { name: "PORT", value: "8080" },
        { name: "JAVA_TOOL_OPTIONS", ...fromConfigMap("tool") },
        { name: "JDK_JAVA_OPTIONS", ...fromConfigMap("jdk") },
      ],
      readinessProbe: { httpGet: { path: "/healthz", port: 8080 } },
    });
    const plain = restrictedPod("plain", {
      ...restrictedContainer("app", images.nonJava),
      command: ["sleep", "3600"],
    });
    for (const body of [unmergeable, plain]) {
      await admin().core.createNamespacedPod({ namespace: appNs, body });
    }
    for (const sent of [unmergeable, plain]) {
      const name = sent.metadata.name;
      const [p] = await readyPods(appNs, `test-pod=${name}`, 1);
      expect(p!.spec?.initContainers ?? [], name).to.deep.equal([]);
      expect(p!.spec?.containers[0]?.env ?? [], name).to.deep.equal(
        sent.spec.containers[0]!.env ?? [],
      );
      const ours = (p!.spec?.volumes ?? []).filter((v) => v.name.startsWith("fleetscope"));
      expect(ours, name).to.deep.equal([]);
      expect(injected(p), name).to.equal(false);
    }
    const [u] = await pods(appNs, "test-pod=unmergeable");
    expect(u!.metadata?.labels?.[names.LABEL_SKIP_REASON]).to.equal("java-options-unmergeable");
    expect(await logs(appNs, u!.metadata!.name!, "app")).to.contain(
      "Picked up JAVA_TOOL_OPTIONS: -Xmx128m",
    );
  });
});
