// Resolves a ProfilingPolicy (defaults applied) into the settings the pure mutation takes, so
// the mutation never needs to know the CRD's shape.
import { createHash } from "node:crypto";
import type { ProfilingPolicy } from "../core/api/v1alpha1/types.ts";
import type { InjectionSettings } from "./inject/settings.ts";

export interface SettingsContext {
  /** Replaces {cluster} in the application name template. */
  clusterName: string;
  /** Where this policy's agents write (the monolithic Service, the distributor, or external). */
  serverAddress: string;
}

export function settingsFromPolicy(
  policy: ProfilingPolicy,
  ctx: SettingsContext,
): InjectionSettings {
  const { spec } = policy;
  const { agent } = spec;
  const settings: InjectionSettings = {
    policyName: policy.metadata.name ?? "",
    policyGeneration: policy.metadata.generation ?? 0,
    revision: "",
    dryRun: spec.dryRun,
    agentVersion: agent.version,
    initImage: `${agent.image}:${agent.version}`,
    initResources: {
      ...(agent.resources.requests ? { requests: quantities(agent.resources.requests) } : {}),
      ...(agent.resources.limits ? { limits: quantities(agent.resources.limits) } : {}),
    },
    serverAddress: ctx.serverAddress,
    applicationNameTemplate: agent.applicationName.replaceAll("{cluster}", ctx.clusterName),
    profiles: {
      event: agent.profiles.cpu.event,
      interval: agent.profiles.cpu.interval,
      ...(agent.profiles.alloc === undefined ? {} : { alloc: agent.profiles.alloc }),
      ...(agent.profiles.lock === undefined ? {} : { lock: agent.profiles.lock }),
    },
    uploadInterval: agent.uploadInterval,
    logLevel: agent.logLevel,
    labels: agent.labels,
    sysPtrace: agent.capabilities.sysPtrace,
    containers: {
      detect: spec.selector.containers.detect,
      names: spec.selector.containers.names ?? [],
    },
    extraProperties: {
      "ingest.max.tries": String(agent.ingestMaxTries),
      "push.queue.capacity": String(agent.pushQueueCapacity),
      ...(agent.httpHeaders ? { "http.headers": JSON.stringify(agent.httpHeaders) } : {}),
    },
  };
  if (spec.pyroscope.tenantID) settings.tenantID = spec.pyroscope.tenantID;
  const auth = spec.pyroscope.basicAuthSecretRef;
  if (auth) {
    settings.basicAuthSecret = {
      name: auth.name,
      userKey: auth.usernameKey,
      passwordKey: auth.passwordKey,
    };
  }
  settings.revision = settingsRevision(settings);
  return settings;
}

/** 10 hex digits of a hash of the settings, leaving out what does not reach the pod. */
export function settingsRevision(settings: InjectionSettings): string {
  const { policyGeneration: _g, dryRun: _d, revision: _r, ...injected } = settings;
  return createHash("sha256").update(JSON.stringify(injected)).digest("hex").slice(0, 10);
}

/** Quantities may be written as numbers in YAML (`cpu: 1`); a container spec wants strings. */
function quantities(list: Record<string, string | number | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(list).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]])),
  );
}
