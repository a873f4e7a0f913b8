// The canary gate, from the records of this revision alone: how many may start, and why no more.
import { expect } from "chai";
import { type CanaryGate, canaryGate } from "./canary.ts";
import type { RecordPhase } from "./record.ts";
import { NOW } from "./testing.ts";

const min = 60_000;
/** `name: phase@minutes ago` of each workload with a record of this revision. */
const records = (...described: string[]) =>
  described.map((d) => {
    const [name, rest] = d.split(": ");
    const [phase, ago] = rest!.split("@");
    return {
      w: { kind: "Deployment", namespace: "shop", name: name! },
      record: {
        policy: "shop",
        revision: "r5",
        phase: phase as RecordPhase,
        time: NOW.getTime() - Number(ago) * min,
      },
    };
  });
const a = { kind: "Deployment", namespace: "shop", name: "a" };

const rows: { name: string; count?: number; tracked: string[]; gate: CanaryGate }[] = [
  {
    name: "nothing restarted yet: only the canaries may start",
    count: 2,
    tracked: [],
    gate: { limit: 2, wait: { gate: "Wave", started: 0, count: 2 } },
  },
  {
    name: "part of the wave started: the rest of it may",
    count: 2,
    tracked: ["a: Restarting@1"],
    gate: { limit: 1, wait: { gate: "Wave", started: 1, count: 2 } },
  },
  {
    name: "a canary still restarting: nothing starts",
    tracked: ["a: Restarting@1"],
    gate: { limit: 0, wait: { gate: "Canaries", restarting: [a] } },
  },
  {
    name: "the canaries are the earliest restarts, whatever came after",
    tracked: ["b: Available@2", "a: Restarting@3"],
    gate: { limit: 0, wait: { gate: "Canaries", restarting: [a] } },
  },
  {
    name: "all available, pause not over: nothing starts until the last became available + pause",
    count: 2,
    tracked: ["a: Available@8", "b: Available@4"],
    gate: { limit: 0, wait: { gate: "Pause", until: NOW.getTime() + 6 * min } },
  },
  {
    name: "pause over: the gate is open",
    tracked: ["a: Available@11"],
    gate: {},
  },
  {
    name: "a failed canary does not hold the gate; the halt does",
    tracked: ["a: Failed@11"],
    gate: {},
  },
];

describe("canaryGate", () => {
  for (const row of rows) {
    it(row.name, () => {
      const gate = canaryGate(
        records(...row.tracked),
        { count: row.count ?? 1, pause: "10m" },
        NOW.getTime(),
      );
      expect(gate).to.deep.equal(row.gate);
    });
  }
});
