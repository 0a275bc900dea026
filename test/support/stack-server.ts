import { Kafka, logLevel } from "kafkajs";
import { MongoClient } from "mongodb";
import { databaseFromUrl } from "../../infra/mongodb/index.ts";
import { loadStackSettings, type ServerStatus, type StackServer, type StackSettings, serverStatus } from "./stack-env.ts";

/** The real stack a Ledgerbox e2e suite runs on: Kafka bus, S3 blobs, MongoDB-wire read models. */
export interface StackAvailability {
  readonly settings: StackSettings;
  readonly statuses: readonly ServerStatus[];
  /** Every server answered. */
  readonly reachable: boolean;
  /** Why the suite cannot run ("" when it can): each unavailable server with its reason. */
  readonly reason: string;
}

export async function stackAvailability(
  servers: readonly StackServer[] = ["kafka", "s3", "mongodb"],
  settings: StackSettings = loadStackSettings(),
): Promise<StackAvailability> {
  const statuses = await Promise.all(servers.map((server) => serverStatus(server, settings)));
  const down = statuses.filter((status) => !status.reachable);
  return {
    settings,
    statuses,
    reachable: down.length === 0,
    reason: down.map((status) => `${status.server}: ${status.reason}`).join("; "),
  };
}

/** Prints why a stack suite does not run, so a skip is never mistaken for a pass. */
export function warnStackSkipped(suite: string, availability: StackAvailability): void {
  if (!availability.reachable) console.warn(`[stack] skipping ${suite}: ${availability.reason}`);
}

const suffix = () => crypto.randomUUID().replace(/-/g, "").slice(0, 10);

/** `mongodb://host/db?x` with the database name replaced. */
export function withDatabase(url: string, database: string): string {
  const match = /^(mongodb(?:\+srv)?:\/\/[^/?]*)(?:\/[^?]*)?(\?.*)?$/.exec(url);
  if (!match) throw new Error(`not a MongoDB URL: ${url}`);
  return `${match[1]}/${database}${match[2] ?? ""}`;
}

export interface IsolatedStack {
  /** Ledgerbox environment variables for the real stack, with a topic and database of their own. */
  readonly env: Record<string, string>;
  readonly topic: string;
  readonly database: string;
  /** Drops the database and deletes the topic (best effort: a leftover is only clutter). */
  cleanup(): Promise<void>;
}

/**
 * Real servers keep their data between runs, and several suites share them: each test server
 * gets its own Kafka topic and MongoDB database, so no run sees another's notices or read models.
 * Blobs share the bucket; tests keep apart by using fresh namespaces (chunk keys start with one).
 */
export function isolatedStack(
  availability: StackAvailability,
  options: { label?: string; servers?: readonly StackServer[] } = {},
): IsolatedStack {
  const { settings } = availability;
  const servers = new Set(options.servers ?? ["kafka", "s3", "mongodb"]);
  const label = (options.label ?? "e2e").replace(/[^a-z0-9]/gi, "_");
  const id = suffix();
  const env: Record<string, string> = {};
  let topic = "";
  let database = "";
  if (servers.has("kafka") && settings.KAFKA_BROKERS) {
    topic = `ledgerbox.${label}.${id}`;
    env.KAFKA_BROKERS = settings.KAFKA_BROKERS;
    env.KAFKA_TOPIC = topic;
  }
  if (servers.has("mongodb") && settings.MONGODB_URL) {
    database = `${databaseFromUrl(settings.MONGODB_URL)}_${label}_${id}`;
    env.MONGODB_URL = withDatabase(settings.MONGODB_URL, database);
  }
  if (servers.has("s3") && settings.S3_BUCKET) {
    for (const key of [
      "S3_ENDPOINT",
      "S3_BUCKET",
      "S3_REGION",
      "S3_FORCE_PATH_STYLE",
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
    ] as const) {
      const value = settings[key];
      if (value) env[key] = value;
    }
  }
  return {
    env,
    topic,
    database,
    async cleanup() {
      const work: Promise<unknown>[] = [];
      if (database && settings.MONGODB_URL) {
        work.push(
          (async () => {
            const client = new MongoClient(settings.MONGODB_URL ?? "", { serverSelectionTimeoutMS: 3000 });
            try {
              await client.db(database).dropDatabase();
            } finally {
              await client.close();
            }
          })(),
        );
      }
      if (topic && settings.KAFKA_BROKERS) {
        work.push(
          (async () => {
            const admin = new Kafka({
              clientId: "ledgerbox-e2e-cleanup",
              brokers: settings.KAFKA_BROKERS?.split(",").map((broker) => broker.trim()) ?? [],
              logLevel: logLevel.NOTHING,
            }).admin();
            await admin.connect();
            try {
              // A server that never published never created its topic.
              if ((await admin.listTopics()).includes(topic)) await admin.deleteTopics({ topics: [topic], timeout: 5000 });
            } finally {
              await admin.disconnect();
            }
          })(),
        );
      }
      const results = await Promise.allSettled(work);
      for (const result of results) {
        if (result.status === "rejected")
          console.warn(`[stack] cleanup of ${label}_${id} left something behind: ${result.reason}`);
      }
    },
  };
}

/**
 * The S3 adapter takes its credentials from the AWS SDK's default chain (the process
 * environment), not from Ledgerbox's config: an in-process test server therefore needs them in
 * this process's environment. Only the stack's own values are set, and only where unset.
 */
export function exposeS3Credentials(settings: StackSettings): void {
  for (const key of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] as const) {
    const value = settings[key];
    if (value && !process.env[key]) process.env[key] = value;
  }
}

/** A namespace (= user id) no earlier run used: MinIO keeps chunks, so dedup must start empty. */
export const freshUser = (prefix = "u"): string => `${prefix}-${suffix()}`;
