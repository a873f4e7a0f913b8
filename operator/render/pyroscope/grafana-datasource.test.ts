// Mode External and the Grafana datasource ConfigMap.
import { expect } from "chai";
import { parse } from "yaml";
import { expectedWorkloads, renderPyroscope } from "./render.ts";
import { find, kindsAndNames, loadFixture } from "./testing.ts";
import { pyroscopeEndpoints } from "./urls.ts";

const opts = { operatorNamespace: "fleetscope" };

describe("External", () => {
  const { policy } = loadFixture("external.yaml");

  it("renders nothing and points agents and Grafana at the URL", () => {
    expect(renderPyroscope(policy, opts)).to.deep.equal([]);
    expect(expectedWorkloads(policy)).to.deep.equal([]);
    expect(pyroscopeEndpoints(policy)).to.deep.equal({
      writeURL: "https://pyroscope.example.com",
      readURL: "https://pyroscope.example.com",
    });
  });

  it("still publishes a datasource when asked, in the Pyroscope namespace by default", () => {
    policy.spec.grafana.datasource.enabled = true;
    const objects = renderPyroscope(policy, opts);
    expect(kindsAndNames(objects)).to.deep.equal([
      "ConfigMap/pyroscope/shared-observability-pyroscope-datasource",
    ]);
    const cm = objects[0] as { data: Record<string, string> };
    const provisioning = parse(
      cm.data["fleetscope-shared-observability-pyroscope-datasource.yaml"] ?? "",
    );
    expect(provisioning.datasources[0]).to.deep.include({
      name: "Pyroscope-shared-observability",
      url: "https://pyroscope.example.com",
      jsonData: { minStep: "15s" },
    });
    expect(provisioning.datasources[0]).not.to.have.property("secureJsonData");
  });
});

describe("Grafana datasource with a tenant", () => {
  const { policy } = loadFixture("grafana-tenant.yaml");
  const objects = renderPyroscope(policy, opts);
  const cm = find(objects, "ConfigMap", "team-a-pyroscope-datasource") as {
    metadata: { namespace: string; labels: Record<string, string> };
    data: Record<string, string>;
  };

  it("lives where the sidecar looks, with the sidecar's label and the policy's labels", () => {
    expect(cm.metadata.namespace).to.equal("monitoring");
    expect(cm.metadata.labels).to.deep.include({
      grafana_datasource: "1",
      team: "a",
      "fleetscope.io/policy": "team-a",
      "app.kubernetes.io/component": "grafana-datasource",
    });
  });

  it("provisions a Pyroscope datasource that reads as the tenant", () => {
    expect(Object.keys(cm.data)).to.deep.equal(["fleetscope-team-a-pyroscope-datasource.yaml"]);
    expect(parse(cm.data["fleetscope-team-a-pyroscope-datasource.yaml"] ?? "")).to.deep.equal({
      apiVersion: 1,
      datasources: [
        {
          name: "Team A profiles",
          uid: "pyroscope-team-a",
          type: "grafana-pyroscope-datasource",
          access: "proxy",
          url: "http://team-a-pyroscope.pyroscope.svc:4040",
          editable: false,
          jsonData: { minStep: "15s", httpHeaderName1: "X-Scope-OrgID" },
          secureJsonData: { httpHeaderValue1: "team-a" },
        },
      ],
    });
  });

  it("is gone when the datasource is disabled (the controller prunes it by label)", () => {
    const off = structuredClone(policy);
    off.spec.grafana.datasource.enabled = false;
    const names = kindsAndNames(renderPyroscope(off, opts));
    expect(names).not.to.include("ConfigMap/monitoring/team-a-pyroscope-datasource");
  });
});
