// The config.yaml `storage` block and the wiring that hands storage credentials to the
// containers from the referenced Secret: credentials never reach the ConfigMap.
import type { V1EnvVar, V1Volume, V1VolumeMount } from "@kubernetes/client-node";
import type { ObjectStorageSpec, SharedFilesystemSpec } from "../../../core/api/v1alpha1/types.ts";

export interface StorageWiring {
  /** The `storage:` block of config.yaml. */
  config: Record<string, unknown>;
  env: V1EnvVar[];
  volumes: V1Volume[];
  volumeMounts: V1VolumeMount[];
  /** The config references `${VAR}`s, so Pyroscope must run with -config.expand-env=true. */
  expandEnv: boolean;
  /** Blocks live on a volume every pod mounts, which may be large and shared. */
  sharedVolume: boolean;
}

/** Marks a config value as a `${VAR}` reference; config.ts writes it double-quoted. */
export class EnvRef {
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
}

export const GCS_CREDENTIALS_DIR = "/etc/pyroscope-storage";
const GCS_CREDENTIALS_FILE = "service-account.json";
const CREDENTIALS_VOLUME = "storage-credentials";

export function filesystemStorage(dir: string): StorageWiring {
  return {
    config: { backend: "filesystem", filesystem: { dir } },
    env: [],
    volumes: [],
    volumeMounts: [],
    expandEnv: false,
    sharedVolume: false,
  };
}

/** Where every Microservices component mounts the shared volume of backend filesystem. */
export const SHARED_DIR = "/shared";
const SHARED_VOLUME = "shared-storage";

function sharedVolume(spec: SharedFilesystemSpec): V1Volume {
  if (spec.persistentVolumeClaim !== undefined) {
    return {
      name: SHARED_VOLUME,
      persistentVolumeClaim: { claimName: spec.persistentVolumeClaim.claimName },
    };
  }
  if (spec.nfs !== undefined) {
    return { name: SHARED_VOLUME, nfs: { server: spec.nfs.server, path: spec.nfs.path } };
  }
  throw new Error(
    "spec.pyroscope.microservices.objectStorage.filesystem needs persistentVolumeClaim or nfs",
  );
}

/**
 * Backend filesystem in mode Microservices: one volume (a ReadWriteMany claim or an NFS export),
 * mounted at the same path in every pod, holds the bucket. The sub-directory is part of the
 * bucket path rather than a volume subPath: the kubelet would create a missing subPath as root,
 * which the non-root components could not write to; Pyroscope creates it as its own user.
 */
export function sharedFilesystemStorage(spec: SharedFilesystemSpec): StorageWiring {
  const volume = sharedVolume(spec);
  const dir = spec.subPath === undefined ? SHARED_DIR : `${SHARED_DIR}/${spec.subPath}`;
  return {
    ...filesystemStorage(dir),
    volumes: [volume],
    volumeMounts: [{ name: SHARED_VOLUME, mountPath: SHARED_DIR }],
    sharedVolume: true,
  };
}

function secretEnv(name: string, secret: string, key: string): V1EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: secret, key } } };
}

export function objectStorage(spec: ObjectStorageSpec): StorageWiring {
  const creds = spec.credentialsSecretRef;
  const wiring: StorageWiring = {
    config: { backend: spec.backend },
    env: [],
    volumes: [],
    volumeMounts: [],
    expandEnv: false,
    sharedVolume: false,
  };
  const bucket = spec.bucket ?? "";
  switch (spec.backend) {
    case "s3": {
      // Left out of the config, the S3 client reads the standard AWS variables (then web
      // identity / instance roles when no Secret is given).
      wiring.config.s3 = {
        bucket_name: bucket,
        ...(spec.endpoint === undefined ? {} : { endpoint: spec.endpoint }),
        ...(spec.region === undefined ? {} : { region: spec.region }),
        insecure: spec.insecure,
      };
      if (creds) {
        wiring.env.push(
          secretEnv("AWS_ACCESS_KEY_ID", creds.name, creds.idKey),
          secretEnv("AWS_SECRET_ACCESS_KEY", creds.name, creds.secretKey),
        );
      }
      break;
    }
    case "gcs": {
      wiring.config.gcs = { bucket_name: bucket };
      // The key is JSON, which cannot be expanded into YAML safely: it is mounted as a file for
      // Google's default credential lookup instead.
      if (creds) {
        wiring.volumes.push({
          name: CREDENTIALS_VOLUME,
          secret: {
            secretName: creds.name,
            items: [{ key: creds.secretKey, path: GCS_CREDENTIALS_FILE }],
          },
        });
        wiring.volumeMounts.push({
          name: CREDENTIALS_VOLUME,
          mountPath: GCS_CREDENTIALS_DIR,
          readOnly: true,
        });
        wiring.env.push({
          name: "GOOGLE_APPLICATION_CREDENTIALS",
          value: `${GCS_CREDENTIALS_DIR}/${GCS_CREDENTIALS_FILE}`,
        });
      }
      break;
    }
    case "azure": {
      const azure: Record<string, unknown> = { container_name: bucket };
      if (spec.endpoint !== undefined) azure.endpoint_suffix = spec.endpoint;
      if (creds) {
        azure.account_name = new EnvRef("AZURE_STORAGE_ACCOUNT");
        azure.account_key = new EnvRef("AZURE_STORAGE_KEY");
        wiring.env.push(
          secretEnv("AZURE_STORAGE_ACCOUNT", creds.name, creds.idKey),
          secretEnv("AZURE_STORAGE_KEY", creds.name, creds.secretKey),
        );
        wiring.expandEnv = true;
      }
      wiring.config.azure = azure;
      break;
    }
    case "swift": {
      const swift: Record<string, unknown> = { container_name: bucket };
      if (spec.endpoint !== undefined) {
        swift.auth_url = `${spec.insecure ? "http" : "https"}://${spec.endpoint}`;
      }
      if (spec.region !== undefined) swift.region_name = spec.region;
      if (creds) {
        swift.username = new EnvRef("SWIFT_USERNAME");
        swift.password = new EnvRef("SWIFT_PASSWORD");
        wiring.env.push(
          secretEnv("SWIFT_USERNAME", creds.name, creds.idKey),
          secretEnv("SWIFT_PASSWORD", creds.name, creds.secretKey),
        );
        wiring.expandEnv = true;
      }
      wiring.config.swift = swift;
      break;
    }
    case "filesystem":
      // The schema requires the volume: without it each pod would write to a bucket of its own.
      if (spec.filesystem === undefined) {
        throw new Error(
          "spec.pyroscope.microservices.objectStorage.filesystem is required when backend is filesystem",
        );
      }
      return sharedFilesystemStorage(spec.filesystem);
  }
  return wiring;
}
