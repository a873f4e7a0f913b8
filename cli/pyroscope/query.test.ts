// Unit tests for the Pyroscope query client against a recorded fake fetch.
import { expect } from "chai";
import { dict } from "../../core/testing.ts";
import {
  decodeFlameGraph,
  PyroscopeClient,
  PyroscopeQueryError,
  parseProfileTypeId,
} from "./query.ts";

interface Recorded {
  url: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

function fakeFetch(status: number, response: unknown, calls: Recorded[]): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    calls.push({
      url: String(input),
      headers: init?.headers as Record<string, string>,
      body: JSON.parse(String(init?.body)),
    });
    const text = typeof response === "string" ? response : JSON.stringify(response);
    return new Response(text, { status });
  }) as typeof fetch;
}

describe("PyroscopeClient", () => {
  it("posts Connect JSON with the tenant header and decodes profile types", async () => {
    const calls: Recorded[] = [];
    const client = new PyroscopeClient({
      baseUrl: "http://pyroscope:4040/",
      tenantId: "team-a",
      fetch: fakeFetch(
        200,
        {
          profileTypes: [
            {
              ID: "process_cpu:cpu:nanoseconds:cpu:nanoseconds",
              name: "process_cpu",
              sampleType: "cpu",
              sampleUnit: "nanoseconds",
              periodType: "cpu",
              periodUnit: "nanoseconds",
            },
          ],
        },
        calls,
      ),
    });
    const types = await client.profileTypes({ start: 1, end: 2 });
    expect(types[0]).to.deep.equal(
      parseProfileTypeId("process_cpu:cpu:nanoseconds:cpu:nanoseconds"),
    );
    expect(calls[0]!.url).to.equal("http://pyroscope:4040/querier.v1.QuerierService/ProfileTypes");
    expect(calls[0]!.headers["x-scope-orgid"]).to.equal("team-a");
    expect(calls[0]!.headers["content-type"]).to.equal("application/json");
    expect(calls[0]!.body).to.deep.equal({ start: 1, end: 2 });
  });

  it("sends no tenant header without a tenant", async () => {
    const calls: Recorded[] = [];
    const client = new PyroscopeClient({
      baseUrl: "http://p:4040",
      fetch: fakeFetch(200, { names: ["checkout"] }, calls),
    });
    expect(
      await client.labelValues("service_name", undefined, ['{namespace="shop"}']),
    ).to.deep.equal(["checkout"]);
    expect(calls[0]!.headers).not.to.have.property("x-scope-orgid");
    expect(calls[0]!.body).to.deep.equal({
      name: "service_name",
      matchers: ['{namespace="shop"}'],
    });
  });

  it("asks for a merged flame graph and decodes int64 strings", async () => {
    const calls: Recorded[] = [];
    const client = new PyroscopeClient({
      baseUrl: "http://p:4040",
      fetch: fakeFetch(
        200,
        {
          flamegraph: {
            names: ["total", "f"],
            levels: [{ values: ["0", "10", "0", "0"] }, { values: ["0", "10", "10", "1"] }],
            total: "10",
            maxSelf: "10",
          },
        },
        calls,
      ),
    });
    const fg = await client.selectMergeStacktraces({
      profileTypeId: "wall:wall:nanoseconds:wall:nanoseconds",
      labelSelector: '{service_name="checkout"}',
      start: 5,
      end: 6,
      maxNodes: 100,
    });
    expect(fg).to.deep.equal({
      names: ["total", "f"],
      levels: [
        [0, 10, 0, 0],
        [0, 10, 10, 1],
      ],
      total: 10,
      maxSelf: 10,
    });
    expect(calls[0]!.body).to.deep.equal({
      profileTypeID: "wall:wall:nanoseconds:wall:nanoseconds",
      labelSelector: '{service_name="checkout"}',
      start: 5,
      end: 6,
      maxNodes: 100,
    });
  });

  it("decodes series with labels and points", async () => {
    const client = new PyroscopeClient({
      baseUrl: "http://p:4040",
      fetch: fakeFetch(
        200,
        {
          series: [
            {
              labels: [
                { name: "pod", value: "a" },
                // A valid label name in Pyroscope; it must stay a label, not a prototype.
                { name: "__proto__", value: "p" },
              ],
              points: [{ value: 3, timestamp: "1700000000000" }],
            },
          ],
        },
        [],
      ),
    });
    const series = await client.selectSeries({ profileTypeId: "a:b:c:d:e", groupBy: ["pod"] });
    expect(series).to.deep.equal([
      {
        labels: dict([
          ["pod", "a"],
          ["__proto__", "p"],
        ]),
        points: [{ timestamp: 1_700_000_000_000, value: 3 }],
      },
    ]);
    expect(Object.keys(series[0]!.labels)).to.deep.equal(["pod", "__proto__"]);
  });

  it("turns a Connect error into PyroscopeQueryError", async () => {
    const client = new PyroscopeClient({
      baseUrl: "http://p:4040",
      fetch: fakeFetch(401, { code: "unauthenticated", message: "no org id" }, []),
    });
    try {
      await client.labelNames();
      expect.fail("expected an error");
    } catch (err) {
      expect(err).to.be.instanceOf(PyroscopeQueryError);
      expect(err).to.include({ status: 401, code: "unauthenticated" });
      expect((err as Error).message).to.equal("LabelNames: HTTP 401 unauthenticated: no org id");
    }
  });

  it("keeps a plain-text error body as the message", async () => {
    const client = new PyroscopeClient({
      baseUrl: "http://p:4040",
      fetch: fakeFetch(502, "bad gateway\n", []),
    });
    const err = await client.labelNames().catch((e: unknown) => e);
    expect(err).to.include({ status: 502, code: "" });
    expect((err as Error).message).to.equal("LabelNames: HTTP 502: bad gateway");
  });
});

describe("parseProfileTypeId / decodeFlameGraph", () => {
  it("rejects IDs without five parts", () => {
    expect(() => parseProfileTypeId("process_cpu:cpu")).to.throw(/five/);
    expect(() => parseProfileTypeId("a::c:d:e")).to.throw(/five/);
  });

  it("treats a missing flame graph as empty", () => {
    expect(decodeFlameGraph(undefined)).to.deep.equal({
      names: [],
      levels: [],
      total: 0,
      maxSelf: 0,
    });
  });
});
