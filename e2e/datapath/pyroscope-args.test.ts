// What the single-process Pyroscope test server must be told, v1 and v2: reachable on loopback
// only, at the layout's ports, one port per listener; every ring advertising loopback; local data
// apart from the bucket; the storage architecture asked for, ready without rollout delays.
import { expect } from "chai";
import {
  parseStorageMode,
  type ServerLayout,
  type StorageMode,
  serverArgs,
  serverConfig,
} from "./pyroscope-args.ts";

const LOOPBACK = "127.0.0.1";
/** Ports Pyroscope uses when not told otherwise: none of them may be relied on. */
const DEFAULT_PORTS = [4040, 9095, 7946, 9099];
/** The components `-target=all` runs that join a ring, and so advertise an address in it. */
const RING_MEMBERS = [
  "distributor",
  "ingester",
  "segment-writer",
  "query-scheduler",
  "query-frontend",
  "store-gateway",
  "compactor",
  "overrides-exporter",
];

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

/** The arguments as flag name -> value; fails unless each is a -name=value flag, given once. */
function flags(args: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const a of args) {
    expect(a, "every argument is a -name=value flag").to.match(/^-[a-z0-9.-]+=/);
    const eq = a.indexOf("=");
    const name = a.slice(1, eq);
    expect(m.has(name), `${name} given twice`).to.equal(false);
    m.set(name, a.slice(eq + 1));
  }
  return m;
}

/** Flags whose value is a host or host:port the server binds, advertises or dials. */
const addresses = (f: Map<string, string>) =>
  [...f].filter(([name]) => /(addr|address)$/.test(name));

/** Every port the arguments name, in -*-port flags or in host:port values. */
const portsNamed = (f: Map<string, string>) =>
  [...f].flatMap(([name, value]) => {
    if (/-port$/.test(name)) return [Number(value)];
    const port = /^[\d.]+:(\d+)$/.exec(value)?.[1];
    return port ? [Number(port)] : [];
  });

/** The bucket folder serverConfig() writes. */
const bucketDir = (config: string) => JSON.parse(/^ {4}dir: (.+)$/m.exec(config)![1]!) as string;

describe("serverArgs", () => {
  const modes: { storage: StorageMode; listeners: number[] }[] = [
    { storage: "v1", listeners: [4100, 9200, 7300] },
    // The v2 metastore is a raft cluster of one, on a port of its own.
    { storage: "v2", listeners: [4100, 9200, 7300, 9400] },
  ];
  for (const { storage, listeners } of modes) {
    describe(storage, () => {
      const l = layout({ storage });
      let f: Map<string, string>;
      before(() => {
        f = flags(serverArgs(l));
      });

      it("runs every component in one process, configured by the config file", () => {
        expect(f.get("target")).to.equal("all");
        expect(f.get("config.file")).to.equal(l.configFile);
        expect(f.get("architecture.storage")).to.equal(storage);
      });

      it("binds, advertises and dials 127.0.0.1 only", () => {
        const found = addresses(f);
        expect(found.length).to.be.greaterThan(RING_MEMBERS.length);
        for (const [name, value] of found) expect(value.split(":")[0], name).to.equal(LOOPBACK);
      });

      it("uses the layout's ports only, a distinct one per listener, never a default", () => {
        const named = portsNamed(f);
        const byNumber = (a: number, b: number) => a - b;
        expect([...new Set(named)].sort(byNumber)).to.deep.equal([...listeners].sort(byNumber));
        expect(f.get("server.http-listen-port")).to.equal(String(l.httpPort));
        expect(f.get("server.grpc-listen-port")).to.equal(String(l.grpcPort));
        expect(f.get("memberlist.bind-port")).to.equal(String(l.memberlistPort));
        for (const p of DEFAULT_PORTS) expect(named, `default port ${p}`).to.not.include(p);
      });

      it("points its internal gRPC clients at its own gRPC port", () => {
        // Both default to localhost:9095.
        for (const client of ["metastore.address", "query-backend.address"])
          expect(f.get(client), client).to.equal(`${LOOPBACK}:${l.grpcPort}`);
      });

      it("has every ring member advertise 127.0.0.1", () => {
        for (const member of RING_MEMBERS) {
          const advertised = addresses(f).filter(([name]) => name.startsWith(`${member}.`));
          expect(advertised, member).to.have.length(1);
          expect(advertised[0]![1], member).to.equal(LOOPBACK);
        }
      });

      it("keeps its local data in the layout's folder, apart from the bucket", () => {
        const bucket = bucketDir(serverConfig("/tmp/p/bucket"));
        const data = f.get("pyroscopedb.data-path")!;
        expect(data).to.equal(l.dataDir);
        expect(bucket.startsWith(`${data}/`), "bucket inside the data folder").to.equal(false);
        expect(data.startsWith(`${bucket}/`), "data folder inside the bucket").to.equal(false);
        expect(data).to.not.equal(bucket);
      });

      it("does not push profiles of itself", () => {
        expect(f.get("self-profiling.disable-push")).to.equal("true");
      });

      it("is ready without the rollout delays of the components it runs", () => {
        const delays = [...f].filter(([name]) => name.endsWith("min-ready-duration"));
        expect(delays.length).to.be.greaterThan(0);
        for (const [name, value] of delays) expect(value, name).to.equal("0s");
      });
    });
  }

  it("v1: writes through the ingesters only, so fresh data is queryable at once", () => {
    const f = flags(serverArgs(layout({ storage: "v1" })));
    expect(f.get("write-path")).to.equal("ingester");
    expect([...f.keys()].filter((k) => k.startsWith("metastore.raft."))).to.deep.equal([]);
    expect(f.get("ingester.min-ready-duration")).to.equal("0s");
  });

  it("v2: the metastore bootstraps a raft cluster of one at the raft port", () => {
    const f = flags(serverArgs(layout({ storage: "v2" })));
    const raft = `${LOOPBACK}:9400`;
    expect(f.get("metastore.raft.bind-address")).to.equal(raft);
    expect(f.get("metastore.raft.advertise-address")).to.equal(raft);
    expect(f.get("metastore.raft.server-id")).to.equal(raft);
    expect(f.has("write-path")).to.equal(false);
    expect(f.get("segment-writer.min-ready-duration")).to.equal("0s");
    expect(f.get("metastore.min-ready-duration")).to.equal("0s");
  });

  for (const multitenancy of [false, true]) {
    it(`passes multitenancy=${multitenancy} through`, () => {
      const f = flags(serverArgs(layout({ multitenancy })));
      expect(f.get("auth.multitenancy-enabled")).to.equal(String(multitenancy));
    });
  }
});

describe("serverConfig", () => {
  it("stores the filesystem bucket in the given folder", () => {
    const config = serverConfig("/tmp/p/bucket");
    expect(config).to.match(/^storage:\n {2}backend: filesystem\n/);
    expect(bucketDir(config)).to.equal("/tmp/p/bucket");
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
