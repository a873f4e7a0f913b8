// Waiting for the agent's uploads in data-path tests: until a CPU profile of the service holds the
// demo's computeHash hotspot, then one more upload interval so alloc and lock have arrived too.
import type { PyroscopeClient, TimeRange } from "../../operator/pyroscope/query.ts";
import { poll } from "./process.ts";

export const CPU = "process_cpu:cpu:nanoseconds:cpu:nanoseconds";

export async function waitForHotspot(
  client: PyroscopeClient,
  service: string,
  range: () => TimeRange,
): Promise<void> {
  await poll(
    "CPU samples under computeHash",
    async () => {
      const fg = await client.selectMergeStacktraces({
        profileTypeId: CPU,
        labelSelector: `{service_name="${service}"}`,
        ...range(),
      });
      return fg.names.some((n) => n.endsWith(".computeHash")) ? true : undefined;
    },
    60_000,
  );
  await new Promise((r) => setTimeout(r, 2_500));
}
