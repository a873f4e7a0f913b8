// spec.pyroscope.microservices.objectStorage.filesystem: the one volume (a ReadWriteMany claim or
// an NFS export) every Microservices component mounts when blocks live on a shared filesystem.
import { Type } from "@sinclair/typebox";
import { celRule, matchesRule } from "./rules.ts";

const FIELD = "spec.pyroscope.microservices.objectStorage.filesystem";

const persistentVolumeClaim = Type.Object(
  {
    claimName: Type.String({
      description:
        "Name of an existing ReadWriteMany PersistentVolumeClaim in the Pyroscope namespace.",
      maxLength: 253,
      "x-kubernetes-validations": [
        matchesRule(
          "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$",
          `${FIELD}.persistentVolumeClaim.claimName must be a PersistentVolumeClaim name: lower-case letters, digits, '-' and '.'`,
        ),
      ],
    }),
  },
  {
    description:
      "A claim that already exists in the Pyroscope namespace, bound to a ReadWriteMany volume (an NFS PersistentVolume, CephFS, EFS, Azure Files, ...); status names it when it is not.",
    additionalProperties: false,
  },
);

const nfs = Type.Object(
  {
    server: Type.String({
      description: "Host name or IP address of the NFS server.",
      maxLength: 253,
      "x-kubernetes-validations": [
        matchesRule(
          "^[A-Za-z0-9:]([-A-Za-z0-9.:]*[A-Za-z0-9])?$",
          `${FIELD}.nfs.server must be a host name or IP address`,
        ),
      ],
    }),
    path: Type.String({
      description: "Exported path on the server, e.g. /exports/pyroscope.",
      maxLength: 1024,
      "x-kubernetes-validations": [
        matchesRule(
          "^/[^ ]*$",
          `${FIELD}.nfs.path must be an absolute path on the server, e.g. /exports/pyroscope`,
        ),
      ],
    }),
    readOnly: Type.Boolean({
      description:
        "Mount the export read-only. Must stay false: ingesters and segment-writers write blocks to it, and compaction and retention rewrite and delete them.",
      default: false,
      "x-kubernetes-validations": [
        celRule<boolean>(
          "self == false",
          `${FIELD}.nfs.readOnly must be false: ingesters and segment-writers write blocks to the share, and compaction and retention rewrite and delete them`,
          (self) => self === false,
        ),
      ],
    }),
  },
  {
    description:
      "An NFS export mounted directly into every pod. Pod Security level restricted forbids NFS volumes, and mount options (nfsvers, hard, ...) cannot be set on them: prefer persistentVolumeClaim with an NFS PersistentVolume.",
    additionalProperties: false,
  },
);

type Filesystem = { persistentVolumeClaim?: unknown; nfs?: unknown };

export const SharedFilesystem = Type.Object(
  {
    persistentVolumeClaim: Type.Optional(persistentVolumeClaim),
    nfs: Type.Optional(nfs),
    subPath: Type.Optional(
      Type.String({
        description:
          "Directory inside the volume that holds the blocks, e.g. pyroscope/prod; absent uses the volume's root. Pyroscope creates it as its own user.",
        maxLength: 255,
        "x-kubernetes-validations": [
          matchesRule(
            "^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$",
            `${FIELD}.subPath must be a relative path of letters, digits, '-', '_' and '.', e.g. pyroscope/prod`,
          ),
          celRule<string>(
            "!('/' + self + '/').contains('/../') && !('/' + self + '/').contains('/./')",
            `${FIELD}.subPath must not contain . or .. segments`,
            (self) => !`/${self}/`.includes("/../") && !`/${self}/`.includes("/./"),
          ),
        ],
      }),
    ),
  },
  {
    description:
      "The shared volume of backend filesystem: every component mounts it at the same path and the bucket lives there. Exactly one of persistentVolumeClaim or nfs.",
    additionalProperties: false,
    "x-kubernetes-validations": [
      celRule<Filesystem>(
        "has(self.persistentVolumeClaim) || has(self.nfs)",
        `${FIELD} needs persistentVolumeClaim or nfs: the volume every component mounts`,
        (self) => self.persistentVolumeClaim !== undefined || self.nfs !== undefined,
      ),
      celRule<Filesystem>(
        "!has(self.persistentVolumeClaim) || !has(self.nfs)",
        `${FIELD} takes exactly one of persistentVolumeClaim or nfs, not both`,
        (self) => self.persistentVolumeClaim === undefined || self.nfs === undefined,
        ".nfs",
      ),
    ],
  },
);
