import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { caughtUp, type EventLog, openEventLog } from "../support/event-log.ts";
import { type Chunked, downloadFile, eventually, putChunk, randomFile, sha256 } from "../support/http-upload.ts";
import { type RunningLedgerbox, startLedgerbox } from "../support/ledgerbox.ts";

type Answer = Awaited<ReturnType<RunningLedgerbox["api"]>>;
type Instruction = { index: number; status: string; upload?: { url: string; headers: Record<string, string> } };

const declared = (file: Chunked, from: number, to: number) =>
  file.chunks.slice(from, to).map(({ index, size, sha256 }) => ({ index, size, sha256 }));

describe("a manifest declared in parts (POST /v1/uploads/{id}/manifest)", () => {
  let server: RunningLedgerbox;
  let log: EventLog;
  beforeAll(async () => {
    server = await startLedgerbox();
    log = openEventLog(server);
  });
  afterAll(async () => {
    log?.close();
    await server?.close();
  });

  const open = async (file: Chunked, path: string, firstPart: number) => {
    const created = await server.api("POST", "/v1/uploads", {
      body: { path, size: file.bytes.length, chunks: declared(file, 0, firstPart), manifestComplete: false },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body as {
      uploadId: string;
      manifestComplete: boolean;
      next: number;
      contentHash: string;
      chunks: Instruction[];
    };
  };
  const addPart = (uploadId: string, body: Record<string, unknown>) =>
    server.api("POST", `/v1/uploads/${uploadId}/manifest`, { body });
  const send = async (uploadId: string, file: Chunked, chunks: Instruction[]) => {
    for (const chunk of chunks) {
      if (chunk.status !== "missing") continue;
      expect(await putChunk(chunk, file.chunks[chunk.index]!.bytes)).toBeLessThan(300);
      expect((await server.api("POST", `/v1/uploads/${uploadId}/chunks/${chunk.index}`)).status).toBe(200);
    }
  };
  /** A request that must be refused with a clear error and leave the log as it was. */
  const refused = async (status: number, request: () => Promise<Answer>, code?: string) => {
    await caughtUp(server, log);
    const before = log.head();
    const answer = await request();
    expect(answer.status, JSON.stringify(answer.body)).toBe(status);
    expect(answer.body).toMatchObject({ error: code ?? expect.any(String), message: expect.any(String) });
    expect(log.head()).toEqual(before);
    return answer.body;
  };

  it("sends the first part before the rest is declared, completes once the last part is in, downloads the same bytes", async () => {
    const file = randomFile(300_000, 50_000);
    const first = await open(file, "/parts/whole.bin", 2);
    expect(first).toMatchObject({ manifestComplete: false, next: 2, contentHash: "" });
    expect(first.chunks.map((chunk) => chunk.index)).toEqual([0, 1]);
    await send(first.uploadId, file, first.chunks);

    await refused(409, () => server.api("POST", `/v1/uploads/${first.uploadId}/complete`), "chunks_missing");

    const second = await addPart(first.uploadId, { from: 2, chunks: declared(file, 2, 4), manifestComplete: false });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ manifestComplete: false, next: 4 });
    expect(second.body.chunks.map((chunk: Instruction) => [chunk.index, chunk.status, chunk.upload !== undefined])).toEqual([
      [2, "missing", true],
      [3, "missing", true],
    ]);
    await send(first.uploadId, file, second.body.chunks);

    const status = await eventually(async () => {
      const { body } = await server.api("GET", `/v1/uploads/${first.uploadId}`);
      return body.chunks?.length === 4 && body.chunks[3].status === "uploaded" ? body : null;
    });
    expect(status).toMatchObject({ status: "open", manifestComplete: false, next: 4 });

    const contentHash = sha256(Buffer.concat(file.chunks.map((chunk) => Buffer.from(chunk.sha256, "hex"))));
    const last = await addPart(first.uploadId, {
      from: 4,
      chunks: declared(file, 4, 6),
      manifestComplete: true,
      contentHash,
    });
    expect(last.status).toBe(200);
    expect(last.body).toMatchObject({ manifestComplete: true, next: 6, contentHash });
    await send(first.uploadId, file, last.body.chunks);

    const done = await server.api("POST", `/v1/uploads/${first.uploadId}/complete`);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ size: 300_000, contentHash, conflict: false });
    await caughtUp(server, log);
    const downloaded = await downloadFile(server, "/parts/whole.bin");
    expect(Buffer.compare(downloaded.bytes, Buffer.from(file.bytes))).toBe(0);
    const final = await eventually(async () => {
      const { body } = await server.api("GET", `/v1/uploads/${first.uploadId}`);
      return body.status === "completed" ? body : null;
    });
    expect(final).toMatchObject({ manifestComplete: true, next: 6, contentHash });
  });

  it("a retried part gets the same answer and appends nothing; a gap or other chunks at declared indexes is a 409", async () => {
    const file = randomFile(200_000, 50_000);
    const first = await open(file, "/parts/retry.bin", 1);
    const body = { from: 1, chunks: declared(file, 1, 3), manifestComplete: false };
    const once = await addPart(first.uploadId, body);
    expect(once.status).toBe(200);
    await caughtUp(server, log);
    const before = log.head();
    const again = await addPart(first.uploadId, body);
    expect(again.status).toBe(200);
    expect(again.body.chunks.map((chunk: Instruction) => [chunk.index, chunk.status])).toEqual(
      once.body.chunks.map((chunk: Instruction) => [chunk.index, chunk.status]),
    );
    expect(log.head()).toEqual(before);
    expect(log.events({ stream: `upload-${first.uploadId}`, type: "ManifestPartAdded" })).toHaveLength(1);

    const gap = await refused(409, () => addPart(first.uploadId, { from: 4, chunks: [], manifestComplete: false }));
    expect(gap).toMatchObject({ error: "chunks_missing", next: 3 });
    const other = randomFile(100_000, 50_000);
    const clash = await refused(409, () =>
      addPart(first.uploadId, {
        from: 1,
        chunks: declared(other, 0, 2).map((c, i) => ({ ...c, index: 1 + i })),
        manifestComplete: false,
      }),
    );
    expect(clash).toMatchObject({ error: "upload_exists", next: 3 });
  });

  it("bad parts are refused with 400 or 413 and nothing appended", async () => {
    const file = randomFile(200_000, 50_000);
    const { uploadId } = await open(file, "/parts/bad.bin", 1);
    const rest = declared(file, 1, 4);
    await refused(400, () => addPart(uploadId, { from: 1, chunks: rest, manifestComplete: false }), "invalid_manifest");
    await refused(
      400,
      () => addPart(uploadId, { from: 1, chunks: rest.slice(0, 2), manifestComplete: true }),
      "invalid_manifest",
    );
    await refused(400, () => addPart(uploadId, { from: 1, chunks: [rest[1]], manifestComplete: false }), "invalid_manifest");
    await refused(400, () => addPart(uploadId, { from: 1, chunks: rest.slice(0, 1) }), "invalid_request");
    await refused(400, () => addPart(uploadId, { from: -1, chunks: [], manifestComplete: false }), "invalid_request");
    await refused(400, () => addPart(uploadId, { from: 1, chunks: [{ ...rest[0]!, sha256: "XYZ" }], manifestComplete: false }));
    await refused(
      413,
      () => addPart(uploadId, { from: 1, chunks: [{ ...rest[0]!, size: 17 * 1024 * 1024 }], manifestComplete: false }),
      "too_large",
    );
    await refused(
      400,
      () => addPart(uploadId, { from: 1, chunks: rest, manifestComplete: true, contentHash: "0".repeat(64) }),
      "content_hash_mismatch",
    );
    await refused(404, () => addPart("no-such-upload-id", { from: 0, chunks: [], manifestComplete: false }), "upload_not_found");
    await refused(404, () =>
      server.api("POST", `/v1/uploads/${uploadId}/manifest`, {
        user: "bob",
        body: { from: 1, chunks: rest, manifestComplete: true },
      }),
    );
    // A start cannot both stay open and reach its size, nor vouch for a content hash it cannot know yet.
    await refused(400, () =>
      server.api("POST", "/v1/uploads", {
        body: { path: "/parts/x.bin", size: 50_000, chunks: declared(file, 0, 1), manifestComplete: false },
      }),
    );
    await refused(400, () =>
      server.api("POST", "/v1/uploads", {
        body: {
          path: "/parts/y.bin",
          size: 200_000,
          chunks: declared(file, 0, 1),
          manifestComplete: false,
          contentHash: "0".repeat(64),
        },
      }),
    );
  });

  it("a storage notification confirms a chunk of a later part; a chunk already stored comes back present", async () => {
    const file = randomFile(150_000, 50_000);
    const first = await open(file, "/parts/notified.bin", 1);
    const part = await addPart(first.uploadId, { from: 1, chunks: declared(file, 1, 2), manifestComplete: false });
    // PUT only: no client confirmation. The store's notification must find the chunk in the second part
    // (routed by the upload read model, as for a start, so let it see the part first).
    await caughtUp(server, log);
    expect(await putChunk(part.body.chunks[0], file.chunks[1]!.bytes)).toBeLessThan(300);
    await eventually(async () => {
      const { body } = await server.api("GET", `/v1/uploads/${first.uploadId}`);
      return body.chunks?.[1]?.status === "uploaded" ? body : null;
    });
    // Chunk 1's bytes are stored now, so a part of another upload that lists them gets no URL.
    const again = await open(file, "/parts/again.bin", 1);
    const present = await addPart(again.uploadId, { from: 1, chunks: declared(file, 1, 2), manifestComplete: false });
    expect(present.body.chunks).toMatchObject([{ index: 1, status: "present" }]);
    expect(present.body.chunks[0].upload).toBeUndefined();
  });
});
