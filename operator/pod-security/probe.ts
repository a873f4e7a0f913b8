// The dry run itself: a server-side dry-run create (nothing is stored, nothing runs) of the
// probe pod in a namespace, read as the Pod Security level the API server enforces there.
import type { ProbedLevel } from "../../webhook/inject/settings.ts";
import { ApiError, type KubeClient } from "../kube/client.ts";
import { collectionPath } from "../kube/resources.ts";
import { probePod, readProbeAnswer } from "./levels.ts";

export async function probeLevel(client: KubeClient, namespace: string): Promise<ProbedLevel> {
  try {
    await client.request("POST", collectionPath("Pod", namespace), {
      body: probePod(),
      query: { dryRun: "All", fieldManager: "fleetscope-pod-security-probe" },
    });
    return readProbeAnswer(201, "");
  } catch (err) {
    if (err instanceof ApiError) return readProbeAnswer(err.status, err.message);
    return readProbeAnswer(0, String(err));
  }
}
