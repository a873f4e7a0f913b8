// TypeScript types of ProfilingPolicy, derived from the schema; as the API server returns
// objects, every field with a default is present.
import type { Static } from "@sinclair/typebox";
import type { ProfilingPolicy as PolicySchema } from "./schema.ts";

export type ProfilingPolicy = Static<typeof PolicySchema>;
export type ProfilingPolicySpec = ProfilingPolicy["spec"];
export type ProfilingPolicyStatus = NonNullable<ProfilingPolicy["status"]>;

export type SelectorSpec = ProfilingPolicySpec["selector"];
export type LabelSelector = SelectorSpec["namespaceSelector"];
export type ContainerSelection = SelectorSpec["containers"];
export type PyroscopeSpec = ProfilingPolicySpec["pyroscope"];
export type PyroscopeMode = PyroscopeSpec["mode"];
export type MonolithicSpec = NonNullable<PyroscopeSpec["monolithic"]>;
export type MicroservicesSpec = NonNullable<PyroscopeSpec["microservices"]>;
export type MicroserviceComponentName = keyof MicroservicesSpec["components"];
export type MicroserviceComponent = MicroservicesSpec["components"][MicroserviceComponentName];
export type ObjectStorageSpec = NonNullable<MicroservicesSpec["objectStorage"]>;
export type SharedFilesystemSpec = NonNullable<ObjectStorageSpec["filesystem"]>;
export type ExternalSpec = NonNullable<PyroscopeSpec["external"]>;
export type ResourceRequirements = MicroserviceComponent["resources"] & {};
export type AgentSpec = ProfilingPolicySpec["agent"];
export type ProfilesSpec = AgentSpec["profiles"];
export type RolloutSpec = ProfilingPolicySpec["rollout"];
export type WorkloadKind = RolloutSpec["workloadKinds"][number];
export type GrafanaSpec = ProfilingPolicySpec["grafana"];
export type Condition = NonNullable<ProfilingPolicyStatus["conditions"]>[number];
export type ConditionType = Condition["type"];
export type CoverageStatus = NonNullable<ProfilingPolicyStatus["coverage"]>;
export type RolloutStatus = NonNullable<ProfilingPolicyStatus["rollout"]>;
export type PyroscopeStatus = NonNullable<ProfilingPolicyStatus["pyroscope"]>;

/** A spec as people write it: anything with a default may be left out. */
export type ProfilingPolicySpecInput = DeepPartial<ProfilingPolicySpec>;

type DeepPartial<T> = T extends readonly (infer U)[]
  ? DeepPartial<U>[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;
