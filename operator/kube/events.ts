// Records Kubernetes Events (events.k8s.io/v1) about policies, pods and workloads. Repeats of
// the same event within a few minutes are dropped, so a hot loop cannot flood the API server.
import type { Clock } from "../runtime/clock.ts";
import type { KubeClient } from "./client.ts";
import { collectionPath } from "./resources.ts";

export interface InvolvedObject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  uid?: string;
}

/** Where the API server accepts Events whose regarding object has no namespace. */
export const CLUSTER_SCOPED_EVENTS = "default";

export interface EventRecorder {
  record(regarding: InvolvedObject, type: "Normal" | "Warning", reason: string, note: string): void;
}

export function eventRecorder(
  client: KubeClient,
  clock: Clock,
  opts: { controller: string; instance: string; dedupMs?: number },
  onError: (err: unknown) => void = () => {},
): EventRecorder {
  const recent = new Map<string, number>();
  const dedupMs = opts.dedupMs ?? 5 * 60_000;
  return {
    record(regarding, type, reason, note) {
      const now = clock.now();
      const key = `${regarding.kind}/${regarding.namespace}/${regarding.name}/${type}/${reason}/${note}`;
      const last = recent.get(key);
      if (last !== undefined && now - last < dedupMs) return;
      recent.set(key, now);
      if (recent.size > 10_000) {
        for (const [k, t] of recent) if (now - t >= dedupMs) recent.delete(k);
      }
      // The API server accepts Events about cluster-scoped objects (policies) only in
      // "default" (or kube-system), not in the operator's namespace.
      const namespace = regarding.namespace ?? CLUSTER_SCOPED_EVENTS;
      const body = {
        apiVersion: "events.k8s.io/v1",
        kind: "Event",
        // The API server validates generateName as a name prefix: a trailing dash is allowed
        // there, a trailing dot is not (every Event was refused).
        metadata: { generateName: `${regarding.name.slice(0, 200)}-`, namespace },
        eventTime: new Date(now).toISOString().replace(/Z$/, "000Z"),
        reportingController: opts.controller,
        reportingInstance: opts.instance,
        action: reason,
        reason,
        note: note.slice(0, 1024),
        type,
        regarding,
      };
      client
        .request("POST", collectionPath("Event", namespace), { body })
        .catch((err) => onError(err));
    },
  };
}
