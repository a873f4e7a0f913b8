// Renders the MutatingWebhookConfiguration: CREATE of pods only, scoped at the API server to
// the namespaces the operator has labelled, never kube-* or the operator's own namespace.
import { LABEL_INJECT } from "../../core/names.ts";
import { MUTATE_PATH } from "../../webhook/server/paths.ts";

/** Set by the operator on every namespace a policy selects; the webhook requires it. */
export const NAMESPACE_INJECTION_LABEL = "fleetscope.io/injection";
export const NAMESPACE_INJECTION_VALUE = "enabled";
export const WEBHOOK_NAME = "pods.fleetscope.io";

export interface WebhookConfigInput {
  name: string;
  operatorNamespace: string;
  caBundle: string;
  /** In-cluster: the webhook Service. */
  service?: { name: string; namespace: string; port: number };
  /** Out of cluster (`make run`, tests): a URL the API server can reach. */
  url?: string;
  timeoutSeconds?: number;
  /** The installation's ClusterRole: uninstalling it garbage-collects this configuration. */
  owner?: { apiVersion: string; kind: string; name: string; uid: string };
}

export function renderWebhookConfiguration(input: WebhookConfigInput) {
  const clientConfig = input.url
    ? { url: `${input.url}${MUTATE_PATH}`, caBundle: input.caBundle }
    : {
        service: { ...input.service, path: MUTATE_PATH },
        caBundle: input.caBundle,
      };
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "MutatingWebhookConfiguration",
    metadata: {
      name: input.name,
      labels: { "app.kubernetes.io/managed-by": "fleetscope" },
      ...(input.owner ? { ownerReferences: [input.owner] } : {}),
    },
    webhooks: [
      {
        name: WEBHOOK_NAME,
        admissionReviewVersions: ["v1"],
        clientConfig,
        rules: [
          {
            apiGroups: [""],
            apiVersions: ["v1"],
            operations: ["CREATE"],
            resources: ["pods"],
            scope: "Namespaced",
          },
        ],
        // A webhook outage must never block workloads: pods are then admitted unprofiled and
        // show up in coverage as not injected.
        failurePolicy: "Ignore",
        sideEffects: "None",
        timeoutSeconds: input.timeoutSeconds ?? 5,
        // Sidecars added by later webhooks (service meshes) are seen on the second call.
        reinvocationPolicy: "IfNeeded",
        matchPolicy: "Equivalent",
        namespaceSelector: {
          matchLabels: { [NAMESPACE_INJECTION_LABEL]: NAMESPACE_INJECTION_VALUE },
          matchExpressions: [
            {
              key: "kubernetes.io/metadata.name",
              operator: "NotIn",
              values: ["kube-system", "kube-public", "kube-node-lease", input.operatorNamespace],
            },
            { key: LABEL_INJECT, operator: "NotIn", values: ["false"] },
          ],
        },
        objectSelector: {
          matchExpressions: [{ key: LABEL_INJECT, operator: "NotIn", values: ["false"] }],
        },
      },
    ],
  };
}
