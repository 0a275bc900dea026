import { randomBytes } from "node:crypto";
import { request as httpRequest } from "node:http";
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import type { StoredObjectNotice } from "../ports/blob-store.ts";
import { localBlobRoutes } from "./routes.ts";
import { createLocalBlobStore, type LocalBlobStore } from "./store.ts";
import { listFiles, sha256Hex, tempDir } from "./test-support.ts";

interface Raw {
  readonly status: number | "failed";
  readonly headers: Record<string, unknown>;
  readonly body: string;
}

/** node:http, because fetch normalises `..` out of paths and cannot stop halfway through a body. */
function raw(
  base: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; write?: (req: ReturnType<typeof httpRequest>) => void } = {},
): Promise<Raw> {
  return new Promise((resolve) => {
    const req = httpRequest(`${base}${path}`, { method: options.method ?? "GET", headers: options.headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (piece: string) => {
        body += piece;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", (error) => resolve({ status: "failed", headers: {}, body: error.message }));
    if (options.write) options.write(req);
    else req.end();
  });
}

const until = async (condition: () => boolean | Promise<boolean>, ms = 5000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe("local blob routes", () => {
  let app: FastifyInstance;
  let store: LocalBlobStore;
  let dir: string;
  let base: string;
  let remove: () => Promise<void>;
  let now: number;
  const notices: StoredObjectNotice[] = [];
  let onStored: (notice: StoredObjectNotice) => void | Promise<void>;
  const errorLogs: unknown[] = [];

  beforeEach(async () => {
    ({ dir, remove } = await tempDir());
    now = Date.now();
    notices.length = 0;
    errorLogs.length = 0;
    onStored = (notice) => {
      notices.push(notice);
    };
    store = createLocalBlobStore({ dir, publicUrl: () => base, secret: randomBytes(32), now: () => now });
    app = Fastify({
      forceCloseConnections: true,
      logger: {
        level: "error",
        stream: {
          write: (line: string) => {
            errorLogs.push(JSON.parse(line));
          },
        },
      },
    });
    await app.register(localBlobRoutes, { store, onStored: (notice) => onStored(notice) });
    base = await app.listen({ host: "127.0.0.1", port: 0 });
  });
  afterEach(async () => {
    await app.close();
    await remove();
  });

  const blob = (size = 3000) => {
    const bytes = new Uint8Array(randomBytes(size));
    const sha256 = sha256Hex(bytes);
    return { bytes, sha256, key: `ns/chunks/${sha256}` };
  };
  const presignPut = (b: ReturnType<typeof blob>) => store.presignPut(b.key, { sha256: b.sha256, size: b.bytes.length }, 60);
  const pathOf = (url: string): string => url.slice(base.length);

  test("a stored chunk is announced with its key and size, on every successful PUT", async () => {
    const b = blob();
    const put = await presignPut(b);
    expect((await fetch(put.url, { method: "PUT", headers: put.headers, body: b.bytes })).status).toBe(201);
    expect((await fetch(put.url, { method: "PUT", headers: put.headers, body: b.bytes })).status).toBe(200);
    await until(() => notices.length === 2);
    expect(notices).toEqual([
      { key: b.key, size: b.bytes.length },
      { key: b.key, size: b.bytes.length },
    ]);
  });

  test("a failing notice handler is logged and does not fail the PUT", async () => {
    onStored = async () => {
      throw new Error("event store down");
    };
    const b = blob();
    const put = await presignPut(b);
    const response = await fetch(put.url, { method: "PUT", headers: put.headers, body: b.bytes });
    expect(response.status).toBe(201);
    expect(await store.stat(b.key)).toEqual({ size: b.bytes.length, sha256: b.sha256 });
    await until(() => errorLogs.length > 0);
    expect(errorLogs[0]).toMatchObject({
      msg: "storage notice handler failed",
      key: b.key,
      err: { message: "event store down" },
    });
  });

  test("refusals are JSON with a code, and carry CORS headers so a browser can read them", async () => {
    const b = blob();
    const put = await presignPut(b);
    const forged = await fetch(put.url.replace(/sha256=[0-9a-f]+/, `sha256=${"0".repeat(64)}`), {
      method: "PUT",
      headers: put.headers,
      body: b.bytes,
    });
    expect(forged.status).toBe(403);
    expect(forged.headers.get("access-control-allow-origin")).toBe("*");
    expect(await forged.json()).toMatchObject({ error: "signature_invalid", message: expect.any(String) });

    now += 61_000;
    const late = await fetch(put.url, { method: "PUT", headers: put.headers, body: b.bytes });
    expect(late.status).toBe(403);
    expect(await late.json()).toMatchObject({ error: "url_expired" });

    const wrong = await fetch((await store.presignGet(b.key, 60)).url, { method: "PUT", headers: put.headers, body: b.bytes });
    expect(wrong.status).toBe(403);
    expect(await store.stat(b.key)).toBeNull();
  });

  test("answers the CORS preflight of a browser PUT", async () => {
    const response = await fetch(`${base}/blobs/ns/chunks/x`, {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example",
        "access-control-request-method": "PUT",
        "access-control-request-headers": "content-type",
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("access-control-allow-methods")).toContain("PUT");
    expect(response.headers.get("access-control-allow-headers")).toContain("content-type");
  });

  test("size and digest mismatches are told apart", async () => {
    const b = blob();
    const put = await presignPut(b);
    const short = await fetch(put.url, { method: "PUT", headers: put.headers, body: b.bytes.slice(1) });
    expect([short.status, (await short.json()).error]).toEqual([400, "size_mismatch"]);
    const other = await fetch(put.url, { method: "PUT", headers: put.headers, body: new Uint8Array(b.bytes.length) });
    expect([other.status, (await other.json()).error]).toEqual([400, "sha256_mismatch"]);
    expect(await listFiles(dir)).toEqual([]);
  });

  test("a chunked body that runs past the signed size is cut off with 413 and leaves nothing", async () => {
    const b = blob();
    const put = await presignPut(b);
    const result = await raw(base, pathOf(put.url), {
      method: "PUT",
      headers: { "content-type": "application/octet-stream", "transfer-encoding": "chunked" },
      write: (req) => {
        // Keeps sending until the server answers.
        let answered = false;
        const pump = () => {
          while (!answered && !req.destroyed && req.write(Buffer.alloc(16 * 1024, 1)));
          if (!answered && !req.destroyed) req.once("drain", pump);
        };
        req.on("response", () => {
          answered = true;
        });
        pump();
      },
    });
    expect(result.status).toBe(413);
    expect(JSON.parse(result.body)).toMatchObject({ error: "size_mismatch" });
    await until(async () => (await listFiles(dir)).length === 0);
  });

  test("a client that disconnects halfway leaves no file and no temp file", async () => {
    const b = blob(200_000);
    const put = await presignPut(b);
    const result = await raw(base, pathOf(put.url), {
      method: "PUT",
      headers: { "content-type": "application/octet-stream", "content-length": String(b.bytes.length) },
      write: (req) => {
        req.write(Buffer.from(b.bytes.subarray(0, 100_000)));
        setTimeout(() => req.destroy(), 100);
      },
    });
    expect(result.status).toBe("failed");
    await until(async () => (await listFiles(dir)).length === 0);
    expect(await store.stat(b.key)).toBeNull();
  });

  test.each([
    "/blobs/../../../etc/passwd",
    "/blobs/ns/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/blobs/ns%2F..%2F..%2Fescape",
    "/blobs/ns/.hidden",
    "/blobs/ns/chunks/..%5C..%5Cescape",
    "/blobs/",
  ])("a key that could escape the store is refused: %s", async (path) => {
    for (const method of ["GET", "PUT"]) {
      const result = await raw(base, `${path}?expires=1&signature=x`, {
        method,
        headers: { "content-type": "application/octet-stream", "content-length": "1" },
        write: (req) => req.end("x"),
      });
      expect(result.status === "failed" ? 0 : result.status).toBeGreaterThanOrEqual(400);
      expect(result.status === "failed" ? 0 : result.status).toBeLessThan(500);
    }
    expect(await listFiles(dir)).toEqual([]);
  });

  test("bodies are taken raw whatever their content type, or without one", async () => {
    const variants: Record<string, string>[] = [{ "content-type": "application/json" }, { "content-type": "text/plain" }, {}];
    for (const headers of variants) {
      const b = blob(64);
      const put = await presignPut(b);
      const response = await fetch(put.url, { method: "PUT", headers, body: new Blob([b.bytes]) });
      expect(response.status).toBe(201);
      expect(await store.stat(b.key)).toEqual({ size: 64, sha256: b.sha256 });
    }
  });

  test("GET streams the blob with its length and type; HEAD gives the headers; a missing key is a JSON 404", async () => {
    const b = blob(100_000);
    const put = await presignPut(b);
    await fetch(put.url, { method: "PUT", headers: put.headers, body: b.bytes });
    const get = await store.presignGet(b.key, 60);
    const response = await fetch(get.url);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/octet-stream");
    expect(response.headers.get("content-length")).toBe(String(b.bytes.length));
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(sha256Hex(new Uint8Array(await response.arrayBuffer()))).toBe(b.sha256);

    const head = await fetch(get.url, { method: "HEAD" });
    expect([head.status, head.headers.get("content-length")]).toEqual([200, String(b.bytes.length)]);

    const missing = await fetch((await store.presignGet("ns/chunks/none", 60)).url);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: "not_found" });
  });

  test("close waits for notices still being delivered", async () => {
    let release: () => void = () => undefined;
    const delivered = vi.fn();
    onStored = () =>
      new Promise<void>((resolve) => {
        release = () => {
          delivered();
          resolve();
        };
      });
    const b = blob();
    const put = await presignPut(b);
    expect((await fetch(put.url, { method: "PUT", headers: put.headers, body: b.bytes })).status).toBe(201);
    setTimeout(() => release(), 50);
    await app.close();
    expect(delivered).toHaveBeenCalledOnce();
  });
});
