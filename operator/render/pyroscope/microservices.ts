// Mode Microservices: one workload per component of the storage architecture, joined through
// memberlist, sharing one config.yaml.
import type { V1EnvVar } from "@kubernetes/client-node";
import type { MicroservicesSpec, ProfilingPolicy } from "../../../core/api/v1alpha1/types.ts";
import {
  type Architecture,
  COMPONENTS,
  CONFIG_FILE,
  type ComponentDef,
  PORT_GRPC,
  PORT_HTTP,
  PORT_MEMBERLIST,
  PORT_RAFT,
} from "./components.ts";
import { configHash, configMap, configYAML } from "./config.ts";
import { objectName, policyName } from "./names.ts";
import type { RenderedObject } from "./objects.ts";
import { HTTP_GRPC_PORTS, memberlistService, RAFT_PORT, service } from "./services.ts";
import { objectStorage, type StorageWiring } from "./storage.ts";
import { headlessServiceName, memberlistServiceName, serviceFQDN, serviceName } from "./urls.ts";
import {
  containerPort,
  deployment,
  podDisruptionBudget,
  podTemplate,
  serviceAccount,
  statefulSet,
} from "./workload.ts";

/** Label of the ServiceAccount, ConfigMap and memberlist Service all components share. */
export const SHARED_COMPONENT = "pyroscope";

export function microservicesSpec(policy: ProfilingPolicy): MicroservicesSpec {
  const spec = policy.spec.pyroscope.microservices;
  if (spec === undefined) throw new Error("spec.pyroscope.microservices is required");
  return spec;
}

export function componentsOf(policy: ProfilingPolicy): readonly ComponentDef[] {
  return COMPONENTS[microservicesSpec(policy).architecture];
}

export function componentWorkloadName(policy: ProfilingPolicy, target: string): string {
  return serviceName(policy, target);
}

// The schema requires objectStorage: components in separate pods share blocks only through an
// object store or a volume they all mount.
function storageWiring(spec: MicroservicesSpec): StorageWiring {
  if (spec.objectStorage === undefined) {
    throw new Error("spec.pyroscope.microservices.objectStorage is required");
  }
  return objectStorage(spec.objectStorage);
}

interface Context {
  policy: ProfilingPolicy;
  namespace: string;
  clusterDomain: string;
  architecture: Architecture;
}

function fqdn(ctx: Context, service: string): string {
  return serviceFQDN(service, ctx.namespace, ctx.clusterDomain);
}

/** Flags every component of the policy shares. */
function sharedArgs(ctx: Context, expandEnv: boolean): string[] {
  const { policy } = ctx;
  const args = [
    `-config.file=${CONFIG_FILE}`,
    ...(expandEnv ? ["-config.expand-env=true"] : []),
    `-architecture.storage=${ctx.architecture}`,
    `-memberlist.join=dns+${fqdn(ctx, memberlistServiceName(policy))}:${PORT_MEMBERLIST}`,
    // Keeps gossip of another Pyroscope that reaches the same pod IPs out of this ring.
    `-memberlist.cluster-label=${ctx.namespace}.${policyName(policy)}`,
  ];
  if (ctx.architecture === "v1") {
    args.push("-write-path=ingester");
  } else {
    // SRV records of the headless Service's named port: no Kubernetes API access needed, and
    // the pod host names match the metastore's raft server IDs, which is how the leader is found.
    const metastore = fqdn(ctx, headlessServiceName(policy, "metastore"));
    const queryBackend = fqdn(ctx, headlessServiceName(policy, "query-backend"));
    args.push(
      `-metastore.address=dnssrvnoa+_grpc._tcp.${metastore}:${PORT_GRPC}`,
      `-query-backend.address=dns:///${queryBackend}:${PORT_GRPC}`,
    );
  }
  return args;
}

function componentArgs(ctx: Context, def: ComponentDef, replicas: number): string[] {
  switch (def.target) {
    case "compactor":
      // The default is a directory on the read-only root filesystem.
      return ["-compactor.data-dir=/data/compactor"];
    case "metastore": {
      const peers = fqdn(ctx, headlessServiceName(ctx.policy, "metastore"));
      const self = `$(POD_NAME).${peers}:${PORT_RAFT}`;
      return [
        `-metastore.raft.bind-address=:${PORT_RAFT}`,
        `-metastore.raft.server-id=${self}`,
        `-metastore.raft.advertise-address=${self}`,
        `-metastore.raft.bootstrap-peers=dnssrvnoa+_raft._tcp.${peers}:${PORT_RAFT}`,
        `-metastore.raft.bootstrap-expect-peers=${replicas}`,
      ];
    }
    default:
      return [];
  }
}

const POD_NAME_ENV: V1EnvVar = {
  name: "POD_NAME",
  valueFrom: { fieldRef: { fieldPath: "metadata.name" } },
};

export function renderMicroservices(
  policy: ProfilingPolicy,
  clusterDomain: string,
): RenderedObject[] {
  const { pyroscope } = policy.spec;
  const spec = microservicesSpec(policy);
  const ctx: Context = {
    policy,
    namespace: pyroscope.namespace,
    clusterDomain,
    architecture: spec.architecture,
  };
  const ns = ctx.namespace;
  const storage = storageWiring(spec);
  const config = configYAML({
    architecture: spec.architecture,
    storage: storage.config,
    retention: pyroscope.retention,
    multitenancy: pyroscope.tenantID !== undefined,
  });
  const hash = configHash(config);
  const accountName = objectName(policyName(policy), "pyroscope");
  const configName = objectName(policyName(policy), "pyroscope-config");
  const shared = sharedArgs(ctx, storage.expandEnv);

  const objects: RenderedObject[] = [
    serviceAccount(policy, accountName, ns, SHARED_COMPONENT),
    configMap(policy, configName, ns, SHARED_COMPONENT, config),
    memberlistService(policy, memberlistServiceName(policy), ns),
  ];

  for (const def of COMPONENTS[spec.architecture]) {
    const { target } = def;
    const settings = spec.components[def.specKey];
    const isMetastore = target === "metastore";
    const name = componentWorkloadName(policy, target);
    const headless = headlessServiceName(policy, target);
    const template = podTemplate({
      policy,
      component: target,
      image: pyroscope.image,
      serviceAccountName: accountName,
      configMapName: configName,
      configHash: hash,
      args: [`-target=${target}`, ...shared, ...componentArgs(ctx, def, settings.replicas)],
      env: [...(isMetastore ? [POD_NAME_ENV] : []), ...storage.env],
      ports: [
        containerPort("http", PORT_HTTP),
        containerPort("grpc", PORT_GRPC),
        containerPort("memberlist", PORT_MEMBERLIST),
        ...(isMetastore ? [containerPort("raft", PORT_RAFT)] : []),
      ],
      resources: settings.resources,
      volumes: storage.volumes,
      volumeMounts: storage.volumeMounts,
      // The API has no volume settings per component: like the chart's default, state that
      // outlives a pod lives in the bucket (see ADR 0005); what stays per pod is in docs/nfs.md.
      dataEmptyDir: true,
      sharedVolume: storage.sharedVolume,
      ...(def.terminationGracePeriodSeconds === undefined
        ? {}
        : { terminationGracePeriodSeconds: def.terminationGracePeriodSeconds }),
    });
    const ports = isMetastore ? [...HTTP_GRPC_PORTS, RAFT_PORT] : HTTP_GRPC_PORTS;
    objects.push(
      service(policy, name, ns, target, { ports }),
      // Raft peers must find each other before any of them is ready.
      service(policy, headless, ns, target, {
        ports,
        headless: true,
        publishNotReadyAddresses: isMetastore,
      }),
      def.kind === "StatefulSet"
        ? statefulSet(policy, name, ns, target, {
            replicas: settings.replicas,
            serviceName: headless,
            template,
          })
        : deployment(policy, name, ns, target, { replicas: settings.replicas, template }),
      podDisruptionBudget(policy, name, ns, target),
    );
  }
  return objects;
}
