// Unit tests for the Pyroscope test server's command line and config file, v1 against v2.
import { expect } from "chai";
import { parseStorageMode, type ServerLayout, serverArgs, serverConfig } from "./pyroscope-args.ts";

const layout = (over: Partial<ServerLayout> = {}): ServerLayout => ({
  storage: "v1",
  multitenancy: true,
  configFile: "/tmp/p/config.yaml",
  dataDir: "/tmp/p/data",
  httpPort: 4100,
  grpcPort: 9200,
  memberlistPort: 7300,
  raftPort: 9400,
  ...over,
});

/** The flags as a name -> values map; repeated flags keep every value. */
function flags(args: string[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const a of args) {
    expect(a, "every argument is a -name=value flag").to.match(/^-[a-z0-9.-]+=/);
    const eq = a.indexOf("=");
    const name = a.slice(1, eq);
    m.set(name, [...(m.get(name) ?? []), a.slice(eq + 1)]);
  }
  return m;
}

const RING_ADDRESSES = [
  "distributor.ring.instance-addr",
  "ingester.lifecycler.addr",
  "segment-writer.lifecycler.addr",
  "query-scheduler.ring.instance-addr",
  "query-frontend.instance-addr",
  "store-gateway.sharding-ring.instance-addr",
  "compactor.ring.instance-addr",
  "overrides-exporter.ring.instance-addr",
];

describe("serverArgs", () => {
  const cases: { storage: "v1" | "v2"; want: Record<string, string>; absent: string[] }[] = [
    {
      storage: "v1",
      want: {
        "architecture.storage": "v1",
        "write-path": "ingester",
        "ingester.min-ready-duration": "0s",
      },
      absent: [
        "segment-writer.min-ready-duration",
        "metastore.min-ready-duration",
        "metastore.raft.bind-address",
        "metastore.raft.advertise-address",
        "metastore.raft.server-id",
      ],
    },
    {
      storage: "v2",
      want: {
        "architecture.storage": "v2",
        "segment-writer.min-ready-duration": "0s",
        "metastore.min-ready-duration": "0s",
        "metastore.raft.bind-address": "127.0.0.1:9400",
        "metastore.raft.advertise-address": "127.0.0.1:9400",
        "metastore.raft.server-id": "127.0.0.1:9400",
      },
      absent: ["write-path", "ingester.min-ready-duration"],
    },
  ];
  for (const { storage, want, absent } of cases) {
    describe(storage, () => {
      let got: Map<string, string[]>;
      before(() => {
        got = flags(serverArgs(layout({ storage })));
      });

      it("sets each flag once", () => {
        const repeated = [...got].filter(([, v]) => v.length > 1).map(([k]) => k);
        expect(repeated).to.deep.equal([]);
      });

      it("selects the storage mode", () => {
        for (const [k, v] of Object.entries(want)) expect(got.get(k), k).to.deep.equal([v]);
        for (const k of absent) expect(got.has(k), k).to.equal(false);
      });

      it("listens on the chosen loopback ports and points internal clients at them", () => {
        expect(got.get("target")).to.deep.equal(["all"]);
        expect(got.get("config.file")).to.deep.equal(["/tmp/p/config.yaml"]);
        expect(got.get("server.http-listen-address")).to.deep.equal(["127.0.0.1"]);
        expect(got.get("server.http-listen-port")).to.deep.equal(["4100"]);
        expect(got.get("server.grpc-listen-address")).to.deep.equal(["127.0.0.1"]);
        expect(got.get("server.grpc-listen-port")).to.deep.equal(["9200"]);
        expect(got.get("memberlist.bind-addr")).to.deep.equal(["127.0.0.1"]);
        expect(got.get("memberlist.bind-port")).to.deep.equal(["7300"]);
        expect(got.get("metastore.address")).to.deep.equal(["127.0.0.1:9200"]);
        expect(got.get("query-backend.address")).to.deep.equal(["127.0.0.1:9200"]);
      });

      it("advertises 127.0.0.1 in every ring", () => {
        for (const f of RING_ADDRESSES) expect(got.get(f), f).to.deep.equal(["127.0.0.1"]);
      });

      it("keeps local data in its own folder and does not profile itself", () => {
        expect(got.get("pyroscopedb.data-path")).to.deep.equal(["/tmp/p/data"]);
        expect(got.get("self-profiling.disable-push")).to.deep.equal(["true"]);
      });
    });
  }

  it("passes the multitenancy setting through", () => {
    expect(
      flags(serverArgs(layout({ multitenancy: false }))).get("auth.multitenancy-enabled"),
    ).to.deep.equal(["false"]);
    expect(
      flags(serverArgs(layout({ multitenancy: true }))).get("auth.multitenancy-enabled"),
    ).to.deep.equal(["true"]);
  });
});

describe("serverConfig", () => {
  it("puts the filesystem bucket in the given folder", () => {
    expect(serverConfig("/tmp/p/bucket")).to.equal(
      'storage:\n  backend: filesystem\n  filesystem:\n    dir: "/tmp/p/bucket"\n',
    );
  });
});

describe("parseStorageMode", () => {
  const cases: [string | undefined, "v1" | "v2"][] = [
    [undefined, "v1"],
    ["", "v1"],
    ["v1", "v1"],
    ["v2", "v2"],
    [" v2 ", "v2"],
  ];
  for (const [input, want] of cases) {
    it(`reads ${JSON.stringify(input)} as ${want}`, () => {
      expect(parseStorageMode(input)).to.equal(want);
    });
  }

  for (const bad of ["V2", "dual", "v1-v2-dual", "2"]) {
    it(`refuses ${JSON.stringify(bad)}, naming the variable`, () => {
      expect(() => parseStorageMode(bad)).to.throw(
        /FLEETSCOPE_PYROSCOPE_STORAGE: expected "v1" or "v2"/,
      );
    });
  }
});
