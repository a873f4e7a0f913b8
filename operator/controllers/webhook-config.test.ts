// Whether the webhook is registered, as the policy and coverage controllers wait for it.
import { expect } from "chai";
import { WebhookRegistration } from "./webhook-config.ts";

describe("WebhookRegistration", () => {
  const cases: {
    name: string;
    managed: boolean;
    registrations: number;
    ready: boolean;
    woken: number;
  }[] = [
    {
      name: "managed, not yet registered: not ready, nobody woken",
      managed: true,
      registrations: 0,
      ready: false,
      woken: 0,
    },
    {
      name: "managed and registered: ready, the waiting woken once",
      managed: true,
      registrations: 1,
      ready: true,
      woken: 1,
    },
    {
      name: "registered again (every later reconcile): nobody woken again",
      managed: true,
      registrations: 3,
      ready: true,
      woken: 1,
    },
    {
      name: "managed by someone else: ready from the start, nobody woken",
      managed: false,
      registrations: 0,
      ready: true,
      woken: 0,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const registration = new WebhookRegistration(c.managed);
      let woken = 0;
      registration.onRegistered(() => woken++);
      for (let i = 0; i < c.registrations; i++) registration.registered();
      expect({ ready: registration.ready(), woken }).to.deep.equal({
        ready: c.ready,
        woken: c.woken,
      });
    });
  }
});
