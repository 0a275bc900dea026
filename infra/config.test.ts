import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.ts";

describe("configuration from the environment", () => {
  it("defaults to every role on embedded stores under ./data", () => {
    const config = loadConfig({});
    expect([...config.roles].sort()).toEqual(["command-api", "projectors", "push-gateway", "query-api"]);
    expect(config.eventStore.kind).toBe("sqlite");
    expect(config.readStore.kind).toBe("sqlite");
    expect(config.blobStore.kind).toBe("local");
    expect(config.bus.kind).toBe("memory");
    expect(config.port).toBe(8080);
  });

  it("switches each port to its distributed engine by its own variable", () => {
    const config = loadConfig({
      EVENTSTORE_URL: "esdb://localhost:2113?tls=false",
      MONGODB_URL: "mongodb://localhost:27017/lb",
      KAFKA_BROKERS: "a:9092, b:9092",
      S3_BUCKET: "bucket",
      S3_ENDPOINT: "http://localhost:9000",
    });
    expect(config.eventStore).toEqual({ kind: "eventstoredb", url: "esdb://localhost:2113?tls=false" });
    expect(config.readStore.kind).toBe("mongodb");
    expect(config.bus).toEqual({ kind: "kafka", brokers: ["a:9092", "b:9092"], topic: "ledgerbox.changes" });
    expect(config.blobStore).toMatchObject({ kind: "s3", bucket: "bucket", forcePathStyle: true });
  });

  it("reports every problem at once, naming the variable", () => {
    try {
      loadConfig({
        LEDGERBOX_PORT: "http",
        LEDGERBOX_ROLE: "writer",
        MONGODB_URL: "postgres://x",
        LEDGERBOX_AUTH_SECRET: "short",
      });
      throw new Error("expected a ConfigError");
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join("\n");
      for (const name of ["LEDGERBOX_PORT", "LEDGERBOX_ROLE", "MONGODB_URL", "LEDGERBOX_AUTH_SECRET"])
        expect(problems).toContain(name);
    }
  });

  it("refuses a push gateway that no notice could reach", () => {
    expect(() => loadConfig({ LEDGERBOX_ROLE: "query-api,push-gateway" })).toThrow(/KAFKA_BROKERS/);
    expect(loadConfig({ LEDGERBOX_ROLE: "query-api,push-gateway", KAFKA_BROKERS: "k:9092" }).bus.kind).toBe("kafka");
  });
});
