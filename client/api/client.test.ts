import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { type Fetch, globalFetch } from "../platform/http.ts";
import { createApi } from "./client.ts";
import { ApiError, NetworkError } from "./errors.ts";
import { putPresigned } from "./presigned.ts";

interface Seen {
  url: string;
  method: string;
  redirect: RequestRedirect | undefined;
  headers: Record<string, string>;
  body: string | null;
}

/** A fetch that records each request and answers from a script (no server involved). */
const scriptedFetch = (answers: (() => Response)[]) => {
  const seen: Seen[] = [];
  const fetch: Fetch = async (input, init) => {
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    const body = init?.body === undefined || init.body === null ? null : String(init.body);
    seen.push({ url: String(input), method: init?.method ?? "GET", redirect: init?.redirect, headers, body });
    const answer = answers.shift();
    if (!answer) throw new TypeError("fetch failed");
    return answer();
  };
  return { fetch, seen };
};

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

describe("API client", () => {
  it("sends bearer auth, namespace and client id, JSON bodies, and builds query strings", async () => {
    const { fetch, seen } = scriptedFetch([
      () => json(201, { uploadId: "u1", chunks: [] }),
      () => json(200, { changes: [], cursor: "c2", hasMore: false }),
      () => json(200, { path: "/a b.txt" }),
    ]);
    const api = createApi({
      baseUrl: "http://127.0.0.1:9/",
      token: async () => "tok",
      namespace: "team",
      clientId: "laptop-1",
      fetch,
    });
    await api.createUpload({ path: "/a.txt", size: 0, chunks: [], uploadId: "abcdefgh" });
    await api.changes({ cursor: "c1", limit: 10 });
    await api.fileMeta("/a b.txt");
    expect(seen[0]).toMatchObject({
      url: "http://127.0.0.1:9/v1/uploads",
      method: "POST",
      headers: {
        authorization: "Bearer tok",
        "ledgerbox-namespace": "team",
        "ledgerbox-client-id": "laptop-1",
        "content-type": "application/json",
      },
    });
    expect(JSON.parse(seen[0]!.body!)).toEqual({ path: "/a.txt", size: 0, chunks: [], uploadId: "abcdefgh" });
    expect(seen[1]!.url).toBe("http://127.0.0.1:9/v1/changes?cursor=c1&limit=10");
    expect(seen[2]!.url).toBe("http://127.0.0.1:9/v1/files/meta?path=%2Fa+b.txt");
  });

  it("turns JSON error bodies into ApiError with status, code, message and body", async () => {
    const { fetch } = scriptedFetch([
      () => json(409, { error: "chunks_missing", message: "2 chunk(s) are not verified", missing: [1, 4] }),
    ]);
    const api = createApi({ baseUrl: "http://h", token: "t", clientId: "c", fetch });
    const error = await api.completeUpload("upload-1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 409, code: "chunks_missing", body: { missing: [1, 4] } });
    expect((error as ApiError).message).toMatch(/POST \/v1\/uploads\/upload-1\/complete failed: 409 chunks_missing/);
  });

  it("reports non-JSON errors by status and a refused connection as NetworkError", async () => {
    const { fetch } = scriptedFetch([() => new Response("<Error>SignatureDoesNotMatch</Error>", { status: 403 })]);
    const error = await putPresigned(
      fetch,
      { method: "PUT", url: "http://s3/x", headers: {}, expiresAt: "" },
      new Uint8Array(1),
      "PUT chunk 0",
    )
      .then(() => null)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 403, code: "http_403", body: "<Error>SignatureDoesNotMatch</Error>" });
    const api = createApi({ baseUrl: "http://h", token: "t", clientId: "c", fetch });
    await expect(api.latestCursor()).rejects.toBeInstanceOf(NetworkError);
  });

  it("sends presigned PUTs with exactly the given headers and no API credentials", async () => {
    const { fetch, seen } = scriptedFetch([() => new Response(null, { status: 200 })]);
    await putPresigned(
      fetch,
      { method: "PUT", url: "http://blobs/k?sig=1", headers: { "x-amz-checksum-sha256": "abc=" }, expiresAt: "" },
      new Uint8Array([1, 2]),
      "PUT chunk 0",
    );
    expect(seen[0]!.headers).toEqual({ "x-amz-checksum-sha256": "abc=" });
    expect(seen[0]!.method).toBe("PUT");
    // Never followed: the signature is bound to the host (and Node's fetch then skips a copy of the body).
    expect(seen[0]!.redirect).toBe("error");
  });

  it("reports a redirected presigned PUT as a network failure instead of following it", async () => {
    // The runtime's own fetch against a server that redirects every request to itself.
    let requests = 0;
    const server = createServer((req, res) => {
      requests++;
      req.resume();
      res.writeHead(307, { location: "/elsewhere" }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const put = { method: "PUT", url: `http://127.0.0.1:${port}/k`, headers: {}, expiresAt: "" };
      const error = await putPresigned(globalFetch(), put, new Uint8Array(8), "PUT chunk 0").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NetworkError);
      expect(requests).toBe(1);
    } finally {
      server.close();
    }
  });
});
