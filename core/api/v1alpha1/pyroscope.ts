// spec.pyroscope: the Pyroscope server the agents write to, run by the operator or external.
import { type TSchema, Type } from "@sinclair/typebox";
import { Quantity, Resources, SecretKey, SecretRef, StringEnum } from "./common.ts";
import { celRule, matchesRule } from "./rules.ts";
import { SharedFilesystem } from "./shared-filesystem.ts";

type Component = { description: string; replicas: number; architectures: "v1" | "v2" | "v1, v2" };

// Replica defaults follow the official Helm chart (2.2.1).
const components = {
  distributor: {
    description: "Receives profiles from agents.",
    replicas: 2,
    architectures: "v1, v2",
  },
  queryFrontend: { description: "Entry point for queries.", replicas: 2, architectures: "v1, v2" },
  ingester: { description: "Writes profiles to blocks.", replicas: 3, architectures: "v1" },
  querier: { description: "Runs queries.", replicas: 3, architectures: "v1" },
  queryScheduler: { description: "Queues queries for queriers.", replicas: 2, architectures: "v1" },
  storeGateway: {
    description: "Serves blocks from object storage.",
    replicas: 3,
    architectures: "v1",
  },
  compactor: {
    description: "Compacts blocks and applies retention.",
    replicas: 3,
    architectures: "v1",
  },
  segmentWriter: {
    description: "Writes segments to object storage.",
    replicas: 3,
    architectures: "v2",
  },
  metastore: { description: "Raft-replicated block index.", replicas: 3, architectures: "v2" },
  compactionWorker: { description: "Compacts segments.", replicas: 3, architectures: "v2" },
  queryBackend: {
    description: "Runs queries on object storage.",
    replicas: 3,
    architectures: "v2",
  },
} as const satisfies Record<string, Component>;

function component(name: string, c: Component) {
  return Type.Object(
    {
      replicas: Type.Integer({
        description: "Number of replicas.",
        default: c.replicas,
        minimum: 0,
        maximum: 100,
      }),
      resources: Type.Optional(Resources("Resources of each replica.")),
    },
    {
      description: `${name} (architecture ${c.architectures}): ${c.description}`,
      additionalProperties: false,
      default: {},
    },
  );
}

const componentSchemas = Object.fromEntries(
  Object.entries(components).map(([name, c]) => [name, component(name, c)]),
) as { [K in keyof typeof components]: ReturnType<typeof component> };

type ObjectStorage = {
  backend: string;
  bucket?: string;
  endpoint?: string;
  region?: string;
  credentialsSecretRef?: unknown;
  filesystem?: unknown;
};

const objectStorage = Type.Object(
  {
    backend: StringEnum(["s3", "gcs", "azure", "swift", "filesystem"], {
      description:
        "Storage backend; s3 also covers S3-compatible stores such as MinIO. filesystem keeps blocks on one volume that every component mounts (see filesystem).",
    }),
    bucket: Type.Optional(
      Type.String({
        description: "Bucket (container for azure and swift); not used by backend filesystem.",
        minLength: 1,
        maxLength: 255,
      }),
    ),
    endpoint: Type.Optional(
      Type.String({
        description:
          "Endpoint host[:port] of an S3-compatible store; absent uses the provider default.",
        maxLength: 255,
        pattern: "^[^/ ]+$",
      }),
    ),
    region: Type.Optional(Type.String({ description: "Region (s3).", maxLength: 64 })),
    insecure: Type.Boolean({
      description: "Use plain HTTP to reach the endpoint.",
      default: false,
    }),
    credentialsSecretRef: Type.Optional(
      SecretRef(
        "Secret with the storage credentials. Absent relies on workload identity (IRSA, GKE or Azure workload identity).",
        {
          idKey: SecretKey(
            "Key holding the S3 access key ID, Azure account name or Swift user name (unused for gcs).",
            "id",
          ),
          secretKey: SecretKey(
            "Key holding the S3 secret access key, Azure account key, Swift password or GCS service-account JSON.",
            "secret",
          ),
        },
      ),
    ),
    filesystem: Type.Optional(SharedFilesystem),
  },
  {
    description: "Where profile blocks are kept: an object store, or a shared filesystem.",
    additionalProperties: false,
    "x-kubernetes-validations": [
      // Not `required` in the schema: backend filesystem has no bucket.
      celRule<ObjectStorage>(
        "self.backend == 'filesystem' || has(self.bucket)",
        "spec.pyroscope.microservices.objectStorage.bucket is required",
        (self) => self.backend === "filesystem" || self.bucket !== undefined,
        ".bucket",
      ),
      // Each component is a pod of its own: without a volume they all mount, every pod would
      // write to a directory no other pod sees.
      celRule<ObjectStorage>(
        "self.backend != 'filesystem' || has(self.filesystem)",
        "spec.pyroscope.microservices.objectStorage.filesystem is required when backend is filesystem: the components run in separate pods and share blocks only through the volume it names",
        (self) => self.backend !== "filesystem" || self.filesystem !== undefined,
        ".filesystem",
      ),
      celRule<ObjectStorage>(
        "self.backend == 'filesystem' || !has(self.filesystem)",
        "spec.pyroscope.microservices.objectStorage.filesystem is only used when backend is filesystem",
        (self) => self.backend === "filesystem" || self.filesystem === undefined,
        ".filesystem",
      ),
      celRule<ObjectStorage>(
        "self.backend != 'filesystem' || !(has(self.bucket) || has(self.endpoint) || has(self.region) || has(self.credentialsSecretRef))",
        "spec.pyroscope.microservices.objectStorage: bucket, endpoint, region and credentialsSecretRef are not used when backend is filesystem",
        (self) =>
          self.backend !== "filesystem" ||
          !(
            self.bucket !== undefined ||
            self.endpoint !== undefined ||
            self.region !== undefined ||
            self.credentialsSecretRef !== undefined
          ),
      ),
    ],
  },
);

type Microservices = { objectStorage?: unknown };

const microservices = Type.Object(
  {
    architecture: StringEnum(["v1", "v2"], {
      description:
        "Storage architecture: v2 (segment-writer, metastore, compaction-worker, query-backend) or v1 (ingester, querier, store-gateway, compactor).",
      default: "v2",
    }),
    components: Type.Object(componentSchemas, {
      description:
        "Replicas and resources per component; the components of the other architecture are ignored.",
      additionalProperties: false,
      default: {},
    }),
    objectStorage: Type.Optional(objectStorage),
  },
  {
    description: "Settings for mode Microservices.",
    additionalProperties: false,
    // Every component runs in pods of its own with /data on an emptyDir: leaving objectStorage
    // out would give every pod a bucket of its own, whatever the architecture.
    "x-kubernetes-validations": [
      celRule<Microservices>(
        "has(self.objectStorage)",
        "spec.pyroscope.microservices.objectStorage is required: the components run in separate pods and share blocks only through an object store or a shared filesystem",
        (self) => self.objectStorage !== undefined,
        ".objectStorage",
      ),
    ],
  },
);

const monolithic = Type.Object(
  {
    storage: Type.Object(
      {
        size: Quantity("Size of the data volume.", "10Gi"),
        storageClassName: Type.Optional(
          Type.String({
            description: "StorageClass of the volume; absent uses the cluster default.",
            maxLength: 253,
          }),
        ),
      },
      { description: "The persistent volume for /data.", additionalProperties: false, default: {} },
    ),
    resources: Type.Optional(Resources("Resources of the Pyroscope container.")),
  },
  { description: "Settings for mode Monolithic.", additionalProperties: false },
);

const external = Type.Object(
  {
    url: Type.String({
      description:
        "Base URL agents write to and Grafana reads from, e.g. https://pyroscope.example.com.",
      maxLength: 2048,
      "x-kubernetes-validations": [
        matchesRule(
          "^https?://[^/?# ]+([/?#][^ ]*)?$",
          "spec.pyroscope.external.url must be an http:// or https:// URL",
        ),
      ],
    }),
  },
  { description: "Settings for mode External.", additionalProperties: false },
);

type Pyroscope = { mode: string; [block: string]: unknown };

// A settings block for another mode is refused rather than ignored: it usually means the
// mode was forgotten.
function modeBlockRule(block: string, mode: string) {
  return celRule<Pyroscope>(
    `self.mode == '${mode}' || !has(self.${block})`,
    `spec.pyroscope.${block} is only used when mode is ${mode}`,
    (self) => self.mode === mode || self[block] === undefined,
    `.${block}`,
  );
}

function optional<T extends TSchema>(schema: T) {
  return Type.Optional(schema);
}

export const Pyroscope = Type.Object(
  {
    mode: StringEnum(["Monolithic", "Microservices", "External"], {
      description:
        "Monolithic runs one Pyroscope StatefulSet; Microservices runs the distributed components; External uses a server the operator does not manage.",
      default: "Monolithic",
    }),
    namespace: Type.String({
      description:
        "Namespace of the Pyroscope server the operator runs (Monolithic, Microservices).",
      default: "pyroscope",
      maxLength: 63,
      pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
    }),
    image: Type.String({
      description: "Pyroscope server image (Monolithic, Microservices).",
      default: "grafana/pyroscope:2.2.1",
      minLength: 1,
      maxLength: 512,
    }),
    retention: Type.String({
      description:
        "How long profiles are kept (Monolithic, Microservices), e.g. 7d, 2w or 12h; 0 keeps them until storage runs out.",
      default: "7d",
      maxLength: 16,
      pattern: "^(0|([0-9]+(y|w|d|h|m|s))+)$",
    }),
    monolithic: optional(monolithic),
    microservices: optional(microservices),
    external: optional(external),
    tenantID: Type.Optional(
      Type.String({
        description:
          "Tenant the agents write as (X-Scope-OrgID); setting it turns on multi-tenancy on a managed server.",
        minLength: 1,
        maxLength: 150,
        pattern: "^[a-zA-Z0-9!._*'()-]+$",
      }),
    ),
    basicAuthSecretRef: Type.Optional(
      SecretRef("Secret with HTTP basic-auth credentials the agents send (External).", {
        usernameKey: SecretKey("Key holding the user name.", "username"),
        passwordKey: SecretKey("Key holding the password.", "password"),
      }),
    ),
  },
  {
    description: "The Pyroscope server that receives the profiles.",
    additionalProperties: false,
    default: {},
    "x-kubernetes-validations": [
      celRule<Pyroscope>(
        "self.mode != 'External' || has(self.external)",
        "spec.pyroscope.external.url is required when mode is External",
        (self) => self.mode !== "External" || self.external !== undefined,
        ".external",
      ),
      celRule<Pyroscope>(
        "self.mode != 'Microservices' || has(self.microservices)",
        "spec.pyroscope.microservices is required when mode is Microservices (it needs objectStorage)",
        (self) => self.mode !== "Microservices" || self.microservices !== undefined,
        ".microservices",
      ),
      modeBlockRule("monolithic", "Monolithic"),
      modeBlockRule("microservices", "Microservices"),
      modeBlockRule("external", "External"),
    ],
  },
);
