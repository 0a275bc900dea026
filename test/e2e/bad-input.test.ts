import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken } from "../../infra/dev-auth.ts";
import { caughtUp, type EventLog, openEventLog } from "../support/event-log.ts";
import { type Chunked, manifestOf, putChunk, randomFile, sha256, uploadFile } from "../support/http-upload.ts";
import { type RunningLedgerbox, startLedgerbox, TEST_SECRET } from "../support/ledgerbox.ts";

type Answer = Awaited<ReturnType<RunningLedgerbox["api"]>>;
type Instruction = { index: number; sha256: string; status: string; upload?: { url: string; headers: Record<string, string> } };

const SHA = "ab".repeat(32);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const validManifest = (path = "/ok.bin") => ({ path, size: 3, chunks: [{ index: 0, size: 3, sha256: SHA }] });

describe("bad input is refused with a clear {error, message} and never reaches the log", () => {
  let server: RunningLedgerbox;
  let log: EventLog;

  /** Sends a request that must be refused: the status, the error shape, and an unchanged log head. */
  const refused = async (status: number | number[], send: () => Promise<Answer>, what = ""): Promise<Answer> => {
    await pause(0);
    const before = log.head();
    const answer = await send();
    const allowed = Array.isArray(status) ? status : [status];
    expect(allowed, `${what}: got ${answer.status} ${JSON.stringify(answer.body)}`).toContain(answer.status);
    expect(answer.body, what).toMatchObject({ error: expect.any(String), message: expect.any(String) });
    expect(answer.body.message.length, what).toBeGreaterThan(5);
    expect(answer.body.message, `${what}: a tidy message`).not.toMatch(/ {2}/);
    expect(log.head(), `${what}: the log grew`).toEqual(before);
    return answer;
  };
  const post = (path: string, body: unknown, options: Record<string, unknown> = {}) =>
    server.api("POST", path, { body, ...options });
  const start = (body: unknown) => post("/v1/uploads", body);

  /** Declare a file and return the ticket (after letting the read models and notices settle). */
  const declare = async (file: Chunked, path: string, user = "alice") => {
    const created = await server.api("POST", "/v1/uploads", { user, body: manifestOf(file, path) });
    expect(created.status).toBe(201);
    await caughtUp(server, log);
    return created.body as { uploadId: string; chunks: Instruction[] };
  };
  /** Whether storage holds a chunk, asked the way a client would: a new upload says present or missing. */
  const storedStatus = async (file: Chunked, user = "alice") => {
    const probe = await server.api("POST", "/v1/uploads", { user, body: manifestOf(file, `/probe/${sha256(file.bytes)}.bin`) });
    expect(probe.status).toBe(201);
    return probe.body.chunks.map((chunk: Instruction) => chunk.status) as string[];
  };
  const rawPut = async (
    url: string,
    bytes: Uint8Array,
    headers: Record<string, string> = { "content-type": "application/octet-stream" },
  ) => {
    const response = await fetch(url, { method: "PUT", headers, body: bytes as BodyInit });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // keep text
    }
    return { status: response.status, body, headers: response.headers };
  };

  beforeAll(async () => {
    server = await startLedgerbox();
    log = openEventLog(server);
    await uploadFile(server, "/existing.txt", randomFile(100, 64));
    await caughtUp(server, log);
  });
  afterAll(async () => {
    log?.close();
    await server?.close();
  });

  describe("request bodies", () => {
    it("malformed JSON → 400", async () => {
      for (const raw of ["{not json", '{"path": "/a",', "", "[1,2", '{"path":"/a"}garbage']) {
        await refused(400, () => server.api("POST", "/v1/uploads", { rawBody: raw }), `body ${JSON.stringify(raw)}`);
      }
      await refused(400, () => server.api("POST", "/v1/files/delete", { rawBody: "{" }), "delete");
      await refused(400, () => server.api("POST", "/v1/uploads", { rawBody: "[]" }), "array body");
      await refused(400, () => server.api("POST", "/v1/uploads", { rawBody: "null" }), "null body");
    });

    it("wrong content type → 415", async () => {
      const body = JSON.stringify(validManifest());
      for (const type of [
        "text/plain",
        "text/plain; charset=utf-8",
        "application/xml",
        "application/x-www-form-urlencoded",
        "application/octet-stream",
      ]) {
        await refused(415, () => server.api("POST", "/v1/uploads", { rawBody: body, headers: { "content-type": type } }), type);
        await refused(
          415,
          () =>
            server.api("POST", "/v1/files/delete", {
              rawBody: JSON.stringify({ path: "/existing.txt" }),
              headers: { "content-type": type },
            }),
          `delete as ${type}`,
        );
      }
    });

    it("unknown fields → 400", async () => {
      await refused(400, () => start({ ...validManifest(), overwrite: true }), "top level");
      await refused(
        400,
        () => start({ ...validManifest(), chunks: [{ index: 0, size: 3, sha256: SHA, offset: 0 }] }),
        "in a chunk",
      );
      await refused(400, () => post("/v1/files/delete", { path: "/existing.txt", force: true }), "delete");
      await refused(400, () => post("/v1/files/move", { from: "/existing.txt", to: "/x.txt", overwrite: true }), "move");
      await refused(400, () => post("/v1/files/restore", { path: "/existing.txt", revision: 1, keep: 1 }), "restore");
    });

    it("missing fields → 400", async () => {
      await refused(400, () => start({ size: 3, chunks: [] }), "no path");
      await refused(400, () => start({ path: "/a", chunks: [] }), "no size");
      await refused(400, () => start({ path: "/a", size: 0 }), "no chunks");
      await refused(400, () => start({ ...validManifest(), chunks: {} }), "chunks as object");
      await refused(400, () => post("/v1/files/move", { from: "/existing.txt" }), "move without to");
      await refused(400, () => post("/v1/files/restore", { path: "/existing.txt" }), "restore without revision");
    });

    // Bad input must be refused, not cast: `size: true` must not become a 1-byte file. Every case is
    // tried and the ones let through are listed together, so one run shows the whole problem.
    it("JSON values of the wrong type → 400, never coerced", async () => {
      const cases: [string, string, unknown][] = [
        ["size as string", "/v1/uploads", { ...validManifest(), size: "3" }],
        ["size null", "/v1/uploads", { path: "/a", size: null, chunks: [] }],
        ["size true", "/v1/uploads", { ...validManifest(), size: true, chunks: [{ index: 0, size: 1, sha256: SHA }] }],
        ["chunk size as string", "/v1/uploads", { ...validManifest(), chunks: [{ index: 0, size: "3", sha256: SHA }] }],
        ["index as string", "/v1/uploads", { ...validManifest(), chunks: [{ index: "0", size: 3, sha256: SHA }] }],
        ["path as number", "/v1/uploads", { path: 123, size: 0, chunks: [] }],
        ["path as array", "/v1/uploads", { ...validManifest(), path: ["/coerced.bin"] }],
        ["baseRevision as string", "/v1/uploads", { ...validManifest(), baseRevision: "1" }],
        ["revision as string", "/v1/files/restore", { path: "/existing.txt", revision: "1" }],
        ["baseRevision false", "/v1/files/delete", { path: "/nothing-here.txt", baseRevision: false }],
      ];
      const letThrough: string[] = [];
      for (const [what, route, body] of cases) {
        const before = log.head();
        const answer = await post(route, body);
        const grew = log.head().count !== before.count;
        if (answer.status !== 400 || grew) letThrough.push(`${what}: ${answer.status}${grew ? ", appended to the log" : ""}`);
      }
      expect(letThrough).toEqual([]);
    });

    it("sizes that do not add up → 400", async () => {
      await refused(400, () => start({ path: "/a", size: 10, chunks: [{ index: 0, size: 3, sha256: SHA }] }), "too big");
      await refused(400, () => start({ path: "/a", size: 2, chunks: [{ index: 0, size: 3, sha256: SHA }] }), "too small");
      await refused(400, () => start({ path: "/a", size: 5, chunks: [] }), "no chunks for bytes");
    });

    it("chunk index gaps, duplicates or disorder → 400", async () => {
      const chunk = (index: number) => ({ index, size: 1, sha256: SHA });
      await refused(400, () => start({ path: "/a", size: 2, chunks: [chunk(0), chunk(2)] }), "gap");
      await refused(400, () => start({ path: "/a", size: 2, chunks: [chunk(1), chunk(0)] }), "out of order");
      await refused(400, () => start({ path: "/a", size: 2, chunks: [chunk(0), chunk(0)] }), "duplicate");
      await refused(400, () => start({ path: "/a", size: 1, chunks: [chunk(1)] }), "not starting at 0");
      await refused(400, () => start({ path: "/a", size: 1, chunks: [chunk(-1)] }), "negative");
    });

    it("bad sha256 hex → 400", async () => {
      for (const digest of ["AB".repeat(32), "ab".repeat(31), `${"ab".repeat(31)}a`, `${"ab".repeat(31)}zz`, "", `${SHA}00`]) {
        await refused(400, () => start({ path: "/a", size: 3, chunks: [{ index: 0, size: 3, sha256: digest }] }), digest);
      }
      await refused(400, () => start({ ...validManifest(), contentHash: "nothex" }), "contentHash not hex");
    });

    it("a contentHash that does not match the chunks → 400", async () => {
      const answer = await refused(400, () => start({ ...validManifest(), contentHash: "cd".repeat(32) }), "mismatch");
      expect(answer.body.error).toBe("content_hash_mismatch");
      // The right one is accepted (the server computes it the same way).
      const file = randomFile(300, 100);
      const preimage = Buffer.concat(file.chunks.map((chunk) => Buffer.from(chunk.sha256, "hex")));
      const right = await start(manifestOf(file, "/hash-ok.bin", { contentHash: sha256(preimage) }));
      expect(right.status).toBe(201);
    });

    it("traversal and malformed paths → 400 on every route that takes a path", async () => {
      const bad = [
        "/a/../b",
        "/a/./b",
        "/..",
        "a/b",
        "/a//b",
        "/a/",
        "/",
        "",
        "/a\u0000b",
        "/a\u0007b",
        "/a\nb",
        "/a\u007fb",
        "/a\\b",
        "/a\\..\\b",
        `/${"d/".repeat(2500)}f`,
        `/${"x".repeat(5000)}`,
        `/${"y".repeat(300)}/f`,
      ];
      for (const path of bad) {
        const what = `path ${JSON.stringify(path.slice(0, 30))} (${path.length})`;
        await refused(400, () => start({ path, size: 3, chunks: [{ index: 0, size: 3, sha256: SHA }] }), `upload ${what}`);
        await refused(400, () => post("/v1/files/delete", { path }), `delete ${what}`);
        await refused(400, () => post("/v1/files/move", { from: "/existing.txt", to: path }), `move to ${what}`);
        await refused(400, () => post("/v1/files/restore", { path, revision: 1 }), `restore ${what}`);
        if (path.length < 4000) {
          await refused(400, () => server.api("GET", `/v1/files/meta?path=${encodeURIComponent(path)}`), `meta ${what}`);
          await refused(400, () => server.api("GET", `/v1/files/history?path=${encodeURIComponent(path)}`), `history ${what}`);
        }
      }
      // At the limits themselves, a path is fine: a 255-byte segment.
      const longest = `/${"z".repeat(255)}`;
      expect((await start({ path: longest, size: 3, chunks: [{ index: 0, size: 3, sha256: SHA }] })).status).toBe(201);
    });

    it("a body over 2 MiB → 413", async () => {
      const padding = "x".repeat(2 * 1024 * 1024 + 10);
      await refused(
        413,
        () => server.api("POST", "/v1/uploads", { rawBody: JSON.stringify({ ...validManifest(), pad: padding }) }),
        "upload",
      );
      await refused(
        413,
        () => server.api("POST", "/v1/files/delete", { rawBody: JSON.stringify({ path: "/existing.txt", pad: padding }) }),
        "delete",
      );
    });

    it("more than 10,000 chunks → 400/413", async () => {
      const chunks = Array.from({ length: 10_001 }, (_, index) => ({ index, size: 1, sha256: SHA }));
      await refused([400, 413], () => start({ path: "/many.bin", size: 10_001, chunks }), "10,001 chunks");
    });

    it("a chunk over 16 MiB → 413", async () => {
      const size = 16 * 1024 * 1024 + 1;
      const answer = await refused(
        413,
        () => start({ path: "/huge.bin", size, chunks: [{ index: 0, size, sha256: SHA }] }),
        "huge chunk",
      );
      expect(answer.body.error).toBe("too_large");
    });

    it("negative, zero-byte-chunk, fractional and unsafe sizes → 400", async () => {
      await refused(400, () => start({ path: "/a", size: -3, chunks: [{ index: 0, size: -3, sha256: SHA }] }), "negative");
      await refused(400, () => start({ path: "/a", size: -1, chunks: [] }), "negative size");
      await refused(400, () => start({ path: "/a", size: 1.5, chunks: [{ index: 0, size: 1.5, sha256: SHA }] }), "fractional");
      await refused(400, () => start({ path: "/a", size: 0, chunks: [{ index: 0, size: 0, sha256: SHA }] }), "empty chunk");
      await refused(400, () => start({ path: "/a", size: 2 ** 60, chunks: [{ index: 0, size: 2 ** 60, sha256: SHA }] }), "2^60");
      await refused(400, () => post("/v1/files/restore", { path: "/existing.txt", revision: 1.5 }), "fractional revision");
      await refused(400, () => post("/v1/files/delete", { path: "/existing.txt", baseRevision: -1 }), "negative baseRevision");
    });
  });

  describe("presigned PUT URLs", () => {
    it("refuses a tampered URL (signature, size, sha256, key, expiry) and stores nothing", async () => {
      const file = randomFile(1000, 500);
      const other = randomFile(1000, 500);
      const ticket = await declare(file, "/tamper.bin");
      const url = new URL(ticket.chunks[0]!.upload!.url);
      const [chunk, otherChunk] = [file.chunks[0]!, other.chunks[0]!];
      const variant = (change: (u: URL) => void) => {
        const copy = new URL(url);
        change(copy);
        return copy.toString();
      };
      const signature = url.searchParams.get("signature")!;
      const flipped = (signature[0] === "A" ? "B" : "A") + signature.slice(1);
      const attempts: [string, string, Uint8Array][] = [
        ["signature", variant((u) => u.searchParams.set("signature", flipped)), chunk.bytes],
        ["no signature", variant((u) => u.searchParams.delete("signature")), chunk.bytes],
        ["size", variant((u) => u.searchParams.set("size", "1001")), new Uint8Array(1001)],
        ["sha256", variant((u) => u.searchParams.set("sha256", otherChunk.sha256)), otherChunk.bytes],
        [
          "key: another chunk",
          variant((u) => (u.pathname = u.pathname.replace(chunk.sha256, otherChunk.sha256))),
          otherChunk.bytes,
        ],
        ["key: another namespace", variant((u) => (u.pathname = u.pathname.replace("/alice/", "/bob/"))), chunk.bytes],
        [
          "expiry",
          variant((u) => u.searchParams.set("expires", String(Number(u.searchParams.get("expires")) + 3600))),
          chunk.bytes,
        ],
      ];
      for (const [what, target, bytes] of attempts) {
        const answer = await refused(403, () => rawPut(target, bytes), what);
        expect(answer.body.error, what).toBe("signature_invalid");
      }
      await pause(50);
      expect(await storedStatus(file)).toEqual(["missing", "missing"]);
      expect(await storedStatus(other)).toEqual(["missing", "missing"]);
      expect(await storedStatus(file, "bob")).toEqual(["missing", "missing"]);
      await refused(409, () => server.api("POST", `/v1/uploads/${ticket.uploadId}/chunks/0`), "confirm after tampering");
    });

    it("refuses wrong bytes (same length, shorter, longer) and stores nothing", async () => {
      const file = randomFile(1000, 500);
      const ticket = await declare(file, "/wrong-bytes.bin");
      const instruction = ticket.chunks[0]!;
      const right = file.chunks[0]!.bytes;
      const flipped = Uint8Array.from(right);
      flipped[10]! ^= 0xff;
      for (const [what, bytes, status, error] of [
        ["same length, different bytes", flipped, 400, "sha256_mismatch"],
        ["shorter", right.subarray(0, 499), 400, "size_mismatch"],
        ["longer", Buffer.concat([right, Buffer.from([1])]), 413, "size_mismatch"],
        ["empty", new Uint8Array(0), 400, "size_mismatch"],
      ] as const) {
        const answer = await refused(status, () => rawPut(instruction.upload!.url, bytes, instruction.upload!.headers), what);
        expect(answer.body.error, what).toBe(error);
      }
      await pause(50);
      expect(await storedStatus(file)).toEqual(["missing", "missing"]);
      const confirm = await refused(409, () => server.api("POST", `/v1/uploads/${ticket.uploadId}/chunks/0`), "confirm");
      expect(confirm.body.error).toBe("chunk_not_found");
      // The genuine bytes still go through the same URL afterwards.
      expect(await putChunk(instruction, right)).toBeLessThan(300);
    });

    it("refuses an expired URL and stores nothing", async () => {
      const short = await startLedgerbox({ LEDGERBOX_PUT_URL_TTL_SECONDS: "1" });
      const shortLog = openEventLog(short);
      try {
        const file = randomFile(600, 300);
        const created = await short.api("POST", "/v1/uploads", { body: manifestOf(file, "/late.bin") });
        expect(created.status).toBe(201);
        await caughtUp(short, shortLog);
        await pause(2100);
        const before = shortLog.head();
        const late = await rawPut(
          created.body.chunks[0].upload.url,
          file.chunks[0]!.bytes,
          created.body.chunks[0].upload.headers,
        );
        expect(late.status).toBe(403);
        expect(late.body).toMatchObject({ error: "url_expired", message: expect.any(String) });
        await pause(50);
        expect(shortLog.head()).toEqual(before);
        const status = await short.api("GET", `/v1/uploads/${created.body.uploadId}`);
        expect(status.body.chunks.map((chunk: Instruction) => chunk.status)).toEqual(["missing", "missing"]);
        const confirm = await short.api("POST", `/v1/uploads/${created.body.uploadId}/chunks/0`);
        expect(confirm.status).toBe(409);
        // A fresh URL from the status route works.
        expect(await putChunk(status.body.chunks[0], file.chunks[0]!.bytes)).toBeLessThan(300);
      } finally {
        shortLog.close();
        await short.close();
      }
    });
  });

  describe("upload lifecycle", () => {
    it("confirming a chunk not in storage → 409, an index out of range → 400", async () => {
      const file = randomFile(900, 300);
      const ticket = await declare(file, "/confirm.bin");
      const missing = await refused(409, () => server.api("POST", `/v1/uploads/${ticket.uploadId}/chunks/1`), "not stored");
      expect(missing.body.error).toBe("chunk_not_found");
      for (const index of ["3", "9999", "10000", "-1", "abc", "1.5"]) {
        await refused(400, () => server.api("POST", `/v1/uploads/${ticket.uploadId}/chunks/${index}`), `index ${index}`);
      }
    });

    it("completing with chunks missing → 409 with the missing indexes", async () => {
      const file = randomFile(900, 300);
      const ticket = await declare(file, "/incomplete.bin");
      expect(await putChunk(ticket.chunks[1]!, file.chunks[1]!.bytes)).toBeLessThan(300);
      expect((await server.api("POST", `/v1/uploads/${ticket.uploadId}/chunks/1`)).status).toBe(200);
      await caughtUp(server, log);
      await pause(50);
      const answer = await refused(409, () => server.api("POST", `/v1/uploads/${ticket.uploadId}/complete`), "complete");
      expect(answer.body).toMatchObject({ error: "chunks_missing", missing: [0, 2] });
    });

    it("an unknown upload id → 404, a malformed one → 400", async () => {
      const unknown = "NoSuchUpload_123456";
      await refused(404, () => server.api("GET", `/v1/uploads/${unknown}`), "status");
      await refused(404, () => server.api("POST", `/v1/uploads/${unknown}/chunks/0`), "confirm");
      await refused(404, () => server.api("POST", `/v1/uploads/${unknown}/complete`), "complete");
      await refused(404, () => server.api("DELETE", `/v1/uploads/${unknown}`), "abort");
      for (const malformed of ["short", "has%20space", "x".repeat(65)]) {
        await refused(400, () => server.api("GET", `/v1/uploads/${malformed}`), `status ${malformed}`);
        await refused(400, () => server.api("POST", `/v1/uploads/${malformed}/complete`), `complete ${malformed}`);
      }
    });

    it("another namespace's upload id → 404 everywhere, and the upload is untouched", async () => {
      const file = randomFile(600, 300);
      const ticket = await declare(file, "/mine.bin");
      for (const index of [0, 1]) expect(await putChunk(ticket.chunks[index]!, file.chunks[index]!.bytes)).toBeLessThan(300);
      await caughtUp(server, log);
      await pause(100);
      await caughtUp(server, log);
      const bob = { user: "bob" };
      await refused(404, () => server.api("GET", `/v1/uploads/${ticket.uploadId}`, bob), "status");
      await refused(404, () => server.api("POST", `/v1/uploads/${ticket.uploadId}/chunks/0`, bob), "confirm");
      await refused(404, () => server.api("POST", `/v1/uploads/${ticket.uploadId}/complete`, bob), "complete");
      await refused(404, () => server.api("DELETE", `/v1/uploads/${ticket.uploadId}`, bob), "abort");
      // Reusing the id for bob's own upload does not reveal or touch alice's.
      await refused(
        [404, 409],
        () => server.api("POST", "/v1/uploads", { ...bob, body: manifestOf(file, "/mine.bin", { uploadId: ticket.uploadId }) }),
        "reuse id",
      );
      const done = await server.api("POST", `/v1/uploads/${ticket.uploadId}/complete`);
      expect(done.status).toBe(200);
      expect(done.body).toMatchObject({ path: "/mine.bin", revision: 1 });
    });
  });

  describe("auth and namespaces", () => {
    it("a namespace the token does not grant → 403; a granted one → 200", async () => {
      await refused(403, () => server.api("GET", "/v1/files", { user: "mallory", namespace: "alice" }), "list");
      await refused(
        403,
        () => server.api("POST", "/v1/uploads", { user: "mallory", namespace: "alice", body: validManifest() }),
        "upload",
      );
      await refused(
        403,
        () => server.api("POST", "/v1/files/delete", { user: "mallory", namespace: "alice", body: { path: "/existing.txt" } }),
        "delete",
      );
      await refused(403, () => server.api("GET", "/v1/changes", { user: "mallory", namespace: "alice" }), "changes");

      const granted = await server.token("mallory", { ns: ["alice"] });
      const listing = await server.api("GET", "/v1/files", { token: granted, namespace: "alice" });
      expect(listing.status).toBe(200);
      expect(listing.body.files.map((file: { path: string }) => file.path)).toContain("/existing.txt");
      const own = await server.api("GET", "/v1/files", { token: granted });
      expect(own.status).toBe(200);
      expect(own.body.files).toEqual([]);
      const other = await server.api("GET", "/v1/files", { token: granted, namespace: "bob" });
      expect(other.status).toBe(403);
    });

    it("a missing, garbage, expired, wrong-secret, unsigned or subject-less token → 401", async () => {
      const now = Math.floor(Date.now() / 1000);
      const key = new TextEncoder().encode(TEST_SECRET);
      const unsigned = `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${Buffer.from(
        JSON.stringify({ sub: "alice", exp: now + 600 }),
      ).toString("base64url")}.`;
      const tokens: [string, Record<string, string>][] = [
        ["missing", {}],
        ["garbage", { authorization: "Bearer not-a-token" }],
        ["empty bearer", { authorization: "Bearer " }],
        ["basic", { authorization: `Basic ${Buffer.from("alice:pw").toString("base64")}` }],
        ["expired", { authorization: `Bearer ${await signToken(TEST_SECRET, { sub: "alice" }, now - 60)}` }],
        [
          "wrong secret",
          { authorization: `Bearer ${await signToken("another-secret-0123456789-abcdefghijkl", { sub: "alice" })}` },
        ],
        ["alg none", { authorization: `Bearer ${unsigned}` }],
        [
          "no subject",
          {
            authorization: `Bearer ${await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setExpirationTime("1h").sign(key)}`,
          },
        ],
        [
          "HS512",
          { authorization: `Bearer ${await new SignJWT({}).setProtectedHeader({ alg: "HS512" }).setSubject("alice").sign(key)}` },
        ],
      ];
      for (const [what, headers] of tokens) {
        const list = await refused(401, () => server.api("GET", "/v1/files", { token: null, headers }), `${what} (read)`);
        expect(list.headers?.get("www-authenticate"), what).toMatch(/^Bearer/);
        await refused(
          401,
          () => server.api("POST", "/v1/uploads", { token: null, headers, body: validManifest() }),
          `${what} (upload)`,
        );
        await refused(
          401,
          () => server.api("POST", "/v1/files/delete", { token: null, headers, body: { path: "/existing.txt" } }),
          `${what} (delete)`,
        );
      }
    });

    it("a non-admin token on admin routes → 403", async () => {
      const plain = await server.token("alice");
      await refused(403, () => server.api("GET", "/v1/admin/projections", { token: plain }), "status");
      await refused(403, () => server.api("POST", "/v1/admin/projections/rebuild", { token: plain }), "rebuild");
      const notTrue = await signToken(TEST_SECRET, { sub: "alice", admin: "yes" as unknown as boolean });
      await refused(403, () => server.api("POST", "/v1/admin/projections/rebuild", { token: notTrue }), "admin: 'yes'");
    });

    it("an invalid namespace or client id header → 400", async () => {
      for (const namespace of ["../etc", "a b", "a/b", "-lead", ".hidden", "x".repeat(129), "a%2Fb"]) {
        await refused(
          400,
          () => server.api("GET", "/v1/files", { headers: { "ledgerbox-namespace": namespace } }),
          `ns ${namespace}`,
        );
        await refused(
          400,
          () => server.api("POST", "/v1/uploads", { headers: { "ledgerbox-namespace": namespace }, body: validManifest() }),
          `ns ${namespace}`,
        );
      }
      for (const clientId of ["has space", "x".repeat(65), "a/b"]) {
        await refused(400, () => server.api("POST", "/v1/uploads", { clientId, body: validManifest() }), `client ${clientId}`);
      }
    });
  });
});
