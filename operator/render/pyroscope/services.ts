// Services in front of Pyroscope workloads: a ClusterIP one for clients, a headless one for
// per-pod DNS, and the memberlist one every component gossips through.
import type { V1Service, V1ServicePort } from "@kubernetes/client-node";
import type { ProfilingPolicy } from "../../../core/api/v1alpha1/types.ts";
import { PORT_GRPC, PORT_HTTP, PORT_MEMBERLIST, PORT_RAFT } from "./components.ts";
import {
  APP_NAME,
  LABEL_INSTANCE,
  LABEL_NAME,
  metadata,
  policyLabelValue,
  policyName,
  selectorLabels,
} from "./names.ts";
import type { Rendered } from "./workload.ts";

export function servicePort(name: string, port: number): V1ServicePort {
  return { name, port, targetPort: name, protocol: "TCP" };
}

export const HTTP_GRPC_PORTS = [servicePort("http", PORT_HTTP), servicePort("grpc", PORT_GRPC)];
export const RAFT_PORT = servicePort("raft", PORT_RAFT);

export function service(
  policy: ProfilingPolicy,
  name: string,
  namespace: string,
  component: string,
  opts: { ports: V1ServicePort[]; headless?: boolean; publishNotReadyAddresses?: boolean },
): Rendered<V1Service> {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: metadata(policy, name, namespace, component),
    spec: {
      type: "ClusterIP",
      ...(opts.headless ? { clusterIP: "None" } : {}),
      ...(opts.publishNotReadyAddresses ? { publishNotReadyAddresses: true } : {}),
      ports: opts.ports,
      selector: selectorLabels(policy, component),
    },
  };
}

/** Headless, selecting every component of the policy; not-ready pods must be able to join. */
export function memberlistService(
  policy: ProfilingPolicy,
  name: string,
  namespace: string,
): Rendered<V1Service> {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: metadata(policy, name, namespace, "memberlist"),
    spec: {
      type: "ClusterIP",
      clusterIP: "None",
      publishNotReadyAddresses: true,
      ports: [servicePort("memberlist", PORT_MEMBERLIST)],
      selector: {
        [LABEL_NAME]: APP_NAME,
        [LABEL_INSTANCE]: policyLabelValue(policyName(policy)),
      },
    },
  };
}
