import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { downloadFile, eventually, manifestOf, putChunk, randomFile, sha256, uploadFile } from "../support/http-upload.ts";
import { type RunningLedgerbox, startLedgerbox } from "../support/ledgerbox.ts";

describe("upload flow over HTTP on the embedded defaults", () => {
  let server: RunningLedgerbox;
  beforeAll(async () => {
    server = await startLedgerbox();
  });
  afterAll(async () => {
    await server?.close();
  });

  it("uploads in chunks, commits, lists and downloads byte-for-byte", async () => {
    const file = randomFile(300_000, 64 * 1024);
    const { result, sent } = await uploadFile(server, "/docs/report.bin", file);
    expect(sent).toBe(5);
    expect(result).toMatchObject({ path: "/docs/report.bin", revision: 1, size: 300_000, conflict: false });
    const expectedHash = sha256(Buffer.concat(file.chunks.map((chunk) => Buffer.from(chunk.sha256, "hex"))));
    expect(result.contentHash).toBe(expectedHash);

    const listed = await eventually(async () => {
      const { body } = await server.api("GET", "/v1/files?prefix=/docs");
      return body.files.length === 1 ? body : null;
    });
    expect(listed.files[0]).toMatchObject({ path: "/docs/report.bin", fileId: result.fileId, revision: 1 });

    const downloaded = await downloadFile(server, "/docs/report.bin");
    expect(Buffer.compare(downloaded.bytes, Buffer.from(file.bytes))).toBe(0);
    expect(downloaded.meta.contentHash).toBe(expectedHash);
  });

  it("resumes from GET /v1/uploads/{id} after an interrupted upload, sending only what is missing", async () => {
    const file = randomFile(200_000, 50_000);
    const created = await server.api("POST", "/v1/uploads", { body: manifestOf(file, "/resume.bin") });
    expect(created.status).toBe(201);
    const { uploadId } = created.body;
    // "Crash" after two chunks: PUT and confirm 0 and 1 only.
    for (const index of [0, 1]) {
      expect(await putChunk(created.body.chunks[index], file.chunks[index]!.bytes)).toBeLessThan(300);
      expect((await server.api("POST", `/v1/uploads/${uploadId}/chunks/${index}`)).status).toBe(200);
    }
    const early = await server.api("POST", `/v1/uploads/${uploadId}/complete`);
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ error: "chunks_missing", missing: [2, 3] });

    const status = await eventually(async () => {
      const { body } = await server.api("GET", `/v1/uploads/${uploadId}`);
      return body.chunks?.filter((chunk: { status: string }) => chunk.status === "uploaded").length === 2 ? body : null;
    });
    expect(status.status).toBe("open");
    const missing = status.chunks.filter((chunk: { status: string }) => chunk.status === "missing");
    expect(missing.map((chunk: { index: number }) => chunk.index)).toEqual([2, 3]);
    for (const chunk of missing) {
      expect(await putChunk(chunk, file.chunks[chunk.index]!.bytes)).toBeLessThan(300);
      expect((await server.api("POST", `/v1/uploads/${uploadId}/chunks/${chunk.index}`)).status).toBe(200);
    }
    const completed = await server.api("POST", `/v1/uploads/${uploadId}/complete`);
    expect(completed.status).toBe(200);
    const again = await server.api("POST", `/v1/uploads/${uploadId}/complete`);
    expect(again.body).toEqual(completed.body);
  });

  it("reports chunks already stored in the namespace as present and never asks for them again", async () => {
    const file = randomFile(128 * 1024, 64 * 1024);
    await uploadFile(server, "/dedup/a.bin", file);
    const second = await server.api("POST", "/v1/uploads", { body: manifestOf(file, "/dedup/b.bin") });
    expect(second.body.chunks.map((chunk: { status: string }) => chunk.status)).toEqual(["present", "present"]);
    expect(second.body.chunks.every((chunk: { upload?: unknown }) => chunk.upload === undefined)).toBe(true);
    const done = await server.api("POST", `/v1/uploads/${second.body.uploadId}/complete`);
    expect(done.status).toBe(200);
    // Another namespace shares nothing.
    const other = await server.api("POST", "/v1/uploads", { user: "bob", body: manifestOf(file, "/dedup/a.bin") });
    expect(other.body.chunks.map((chunk: { status: string }) => chunk.status)).toEqual(["missing", "missing"]);
  });

  it("commits a stale base revision as a conflicted copy beside the original", async () => {
    const v1 = randomFile(10_000);
    const first = await uploadFile(server, "/shared/plan.txt", v1, { clientId: "laptop" });
    const mine = await uploadFile(server, "/shared/plan.txt", randomFile(10_000), {
      clientId: "laptop",
      baseRevision: first.result.revision,
    });
    expect(mine.result).toMatchObject({ path: "/shared/plan.txt", revision: 2, conflict: false });
    const theirs = await uploadFile(server, "/shared/plan.txt", randomFile(10_000), {
      clientId: "phone",
      baseRevision: first.result.revision,
    });
    expect(theirs.result.conflict).toBe(true);
    expect(theirs.result.path).toMatch(/^\/shared\/plan \(conflicted copy \d{4}-\d{2}-\d{2} phone\)\.txt$/);
    const listing = await eventually(async () => {
      const { body } = await server.api("GET", "/v1/files?prefix=/shared/");
      return body.files.length === 2 ? body.files : null;
    });
    expect(listing.map((file: { path: string }) => file.path).sort()).toEqual([theirs.result.path, "/shared/plan.txt"].sort());
  });
  it("a stored chunk is confirmed by the storage notification alone, and the client's confirm then appends nothing", async () => {
    const file = randomFile(100_000, 50_000);
    const created = await server.api("POST", "/v1/uploads", { body: manifestOf(file, "/notified.bin") });
    const { uploadId } = created.body;
    // The notification is routed by the upload-status read model, so let it see the upload first.
    await eventually(async () => (await server.api("GET", `/v1/uploads/${uploadId}`)).status === 200);
    for (const chunk of created.body.chunks) expect(await putChunk(chunk, file.chunks[chunk.index]!.bytes)).toBeLessThan(300);
    await eventually(async () => {
      const { body } = await server.api("GET", `/v1/uploads/${uploadId}`);
      return body.chunks.every((chunk: { status: string }) => chunk.status === "uploaded");
    });
    const confirmation = await server.api("POST", `/v1/uploads/${uploadId}/chunks/0`);
    expect(confirmation.body).toEqual({ index: 0, status: "uploaded" });
    const completed = await server.api("POST", `/v1/uploads/${uploadId}/complete`);
    expect(completed.status).toBe(200);
  });
});
