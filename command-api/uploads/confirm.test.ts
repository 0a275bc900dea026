import { createHash, randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import {
  type ClientId,
  chunkKey,
  DomainFailure,
  type EventMetadata,
  type Namespace,
  type UploadId,
  type UserId,
  uploadStream,
} from "../../domain/index.ts";
import { createLocalBlobStore, keyPath, type LocalBlobStore } from "../../infra/local-blobs/index.ts";
import type { BlobStore, EventStore } from "../../infra/ports/index.ts";
import { openSqliteEventStore } from "../../infra/sqlite/event-store.ts";
import { openSqliteReadStore } from "../../infra/sqlite/read-store.ts";
import { sqliteTempDir } from "../../test/support/sqlite-temp.ts";
import { CommandHandler } from "../command-handler.ts";
import type { CommandContext } from "../context.ts";
import { confirmChunks } from "./confirm.ts";
import { startUpload } from "./start.ts";

const NAMESPACE = "alice" as Namespace;
const request = {
  actor: "alice" as UserId,
  namespace: NAMESPACE,
  clientId: "laptop" as ClientId,
  correlationId: "c-1",
  isAdmin: false,
};
const metadata = (): EventMetadata => ({
  actor: request.actor,
  namespace: request.namespace,
  clientId: request.clientId,
  correlationId: request.correlationId,
  at: new Date().toISOString(),
});

/** The local blob store as the server has it, counting the stats asked of it and how many overlap. */
function observed(store: LocalBlobStore): BlobStore & { asked: string[]; mostAtOnce: number } {
  let inFlight = 0;
  const counted = {
    ...store,
    asked: [] as string[],
    mostAtOnce: 0,
    async stat(key: string) {
      counted.asked.push(key);
      counted.mostAtOnce = Math.max(counted.mostAtOnce, ++inFlight);
      try {
        // A store over the network answers later than the next stat is asked.
        await new Promise((resolve) => setTimeout(resolve, 1));
        return await store.stat(key);
      } finally {
        inFlight--;
      }
    },
  };
  return counted;
}

describe("confirming chunks against the local blob store", () => {
  let temp: Awaited<ReturnType<typeof sqliteTempDir>>;
  let events: EventStore;
  let blobs: LocalBlobStore;
  let storage: ReturnType<typeof observed>;
  let context: CommandContext;
  const restartedStore = () =>
    createLocalBlobStore({ dir: temp.file("blobs"), publicUrl: "http://127.0.0.1:1", secret: randomBytes(32) });
  beforeEach(async () => {
    temp = await sqliteTempDir();
    events = openSqliteEventStore(temp.file("events.db"));
    blobs = restartedStore();
    storage = observed(blobs);
    context = {
      handler: new CommandHandler(events),
      eventStore: events,
      blobStore: storage,
      readStore: openSqliteReadStore(temp.file("read.db")),
      clock: () => new Date(),
      settings: { uploadTtlSeconds: 3600, putUrlTtlSeconds: 600 },
    };
  });
  afterEach(async () => {
    await context.readStore.close();
    await events.close();
    await temp.remove();
  });

  /** An upload of `count` random 100-byte chunks; with `lastRepeatsFirst`, the last holds the first one's bytes. */
  const declare = async (count: number, lastRepeatsFirst = false) => {
    const bytes = Array.from({ length: count }, () => randomBytes(100));
    if (lastRepeatsFirst) bytes[count - 1] = bytes[0]!;
    const chunks = bytes.map((b, index) => ({ index, size: b.length, sha256: createHash("sha256").update(b).digest("hex") }));
    const path = `/f-${randomBytes(4).toString("hex")}.bin`;
    const ticket = await startUpload(context, request, { path, size: count * 100, chunks });
    storage.asked.length = 0;
    storage.mostAtOnce = 0;
    return { uploadId: ticket.uploadId as UploadId, chunks, bytes };
  };
  /** Stores chunks through the store's files, as another node of the same store would. */
  const place = async (upload: Awaited<ReturnType<typeof declare>>, indexes: number[]) => {
    for (const index of indexes) {
      const chunk = upload.chunks[index]!;
      await blobs.files.write(chunkKey(NAMESPACE, chunk.sha256), Readable.from([upload.bytes[index]!]), chunk);
    }
  };
  const appended = async (uploadId: UploadId) =>
    (await events.readStream(uploadStream(uploadId))).filter((event) => event.type === "ChunkUploaded").length;

  test("asks storage about each chunk not yet counted, once per digest and several at a time", async () => {
    const upload = await declare(5, true);
    await place(upload, [0, 1, 2, 3]);
    await confirmChunks(context, metadata(), upload.uploadId, [1], "client");
    storage.asked.length = 0;
    const answer = await confirmChunks(context, metadata(), upload.uploadId, [4, 3, 2, 1, 0], "client");
    expect(answer.map((chunk) => chunk.index)).toEqual([4, 3, 2, 1, 0]);
    // Chunk 1 is counted already; chunks 0 and 4 hold the same bytes, so one key answers both.
    const keys = [0, 2, 3].map((index) => chunkKey(NAMESPACE, upload.chunks[index]!.sha256));
    expect(storage.asked.sort()).toEqual(keys.sort());
    expect(storage.mostAtOnce).toBeGreaterThan(1);
    expect(await appended(upload.uploadId)).toBe(5);
    storage.asked.length = 0;
    await confirmChunks(context, metadata(), upload.uploadId, [0, 1, 2, 3, 4], "client");
    expect(storage.asked).toEqual([]);
  });

  test("bytes altered in the store after they were verified are refused, and nothing of the batch is counted", async () => {
    const upload = await declare(3);
    await place(upload, [0, 1, 2]);
    // A restarted store knows only what its files say; chunk 2's file now holds other (fewer) bytes.
    await writeFile(keyPath(temp.file("blobs"), chunkKey(NAMESPACE, upload.chunks[2]!.sha256)), randomBytes(90));
    context = { ...context, handler: new CommandHandler(events), blobStore: restartedStore() };
    const refused = await confirmChunks(context, metadata(), upload.uploadId, [0, 1, 2], "client").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DomainFailure);
    expect((refused as DomainFailure).error).toMatchObject({ code: "chunk_mismatch", details: { indexes: [2] } });
    expect(await appended(upload.uploadId)).toBe(0);
    expect(await confirmChunks(context, metadata(), upload.uploadId, [1, 0], "client")).toEqual([
      { index: 1, status: "uploaded" },
      { index: 0, status: "uploaded" },
    ]);
    expect(await appended(upload.uploadId)).toBe(2);
  });

  test("a chunk whose digest record is garbled is hashed again from its bytes, and counted", async () => {
    const upload = await declare(2);
    await place(upload, [0, 1]);
    const record = join(temp.file("blobs"), NAMESPACE, "chunks", `.${upload.chunks[1]!.sha256}.sha256`);
    await writeFile(record, "not a digest record");
    context = { ...context, handler: new CommandHandler(events), blobStore: restartedStore() };
    expect((await confirmChunks(context, metadata(), upload.uploadId, [0, 1], "client")).length).toBe(2);
    expect(await appended(upload.uploadId)).toBe(2);
  });
});
