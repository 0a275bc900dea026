import { afterEach, describe, expect, it } from "vitest";
import type { Namespace } from "../../domain/index.ts";
import { chunks, path, sha, uploadId } from "../testing/fixtures.ts";
import { metadata, recorded } from "../testing/recorded.ts";
import { openTempStores, type SqliteStores } from "../testing/sqlite.ts";
import { projectUploads } from "./uploads.ts";

const facts = {
  uploadId,
  namespace: "ns1" as Namespace,
  path: path("/a.bin"),
  size: 9,
  baseRevision: null,
  expiresAt: "2026-01-02T00:00:00.000Z",
};
const laterChunks = [
  { index: 2, size: 3, sha256: sha(3) },
  { index: 3, size: 1, sha256: sha(4) },
];

describe("uploads projection of a manifest declared in parts", () => {
  let stores: SqliteStores | null = null;
  afterEach(async () => {
    await stores?.close();
    stores = null;
  });

  it("each part adds its chunks to the upload view; the view keeps the start's time and takes the final content hash", async () => {
    stores = await openTempStores();
    const started = recorded(
      {
        type: "UploadStarted",
        data: { ...facts, contentHash: "", chunks, present: [], manifestComplete: false, startedAt: "2026-01-01T12:00:00.000Z" },
      },
      1,
      metadata({ at: "2026-01-01T12:00:00.000Z" }),
    );
    const confirmed = recorded(
      { type: "ChunkUploaded", data: { uploadId, index: 1, sha256: chunks[1]!.sha256, via: "client" } },
      2,
    );
    const part = recorded(
      {
        type: "ManifestPartAdded",
        data: {
          ...facts,
          startedAt: "2026-01-01T12:00:00.000Z",
          from: 2,
          chunks: laterChunks,
          present: [3],
          manifestComplete: true,
          contentHash: sha(99),
        },
      },
      3,
      metadata({ at: "2026-01-01T12:05:00.000Z" }),
    );
    const writes = [started, confirmed, part].flatMap(projectUploads);
    expect(writes.map((write) => write.kind)).toEqual(["upload.put", "upload.chunk", "upload.put"]);
    await stores.readStore.applyBatch("uploads", writes, part.position);
    // Applying the batch again (a redelivery) changes nothing.
    await stores.readStore.applyBatch("uploads", writes, part.position);

    const view = await stores.readStore.getUpload(uploadId);
    expect(view).toMatchObject({
      status: "open",
      size: 9,
      contentHash: sha(99),
      createdAt: "2026-01-01T12:00:00.000Z",
      chunks: [
        { ...chunks[0], status: "missing" },
        { ...chunks[1], status: "uploaded" },
        { ...laterChunks[0], status: "missing" },
        { ...laterChunks[1], status: "present" },
      ],
    });
    // Chunks of any part are awaited by storage notifications.
    expect(await stores.readStore.uploadsAwaitingChunk("ns1", sha(3))).toEqual([{ uploadId, index: 2 }]);
  });
});
