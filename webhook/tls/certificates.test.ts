// The webhook PKI: certificates a real TLS client accepts, and the rotation rules.
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import * as tls from "node:tls";
import { expect } from "chai";
import { assess, createBundle, createCA, issueServingCert, nextCheck } from "./certificates.ts";

const DAY = 24 * 60 * 60 * 1000;

describe("webhook certificates", () => {
  it("a TLS client that trusts only the CA completes a handshake for the service name", async () => {
    const bundle = await createBundle({
      hosts: ["fleetscope-webhook.fleetscope.svc", "127.0.0.1"],
    });
    const server = tls.createServer({ cert: bundle.cert, key: bundle.key }, (s) => s.end("ok"));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as AddressInfo;
    try {
      for (const servername of ["fleetscope-webhook.fleetscope.svc", undefined]) {
        const socket = tls.connect({ port, host: "127.0.0.1", ca: bundle.caCert, servername });
        await once(socket, "secureConnect");
        expect(socket.authorized, socket.authorizationError?.toString()).to.equal(true);
        socket.destroy();
      }
      const stranger = tls.connect({
        port,
        host: "127.0.0.1",
        ca: bundle.caCert,
        servername: "other.example",
      });
      const [err] = await once(stranger, "error");
      expect(String(err)).to.match(/altnames|Hostname/);
    } finally {
      server.close();
    }
  });

  describe("assess", () => {
    const hosts = ["svc.ns.svc"];
    const now = new Date("2026-06-01T00:00:00Z");
    const at = (days: number) => new Date(now.getTime() + days * DAY);

    it("table of stored states and what to do about them", async () => {
      const ca = await createCA(now, 3650);
      const fresh = {
        ...ca,
        ...(await issueServingCert(ca, { hosts, now, certValidityDays: 90 })),
      };
      const otherCA = await createCA(now, 3650);
      const cases: {
        name: string;
        bundle: object | undefined;
        at: Date;
        hosts?: string[];
        action: string;
      }[] = [
        { name: "nothing stored", bundle: undefined, at: now, action: "recreate" },
        { name: "garbage CA", bundle: { caCert: "x", caKey: "y" }, at: now, action: "recreate" },
        { name: "CA without serving cert", bundle: ca, at: now, action: "reissue" },
        { name: "fresh bundle", bundle: fresh, at: now, action: "keep" },
        { name: "59 days into 90", bundle: fresh, at: at(59), action: "keep" },
        { name: "61 days into 90: rotate early", bundle: fresh, at: at(61), action: "reissue" },
        {
          name: "a new host name",
          bundle: fresh,
          at: now,
          hosts: ["new.ns.svc"],
          action: "reissue",
        },
        {
          name: "cert of another CA",
          bundle: { ...fresh, ...otherCA },
          at: now,
          action: "reissue",
        },
        { name: "CA near its own expiry", bundle: fresh, at: at(3650 - 300), action: "recreate" },
      ];
      for (const c of cases) {
        expect((await assess(c.bundle, c.hosts ?? hosts, c.at)).action, c.name).to.equal(c.action);
      }
    });

    it("schedules the next check at two thirds of the serving certificate's life", async () => {
      const bundle = await createBundle({ hosts, now, certValidityDays: 90 });
      const due = nextCheck(bundle).getTime();
      expect(Math.abs(due - at(60).getTime())).to.be.lessThan(5 * 60_000);
    });
  });
});
