import { match } from "ts-pattern";
import type { FileId, UploadId } from "../ids.ts";
import type { NormalizedPath } from "../path.ts";
import { fail, ok, type Result } from "../result.ts";
import type { FileEvent, FileVersion } from "./events.ts";
import type { FileState } from "./state.ts";

export type FileCommand =
  | {
      readonly type: "CommitVersion";
      readonly data: {
        readonly path: NormalizedPath;
        /** Used only when the path holds no live file. */
        readonly newFileId: FileId;
        readonly uploadId: UploadId;
        /** The revision the writer's copy was based on; `null` for a file it believes is new. */
        readonly baseRevision: number | null;
        readonly version: FileVersion;
        readonly conflictOf: NormalizedPath | null;
      };
    }
  | { readonly type: "DeleteFile"; readonly data: { readonly baseRevision: number | null } }
  | {
      readonly type: "MoveOut";
      /** baseRevision, when given, must be the path's revision: never move bytes the mover has not seen. */
      readonly data: { readonly to: NormalizedPath; readonly baseRevision: number | null };
    }
  | {
      readonly type: "MoveIn";
      readonly data: {
        readonly path: NormalizedPath;
        readonly from: NormalizedPath;
        readonly fileId: FileId;
        readonly version: FileVersion;
      };
    }
  | {
      readonly type: "Restore";
      readonly data: {
        readonly fromRevision: number;
        readonly version: FileVersion;
        /** Used when the path's last file moved away: its id lives on at the new path and must not appear twice. */
        readonly newFileId: FileId;
      };
    };

const noLiveFile = () => fail<FileEvent[]>("file_not_found", "no file at this path");

export function decideFile(state: FileState, command: FileCommand): Result<FileEvent[]> {
  const revision = state.revision + 1;
  return match(command)
    .with({ type: "CommitVersion" }, ({ data }) => {
      if (state.status === "live") {
        if (state.uploadId === data.uploadId) return ok<FileEvent[]>([]); // a retried completion
        const stale = data.baseRevision !== state.revision;
        // Same bytes on both sides is agreement, not a conflict: nothing to write.
        if (stale && state.version.contentHash === data.version.contentHash) return ok<FileEvent[]>([]);
        if (stale) {
          return fail<FileEvent[]>("stale_base", `the file is at revision ${state.revision}, not ${String(data.baseRevision)}`, {
            currentRevision: state.revision,
          });
        }
      }
      const fileId = state.status === "live" ? state.fileId : data.newFileId;
      const path = state.status === "live" ? state.path : data.path;
      return ok<FileEvent[]>([
        {
          type: "FileVersionCommitted",
          data: { fileId, path, revision, ...data.version, uploadId: data.uploadId, conflictOf: data.conflictOf },
        },
      ]);
    })
    .with({ type: "DeleteFile" }, ({ data }) => {
      if (state.status !== "live") return noLiveFile();
      if (data.baseRevision !== null && data.baseRevision !== state.revision) {
        return fail<FileEvent[]>("revision_conflict", `the file is at revision ${state.revision}, not ${data.baseRevision}`, {
          currentRevision: state.revision,
        });
      }
      return ok<FileEvent[]>([{ type: "FileDeleted", data: { fileId: state.fileId, path: state.path, revision } }]);
    })
    .with({ type: "MoveOut" }, ({ data }) => {
      if (state.status === "moved" && state.to === data.to) return ok<FileEvent[]>([]); // finishing a retried move
      if (state.status !== "live") return noLiveFile();
      if (data.baseRevision !== null && data.baseRevision !== state.revision) {
        return fail<FileEvent[]>("revision_conflict", `the file is at revision ${state.revision}, not ${data.baseRevision}`, {
          currentRevision: state.revision,
        });
      }
      return ok<FileEvent[]>([
        { type: "FileMovedOut", data: { fileId: state.fileId, path: state.path, revision, ...state.version, to: data.to } },
      ]);
    })
    .with({ type: "MoveIn" }, ({ data }) => {
      if (state.status === "live") {
        if (state.fileId === data.fileId) return ok<FileEvent[]>([]); // a retried move that already landed
        return fail<FileEvent[]>("path_exists", `a file already exists at ${state.path}`);
      }
      return ok<FileEvent[]>([
        { type: "FileMovedIn", data: { fileId: data.fileId, path: data.path, revision, ...data.version, from: data.from } },
      ]);
    })
    .with({ type: "Restore" }, ({ data }) => {
      if (state.status === "empty") return noLiveFile();
      if (data.fromRevision < 1 || data.fromRevision >= revision) {
        return fail<FileEvent[]>("revision_not_found", `revision ${data.fromRevision} does not exist for this path`);
      }
      // Old bytes come back under the path's file identity: a live or deleted file keeps its id,
      // while one that moved away keeps its id at its new path, so the restored copy gets a new one.
      const fileId = state.status === "moved" ? data.newFileId : state.fileId;
      return ok<FileEvent[]>([
        { type: "FileRestored", data: { fileId, path: state.path, revision, ...data.version, fromRevision: data.fromRevision } },
      ]);
    })
    .exhaustive();
}
