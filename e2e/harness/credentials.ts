// Credentials other than the admin's: a ServiceAccount's token (TokenRequest) as a KubeConfig
// for the same cluster, so a test can act, or run the operator, with exactly that account's RBAC.
import { readFileSync } from "node:fs";
import * as k8s from "@kubernetes/client-node";
import { kubeConfig, kubectl } from "./cluster.ts";

/** A bearer token for the ServiceAccount, from the TokenRequest API (`kubectl create token`). */
export async function serviceAccountToken(
  namespace: string,
  name: string,
  duration = "1h",
): Promise<string> {
  return (
    await kubectl(["create", "token", name, "-n", namespace, `--duration=${duration}`])
  ).trim();
}

/** The admin kubeconfig's server and CA with the ServiceAccount's token as the only credential. */
export async function serviceAccountKubeConfig(
  namespace: string,
  name: string,
  duration = "1h",
): Promise<k8s.KubeConfig> {
  const admin = kubeConfig();
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error("the admin kubeconfig has no current cluster");
  const caData =
    cluster.caData ??
    (cluster.caFile ? readFileSync(cluster.caFile).toString("base64") : undefined);
  const user = `system:serviceaccount:${namespace}:${name}`;
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: cluster.name,
        server: cluster.server,
        skipTLSVerify: cluster.skipTLSVerify,
        ...(caData ? { caData } : {}),
      },
    ],
    users: [{ name: user, token: await serviceAccountToken(namespace, name, duration) }],
    contexts: [{ name: user, cluster: cluster.name, user }],
    currentContext: user,
  });
  return kc;
}
