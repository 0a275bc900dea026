import type { RunningLedgerbox } from "./ledgerbox.ts";

export interface Change {
  readonly kind: "upsert" | "delete";
  readonly path: string;
  readonly fileId: string;
  readonly revision: number;
  readonly size: number;
  readonly contentHash: string;
  readonly at: string;
}

export interface FileSummary {
  readonly path: string;
  readonly fileId: string;
  readonly revision: number;
  readonly size: number;
  readonly contentHash: string;
  readonly modifiedAt: string;
}

type Who = { user?: string; namespace?: string };

const query = (params: Record<string, string | number | undefined>): string => {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) search.set(name, String(value));
  const text = search.toString();
  return text ? `?${text}` : "";
};

/** Follow /v1/changes from `cursor` until hasMore is false, as a sync client does. */
export async function pullChanges(
  server: RunningLedgerbox,
  options: Who & { cursor?: string; limit?: number } = {},
): Promise<{ changes: Change[]; cursor: string; pages: { changes: Change[]; cursor: string; hasMore: boolean }[] }> {
  const pages = [];
  let cursor = options.cursor;
  for (let guard = 0; guard < 10_000; guard++) {
    const { status, body } = await server.api("GET", `/v1/changes${query({ cursor, limit: options.limit })}`, options);
    if (status !== 200) throw new Error(`GET /v1/changes failed ${status}: ${JSON.stringify(body)}`);
    pages.push(body);
    cursor = body.cursor;
    if (!body.hasMore) return { changes: pages.flatMap((page) => page.changes), cursor: body.cursor, pages };
  }
  throw new Error("the change feed never said hasMore: false");
}

/** Apply changes to a path → change map, as a client keeps its local listing. */
export function applyChanges(changes: readonly Change[], into = new Map<string, Change>()): Map<string, Change> {
  for (const change of changes) {
    const key = change.path.toLowerCase();
    if (change.kind === "delete") into.delete(key);
    else into.set(key, change);
  }
  return into;
}

/** Every page of GET /v1/files. */
export async function listAll(server: RunningLedgerbox, options: Who & { prefix?: string; limit?: number } = {}) {
  const files: FileSummary[] = [];
  let cursor: string | undefined;
  for (;;) {
    const { status, body } = await server.api(
      "GET",
      `/v1/files${query({ prefix: options.prefix, cursor, limit: options.limit })}`,
      options,
    );
    if (status !== 200) throw new Error(`GET /v1/files failed ${status}: ${JSON.stringify(body)}`);
    files.push(...body.files);
    if (!body.hasMore) return files;
    cursor = body.cursor;
  }
}

/** Every page of GET /v1/files/history for a path. */
export async function historyAll(server: RunningLedgerbox, path: string, options: Who & { limit?: number } = {}) {
  const entries: Record<string, unknown>[] = [];
  let cursor: string | undefined;
  for (;;) {
    const { status, body } = await server.api(
      "GET",
      `/v1/files/history${query({ path, cursor, limit: options.limit })}`,
      options,
    );
    if (status !== 200) throw new Error(`GET /v1/files/history failed ${status}: ${JSON.stringify(body)}`);
    entries.push(...body.entries);
    if (!body.hasMore) return entries;
    cursor = body.cursor;
  }
}

/** Every page of GET /v1/state?at=. */
export async function stateAll(server: RunningLedgerbox, at: string, options: Who & { limit?: number } = {}) {
  const files: FileSummary[] = [];
  let cursor: string | undefined;
  let answeredAt: string | null = null;
  for (;;) {
    const { status, body } = await server.api("GET", `/v1/state${query({ at, cursor, limit: options.limit })}`, options);
    if (status !== 200) throw new Error(`GET /v1/state failed ${status}: ${JSON.stringify(body)}`);
    answeredAt = body.at;
    files.push(...body.files);
    if (!body.hasMore) return { at: answeredAt, files };
    cursor = body.cursor;
  }
}

/** Sorted by path key (lower case), the order the listing uses. */
export const byPath = <T extends { path: string }>(items: readonly T[]): T[] =>
  [...items].sort((a, b) => {
    const [x, y] = [a.path.toLowerCase(), b.path.toLowerCase()];
    return x < y ? -1 : x > y ? 1 : 0;
  });
