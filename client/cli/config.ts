import { hostname } from "node:os";
import { UsageError } from "./errors.ts";

/** Flags every command accepts; each falls back to its environment variable. */
export interface GlobalFlags {
  readonly url?: string;
  readonly token?: string;
  readonly namespace?: string;
  readonly clientId?: string;
  readonly json?: boolean;
  readonly progress?: boolean;
}

export interface Connection {
  readonly baseUrl: string;
  readonly token: string;
  readonly namespace?: string;
  readonly clientId: string;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Flags win over LEDGERBOX_URL / LEDGERBOX_TOKEN / LEDGERBOX_NAMESPACE / LEDGERBOX_CLIENT_ID. */
export function resolveConnection(flags: GlobalFlags, env: Env, fallbackClientId = defaultClientId()): Connection {
  const baseUrl = flags.url ?? env.LEDGERBOX_URL;
  const token = flags.token ?? env.LEDGERBOX_TOKEN;
  if (!baseUrl) throw new UsageError("no server URL: pass --url or set LEDGERBOX_URL (e.g. http://127.0.0.1:8080)");
  if (!/^https?:\/\//.test(baseUrl))
    throw new UsageError(`the server URL must start with http:// or https://, not ${JSON.stringify(baseUrl)}`);
  if (!token) throw new UsageError("no token: pass --token or set LEDGERBOX_TOKEN (npm start prints one for a dev server)");
  const namespace = flags.namespace ?? env.LEDGERBOX_NAMESPACE;
  const clientId = flags.clientId ?? env.LEDGERBOX_CLIENT_ID ?? fallbackClientId;
  if (!/^[A-Za-z0-9._:-]{1,64}$/.test(clientId)) {
    throw new UsageError(`a client id is 1–64 of A-Z a-z 0-9 . _ : -, not ${JSON.stringify(clientId)}`);
  }
  return { baseUrl: baseUrl.replace(/\/+$/, ""), token, clientId, ...(namespace ? { namespace } : {}) };
}

/** The machine's name, as conflicted copies should say where they came from ("… (conflicted copy … laptop)"). */
export function defaultClientId(): string {
  const name = hostname()
    .replace(/[^A-Za-z0-9._-]/g, "")
    .slice(0, 48);
  return name || "cli";
}

/** A remote path from what the user typed: "docs/a.txt" and "/docs/a.txt" mean the same. */
export function remotePath(input: string): string {
  const trimmed = input.trim();
  if (trimmed === "") throw new UsageError("a remote path cannot be empty");
  return trimmed.startsWith("/") ? trimmed : `/${trimmed}`;
}
