import { describe, expect, it } from "vitest";
import type { FileId, Namespace } from "../../domain/index.ts";
import { logPosition } from "../../domain/index.ts";
import { chunks, path, sha, uploadId } from "../testing/fixtures.ts";
import { metadata, recorded } from "../testing/recorded.ts";
import { projectUploads } from "./uploads.ts";

describe("uploads projection", () => {
  it("opens an upload with each chunk missing or already present, created at the event's time", () => {
    const event = recorded(
      {
        type: "UploadStarted",
        data: {
          uploadId,
          namespace: "ns1" as Namespace,
          path: path("/a.bin"),
          size: 5,
          contentHash: sha(99),
          chunks,
          present: [1],
          baseRevision: 2,
          expiresAt: "2026-01-02T00:00:00.000Z",
        },
      },
      1,
      metadata({ at: "2026-01-01T12:00:00.000Z" }),
    );
    expect(projectUploads(event)).toEqual([
      {
        kind: "upload.put",
        upload: {
          uploadId,
          namespace: "ns1",
          path: "/a.bin",
          status: "open",
          size: 5,
          contentHash: sha(99),
          baseRevision: 2,
          expiresAt: "2026-01-02T00:00:00.000Z",
          createdAt: "2026-01-01T12:00:00.000Z",
          chunks: [
            { ...chunks[0], status: "missing" },
            { ...chunks[1], status: "present" },
          ],
          result: null,
          position: logPosition(1n),
        },
      },
    ]);
  });

  it("marks a confirmed chunk uploaded", () => {
    const event = recorded({ type: "ChunkUploaded", data: { uploadId, index: 0, sha256: sha(1), via: "storage" } }, 2);
    expect(projectUploads(event)).toEqual([
      { kind: "upload.chunk", uploadId, index: 0, status: "uploaded", position: logPosition(2n) },
    ]);
  });

  it("completes with the completion result and aborts with none", () => {
    const result = {
      path: path("/a.bin"),
      fileId: "file-1" as FileId,
      revision: 3,
      size: 5,
      contentHash: sha(99),
      conflict: false,
    };
    expect(projectUploads(recorded({ type: "UploadCompleted", data: { uploadId, ...result } }, 3))).toEqual([
      { kind: "upload.status", uploadId, status: "completed", result, position: logPosition(3n) },
    ]);
    expect(projectUploads(recorded({ type: "UploadAborted", data: { uploadId } }, 4))).toEqual([
      { kind: "upload.status", uploadId, status: "aborted", result: null, position: logPosition(4n) },
    ]);
  });

  it("ignores file events", () => {
    expect(
      projectUploads(recorded({ type: "FileDeleted", data: { fileId: "f" as FileId, path: path("/a"), revision: 1 } }, 1)),
    ).toEqual([]);
  });
});
