// The operator's documented permissions (docs/install.md): what the chart must grant, exactly,
// and what it must not; used by the rendering test and by `kubectl auth can-i` on a cluster.

export interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

/** One granted permission: "group/resource verb", with "@name" when limited to one object. */
export function flatten(rules: Rule[]): string[] {
  const out = new Set<string>();
  for (const r of rules) {
    for (const g of r.apiGroups) {
      for (const res of r.resources) {
        for (const v of r.verbs) {
          const names = r.resourceNames?.length ? r.resourceNames : [""];
          for (const n of names) out.add(`${g || "core"}/${res} ${v}${n ? `@${n}` : ""}`);
        }
      }
    }
  }
  return [...out].sort();
}

export interface Names {
  webhookConfig: string;
  certSecret: string;
  lease: string;
  /** The chart's ClusterRole (its full name): owner of the webhook configuration and Secret. */
  clusterRole: string;
}

const each = (group: string, resources: string[], verbs: string[], name?: string) =>
  resources.flatMap((r) => verbs.map((v) => `${group}/${r} ${v}${name ? `@${name}` : ""}`));

/** Cluster-wide grants (ClusterRole). */
export function expectedClusterPermissions(
  n: Names,
  opts: { workloadRollout: boolean; selfCerts?: boolean },
): string[] {
  const pyroscope = ["get", "list", "create", "patch", "delete"];
  return [
    ...each("fleetscope.io", ["profilingpolicies"], ["list", "watch"]),
    ...each("fleetscope.io", ["profilingpolicies/status"], ["patch"]),
    ...each("fleetscope.io", ["profilingpolicies/finalizers"], ["update"]),
    ...each("core", ["namespaces"], ["get", "list", "watch", "patch", "create"]),
    ...each("apps", ["statefulsets", "deployments"], pyroscope),
    ...each("core", ["services", "configmaps", "serviceaccounts"], pyroscope),
    ...each("policy", ["poddisruptionbudgets"], pyroscope),
    ...each("core", ["persistentvolumeclaims"], ["get"]),
    ...each("events.k8s.io", ["events"], ["create"]),
    // The Pod Security level probe's dry-run create (operator/pod-security).
    ...each("core", ["pods"], ["create"]),
    ...each("core", ["persistentvolumeclaims", "events"], ["list"]),
    ...each("storage.k8s.io", ["storageclasses"], ["list"]),
    ...(opts.selfCerts !== false
      ? [
          ...each(
            "admissionregistration.k8s.io",
            ["mutatingwebhookconfigurations"],
            ["get", "patch"],
            n.webhookConfig,
          ),
          ...each("admissionregistration.k8s.io", ["mutatingwebhookconfigurations"], ["create"]),
          ...each("rbac.authorization.k8s.io", ["clusterroles"], ["get"], n.clusterRole),
        ]
      : []),
    ...(opts.workloadRollout
      ? [
          ...each("core", ["pods"], ["list", "watch"]),
          ...each("apps", ["replicasets"], ["get"]),
          ...each("apps", ["deployments", "statefulsets", "daemonsets"], ["list", "watch"]),
          ...each("apps", ["daemonsets"], ["patch"]),
        ]
      : []),
  ]
    .filter((p, i, all) => all.indexOf(p) === i)
    .sort();
}

/** Grants in the operator's own namespace (Role). */
export function expectedNamespacePermissions(n: Names, opts: { selfCerts: boolean }): string[] {
  return [
    ...each(
      "core",
      ["secrets"],
      opts.selfCerts ? ["get", "list", "watch", "update", "patch"] : ["get", "list", "watch"],
      n.certSecret,
    ),
    ...(opts.selfCerts ? each("core", ["secrets"], ["create"]) : []),
    ...each("coordination.k8s.io", ["leases"], ["get", "update"], n.lease),
    ...each("coordination.k8s.io", ["leases"], ["create"]),
  ].sort();
}

export interface CanI {
  verb: string;
  /** kubectl's resource argument: "secrets", "secrets/name", "deployments.apps". */
  resource: string;
  namespace?: string;
  subresource?: string;
}

/** What the operator needs to be able to do, as `kubectl auth can-i` questions. */
export function operatorNeeds(n: Names, ns: string, otherNs: string): CanI[] {
  return [
    { verb: "list", resource: "profilingpolicies.fleetscope.io" },
    { verb: "watch", resource: "profilingpolicies.fleetscope.io" },
    { verb: "patch", resource: "profilingpolicies.fleetscope.io", subresource: "status" },
    { verb: "watch", resource: "namespaces" },
    { verb: "patch", resource: "namespaces" },
    { verb: "create", resource: "namespaces" },
    { verb: "get", resource: `secrets/${n.certSecret}`, namespace: ns },
    { verb: "list", resource: `secrets/${n.certSecret}`, namespace: ns },
    { verb: "watch", resource: `secrets/${n.certSecret}`, namespace: ns },
    { verb: "update", resource: `secrets/${n.certSecret}`, namespace: ns },
    { verb: "patch", resource: `secrets/${n.certSecret}`, namespace: ns },
    { verb: "create", resource: "secrets", namespace: ns },
    { verb: "get", resource: `leases.coordination.k8s.io/${n.lease}`, namespace: ns },
    { verb: "update", resource: `leases.coordination.k8s.io/${n.lease}`, namespace: ns },
    { verb: "create", resource: "leases.coordination.k8s.io", namespace: ns },
    { verb: "create", resource: "events.events.k8s.io", namespace: otherNs },
    { verb: "create", resource: "pods", namespace: otherNs },
    { verb: "patch", resource: "statefulsets.apps", namespace: otherNs },
    { verb: "create", resource: "deployments.apps", namespace: otherNs },
    { verb: "delete", resource: "services", namespace: otherNs },
    { verb: "list", resource: "configmaps", namespace: otherNs },
    { verb: "patch", resource: "serviceaccounts", namespace: otherNs },
    { verb: "get", resource: "poddisruptionbudgets.policy", namespace: otherNs },
    { verb: "get", resource: "persistentvolumeclaims", namespace: otherNs },
    {
      verb: "patch",
      resource: `mutatingwebhookconfigurations.admissionregistration.k8s.io/${n.webhookConfig}`,
    },
    { verb: "create", resource: "mutatingwebhookconfigurations.admissionregistration.k8s.io" },
    { verb: "get", resource: `clusterroles.rbac.authorization.k8s.io/${n.clusterRole}` },
    { verb: "watch", resource: "pods", namespace: otherNs },
    { verb: "list", resource: "persistentvolumeclaims", namespace: otherNs },
    { verb: "list", resource: "events", namespace: otherNs },
    { verb: "list", resource: "storageclasses.storage.k8s.io" },
    { verb: "list", resource: "deployments.apps", namespace: otherNs },
    { verb: "patch", resource: "deployments.apps", namespace: otherNs },
    { verb: "watch", resource: "daemonsets.apps", namespace: otherNs },
    { verb: "get", resource: "replicasets.apps", namespace: otherNs },
    { verb: "patch", resource: "daemonsets.apps", namespace: otherNs },
  ];
}

/** What it must not be able to do. */
export function operatorMustNot(n: Names, ns: string, otherNs: string): CanI[] {
  return [
    { verb: "get", resource: "secrets", namespace: otherNs },
    { verb: "list", resource: "secrets", namespace: otherNs },
    { verb: "get", resource: "secrets/some-other-secret", namespace: ns },
    { verb: "list", resource: "secrets", namespace: ns },
    { verb: "delete", resource: `secrets/${n.certSecret}`, namespace: ns },
    { verb: "update", resource: "leases.coordination.k8s.io/some-other-lease", namespace: ns },
    { verb: "patch", resource: "mutatingwebhookconfigurations.admissionregistration.k8s.io/other" },
    { verb: "delete", resource: `mutatingwebhookconfigurations.admissionregistration.k8s.io` },
    { verb: "patch", resource: "validatingwebhookconfigurations.admissionregistration.k8s.io" },
    { verb: "update", resource: "pods", namespace: otherNs },
    { verb: "delete", resource: "persistentvolumeclaims", namespace: otherNs },
    { verb: "delete", resource: "pods", namespace: otherNs },
    { verb: "get", resource: "pods", subresource: "exec", namespace: otherNs },
    { verb: "delete", resource: "namespaces" },
    { verb: "update", resource: "profilingpolicies.fleetscope.io" },
    { verb: "delete", resource: "profilingpolicies.fleetscope.io" },
    { verb: "create", resource: "clusterroles.rbac.authorization.k8s.io" },
    { verb: "get", resource: "clusterroles.rbac.authorization.k8s.io/cluster-admin" },
    { verb: "list", resource: "clusterroles.rbac.authorization.k8s.io" },
    { verb: "patch", resource: `clusterroles.rbac.authorization.k8s.io/${n.clusterRole}` },
    { verb: "create", resource: "rolebindings.rbac.authorization.k8s.io", namespace: otherNs },
    { verb: "delete", resource: "daemonsets.apps", namespace: otherNs },
    { verb: "list", resource: "nodes" },
    { verb: "update", resource: "customresourcedefinitions.apiextensions.k8s.io" },
  ];
}
