import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ApiError, NetworkError, ResponseFormatError } from "../api/errors.ts";
import { type ApiConnection, requestEmpty, requestJson } from "../api/http.ts";
import { putPresigned, putPresignedVia } from "../api/presigned.ts";
import { defaultRetryPolicy, isTransient, withRetry } from "../api/retry.ts";
import type { PresignedRequest } from "../api/types.ts";
import { isAbortError, systemClock } from "../platform/clock.ts";
import { globalFetch } from "../platform/http.ts";
import { seededRandom } from "../platform/random.ts";
import { nodeExchange, nodePutBytes } from "./node-http.ts";
import { nodePlatform } from "./node-platform.ts";

/**
 * The Node PUT and API ports against a real node:http server, next to the fetch path they stand in
 * for: what goes over the wire, and every way a request can fail, must come out the same to the
 * retry logic.
 */

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly rawHeaders: string[];
  readonly body: Buffer;
  readonly socket: number;
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

let server: Server;
let base: string;
let handler: Handler;
let seen: Seen[];
/** Requests whose headers arrived, before their bodies did. */
let started: IncomingMessage[];
/** Numbers the server's connections, so a test can tell how many its requests came over. */
let sockets = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    started.push(req);
    const parts: Buffer[] = [];
    req.on("data", (part: Buffer) => parts.push(part));
    req.on("end", () => {
      const body = Buffer.concat(parts);
      const socket = (req.socket as unknown as { id: number }).id;
      seen.push({ method: req.method ?? "", path: req.url ?? "", rawHeaders: req.rawHeaders, body, socket });
      handler(req, res, body);
    });
  });
  server.on("connection", (socket) => {
    (socket as unknown as { id: number }).id = ++sockets;
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  seen = [];
  started = [];
  handler = (_req, res) => res.writeHead(200, { etag: '"x"' }).end();
});

const put = (path: string, headers: Record<string, string> = {}): PresignedRequest => ({
  url: `${base}${path}`,
  method: "PUT",
  headers,
  expiresAt: "",
});

const bytesOf = (length: number, seed: number): Uint8Array => {
  const random = seededRandom(seed);
  return Uint8Array.from({ length }, () => Math.floor(random.next() * 256));
};

/** The two transports a chunk PUT can take: the Node port and the fetch path it replaces. */
const transports = [
  [
    "node:http",
    (instruction: PresignedRequest, bytes: Uint8Array, signal?: AbortSignal) =>
      putPresignedVia(nodePutBytes(), instruction, bytes, "PUT chunk 0", signal),
  ],
  [
    "fetch",
    (instruction: PresignedRequest, bytes: Uint8Array, signal?: AbortSignal) =>
      putPresigned(globalFetch(), instruction, bytes, "PUT chunk 0", signal),
  ],
] as const;

const failure = async (attempt: Promise<unknown>): Promise<unknown> => {
  const outcome = await attempt.then(
    () => null,
    (error: unknown) => error,
  );
  expect(outcome, "the PUT must fail").not.toBeNull();
  return outcome;
};

it("is the CLI platform's port under Node", () => {
  expect(nodePlatform().putBytes).toBeTypeOf("function");
});

describe("on the wire", () => {
  it("sends exactly the given headers, plus Content-Length and what the connection needs", async () => {
    const headers = { "x-amz-checksum-sha256": "q1w2e3==", "Content-Type": "application/octet-stream", "x-Odd-Case": "A b" };
    await putPresignedVia(nodePutBytes(), put("/blobs/a?sig=1", headers), new Uint8Array(5), "PUT chunk 0");
    const [request] = seen;
    expect(request).toMatchObject({ method: "PUT", path: "/blobs/a?sig=1" });
    const names = request!.rawHeaders.filter((_, i) => i % 2 === 0);
    const value = (name: string) => request!.rawHeaders[request!.rawHeaders.indexOf(name) + 1];
    for (const [name, expected] of Object.entries(headers)) expect(value(name), name).toBe(expected);
    expect(value("content-length")).toBe("5");
    const extra = names.filter((name) => !(name in headers)).map((name) => name.toLowerCase());
    expect(extra.sort()).toEqual(["connection", "content-length", "host"]);
  });

  it("sends a Content-Length the instruction gives as given, and no second one", async () => {
    await putPresignedVia(nodePutBytes(), put("/blobs/b", { "Content-Length": "3" }), new Uint8Array(3), "PUT chunk 0");
    const { rawHeaders } = seen[0]!;
    const lengths = rawHeaders.flatMap((name, i) => (i % 2 === 0 && name.toLowerCase() === "content-length" ? [name] : []));
    expect(lengths).toEqual(["Content-Length"]);
  });

  it("sends a view's own bytes intact: megabytes, a view into a larger buffer, nothing", async () => {
    const large = bytesOf(3 * 1024 * 1024 + 17, 1);
    const view = bytesOf(70_000, 2).subarray(123, 65_659);
    const port = nodePutBytes();
    for (const bytes of [large, view, new Uint8Array(0)]) {
      await putPresignedVia(port, put("/blobs/c"), bytes, "PUT chunk 0");
      const body = seen.at(-1)!.body;
      expect(body.length).toBe(bytes.length);
      expect(Buffer.compare(body, bytes)).toBe(0);
    }
  });

  it("reuses one connection from PUT to PUT, and no more than the PUTs in flight", async () => {
    const port = nodePutBytes();
    for (let i = 0; i < 5; i++) await putPresignedVia(port, put(`/blobs/${i}`), new Uint8Array(1000), "PUT chunk");
    expect(new Set(seen.map((request) => request.socket)).size).toBe(1);
    for (let round = 0; round < 3; round++) {
      await Promise.all(
        [0, 1, 2, 3].map((i) => putPresignedVia(port, put(`/blobs/p${i}`), new Uint8Array(100_000), "PUT chunk")),
      );
    }
    expect(new Set(seen.map((request) => request.socket)).size).toBeLessThanOrEqual(4);
  });

  it("reuses the connection after an error answer too: its body is read to the end", async () => {
    handler = (_req, res) => res.writeHead(404, { "content-type": "application/json" }).end('{"error":"no_such_upload"}');
    const port = nodePutBytes();
    for (let i = 0; i < 3; i++) await failure(putPresignedVia(port, put("/blobs/d"), new Uint8Array(10), "PUT chunk"));
    expect(new Set(seen.map((request) => request.socket)).size).toBe(1);
  });
});

describe.each(transports)("failures through %s", (_name, send) => {
  it("refuses a redirect without following it, as a transient network failure", async () => {
    handler = (req, res) => {
      if (req.url === "/blobs/moved") res.writeHead(307, { location: `${base}/elsewhere` }).end("moved");
      else res.writeHead(200).end();
    };
    const error = await failure(send(put("/blobs/moved"), new Uint8Array(10)));
    expect(error).toBeInstanceOf(NetworkError);
    expect(isTransient(error)).toBe(true);
    // Give a follow-up request time to arrive, were one sent.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen.map((request) => request.path)).toEqual(["/blobs/moved"]);
  });

  it("turns JSON error bodies into the API's error codes and messages", async () => {
    handler = (_req, res) =>
      res
        .writeHead(403, { "content-type": "application/json" })
        .end(JSON.stringify({ error: "signature_expired", message: "the URL expired at noon" }));
    const error = await failure(send(put("/blobs/e"), new Uint8Array(10)));
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 403,
      code: "signature_expired",
      message: "PUT chunk 0 failed: 403 signature_expired: the URL expired at noon",
      body: { error: "signature_expired", message: "the URL expired at noon" },
      retryAfter: null,
      url: `${base}/blobs/e`,
    });
    expect(isTransient(error)).toBe(false);
  });

  it("keeps a 5xx's Retry-After and an S3 error's code, and retries them", async () => {
    handler = (_req, res) =>
      res
        .writeHead(503, { "retry-after": "2", "content-type": "application/xml" })
        .end("<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>");
    const error = await failure(send(put("/blobs/f"), new Uint8Array(10)));
    expect(error).toMatchObject({ name: "ApiError", status: 503, code: "SlowDown", retryAfter: "2" });
    expect(isTransient(error)).toBe(true);
  });

  it("stops at an abort while the request is in flight, with the signal's reason, not retried", async () => {
    let closed = false;
    handler = () => undefined;
    const controller = new AbortController();
    const attempt = send(put("/blobs/g"), bytesOf(200_000, 3), controller.signal);
    await expect.poll(() => seen.length).toBe(1);
    started[0]!.socket.on("close", () => (closed = true));
    controller.abort();
    const error = await failure(attempt);
    expect(isAbortError(error)).toBe(true);
    expect(isTransient(error)).toBe(false);
    await expect.poll(() => closed, { timeout: 2000 }).toBe(true);
  });

  it("sends nothing when the signal was aborted already", async () => {
    const controller = new AbortController();
    controller.abort(new DOMException("stopped", "AbortError"));
    const error = await failure(send(put("/blobs/h"), new Uint8Array(10), controller.signal));
    expect(error).toBe(controller.signal.reason);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(started).toHaveLength(0);
  });

  it("retries a reset connection, and the bytes land whole", async () => {
    const bytes = bytesOf(500_000, 4);
    handler = (req, res) => {
      if (seen.length === 1) req.socket.destroy();
      else res.writeHead(200).end();
    };
    const errors: unknown[] = [];
    await withRetry("PUT chunk 0", () => send(put("/blobs/i"), bytes), {
      policy: { ...defaultRetryPolicy, delays: [1, 1, 1] },
      clock: systemClock,
      random: seededRandom(5),
      onRetry: ({ error }) => errors.push(error),
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(NetworkError);
    expect(seen).toHaveLength(2);
    expect(Buffer.compare(seen[1]!.body, bytes)).toBe(0);
  });
});

/** The two ways an API call can go: the Node exchange port and the fetch it stands in for. */
const apiTransports = [
  [
    "node:http",
    (connection: Omit<ApiConnection, "fetch">) => ({ ...connection, fetch: globalFetch(), exchange: nodeExchange() }),
  ],
  ["fetch", (connection: Omit<ApiConnection, "fetch">) => ({ ...connection, fetch: globalFetch() })],
] as const;

describe.each(apiTransports)("API calls through %s", (_name, connect) => {
  const connection = () => connect({ baseUrl: base, token: "t0ken", clientId: "cli-1", namespace: "team" });

  it("sends the JSON body as UTF-8 with the API's headers, and parses the answer", async () => {
    handler = (_req, res, body) =>
      res.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify({ echoed: JSON.parse(body.toString()) }));
    const sent = { path: "/Müsli/ünïcödé ✓.txt", chunks: [{ index: 0, size: 3 }] };
    const answer = await requestJson<{ echoed: unknown }>(connection(), { method: "POST", path: "/v1/uploads", body: sent });
    expect(answer).toEqual({ echoed: sent });
    const [request] = seen;
    expect(request).toMatchObject({ method: "POST", path: "/v1/uploads" });
    const value = (name: string) => request!.rawHeaders[request!.rawHeaders.findIndex((n) => n.toLowerCase() === name) + 1];
    expect(value("authorization")).toBe("Bearer t0ken");
    expect(value("ledgerbox-client-id")).toBe("cli-1");
    expect(value("ledgerbox-namespace")).toBe("team");
    expect(value("content-type")).toBe("application/json");
    expect(value("accept")).toBe("application/json");
    // Bytes, not characters: a length counted in UTF-16 units would cut the body short.
    expect(Number(value("content-length"))).toBe(Buffer.byteLength(JSON.stringify(sent)));
  });

  it("sends a GET's query and no body, and a DELETE's empty answer resolves", async () => {
    handler = (req, res) =>
      req.method === "DELETE" ? res.writeHead(204).end() : res.writeHead(200, { "content-type": "application/json" }).end("{}");
    await requestJson(connection(), { method: "GET", path: "/v1/changes", query: { cursor: "c 1", limit: 500, skip: null } });
    await requestEmpty(connection(), { method: "DELETE", path: "/v1/uploads/u1" });
    expect(seen.map(({ method, path, body }) => [method, path, body.length])).toEqual([
      ["GET", "/v1/changes?cursor=c+1&limit=500", 0],
      ["DELETE", "/v1/uploads/u1", 0],
    ]);
  });

  it("turns an error answer into ApiError with its code, message and Retry-After", async () => {
    handler = (_req, res) =>
      res
        .writeHead(409, { "content-type": "application/json", "retry-after": "1" })
        .end(JSON.stringify({ error: "contention", message: "try again" }));
    const error = await failure(requestJson(connection(), { method: "POST", path: "/v1/uploads/u1/complete" }));
    expect(error).toMatchObject({
      name: "ApiError",
      status: 409,
      code: "contention",
      message: "POST /v1/uploads/u1/complete failed: 409 contention: try again",
      retryAfter: "1",
    });
    expect(isTransient(error)).toBe(true);
  });

  it("says so when a 2xx answer is not a JSON object", async () => {
    handler = (_req, res) => res.writeHead(200, { "content-type": "text/html" }).end("<html>proxy login</html>");
    const error = await failure(requestJson(connection(), { method: "GET", path: "/v1/files" }));
    expect(error).toBeInstanceOf(ResponseFormatError);
    expect(String(error)).toContain("<html>proxy login</html>");
  });

  it("reports a request that got no answer as a transient NetworkError", async () => {
    handler = (req) => req.socket.destroy();
    const error = await failure(requestJson(connection(), { method: "POST", path: "/v1/uploads", body: {} }));
    expect(error).toBeInstanceOf(NetworkError);
    expect(isTransient(error)).toBe(true);
  });

  it("stops at an abort with the signal's reason, not retried", async () => {
    handler = () => undefined;
    const controller = new AbortController();
    const attempt = requestJson(connection(), { method: "POST", path: "/v1/uploads", body: {}, signal: controller.signal });
    await expect.poll(() => seen.length).toBe(1);
    controller.abort();
    const error = await failure(attempt);
    expect(isAbortError(error)).toBe(true);
    expect(isTransient(error)).toBe(false);
  });
});

describe("API calls through node:http only", () => {
  it("is the CLI platform's port under Node, and one connection carries call after call", async () => {
    const platform = nodePlatform();
    expect(platform.exchange).toBeTypeOf("function");
    handler = (_req, res) => res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    const connection: ApiConnection = {
      baseUrl: base,
      token: "t",
      clientId: "c",
      fetch: globalFetch(),
      exchange: platform.exchange,
    };
    for (let i = 0; i < 5; i++) await requestJson(connection, { method: "POST", path: "/v1/uploads", body: { i } });
    expect(new Set(seen.map((request) => request.socket)).size).toBe(1);
  });

  it("returns a redirect as an error answer instead of following it", async () => {
    handler = (req, res) =>
      req.url === "/v1/uploads" ? res.writeHead(308, { location: `${base}/elsewhere` }).end() : res.writeHead(200).end("{}");
    const connection: ApiConnection = {
      baseUrl: base,
      token: "t",
      clientId: "c",
      fetch: globalFetch(),
      exchange: nodeExchange(),
    };
    const error = await failure(requestJson(connection, { method: "POST", path: "/v1/uploads", body: {} }));
    expect(error).toMatchObject({ name: "ApiError", status: 308, code: "http_308" });
    expect(isTransient(error)).toBe(false);
    expect(seen.map((request) => request.path)).toEqual(["/v1/uploads"]);
  });
});
