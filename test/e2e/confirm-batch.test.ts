import { randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chunkKey } from "../../domain/index.ts";
import { createBlobFiles } from "../../infra/local-blobs/blob-files.ts";
import { keyPath } from "../../infra/local-blobs/index.ts";
import { caughtUp, type EventLog, openEventLog } from "../support/event-log.ts";
import { type Chunked, manifestOf, putChunk, randomFile } from "../support/http-upload.ts";
import { type RunningLedgerbox, startLedgerbox } from "../support/ledgerbox.ts";

/**
 * POST /v1/uploads/{uploadId}/chunks against the embedded server and its local blob store.
 * Chunks are mostly placed by a second writer on the same blob directory (as another node or the
 * storage itself would), so no storage notice confirms them first and every append is the batch's.
 */
describe("batch chunk confirmation over HTTP", () => {
  let server: RunningLedgerbox;
  let log: EventLog;
  let blobsRoot: string;

  beforeAll(async () => {
    server = await startLedgerbox();
    log = openEventLog(server);
    blobsRoot = join(server.dataDir, "blobs");
  });
  afterAll(async () => {
    log?.close();
    await server?.close();
  });

  /** Stores chunks the way another writer of the same store would: verified, with their digest record. */
  const place = async (file: Chunked, indexes: number[], namespace = "alice") => {
    const files = createBlobFiles(blobsRoot);
    for (const index of indexes) {
      const chunk = file.chunks[index]!;
      await files.write(chunkKey(namespace, chunk.sha256), Readable.from([Buffer.from(chunk.bytes)]), chunk);
    }
  };
  const declare = async (file: Chunked, user = "alice") => {
    const created = await server.api("POST", "/v1/uploads", { user, body: manifestOf(file, `/batch/${randomUUID()}.bin`) });
    expect(created.status).toBe(201);
    return created.body.uploadId as string;
  };
  const confirm = (uploadId: string, body: unknown, user = "alice") =>
    server.api("POST", `/v1/uploads/${uploadId}/chunks`, { user, body });
  const chunkEvents = (uploadId: string) =>
    log.events({ stream: `upload-${uploadId}`, type: "ChunkUploaded" }).map((event) => event.data.index);
  /** Sends a request that must append nothing; returns its answer. */
  const appendsNothing = async (send: () => ReturnType<RunningLedgerbox["api"]>) => {
    await caughtUp(server, log);
    const before = log.head();
    const answer = await send();
    expect(log.head()).toEqual(before);
    return answer;
  };

  it("confirms the listed chunks in one append and answers in request order", async () => {
    const file = randomFile(6 * 1000, 1000);
    const uploadId = await declare(file);
    await place(file, [0, 2, 3, 5]);
    const answer = await confirm(uploadId, { indexes: [5, 0, 3] });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      chunks: [
        { index: 5, status: "uploaded" },
        { index: 0, status: "uploaded" },
        { index: 3, status: "uploaded" },
      ],
    });
    const events = log.events({ stream: `upload-${uploadId}`, type: "ChunkUploaded" });
    expect(events.map((event) => event.data.index)).toEqual([5, 0, 3]);
    // One append: consecutive revisions and positions.
    expect(events.map((event) => event.revision - events[0]!.revision)).toEqual([0, 1, 2]);
    expect(events.map((event) => event.position - events[0]!.position)).toEqual([0, 1, 2]);
  });

  it("is idempotent: chunks already counted append nothing and are answered again", async () => {
    const file = randomFile(4 * 1000, 1000);
    const uploadId = await declare(file);
    await place(file, [0, 1, 2, 3]);
    expect((await confirm(uploadId, { indexes: [1, 2] })).status).toBe(200);
    const overlapping = await confirm(uploadId, { indexes: [3, 2, 1, 0] });
    expect(overlapping.status).toBe(200);
    expect(overlapping.body.chunks.map((chunk: { index: number }) => chunk.index)).toEqual([3, 2, 1, 0]);
    expect(chunkEvents(uploadId)).toEqual([1, 2, 3, 0]);
    const repeated = await appendsNothing(() => confirm(uploadId, { indexes: [3, 2, 1, 0] }));
    expect(repeated.body).toEqual(overlapping.body);
    expect((await server.api("POST", `/v1/uploads/${uploadId}/complete`)).status).toBe(200);
    // Completed: confirming again still answers, appending nothing.
    expect((await appendsNothing(() => confirm(uploadId, { indexes: [0] }))).body).toEqual({
      chunks: [{ index: 0, status: "uploaded" }],
    });
  });

  it("reports chunks the namespace already held as present", async () => {
    const file = randomFile(3 * 1000, 1000);
    await place(file, [1]);
    const uploadId = await declare(file);
    await place(file, [0]);
    const answer = await confirm(uploadId, { indexes: [0, 1] });
    expect(answer.body.chunks).toEqual([
      { index: 0, status: "uploaded" },
      { index: 1, status: "present" },
    ]);
    expect(chunkEvents(uploadId)).toEqual([0]);
  });

  it("confirms chunks PUT through their presigned URLs, whatever the storage notices did first", async () => {
    const file = randomFile(3 * 1000, 1000);
    const created = await server.api("POST", "/v1/uploads", { body: manifestOf(file, `/batch/${randomUUID()}.bin`) });
    for (const chunk of created.body.chunks) expect(await putChunk(chunk, file.chunks[chunk.index]!.bytes)).toBeLessThan(300);
    const answer = await confirm(created.body.uploadId, { indexes: [2, 1, 0] });
    expect(answer.status).toBe(200);
    expect([...chunkEvents(created.body.uploadId)].sort()).toEqual([0, 1, 2]);
    expect((await server.api("POST", `/v1/uploads/${created.body.uploadId}/complete`)).status).toBe(200);
  });

  it("409 chunk_not_found lists every chunk not in storage, and counts none of the batch", async () => {
    const file = randomFile(5 * 1000, 1000);
    const uploadId = await declare(file);
    await place(file, [0, 2]);
    const answer = await appendsNothing(() => confirm(uploadId, { indexes: [0, 1, 2, 4] }));
    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({ error: "chunk_not_found", indexes: [1, 4], message: expect.stringMatching(/1, 4/) });
    expect(chunkEvents(uploadId)).toEqual([]);
  });

  it("422 chunk_mismatch lists the chunks whose stored bytes are not the declared ones, even beside absent ones", async () => {
    const file = randomFile(4 * 1000, 1000);
    const uploadId = await declare(file);
    await place(file, [0]);
    // Bytes altered behind the store's back, under chunk 2's name: the store hashes what is there.
    const path = keyPath(blobsRoot, chunkKey("alice", file.chunks[2]!.sha256));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, Buffer.alloc(1000, 7));
    const answer = await appendsNothing(() => confirm(uploadId, { indexes: [0, 1, 2] }));
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ error: "chunk_mismatch", indexes: [2] });
    expect(chunkEvents(uploadId)).toEqual([]);
  });

  it("400 for bad lists and indexes the upload does not have; nothing appended", async () => {
    const file = randomFile(2 * 1000, 1000);
    const uploadId = await declare(file);
    await place(file, [0, 1]);
    for (const body of [
      { indexes: [] },
      { indexes: [0, 1, 0] },
      { indexes: [-1] },
      { indexes: [0.5] },
      { indexes: ["0"] },
      { indexes: [0], extra: true },
      { indexes: Array.from({ length: 1001 }, (_, index) => index) },
      {},
      [0, 1],
    ]) {
      const answer = await appendsNothing(() => confirm(uploadId, body));
      expect(answer.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(answer.body.error).toBe("invalid_request");
    }
    const unknown = await appendsNothing(() => confirm(uploadId, { indexes: [0, 2, 1, 9] }));
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ error: "invalid_chunk_index", indexes: [2, 9] });
    expect(chunkEvents(uploadId)).toEqual([]);
  });

  it("404 for an unknown upload or another namespace's; 409 once the upload is aborted", async () => {
    const file = randomFile(2 * 1000, 1000);
    const uploadId = await declare(file);
    await place(file, [0, 1]);
    expect((await appendsNothing(() => confirm(randomUUID(), { indexes: [0] }))).status).toBe(404);
    const foreign = await appendsNothing(() => confirm(uploadId, { indexes: [0] }, "bob"));
    expect(foreign.status).toBe(404);
    expect(foreign.body.error).toBe("upload_not_found");
    expect((await server.api("DELETE", `/v1/uploads/${uploadId}`)).status).toBe(204);
    const aborted = await appendsNothing(() => confirm(uploadId, { indexes: [0, 1] }));
    expect(aborted.status).toBe(409);
    expect(aborted.body.error).toBe("upload_not_open");
  });
});
