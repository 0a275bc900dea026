import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { caughtUp, type EventLog, openEventLog } from "../support/event-log.ts";
import { type Chunked, downloadFile, manifestOf, putChunk, randomFile, uploadFile } from "../support/http-upload.ts";
import { type RunningLedgerbox, startLedgerbox } from "../support/ledgerbox.ts";
import { historyAll, listAll } from "../support/sync-reads.ts";

interface Completion {
  readonly path: string;
  readonly fileId: string;
  readonly revision: number;
  readonly conflict: boolean;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("concurrent writers over HTTP", () => {
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

  /** Everything the storage notices (fired after each PUT) and projectors may still do, done. */
  const settle = async () => {
    await pause(100);
    await caughtUp(server, log);
  };

  const raceCreates = async (user: string, path: string, clientIds: string[]) => {
    const files = clientIds.map(() => randomFile(2000 + Math.floor(Math.random() * 1000), 700));
    const outcomes = await Promise.all(
      clientIds.map((clientId, i) => uploadFile(server, path, files[i]!, { user, clientId, baseRevision: null })),
    );
    return { files, results: outcomes.map((outcome) => outcome.result) };
  };

  const expectOneOriginalRestCopies = async (user: string, path: string, files: Chunked[], results: Completion[]) => {
    const originals = results.filter((result) => !result.conflict);
    expect(originals).toHaveLength(1);
    expect(originals[0]!.path).toBe(path);
    const copies = results.filter((result) => result.conflict);
    expect(copies).toHaveLength(files.length - 1);
    const paths = results.map((result) => result.path);
    expect(new Set(paths).size).toBe(files.length);
    for (const copy of copies) expect(copy.path).toMatch(/ \(conflicted copy \d{4}-\d{2}-\d{2} [^)]+\)\.txt$/);
    expect(results.every((result) => result.revision === 1)).toBe(true);
    expect(new Set(results.map((result) => result.fileId)).size).toBe(files.length);

    await settle();
    const listing = await listAll(server, { user });
    expect(listing.map((file) => file.path).sort()).toEqual([...paths].sort());
    // No lost upload: every client's bytes are downloadable where its answer said.
    for (const [i, result] of results.entries()) {
      const downloaded = await downloadFile(server, result.path, { user });
      expect(downloaded.meta.fileId).toBe(result.fileId);
      expect(Buffer.compare(downloaded.bytes, Buffer.from(files[i]!.bytes)), result.path).toBe(0);
    }
    // The original's history shows one commit; each copy names what it is a copy of.
    expect((await historyAll(server, path, { user })).map((entry) => entry.type)).toEqual(["FileVersionCommitted"]);
    for (const copy of copies) {
      const [entry] = await historyAll(server, copy.path, { user });
      expect(entry).toMatchObject({ type: "FileVersionCommitted", conflictOf: path });
    }
  };

  it("8 clients creating the same new path: exactly one original, seven conflicted copies, nothing lost", async () => {
    const clients = Array.from({ length: 8 }, (_, i) => `device-${i}`);
    const { files, results } = await raceCreates("racer", "/race/new.txt", clients);
    await expectOneOriginalRestCopies("racer", "/race/new.txt", files, results);
    // Each copy is named after the client that lost.
    for (const [i, result] of results.entries()) if (result.conflict) expect(result.path).toContain(clients[i]);
  });

  it("8 creates from clients with the same id still get distinct copy names", async () => {
    const { files, results } = await raceCreates("twins", "/race/same.txt", Array(8).fill("twin"));
    await expectOneOriginalRestCopies("twins", "/race/same.txt", files, results);
  });

  it("20 concurrent chunk confirmations on one upload all succeed, with exactly one ChunkUploaded per chunk", async () => {
    const file = randomFile(20 * 100, 100);
    const created = await server.api("POST", "/v1/uploads", { body: manifestOf(file, "/race/chunks.bin") });
    expect(created.status).toBe(201);
    const { uploadId } = created.body;
    await Promise.all(
      created.body.chunks.map(async (chunk: { index: number; upload: { url: string; headers: Record<string, string> } }) =>
        expect(await putChunk(chunk, file.chunks[chunk.index]!.bytes)).toBeLessThan(300),
      ),
    );
    const confirmations = await Promise.all(
      file.chunks.map((chunk) =>
        server.api("POST", `/v1/uploads/${uploadId}/chunks/${chunk.index}`, { clientId: `c${chunk.index}` }),
      ),
    );
    for (const [index, answer] of confirmations.entries()) {
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.body).toEqual({ index, status: "uploaded" });
    }
    await settle();
    const uploaded = log.events({ type: "ChunkUploaded", stream: `upload-${uploadId}` });
    expect(uploaded.map((event) => event.data.index).sort((a, b) => Number(a) - Number(b))).toEqual(
      file.chunks.map((chunk) => chunk.index),
    );

    const status = await server.api("GET", `/v1/uploads/${uploadId}`);
    expect(status.body.chunks.map((chunk: { status: string }) => chunk.status)).toEqual(Array(20).fill("uploaded"));

    // The same 20 again, concurrently: same answers, nothing appended.
    const head = log.head();
    const again = await Promise.all(
      file.chunks.map((chunk) => server.api("POST", `/v1/uploads/${uploadId}/chunks/${chunk.index}`)),
    );
    expect(again.map((answer) => answer.body)).toEqual(confirmations.map((answer) => answer.body));
    expect(log.head()).toEqual(head);
  });

  it("20 concurrent confirmations of the same chunk append it once", async () => {
    const file = randomFile(3 * 100, 100);
    const created = await server.api("POST", "/v1/uploads", { body: manifestOf(file, "/race/one-chunk.bin") });
    const { uploadId } = created.body;
    expect(await putChunk(created.body.chunks[1], file.chunks[1]!.bytes)).toBeLessThan(300);
    const answers = await Promise.all(Array.from({ length: 20 }, () => server.api("POST", `/v1/uploads/${uploadId}/chunks/1`)));
    for (const answer of answers) expect(answer.body).toEqual({ index: 1, status: "uploaded" });
    await settle();
    expect(log.events({ type: "ChunkUploaded", stream: `upload-${uploadId}` }).map((event) => event.data.index)).toEqual([1]);
  });

  it("repeating a confirmation, a completion or a start gives the same answer and appends nothing", async () => {
    const file = randomFile(1500, 500);
    const uploadId = "client-chosen-id-0001";
    const body = manifestOf(file, "/race/idem.bin", { uploadId });
    const first = await server.api("POST", "/v1/uploads", { body });
    expect(first.status).toBe(201);
    for (const chunk of first.body.chunks) expect(await putChunk(chunk, file.chunks[chunk.index]!.bytes)).toBeLessThan(300);
    const confirmed = [];
    for (const chunk of file.chunks)
      confirmed.push((await server.api("POST", `/v1/uploads/${uploadId}/chunks/${chunk.index}`)).body);
    await settle();

    let head = log.head();
    const restarted = await server.api("POST", "/v1/uploads", { body });
    expect(restarted.status).toBe(201);
    expect(restarted.body.uploadId).toBe(uploadId);
    expect(restarted.body.chunks.map((chunk: { status: string }) => chunk.status)).toEqual(["uploaded", "uploaded", "uploaded"]);
    for (const chunk of file.chunks) {
      const again = await server.api("POST", `/v1/uploads/${uploadId}/chunks/${chunk.index}`);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(confirmed[chunk.index]);
    }
    expect(log.head()).toEqual(head);

    // Five completions at once: one commit, one completion, the same answer everywhere.
    const completions = await Promise.all(
      Array.from({ length: 5 }, () => server.api("POST", `/v1/uploads/${uploadId}/complete`)),
    );
    for (const completion of completions) {
      expect(completion.status, JSON.stringify(completion.body)).toBe(200);
      expect(completion.body).toEqual(completions[0]!.body);
    }
    expect(completions[0]!.body).toMatchObject({ path: "/race/idem.bin", revision: 1, conflict: false });
    await settle();
    expect(log.events({ type: "UploadCompleted", stream: `upload-${uploadId}` })).toHaveLength(1);
    const committed = log.events({ type: "FileVersionCommitted" }).filter((event) => event.data.uploadId === uploadId);
    expect(committed).toHaveLength(1);

    head = log.head();
    const later = await server.api("POST", `/v1/uploads/${uploadId}/complete`);
    expect(later.body).toEqual(completions[0]!.body);
    const lateConfirm = await server.api("POST", `/v1/uploads/${uploadId}/chunks/0`);
    expect(lateConfirm.body).toEqual(confirmed[0]);
    const lateStart = await server.api("POST", "/v1/uploads", { body });
    expect(lateStart.status).toBe(201);
    expect(lateStart.body.status).toBe("completed");
    expect(log.head()).toEqual(head);
    // Same id with a different manifest is a different request: refused, nothing appended.
    const clash = await server.api("POST", "/v1/uploads", {
      body: manifestOf(randomFile(10, 64), "/race/idem.bin", { uploadId }),
    });
    expect(clash.status).toBe(409);
    expect(log.head()).toEqual(head);
  });

  it("concurrent deletes from the same base: one wins, the rest are 409", async () => {
    const { result } = await uploadFile(server, "/race/del.txt", randomFile(100, 64));
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        server.api("POST", "/v1/files/delete", { body: { path: "/race/del.txt", baseRevision: result.revision } }),
      ),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.every((status) => status === 200 || status === 409 || status === 404)).toBe(true);
    await settle();
    expect(log.events({ type: "FileDeleted" }).filter((event) => event.data.path === "/race/del.txt")).toHaveLength(1);
  });

  it("two files moved to the same target at once: neither is lost", async () => {
    const a = await uploadFile(server, "/race/move-a.txt", randomFile(100, 64));
    const b = await uploadFile(server, "/race/move-b.txt", randomFile(120, 64));
    const answers = await Promise.all(
      ["/race/move-a.txt", "/race/move-b.txt"].map((from) =>
        server.api("POST", "/v1/files/move", { body: { from, to: "/race/target.txt" } }),
      ),
    );
    expect(answers.some((answer) => answer.status === 200)).toBe(true);
    for (const answer of answers) expect([200, 409]).toContain(answer.status);
    await settle();
    const listing = await listAll(server, { prefix: "/race/" });
    const ids = listing.map((file) => file.fileId);
    expect(ids).toContain(a.result.fileId);
    expect(ids).toContain(b.result.fileId);
    expect(listing.filter((file) => file.path === "/race/target.txt")).toHaveLength(1);
  });
});
