import { randomUUID } from "node:crypto";
import { type ChunkSpec, type LogPosition, logPosition } from "../../domain/index.ts";
import type { ChangeEntry, FileEntry, HistoryEntry, ReadModelWrite, UploadView } from "../../infra/ports/index.ts";

/** Builders for read-model writes; namespaces and upload ids are random so suites can share a server. */
export const freshNamespace = (): string => `ns-${randomUUID()}`;
export const freshUploadId = (): string => `up-${randomUUID()}`;
export const pos = (n: number): LogPosition => logPosition(BigInt(n));

const hex = (seed: string): string => Buffer.from(seed.padEnd(32, "0").slice(0, 32)).toString("hex");
export const sha = (seed: string): ChunkSpec["sha256"] => hex(seed) as ChunkSpec["sha256"];
export const atOf = (n: number): string => new Date(Date.UTC(2026, 0, 1) + n * 60_000).toISOString();

export const fileEntry = (namespace: string, pathKey: string, n: number, overrides: Partial<FileEntry> = {}): FileEntry => ({
  namespace,
  pathKey,
  path: pathKey.toUpperCase(),
  fileId: `file-${pathKey}`,
  revision: n,
  size: 3,
  contentHash: hex(`c${pathKey}${n}`),
  chunks: [{ index: 0, size: 3, sha256: sha(`k${pathKey}${n}`) }],
  modifiedAt: atOf(n),
  position: pos(n),
  ...overrides,
});

export const changeEntry = (
  namespace: string,
  pathKey: string,
  n: number,
  kind: ChangeEntry["kind"] = "upsert",
  overrides: Partial<ChangeEntry> = {},
): ChangeEntry => ({
  namespace,
  position: pos(n),
  kind,
  path: pathKey.toUpperCase(),
  pathKey,
  fileId: `file-${pathKey}`,
  revision: n,
  size: kind === "upsert" ? 3 : 0,
  contentHash: kind === "upsert" ? hex(`c${pathKey}${n}`) : "",
  at: atOf(n),
  ...overrides,
});

export const historyEntry = (namespace: string, pathKey: string, n: number, type = "FileVersionCommitted"): HistoryEntry => ({
  namespace,
  pathKey,
  position: pos(n),
  type,
  path: pathKey.toUpperCase(),
  fileId: `file-${pathKey}`,
  revision: n,
  at: atOf(n),
  actor: "user-1",
  clientId: "laptop",
  correlationId: `corr-${n}`,
  size: type === "FileDeleted" ? null : 3,
  contentHash: type === "FileDeleted" ? null : hex(`c${pathKey}${n}`),
  details: type === "FileDeleted" ? {} : { uploadId: `up-${n}`, conflictOf: null },
});

export const uploadView = (namespace: string, uploadId: string, n: number, shas: readonly string[]): UploadView => ({
  uploadId,
  namespace,
  path: "/Inbox/Report.pdf",
  status: "open",
  size: shas.length * 4,
  contentHash: hex(`h${uploadId}`),
  baseRevision: null,
  expiresAt: atOf(n + 1440),
  createdAt: atOf(n),
  chunks: shas.map((digest, index) => ({ index, size: 4, sha256: digest as ChunkSpec["sha256"], status: "missing" as const })),
  result: null,
  position: pos(n),
});

/** The writes a file projection makes for one event at log position `n`: listing, change feed, history. */
export function fileEventWrites(namespace: string, pathKey: string, n: number, kind: "put" | "remove"): ReadModelWrite[] {
  if (kind === "put") {
    return [
      { kind: "file.put", file: fileEntry(namespace, pathKey, n) },
      { kind: "change.add", change: changeEntry(namespace, pathKey, n, "upsert") },
      { kind: "history.add", entry: historyEntry(namespace, pathKey, n) },
    ];
  }
  return [
    { kind: "file.remove", namespace, pathKey, position: pos(n) },
    { kind: "change.add", change: changeEntry(namespace, pathKey, n, "delete") },
    { kind: "history.add", entry: historyEntry(namespace, pathKey, n, "FileDeleted") },
  ];
}

/** Rewrites every namespace field, to compare two read models built under different namespaces. */
export function inNamespace(write: ReadModelWrite, namespace: string): ReadModelWrite {
  switch (write.kind) {
    case "file.put":
      return { ...write, file: { ...write.file, namespace } };
    case "file.remove":
      return { ...write, namespace };
    case "change.add":
      return { ...write, change: { ...write.change, namespace } };
    case "history.add":
      return { ...write, entry: { ...write.entry, namespace } };
    case "upload.put":
      return { ...write, upload: { ...write.upload, namespace } };
    default:
      return write;
  }
}

/** Code-point (UTF-8 byte) order: what SQLite and MongoDB compare strings by, unlike JavaScript's `<`. */
export const byCodePoint = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));
