// The command line and config file that start a single-process Pyroscope server on loopback for the data-path tests.

/** Which storage architecture a real server runs; the stand-in accepts and ignores the flags. */
export type StorageMode = "v1" | "v2";

export const STORAGE_ENV = "FLEETSCOPE_PYROSCOPE_STORAGE";

/** Reads the storage mode from its environment variable; unset or empty means v1. */
export function parseStorageMode(value: string | undefined): StorageMode {
  const v = (value ?? "").trim();
  if (v === "") return "v1";
  if (v === "v1" || v === "v2") return v;
  throw new Error(`${STORAGE_ENV}: expected "v1" or "v2", got ${JSON.stringify(value)}`);
}

export interface ServerLayout {
  storage: StorageMode;
  multitenancy: boolean;
  /** The config file written from serverConfig(). */
  configFile: string;
  /** Local state (blocks, WAL, metastore); must not be the bucket directory. */
  dataDir: string;
  httpPort: number;
  grpcPort: number;
  memberlistPort: number;
  /** The v2 metastore's raft port; a fixed default would collide between servers on one host. */
  raftPort: number;
}

/** The object store: a folder of its own, apart from the server's local data. */
export function serverConfig(bucketDir: string): string {
  return [
    "storage:",
    "  backend: filesystem",
    "  filesystem:",
    `    dir: ${JSON.stringify(bucketDir)}`,
    "",
  ].join("\n");
}

const LOOPBACK = "127.0.0.1";

// Every ring member advertises this address; left alone, each picks the address of the first
// network interface while everything listens on loopback, and no ring becomes healthy.
const RING_ADDRESS_FLAGS = [
  "distributor.ring.instance-addr",
  "ingester.lifecycler.addr",
  "segment-writer.lifecycler.addr",
  "query-scheduler.ring.instance-addr",
  "query-frontend.instance-addr",
  "store-gateway.sharding-ring.instance-addr",
  "compactor.ring.instance-addr",
  "overrides-exporter.ring.instance-addr",
];

export function serverArgs(l: ServerLayout): string[] {
  const grpc = `${LOOPBACK}:${l.grpcPort}`;
  const raft = `${LOOPBACK}:${l.raftPort}`;
  const common = [
    "-target=all",
    `-config.file=${l.configFile}`,
    `-server.http-listen-address=${LOOPBACK}`,
    `-server.http-listen-port=${l.httpPort}`,
    `-server.grpc-listen-address=${LOOPBACK}`,
    `-server.grpc-listen-port=${l.grpcPort}`,
    `-memberlist.bind-addr=${LOOPBACK}`,
    `-memberlist.bind-port=${l.memberlistPort}`,
    `-auth.multitenancy-enabled=${l.multitenancy}`,
    `-pyroscopedb.data-path=${l.dataDir}`,
    // Otherwise the server pushes its own profiles to itself and is refused without a tenant.
    "-self-profiling.disable-push=true",
    // Both default to localhost:9095, not the port chosen here.
    `-metastore.address=${grpc}`,
    `-query-backend.address=${grpc}`,
    ...RING_ADDRESS_FLAGS.map((f) => `-${f}=${LOOPBACK}`),
  ];
  // Each ring member and the metastore hold /ready back 15-30 s after they are ready, to slow a
  // rolling update down; one process has nothing to wait for, so those waits are set to zero.
  if (l.storage === "v1") {
    // The default (v1-v2-dual) reads fresh data from v1 while writing both: not queryable for minutes.
    return [
      ...common,
      "-architecture.storage=v1",
      "-write-path=ingester",
      "-ingester.min-ready-duration=0s",
    ];
  }
  return [
    ...common,
    "-architecture.storage=v2",
    // A single node bootstraps its own raft cluster on a port of its own.
    `-metastore.raft.bind-address=${raft}`,
    `-metastore.raft.advertise-address=${raft}`,
    `-metastore.raft.server-id=${raft}`,
    "-segment-writer.min-ready-duration=0s",
    "-metastore.min-ready-duration=0s",
  ];
}
