// Runs the controllers on the elected leader only (every replica when leader election is off):
// once every cache has synced, each controller starts with every key it owns. Losing the lease
// ends the process by default, so a fresh one campaigns again.
import type { ManagerContext } from "./context.ts";
import { LeaderElector } from "./kube/leader.ts";
import type { Controller } from "./runtime/controller.ts";

export interface Leadership {
  isLeader(): boolean;
  /** Releases the lease; call it after the controllers have stopped. */
  stop(): Promise<void>;
}

export function leadControllers(
  mgr: ManagerContext,
  controllers: readonly Controller[],
  onLostLeadership: () => void = () => process.exit(1),
): Leadership {
  const { config, logger } = mgr;
  let leading = false;
  const startControllers = async () => {
    await mgr.caches.waitForSync();
    leading = true;
    logger.info({ identity: config.podName }, "leading: starting controllers");
    for (const c of controllers) c.start();
  };

  let elector: LeaderElector | undefined;
  let electorRun: Promise<void> | undefined;
  if (config.leaderElection) {
    elector = new LeaderElector({
      client: mgr.client,
      clock: mgr.clock,
      namespace: config.namespace,
      name: "fleetscope-operator",
      identity: config.podName,
      onStartedLeading: () => void startControllers(),
      onStoppedLeading: () => {
        if (!leading) return;
        leading = false;
        logger.error("lost leadership");
        onLostLeadership();
      },
    });
    electorRun = elector.run();
  } else {
    void startControllers();
  }
  return {
    isLeader: () => leading,
    async stop() {
      leading = false;
      await elector?.stop();
      await electorRun;
    },
  };
}
