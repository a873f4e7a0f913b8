// The Pyroscope components each storage architecture runs in mode Microservices.
import type { MicroserviceComponentName } from "../../../core/api/v1alpha1/types.ts";

export type Architecture = "v1" | "v2";

export interface ComponentDef {
  /** `-target=` and the `app.kubernetes.io/component` label. */
  target: string;
  /** Key under spec.pyroscope.microservices.components. */
  specKey: MicroserviceComponentName;
  kind: "StatefulSet" | "Deployment";
  /** Time to flush in-memory data or finish a job before the pod is killed. */
  terminationGracePeriodSeconds?: number;
}

// Only the read and write paths: tenant-settings, ad-hoc-profiles, overrides-exporter and admin
// serve UI and operations APIs that nothing in front of query-frontend routes to (see ADR 0005).
export const COMPONENTS: Record<Architecture, readonly ComponentDef[]> = {
  v1: [
    { target: "distributor", specKey: "distributor", kind: "Deployment" },
    {
      target: "ingester",
      specKey: "ingester",
      kind: "StatefulSet",
      terminationGracePeriodSeconds: 600,
    },
    { target: "querier", specKey: "querier", kind: "Deployment" },
    { target: "query-frontend", specKey: "queryFrontend", kind: "Deployment" },
    { target: "query-scheduler", specKey: "queryScheduler", kind: "Deployment" },
    { target: "store-gateway", specKey: "storeGateway", kind: "StatefulSet" },
    {
      target: "compactor",
      specKey: "compactor",
      kind: "StatefulSet",
      terminationGracePeriodSeconds: 1200,
    },
  ],
  v2: [
    { target: "distributor", specKey: "distributor", kind: "Deployment" },
    {
      target: "segment-writer",
      specKey: "segmentWriter",
      kind: "StatefulSet",
      terminationGracePeriodSeconds: 600,
    },
    {
      target: "metastore",
      specKey: "metastore",
      kind: "StatefulSet",
      terminationGracePeriodSeconds: 1200,
    },
    {
      target: "compaction-worker",
      specKey: "compactionWorker",
      kind: "StatefulSet",
      terminationGracePeriodSeconds: 1200,
    },
    { target: "query-frontend", specKey: "queryFrontend", kind: "Deployment" },
    { target: "query-backend", specKey: "queryBackend", kind: "Deployment" },
  ],
};

export const PORT_HTTP = 4040;
export const PORT_GRPC = 9095;
export const PORT_MEMBERLIST = 7946;
export const PORT_RAFT = 9099;

/** Where the shared config.yaml is mounted. */
export const CONFIG_DIR = "/etc/pyroscope";
export const CONFIG_FILE = `${CONFIG_DIR}/config.yaml`;
export const DATA_DIR = "/data";
