// Mode Monolithic: one Pyroscope StatefulSet running every component (-target=all) on a volume.
import { withDefaults } from "../../../core/api/v1alpha1/defaults.ts";
import type { MonolithicSpec, ProfilingPolicy } from "../../../core/api/v1alpha1/types.ts";
import { CONFIG_FILE, PORT_GRPC, PORT_HTTP } from "./components.ts";
import { configHash, configMap, configYAML } from "./config.ts";
import { objectName, policyName, selectorLabels } from "./names.ts";
import type { RenderedObject } from "./objects.ts";
import { HTTP_GRPC_PORTS, service } from "./services.ts";
import { filesystemStorage } from "./storage.ts";
import { headlessServiceName, serviceName } from "./urls.ts";
import { containerPort, podTemplate, serviceAccount, statefulSet } from "./workload.ts";

export const MONOLITHIC_COMPONENT = "all";

export function monolithicWorkloadName(policy: ProfilingPolicy): string {
  return serviceName(policy);
}

// Blocks go to a directory of their own: /data itself holds the ingester's head and local
// blocks, which the compactor must not mistake for tenants of the bucket.
const BUCKET_DIR = "/data/shared";

/** The monolithic block as the API server stores it, even when the policy leaves it out. */
function monolithicSpec(policy: ProfilingPolicy): MonolithicSpec {
  const spec = policy.spec.pyroscope.monolithic;
  if (spec !== undefined) return spec;
  const defaulted = withDefaults({ pyroscope: { monolithic: {} } }).pyroscope.monolithic;
  if (defaulted === undefined) throw new Error("schema has no default for monolithic");
  return defaulted;
}

export function renderMonolithic(policy: ProfilingPolicy): RenderedObject[] {
  const { pyroscope } = policy.spec;
  const ns = pyroscope.namespace;
  const component = MONOLITHIC_COMPONENT;
  const mono = monolithicSpec(policy);
  const name = monolithicWorkloadName(policy);
  const headless = headlessServiceName(policy);
  const configName = objectName(policyName(policy), "pyroscope-config");

  const config = configYAML({
    // v1 keeps a single pod self-contained on a filesystem bucket: v2 would add a raft
    // metastore to a one-replica server for nothing.
    architecture: "v1",
    storage: filesystemStorage(BUCKET_DIR).config,
    retention: pyroscope.retention,
    multitenancy: pyroscope.tenantID !== undefined,
  });

  const template = podTemplate({
    policy,
    component,
    image: pyroscope.image,
    serviceAccountName: name,
    configMapName: configName,
    configHash: configHash(config),
    args: [
      "-target=all",
      `-config.file=${CONFIG_FILE}`,
      "-architecture.storage=v1",
      "-write-path=ingester",
      // The default is a directory on the read-only root filesystem.
      "-compactor.data-dir=/data/compactor",
      "-self-profiling.disable-push=true",
    ],
    env: [],
    ports: [containerPort("http", PORT_HTTP), containerPort("grpc", PORT_GRPC)],
    resources: mono.resources,
    volumes: [],
    volumeMounts: [],
    dataEmptyDir: false,
  });

  return [
    serviceAccount(policy, name, ns, component),
    configMap(policy, configName, ns, component, config),
    service(policy, name, ns, component, { ports: HTTP_GRPC_PORTS }),
    service(policy, headless, ns, component, { ports: HTTP_GRPC_PORTS, headless: true }),
    statefulSet(policy, name, ns, component, {
      replicas: 1,
      serviceName: headless,
      template,
      volumeClaimTemplates: [
        {
          apiVersion: "v1",
          kind: "PersistentVolumeClaim",
          metadata: { name: "data", labels: selectorLabels(policy, component) },
          spec: {
            accessModes: ["ReadWriteOnce"],
            resources: { requests: { storage: String(mono.storage.size) } },
            ...(mono.storage.storageClassName === undefined
              ? {}
              : { storageClassName: mono.storage.storageClassName }),
          },
        },
      ],
    }),
  ];
}
