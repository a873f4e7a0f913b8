// The last step of both demos: load an injected service past its JVM's warm-up until Pyroscope
// holds enough CPU samples, then print its top own functions from that Pyroscope.
import { PyroscopeClient } from "../../cli/pyroscope/query.ts";
import { renderTopTable, topOwnFunctions } from "../../cli/pyroscope/top.ts";
import { CPU, describeLoad, loadSteadyState } from "./hotspot.ts";

export async function printTopFunctions(opts: {
  /** Pyroscope's HTTP API. */
  pyroscopeUrl: string;
  /** The service_name the agent reports (-Dpyroscope.application.name). */
  appName: string;
  /** The service's HTTP address. */
  appUrl: string;
  /** When the JVM started (ms since the epoch): warm-up is counted from there. */
  jvmStarted: number;
}): Promise<void> {
  const client = new PyroscopeClient({ baseUrl: opts.pyroscopeUrl });
  const labelSelector = `{service_name="${opts.appName}"}`;
  // Past the JVM's warm-up, so the table shows the service's steady state on any machine.
  const load = await loadSteadyState({
    client,
    labelSelector,
    baseUrl: opts.appUrl,
    paths: ["/hash?n=2000", "/reserve?n=5"],
    concurrency: 2,
    jvmStarted: opts.jvmStarted,
  });
  console.log(`    load: ${describeLoad(load)}\n`);
  const fg = await client.selectMergeStacktraces({
    profileTypeId: CPU,
    labelSelector,
    ...load.steady.range,
  });
  const rows = topOwnFunctions(fg, (n) => n.startsWith("com/shop/"), 8);
  console.log(
    renderTopTable(rows, { total: fg.total, unit: "nanoseconds", title: "Top own functions, CPU" }),
  );
}
