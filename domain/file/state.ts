import { match } from "ts-pattern";
import type { FileId, UploadId } from "../ids.ts";
import type { NormalizedPath } from "../path.ts";
import type { FileEvent, FileVersion } from "./events.ts";

export type FileState =
  | { readonly status: "empty"; readonly revision: 0 }
  | {
      readonly status: "live";
      readonly revision: number;
      readonly fileId: FileId;
      readonly path: NormalizedPath;
      readonly version: FileVersion;
      /** The upload that produced this version, so a retried completion is recognised. */
      readonly uploadId: UploadId | null;
    }
  | { readonly status: "deleted"; readonly revision: number; readonly fileId: FileId; readonly path: NormalizedPath }
  | {
      readonly status: "moved";
      readonly revision: number;
      readonly fileId: FileId;
      readonly path: NormalizedPath;
      readonly to: NormalizedPath;
      /** What left, kept so a move interrupted between its two appends can be finished. */
      readonly version: FileVersion;
    };

export const initialFileState: FileState = { status: "empty", revision: 0 };

/** Needs no earlier state: each event carries the whole state of its path (see events.ts). */
export function evolveFile(_state: FileState, event: FileEvent): FileState {
  return match(event)
    .with({ type: "FileVersionCommitted" }, ({ data }) => ({
      status: "live" as const,
      revision: data.revision,
      fileId: data.fileId,
      path: data.path,
      version: { size: data.size, contentHash: data.contentHash, chunks: data.chunks },
      uploadId: data.uploadId,
    }))
    .with({ type: "FileMovedIn" }, { type: "FileRestored" }, ({ data }) => ({
      status: "live" as const,
      revision: data.revision,
      fileId: data.fileId,
      path: data.path,
      version: { size: data.size, contentHash: data.contentHash, chunks: data.chunks },
      uploadId: null,
    }))
    .with({ type: "FileDeleted" }, ({ data }) => ({
      status: "deleted" as const,
      revision: data.revision,
      fileId: data.fileId,
      path: data.path,
    }))
    .with({ type: "FileMovedOut" }, ({ data }) => ({
      status: "moved" as const,
      revision: data.revision,
      fileId: data.fileId,
      path: data.path,
      to: data.to,
      version: { size: data.size, contentHash: data.contentHash, chunks: data.chunks },
    }))
    .exhaustive();
}
