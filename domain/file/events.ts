import type { FileId, Namespace, UploadId } from "../ids.ts";
import type { ChunkSpec } from "../manifest.ts";
import type { NormalizedPath, PathKey } from "../path.ts";

/**
 * One stream per path (by its case-folded key) inside a namespace. Appending with the expected
 * revision of that stream is what keeps a path unique under concurrent creates, and it keeps
 * every write off namespace-wide streams.
 */
export const fileStream = (namespace: Namespace, key: PathKey): string => `file-${namespace}:${key}`;

/** The bytes of one committed version, as the download manifest needs them. */
export interface FileVersion {
  readonly size: number;
  readonly contentHash: string;
  readonly chunks: readonly ChunkSpec[];
}

/**
 * Every file event carries the whole resulting state of its path (fileId, revision and, for
 * version-bearing events, the version), so the state of a path is its last event alone and a
 * command reads one event, however long the path's history grows.
 */
interface PathFacts {
  readonly fileId: FileId;
  readonly path: NormalizedPath;
  /** 1-based count of events on this path's stream; what clients send back as baseRevision. */
  readonly revision: number;
}

export type FileEvent =
  | {
      readonly type: "FileVersionCommitted";
      readonly data: PathFacts & FileVersion & { readonly uploadId: UploadId; readonly conflictOf: NormalizedPath | null };
    }
  | { readonly type: "FileDeleted"; readonly data: PathFacts }
  | { readonly type: "FileMovedOut"; readonly data: PathFacts & FileVersion & { readonly to: NormalizedPath } }
  | { readonly type: "FileMovedIn"; readonly data: PathFacts & FileVersion & { readonly from: NormalizedPath } }
  | { readonly type: "FileRestored"; readonly data: PathFacts & FileVersion & { readonly fromRevision: number } };

export const FILE_EVENT_TYPES: ReadonlySet<string> = new Set<FileEvent["type"]>([
  "FileVersionCommitted",
  "FileDeleted",
  "FileMovedOut",
  "FileMovedIn",
  "FileRestored",
]);

/** The content a path holds after this event; `null` when the path is left empty. */
export const versionOf = (event: FileEvent): FileVersion | null =>
  event.type === "FileDeleted" || event.type === "FileMovedOut"
    ? null
    : { size: event.data.size, contentHash: event.data.contentHash, chunks: event.data.chunks };
