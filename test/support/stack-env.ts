import { existsSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { S3Client } from "@aws-sdk/client-s3";

/**
 * Real-stack settings for the adapter contract suites. The process environment wins (CI and
 * developers can point a suite anywhere); `.ledgerbox-stack.env`, written by `infra/local/up.sh`,
 * fills the gaps so a plain `npx vitest` finds a locally started stack without exporting anything.
 */
export type StackServer = "eventstoredb" | "mongodb" | "kafka" | "s3";

export interface StackSettings {
  readonly EVENTSTORE_URL?: string;
  readonly MONGODB_URL?: string;
  readonly KAFKA_BROKERS?: string;
  readonly S3_ENDPOINT?: string;
  readonly S3_BUCKET?: string;
  readonly S3_REGION?: string;
  readonly S3_FORCE_PATH_STYLE?: string;
  readonly AWS_ACCESS_KEY_ID?: string;
  readonly AWS_SECRET_ACCESS_KEY?: string;
  readonly STORAGE_NOTIFY_TOKEN?: string;
}

export interface ServerStatus {
  readonly server: StackServer;
  readonly configured: boolean;
  readonly reachable: boolean;
  /** Why the server cannot be used; `null` when it can. */
  readonly reason: string | null;
  readonly settings: StackSettings;
}

const KEYS: readonly (keyof StackSettings)[] = [
  "EVENTSTORE_URL",
  "MONGODB_URL",
  "KAFKA_BROKERS",
  "S3_ENDPOINT",
  "S3_BUCKET",
  "S3_REGION",
  "S3_FORCE_PATH_STYLE",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "STORAGE_NOTIFY_TOKEN",
];

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const STACK_ENV_FILE = join(REPO_ROOT, ".ledgerbox-stack.env");

/** `KEY=value` lines; `export`, comments and single or double quotes are tolerated. */
export function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    let value = match[2] ?? "";
    const quoted = /^(["'])(.*)\1$/.exec(value);
    value = quoted ? (quoted[2] ?? "") : value.replace(/\s+#.*$/, "");
    values[match[1] ?? ""] = value;
  }
  return values;
}

export function loadStackSettings(env: NodeJS.ProcessEnv = process.env, file = STACK_ENV_FILE): StackSettings {
  const fromFile = existsSync(file) ? parseEnvFile(readFileSync(file, "utf8")) : {};
  const settings: Record<string, string> = {};
  for (const key of KEYS) {
    const value = env[key] || fromFile[key];
    if (value) settings[key] = value;
  }
  return settings;
}

interface Endpoint {
  readonly host: string;
  readonly port: number;
}

const DEFAULT_PORTS: Record<string, number> = { "http:": 80, "https:": 443, "mongodb:": 27017, "esdb:": 2113 };

/** Host and port of a URL-shaped setting (mongodb://, esdb://, http://); the first host of a list. */
function urlEndpoint(url: string): Endpoint | null {
  const match = /^([a-z+]+:)\/\/(?:[^@/]*@)?([^,/?]+)/i.exec(url);
  if (!match) return null;
  const scheme = (match[1] ?? "").toLowerCase().replace(/\+.*:$/, ":");
  return hostPort(match[2] ?? "", DEFAULT_PORTS[scheme] ?? 0);
}

function hostPort(text: string, defaultPort: number): Endpoint | null {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const plain = /^([^:]+)(?::(\d+))?$/.exec(text);
  const match = bracketed ?? plain;
  if (!match) return null;
  const port = match[2] ? Number(match[2]) : defaultPort;
  return port > 0 ? { host: match[1] ?? "", port } : null;
}

/** Resolves with `null` once a TCP connection opens, or with the reason it did not. */
export function probeTcp({ host, port }: Endpoint, timeoutMs = 1500): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (reason: string | null) => {
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(timeoutMs, () => done(`no answer from ${host}:${port} within ${timeoutMs} ms`));
    socket.once("connect", () => done(null));
    socket.once("error", (error) => done(`cannot connect to ${host}:${port}: ${error.message}`));
  });
}

function endpointOf(server: StackServer, settings: StackSettings): { endpoint: Endpoint | null; missing: string | null } {
  switch (server) {
    case "eventstoredb":
      return settings.EVENTSTORE_URL
        ? { endpoint: urlEndpoint(settings.EVENTSTORE_URL), missing: null }
        : { endpoint: null, missing: "EVENTSTORE_URL is not set" };
    case "mongodb":
      return settings.MONGODB_URL
        ? { endpoint: urlEndpoint(settings.MONGODB_URL), missing: null }
        : { endpoint: null, missing: "MONGODB_URL is not set" };
    case "kafka": {
      const first = settings.KAFKA_BROKERS?.split(",")[0]?.trim();
      return first ? { endpoint: hostPort(first, 9092), missing: null } : { endpoint: null, missing: "KAFKA_BROKERS is not set" };
    }
    case "s3":
      if (!settings.S3_BUCKET) return { endpoint: null, missing: "S3_BUCKET is not set" };
      if (!settings.S3_ENDPOINT)
        return { endpoint: null, missing: "S3_ENDPOINT is not set (the suites only run against a local server)" };
      return { endpoint: urlEndpoint(settings.S3_ENDPOINT), missing: null };
  }
}

export async function serverStatus(server: StackServer, settings: StackSettings = loadStackSettings()): Promise<ServerStatus> {
  const { endpoint, missing } = endpointOf(server, settings);
  const where = `environment or ${STACK_ENV_FILE}`;
  if (missing) return { server, configured: false, reachable: false, reason: `${missing} (${where})`, settings };
  if (!endpoint) return { server, configured: true, reachable: false, reason: "its address could not be parsed", settings };
  const reason = await probeTcp(endpoint);
  return { server, configured: true, reachable: reason === null, reason, settings };
}

/** Prints why a suite does not run, so a skipped suite is never mistaken for a passing one. */
export function warnSkipped(suite: string, status: ServerStatus): void {
  if (status.reason !== null) console.warn(`[stack] skipping ${suite}: ${status.server} unavailable: ${status.reason}`);
}

/** S3 adapter settings from the stack settings (structurally an `S3BlobStoreConfig`). */
export function s3SettingsOf(settings: StackSettings) {
  return {
    endpoint: settings.S3_ENDPOINT ?? null,
    region: settings.S3_REGION ?? "us-east-1",
    bucket: settings.S3_BUCKET ?? "",
    forcePathStyle: (settings.S3_FORCE_PATH_STYLE ?? "true") !== "false",
    ...(settings.AWS_ACCESS_KEY_ID && settings.AWS_SECRET_ACCESS_KEY
      ? { credentials: { accessKeyId: settings.AWS_ACCESS_KEY_ID, secretAccessKey: settings.AWS_SECRET_ACCESS_KEY } }
      : {}),
  };
}

/** An S3 client of its own for these settings: for checking or clearing the bucket without going through Ledgerbox. */
export function s3ClientOf(s3: ReturnType<typeof s3SettingsOf>): S3Client {
  return new S3Client({
    region: s3.region,
    forcePathStyle: s3.forcePathStyle,
    ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
    ...(s3.credentials ? { credentials: s3.credentials } : {}),
  });
}
