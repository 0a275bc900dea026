import { resolve } from "node:path";

export const ROLES = ["command-api", "query-api", "projectors", "push-gateway"] as const;
export type Role = (typeof ROLES)[number];

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** Base URL clients use to reach this server (signed into local blob URLs). */
  readonly publicUrl: string | null;
  /** `null` → the embedded server makes one in the data dir and prints a dev token. */
  readonly authSecret: string | null;
  readonly roles: ReadonlySet<Role>;
  readonly logLevel: string;
  readonly eventStore: { kind: "sqlite"; file: string } | { kind: "eventstoredb"; url: string };
  readonly readStore: { kind: "sqlite"; file: string } | { kind: "mongodb"; url: string };
  readonly blobStore:
    | { kind: "local"; dir: string }
    | { kind: "s3"; endpoint: string | null; bucket: string; region: string; forcePathStyle: boolean };
  readonly bus: { kind: "memory" } | { kind: "kafka"; brokers: string[]; topic: string };
  /** Token the storage server sends with bucket notifications; `null` disables the intake. */
  readonly storageNotifyToken: string | null;
  readonly uploadTtlSeconds: number;
  readonly putUrlTtlSeconds: number;
  readonly getUrlTtlSeconds: number;
  readonly heartbeatMs: number;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join("\n  - ")}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Environment → typed configuration, validated once at start-up. Every problem is reported at
 * once, naming the variable, so a misconfigured deployment fails before it serves anything.
 * Each distributed engine is switched on by its own variable; the rest stay embedded.
 */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const text = (name: string): string | null => {
    const value = env[name]?.trim();
    return value === undefined || value === "" ? null : value;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = text(name);
    if (raw === null) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
      return fallback;
    }
    return value;
  };
  const url = (name: string, protocols: string[]): string | null => {
    const raw = text(name);
    if (raw === null) return null;
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol))
        problems.push(`${name} must use ${protocols.join(" or ")}, got ${parsed.protocol}`);
    } catch {
      problems.push(`${name} is not a URL: ${JSON.stringify(raw)}`);
    }
    return raw;
  };

  const dataDir = resolve(text("LEDGERBOX_DATA_DIR") ?? "./data");
  const roles = parseRoles(text("LEDGERBOX_ROLE"), problems);
  const authSecret = text("LEDGERBOX_AUTH_SECRET");
  if (authSecret !== null && authSecret.length < 32) problems.push("LEDGERBOX_AUTH_SECRET must be at least 32 characters");

  const eventstoreUrl = url("EVENTSTORE_URL", ["esdb:", "esdb+discover:", "kurrentdb:", "kdb:"]);
  const mongodbUrl = url("MONGODB_URL", ["mongodb:", "mongodb+srv:"]);
  const kafkaBrokers = text("KAFKA_BROKERS");
  const s3Bucket = text("S3_BUCKET");
  const s3Endpoint = url("S3_ENDPOINT", ["http:", "https:"]);
  if (s3Endpoint && !s3Bucket) problems.push("S3_ENDPOINT is set but S3_BUCKET is not");

  const config: Config = {
    host: text("LEDGERBOX_HOST") ?? "127.0.0.1",
    port: integer("LEDGERBOX_PORT", 8080, 0, 65535),
    dataDir,
    publicUrl: url("LEDGERBOX_PUBLIC_URL", ["http:", "https:"])?.replace(/\/+$/, "") ?? null,
    authSecret,
    roles,
    logLevel: text("LEDGERBOX_LOG_LEVEL") ?? "info",
    eventStore: eventstoreUrl
      ? { kind: "eventstoredb", url: eventstoreUrl }
      : { kind: "sqlite", file: resolve(dataDir, "events.db") },
    readStore: mongodbUrl ? { kind: "mongodb", url: mongodbUrl } : { kind: "sqlite", file: resolve(dataDir, "read-models.db") },
    blobStore: s3Bucket
      ? {
          kind: "s3",
          endpoint: s3Endpoint,
          bucket: s3Bucket,
          region: text("S3_REGION") ?? "us-east-1",
          forcePathStyle: (text("S3_FORCE_PATH_STYLE") ?? (s3Endpoint ? "true" : "false")) === "true",
        }
      : { kind: "local", dir: resolve(dataDir, "blobs") },
    bus: kafkaBrokers
      ? {
          kind: "kafka",
          brokers: kafkaBrokers.split(",").map((broker) => broker.trim()),
          topic: text("KAFKA_TOPIC") ?? "ledgerbox.changes",
        }
      : { kind: "memory" },
    storageNotifyToken: text("STORAGE_NOTIFY_TOKEN"),
    uploadTtlSeconds: integer("LEDGERBOX_UPLOAD_TTL_SECONDS", 24 * 3600, 60, 30 * 24 * 3600),
    putUrlTtlSeconds: integer("LEDGERBOX_PUT_URL_TTL_SECONDS", 3600, 1, 7 * 24 * 3600),
    getUrlTtlSeconds: integer("LEDGERBOX_GET_URL_TTL_SECONDS", 3600, 1, 7 * 24 * 3600),
    heartbeatMs: integer("LEDGERBOX_SSE_HEARTBEAT_MS", 15_000, 100, 600_000),
  };
  if (config.bus.kind === "memory" && roles.has("push-gateway") && !roles.has("projectors")) {
    // The in-memory bus does not cross processes: such a gateway would never announce anything.
    problems.push(
      "LEDGERBOX_ROLE runs push-gateway without projectors; set KAFKA_BROKERS so notices reach it from the projectors' process",
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function parseRoles(raw: string | null, problems: string[]): ReadonlySet<Role> {
  if (raw === null || raw === "all") return new Set(ROLES);
  const roles = raw.split(",").map((role) => role.trim());
  const unknown = roles.filter((role) => !(ROLES as readonly string[]).includes(role));
  if (unknown.length > 0) problems.push(`LEDGERBOX_ROLE has unknown roles ${unknown.join(", ")}; use all or ${ROLES.join(", ")}`);
  return new Set(roles.filter((role): role is Role => (ROLES as readonly string[]).includes(role)));
}
