// The health gate of one restart in flight, judged from the workload's coverage, its facts and
// the age of its record; outcomes are codes and facts, no words.
import { expect } from "chai";
import type { CoverageState } from "../coverage/types.ts";
import { RETRY_AFTER_MS, type Restarted, type Settlement, settle } from "./health.ts";
import { NOW } from "./testing.ts";
import type { WorkloadFacts } from "./types.ts";

const now = NOW.getTime();
const s = 1000;
const min = 60 * s;

interface Row {
  name: string;
  /** What coverage says of its pods now. */
  state: CoverageState;
  facts?: Partial<WorkloadFacts>;
  /** Age of the Restarting record, in milliseconds; NaN when its time cannot be read. */
  age: number;
  reason?: string;
  settles: Settlement;
}

const rows: Row[] = [
  {
    name: "rolled out and its pods carry the agent: available",
    state: "injected",
    age: 2 * min,
    settles: { outcome: "Available" },
  },
  {
    name: "still rolling: waits until the health timeout after the restart",
    state: "outdated",
    facts: { ready: false },
    age: 2 * min,
    settles: { outcome: "Waiting", deadline: now + 3 * min },
  },
  {
    name: "rolled out, new pods not yet seen stamped: waits a moment for the caches",
    state: "pending",
    age: RETRY_AFTER_MS - s,
    settles: { outcome: "Waiting", deadline: now - RETRY_AFTER_MS + s + 5 * min },
  },
  {
    name: "rolled out without the agent once the caches had their moment: restarted once more",
    state: "pending",
    age: RETRY_AFTER_MS,
    settles: { outcome: "Retry" },
  },
  {
    name: "old pods of another agent version count as without the agent",
    state: "outdated",
    age: 1 * min,
    settles: { outcome: "Retry" },
  },
  {
    name: "retried, still without the agent: waits for the health timeout",
    state: "pending",
    age: 1 * min,
    reason: "Retried: pods admitted without the agent",
    settles: { outcome: "Waiting", deadline: now + 4 * min },
  },
  {
    name: "retried, still without the agent at the timeout: not injected",
    state: "pending",
    age: 5 * min,
    reason: "Retried: pods admitted without the agent",
    settles: { outcome: "Halt", cause: { code: "NotInjected", healthTimeout: "5m" } },
  },
  {
    name: "crash-looping: halts at once, before the timeout",
    state: "pending",
    facts: { ready: false, crashLooping: true },
    age: 1 * min,
    settles: { outcome: "Halt", cause: { code: "CrashLoop" } },
  },
  {
    name: "crash-looping, with what blocks its pods",
    state: "pending",
    facts: { ready: false, crashLooping: true, blocking: "pod p container app" },
    age: 1 * min,
    settles: { outcome: "Halt", cause: { code: "CrashLoop", blocking: "pod p container app" } },
  },
  {
    name: "not available at the timeout: halts with its readiness and what blocks it",
    state: "outdated",
    facts: { ready: false, readiness: "0 of 2 updated replicas available", blocking: "pod p" },
    age: 5 * min,
    settles: {
      outcome: "Halt",
      cause: {
        code: "HealthTimeout",
        healthTimeout: "5m",
        readiness: "0 of 2 updated replicas available",
        blocking: "pod p",
      },
    },
  },
  {
    name: "a record whose time cannot be read counts as timed out",
    state: "outdated",
    facts: { ready: false },
    age: Number.NaN,
    settles: { outcome: "Halt", cause: { code: "HealthTimeout", healthTimeout: "5m" } },
  },
];

function restart(row: Row): Restarted {
  return {
    w: {
      kind: "Deployment",
      namespace: "shop",
      name: "a",
      state: row.state,
      facts: { ready: true, restartable: true, crashLooping: false, ...row.facts },
    },
    record: {
      policy: "shop",
      revision: "r5",
      phase: "Restarting",
      time: now - row.age,
      ...(row.reason ? { reason: row.reason } : {}),
    },
  };
}

describe("settle (the health gate)", () => {
  for (const row of rows) {
    it(row.name, () => {
      expect(settle(restart(row), { now, healthTimeout: "5m" })).to.deep.equal(row.settles);
    });
  }
});
