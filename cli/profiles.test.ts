// Unit tests for the profile commands' helpers: time and range parsing, profile types, servers.
import { expect } from "chai";
import { PROTOTYPE_KEYS } from "../core/testing.ts";
import {
  appSelector,
  chooseProfileType,
  chooseServer,
  formatDuration,
  formatRange,
  isClusterInternal,
  makeRange,
  parseRangeText,
  parseTime,
  portForwardHint,
  unitOf,
  workloadSelector,
} from "./profiles.ts";
import type { ProfileType } from "./pyroscope/query.ts";

const NOW = Date.parse("2025-06-01T12:00:00Z");

describe("parseTime", () => {
  const rows: [string, number][] = [
    ["now", NOW],
    ["now-15m", NOW - 15 * 60_000],
    ["now-1h30m", NOW - 90 * 60_000],
    ["now-2d", NOW - 2 * 86_400_000],
    ["now+30s", NOW + 30_000],
    ["now-500ms", NOW - 500],
    ["2025-06-01T10:00:00Z", Date.parse("2025-06-01T10:00:00Z")],
    ["2025-06-01T10:00:00.250+02:00", Date.parse("2025-06-01T08:00:00.250Z")],
    ["2025-06-01 10:00Z", Date.parse("2025-06-01T10:00:00Z")],
    ["1748772000000", 1748772000000],
  ];
  for (const [text, ms] of rows) it(text, () => expect(parseTime(text, NOW)).to.equal(ms));

  for (const bad of ["yesterday", "now-15", "now-m", "2025-06-01", "2025-13-01T00:00:00Z", "12"])
    it(`rejects ${bad}`, () => expect(() => parseTime(bad, NOW)).to.throw(/cannot read time/));
});

describe("ranges", () => {
  it("reads FROM..TO and refuses empty ranges", () => {
    expect(parseRangeText("now-2h..now-1h", NOW)).to.deep.equal({
      start: NOW - 7_200_000,
      end: NOW - 3_600_000,
    });
    expect(
      parseRangeText("2025-06-01T10:00:00Z..2025-06-01T10:15:00Z", NOW).end -
        parseRangeText("2025-06-01T10:00:00Z..2025-06-01T10:15:00Z", NOW).start,
    ).to.equal(900_000);
    expect(() => parseRangeText("now-1h", NOW)).to.throw(/FROM..TO/);
    expect(() => parseRangeText("..now", NOW)).to.throw(/FROM..TO/);
    expect(() => makeRange("now", "now-1h", NOW)).to.throw(/empty/);
  });

  it("prints ranges a person can read back", () => {
    expect(formatRange({ start: NOW - 900_000, end: NOW })).to.equal(
      "2025-06-01 11:45:00Z .. 12:00:00Z (15m)",
    );
    expect(formatDuration(90_061_000)).to.equal("1d1h1m1s");
    expect(formatDuration(250)).to.equal("250ms");
  });
});

describe("profile types", () => {
  const types = (...ids: string[]) => ids.map((id) => ({ id }) as ProfileType);

  it("picks the first known ID the server has", () => {
    expect(chooseProfileType("lock", types("mutex:contentions:count:mutex:count"))).to.equal(
      "mutex:contentions:count:mutex:count",
    );
    expect(
      chooseProfileType(
        "lock",
        types("mutex:contentions:count:mutex:count", "mutex:delay:nanoseconds:mutex:count"),
      ),
    ).to.equal("mutex:delay:nanoseconds:mutex:count");
    expect(chooseProfileType("cpu", [])).to.equal("process_cpu:cpu:nanoseconds:cpu:nanoseconds");
    expect(chooseProfileType("a:b:c:d:e", [])).to.equal("a:b:c:d:e");
    expect(() => chooseProfileType("heap", [])).to.throw(/unknown profile type heap/);
    for (const key of PROTOTYPE_KEYS) {
      expect(() => chooseProfileType(key, []), key).to.throw(`unknown profile type ${key}`);
    }
  });

  it("reads the unit from the ID", () => {
    expect(unitOf("memory:alloc_in_new_tlab_bytes:bytes:space:bytes")).to.equal("bytes");
  });

  it("escapes the application name in the selector", () => {
    expect(appSelector("shop/checkout")).to.equal('{service_name="shop/checkout"}');
    expect(appSelector('a"b\\c')).to.equal('{service_name="a\\"b\\\\c"}');
  });

  it("selects a workload's profiles by the webhook's labels, and by revision", () => {
    expect(workloadSelector("shop", "checkout")).to.equal('{namespace="shop",workload="checkout"}');
    expect(workloadSelector("shop", "checkout", "7d9f8b6c4d")).to.equal(
      '{namespace="shop",workload="checkout",revision="7d9f8b6c4d"}',
    );
    expect(workloadSelector("s", 'w"', "r\\")).to.equal(
      '{namespace="s",workload="w\\"",revision="r\\\\"}',
    );
  });
});

describe("chooseServer", () => {
  const policy = { name: "shop", readURL: "http://pyro.obs.svc:4040", tenantID: "shop-team" };

  it("prefers --server, then $PYROSCOPE_URL, then the policy", () => {
    expect(
      chooseServer({ server: "http://a" }, { PYROSCOPE_URL: "http://b" }, policy),
    ).to.deep.equal({ url: "http://a", source: "--server", tenant: "shop-team" });
    expect(chooseServer({}, { PYROSCOPE_URL: "http://b" }, policy)).to.include({
      url: "http://b",
      source: "$PYROSCOPE_URL",
    });
    expect(chooseServer({}, {}, policy)).to.include({
      url: "http://pyro.obs.svc:4040",
      source: "policy shop",
    });
  });

  it("takes the tenant from the flag, then the environment, then the policy", () => {
    const env = { PYROSCOPE_TENANT_ID: "env-team" };
    expect(chooseServer({ tenant: "flag-team" }, env, policy)).to.include({ tenant: "flag-team" });
    expect(chooseServer({}, env, policy)).to.include({ tenant: "env-team" });
    expect(chooseServer({ server: "http://a" }, {})).to.deep.equal({
      url: "http://a",
      source: "--server",
    });
  });

  it("explains what is missing", () => {
    expect(chooseServer({}, {}))
      .to.have.property("error")
      .that.match(/--server/);
    expect(chooseServer({}, {}, { name: "shop" }))
      .to.have.property("error")
      .that.match(/shop has no status.pyroscope.readURL/);
  });
});

describe("in-cluster URLs", () => {
  it("recognises Service addresses", () => {
    expect(isClusterInternal("http://pyro.obs.svc:4040")).to.equal(true);
    expect(isClusterInternal("http://pyro.obs.svc.cluster.local:4040")).to.equal(true);
    expect(isClusterInternal("http://pyroscope:4040")).to.equal(true);
    expect(isClusterInternal("http://127.0.0.1:4040")).to.equal(false);
    expect(isClusterInternal("http://localhost:4040")).to.equal(false);
    expect(isClusterInternal("https://profiles.example.com")).to.equal(false);
  });

  it("suggests the port-forward", () => {
    const hint = portForwardHint("http://shop-pyroscope-query-frontend.obs.svc:4040");
    expect(hint).to.contain(
      "kubectl -n obs port-forward svc/shop-pyroscope-query-frontend 4040:4040",
    );
    expect(hint).to.contain("--server http://127.0.0.1:4040");
  });
});
