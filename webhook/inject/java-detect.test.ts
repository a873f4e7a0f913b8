import type { V1Container } from "@kubernetes/client-node";
import { expect } from "chai";
import { javaEvidence, looksLikeJava8, parseImage, sidecarEvidence } from "./java-detect.ts";

describe("parseImage", () => {
  const rows: [string, string, string | undefined][] = [
    ["eclipse-temurin:21", "eclipse-temurin", "21"],
    ["docker.io/library/openjdk:17-slim", "openjdk", "17-slim"],
    ["localhost:5000/team/app:1.0", "team/app", "1.0"],
    ["registry.example.com:443/base/eclipse-temurin@sha256:abc", "base/eclipse-temurin", undefined],
    ["mcr.microsoft.com/openjdk/jdk:21-ubuntu", "openjdk/jdk", "21-ubuntu"],
    ["Bellsoft/Liberica-OpenJDK-Alpine", "bellsoft/liberica-openjdk-alpine", undefined],
  ];
  for (const [image, path, tag] of rows) {
    it(image, () => expect(parseImage(image)).to.deep.equal({ path, tag }));
  }
});

describe("javaEvidence", () => {
  const java: [string, V1Container][] = [
    ["Temurin", { name: "a", image: "eclipse-temurin:21-jre" }],
    ["OpenJDK", { name: "a", image: "openjdk:11" }],
    ["AdoptOpenJDK", { name: "a", image: "adoptopenjdk/openjdk11:alpine" }],
    ["Corretto", { name: "a", image: "public.ecr.aws/amazoncorretto/amazoncorretto:17" }],
    ["Zulu", { name: "a", image: "azul/zulu-openjdk-alpine:17" }],
    ["Semeru", { name: "a", image: "ibm-semeru-runtimes:open-17-jre" }],
    ["Liberica", { name: "a", image: "bellsoft/liberica-openjre-debian:21" }],
    ["SapMachine", { name: "a", image: "sapmachine:21" }],
    ["GraalVM", { name: "a", image: "ghcr.io/graalvm/jdk-community:21" }],
    ["Microsoft OpenJDK", { name: "a", image: "mcr.microsoft.com/openjdk/jdk:21-distroless" }],
    [
      "UBI OpenJDK",
      { name: "a", image: "registry.access.redhat.com/ubi9/openjdk-21-runtime:1.20" },
    ],
    ["distroless Java", { name: "a", image: "gcr.io/distroless/java17-debian12" }],
    ["Tomcat", { name: "a", image: "tomcat:10.1" }],
    ["Jetty", { name: "a", image: "jetty:12" }],
    ["Maven", { name: "a", image: "maven:3.9" }],
    ["Gradle", { name: "a", image: "gradle:8" }],
    ["WildFly", { name: "a", image: "quay.io/wildfly/wildfly:31.0.0.Final" }],
    ["Open Liberty", { name: "a", image: "icr.io/appcafe/open-liberty:kernel-slim" }],
    [
      "JAVA_HOME",
      { name: "a", image: "acme/app:1", env: [{ name: "JAVA_HOME", value: "/opt/java" }] },
    ],
    [
      "JAVA_VERSION",
      { name: "a", image: "acme/app:1", env: [{ name: "JAVA_VERSION", value: "jdk-21" }] },
    ],
    [
      "java command",
      { name: "a", image: "acme/app:1", command: ["/opt/java/bin/java"], args: ["-cp", "app"] },
    ],
    [
      "shell running java",
      { name: "a", image: "acme/app:1", command: ["sh", "-c", "exec java -jar /app.jar"] },
    ],
    ["-jar in args", { name: "a", image: "acme/app:1", args: ["-jar", "app.jar"] }],
  ];
  for (const [what, c] of java) {
    it(`recognises ${what}`, () => expect(javaEvidence(c)).to.be.a("string"));
  }
  const notJava: [string, V1Container][] = [
    ["nginx", { name: "a", image: "nginx:1.27" }],
    ["an image whose name merely mentions java", { name: "a", image: "acme/javascript-runner:1" }],
    [
      "node running javascript.js",
      { name: "a", image: "node:22", command: ["node", "javascript.js"] },
    ],
    ["no image at all", { name: "a" }],
  ];
  for (const [what, c] of notJava) {
    it(`does not take ${what} for a JVM`, () => expect(javaEvidence(c)).to.equal(undefined));
  }
});

describe("sidecarEvidence", () => {
  const rows: [V1Container, boolean][] = [
    [{ name: "istio-proxy", image: "docker.io/istio/proxyv2:1.24.0" }, true],
    [{ name: "linkerd-proxy", image: "cr.l5d.io/linkerd/proxy:stable" }, true],
    [{ name: "proxy", image: "envoyproxy/envoy:v1.31" }, true],
    [{ name: "sql", image: "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2" }, true],
    [{ name: "daprd", image: "whatever" }, true],
    [{ name: "app", image: "eclipse-temurin:21" }, false],
  ];
  for (const [c, want] of rows) {
    it(`${c.name} (${c.image})`, () => expect(sidecarEvidence(c) !== undefined).to.equal(want));
  }
});

describe("looksLikeJava8", () => {
  const rows: [string, V1Container, boolean][] = [
    ["openjdk:8", { name: "a", image: "openjdk:8" }, true],
    ["temurin 8u tag", { name: "a", image: "eclipse-temurin:8u392-b08-jre" }, true],
    ["corretto 8 alpine", { name: "a", image: "amazoncorretto:8-alpine" }, true],
    ["tomcat with jdk8", { name: "a", image: "tomcat:9.0-jdk8-temurin" }, true],
    [
      "JAVA_VERSION 8u",
      { name: "a", image: "acme/x", env: [{ name: "JAVA_VERSION", value: "8u342" }] },
      true,
    ],
    [
      "JAVA_VERSION jdk8u",
      { name: "a", image: "acme/x", env: [{ name: "JAVA_VERSION", value: "jdk8u392-b08" }] },
      true,
    ],
    ["17.0.8 is not 8", { name: "a", image: "eclipse-temurin:17.0.8_7-jre" }, false],
    ["18 is not 8", { name: "a", image: "openjdk:18" }, false],
    ["tomcat 8.5 on jdk17 is not 8", { name: "a", image: "tomcat:8.5-jdk17" }, false],
    ["an unknown image tagged 8 says nothing", { name: "a", image: "acme/app:8" }, false],
    ["untagged", { name: "a", image: "eclipse-temurin" }, false],
  ];
  for (const [what, c, want] of rows) {
    it(what, () => expect(looksLikeJava8(c)).to.equal(want));
  }
});
