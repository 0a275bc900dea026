import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp, type LedgerboxApp } from "../../infra/app.ts";
import { loadConfig } from "../../infra/config.ts";
import { signToken } from "../../infra/dev-auth.ts";
import { jsonApi } from "./json-api.ts";

export const TEST_SECRET = "test-secret-0123456789-abcdefghijklmnop";

export interface RunningLedgerbox {
  readonly url: string;
  readonly dataDir: string;
  readonly ledgerbox: LedgerboxApp;
  token(user?: string, claims?: { ns?: string[]; admin?: boolean }): Promise<string>;
  /** fetch against the server with a token for `user` (default "alice") and JSON in/out. */
  // biome-ignore lint/suspicious/noExplicitAny: tests assert on arbitrary JSON answers field by field
  api(method: string, path: string, options?: ApiOptions): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
  /** Close and start again on the same data dir and settings (restart persistence). */
  restart(): Promise<RunningLedgerbox>;
}

export interface ApiOptions {
  readonly body?: unknown;
  readonly rawBody?: string;
  readonly user?: string;
  readonly token?: string | null;
  readonly namespace?: string;
  readonly clientId?: string;
  readonly headers?: Record<string, string>;
}

/**
 * A real Ledgerbox on 127.0.0.1 (random port, temp data dir) built exactly as `npm start`
 * builds it. Configuration comes only from `env` (never the test process's environment), so the
 * embedded suites stay embedded even where the real stack's variables are set. A data dir made
 * here goes when the server closes (a restart keeps it); one passed in belongs to the caller.
 */
export async function startLedgerbox(env: Record<string, string> = {}, dataDir?: string): Promise<RunningLedgerbox> {
  return start(env, dataDir ?? (await mkdtemp(join(tmpdir(), "ledgerbox-e2e-"))), dataDir === undefined);
}

async function start(env: Record<string, string>, dir: string, ownsDir: boolean): Promise<RunningLedgerbox> {
  const config = loadConfig({
    LEDGERBOX_DATA_DIR: dir,
    LEDGERBOX_PORT: "0",
    LEDGERBOX_AUTH_SECRET: TEST_SECRET,
    LEDGERBOX_LOG_LEVEL: "warn",
    ...env,
  });
  const ledgerbox = await buildApp(config, { logger: false });
  await ledgerbox.app.listen({ host: "127.0.0.1", port: 0 });
  const url = `http://127.0.0.1:${(ledgerbox.app.server.address() as AddressInfo).port}`;
  const token = (user = "alice", claims: { ns?: string[]; admin?: boolean } = {}) =>
    signToken(ledgerbox.authSecret, { sub: user, ...claims });

  const running: RunningLedgerbox = {
    url,
    dataDir: dir,
    ledgerbox,
    token,
    api: jsonApi(url, token),
    async close() {
      await ledgerbox.close();
      if (ownsDir) await removeDir(dir);
    },
    async restart() {
      await ledgerbox.close();
      return start(env, dir, ownsDir);
    },
  };
  return running;
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
