import type { Config } from "./config.ts";
import type { BlobStore, Bus, EventStore, ReadStore } from "./ports/index.ts";

/**
 * One adapter per port, chosen by configuration. Production adapters are imported on demand so
 * the embedded default never loads kafkajs, the MongoDB driver or the AWS SDK.
 */
export async function openEventStore(config: Config["eventStore"]): Promise<EventStore> {
  if (config.kind === "eventstoredb") {
    const { openEventStoreDbEventStore } = await import("./eventstoredb/index.ts");
    return openEventStoreDbEventStore(config.url);
  }
  const { openSqliteEventStore } = await import("./sqlite/event-store.ts");
  return openSqliteEventStore(config.file);
}

export async function openReadStore(config: Config["readStore"]): Promise<ReadStore> {
  if (config.kind === "mongodb") {
    const { openMongoReadStore } = await import("./mongodb/index.ts");
    return openMongoReadStore(config.url);
  }
  const { openSqliteReadStore } = await import("./sqlite/read-store.ts");
  return openSqliteReadStore(config.file);
}

export async function openBus(config: Config["bus"], clientId: string): Promise<Bus> {
  if (config.kind === "kafka") {
    const { createKafkaBus } = await import("./kafka/index.ts");
    return createKafkaBus({ brokers: config.brokers, topic: config.topic, clientId });
  }
  const { createMemoryBus } = await import("./memory-bus/index.ts");
  return createMemoryBus();
}

export async function openS3BlobStore(config: Extract<Config["blobStore"], { kind: "s3" }>): Promise<BlobStore> {
  const { createS3BlobStore } = await import("./s3/index.ts");
  return createS3BlobStore(config);
}
