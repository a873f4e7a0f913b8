// A controller on start: every key it owns is reconciled once, as read at that moment.
import { expect } from "chai";
import pino from "pino";
import { Registry } from "prom-client";
import { FakeClock } from "./clock.ts";
import { Controller } from "./controller.ts";
import { controllerMetrics } from "./metrics.ts";

function controllerOver(owned: string[]) {
  const reconciled: string[] = [];
  const controller = new Controller({
    name: "test",
    clock: new FakeClock(),
    logger: pino({ level: "silent" }),
    metrics: controllerMetrics(new Registry()),
    workers: 1,
    reconcile: async (key) => {
      reconciled.push(key);
      return undefined;
    },
    initialKeys: () => owned,
  });
  return { controller, reconciled };
}

const settle = () => new Promise((r) => setImmediate(r));

describe("Controller", () => {
  it("reconciles every key it owns when it starts, not before", async () => {
    const owned = ["a"];
    const { controller, reconciled } = controllerOver(owned);
    owned.push("b");
    await settle();
    expect(reconciled, "before start").to.deep.equal([]);
    controller.start();
    await settle();
    await controller.stop();
    expect(reconciled).to.deep.equal(["a", "b"]);
  });
});
