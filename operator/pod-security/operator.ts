// The operator's cache of probed Pod Security levels: dry runs with the operator's client,
// a metric of their answers, and a log line when a namespace's level becomes known or changes.
import type { Logger } from "pino";
import { Counter, type Registry } from "prom-client";
import type { ProbedLevel } from "../../webhook/inject/settings.ts";
import type { KubeClient } from "../kube/client.ts";
import type { Clock } from "../runtime/clock.ts";
import { PodSecurityCache } from "./cache.ts";
import { probeLevel } from "./probe.ts";

const label = (p: ProbedLevel) => (p.kind === "known" ? p.level : "unknown");

export function podSecurityLevels(
  client: KubeClient,
  clock: Clock,
  logger: Logger,
  registry: Registry,
): PodSecurityCache {
  const probes = new Counter({
    name: "fleetscope_pod_security_probes_total",
    help: "Dry-run probes of the Pod Security level namespaces enforce, by the level found (unknown: the dry run could not tell).",
    labelNames: ["level"],
    registers: [registry],
  });
  return new PodSecurityCache({
    probe: (namespace) => probeLevel(client, namespace),
    clock,
    onResult: (namespace, probed, previous) => {
      probes.inc({ level: label(probed) });
      if (previous && label(previous) === label(probed)) return;
      if (probed.kind === "known") {
        logger.info({ namespace, level: probed.level }, "namespace Pod Security level probed");
      } else {
        logger.warn(
          { namespace, why: probed.why },
          "namespace Pod Security level unknown: SYS_PTRACE is not added there until it is known",
        );
      }
    },
  });
}
