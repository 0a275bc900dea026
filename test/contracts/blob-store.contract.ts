import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { MAX_CHUNK_BYTES } from "../../domain/manifest.ts";
import type { BlobStore, PresignedRequest } from "../../infra/ports/blob-store.ts";

/**
 * The BlobStore contract, run against every adapter (local files, S3/MinIO). It talks to the
 * presigned URLs the way a client does — global fetch, exactly the returned headers — so it proves
 * what the API promises: a PUT URL stores exactly the signed bytes at exactly its key until it
 * expires, and nothing else. Real servers keep data between runs, so every case uses fresh random
 * content under the fixture's namespace and never assumes an empty store.
 */
export interface BlobStoreFixture {
  readonly store: BlobStore;
  /** A namespace no other run uses (random), so keys never collide with earlier data. */
  readonly namespace: string;
  readonly cleanup: () => Promise<void>;
}

interface Chunk {
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly sha256: string;
  readonly key: string;
}

type Outcome = { readonly status: number; readonly body: Uint8Array } | { readonly status: "failed"; readonly reason: string };

const EXPIRES_IN = 300;
const REQUEST_TIMEOUT_MS = 60_000;

const sha256Hex = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");
const hexToBase64 = (hex: string): string => Buffer.from(hex, "hex").toString("base64");

/** Sends `request` as a client would; a connection the server cuts is an outcome, not a crash. */
async function send(
  request: PresignedRequest,
  body?: Uint8Array<ArrayBuffer>,
  url = request.url,
  headers = request.headers,
): Promise<Outcome> {
  try {
    const response = await fetch(url, {
      method: request.method,
      headers,
      ...(body === undefined ? {} : { body }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    return { status: response.status, body: new Uint8Array(await response.arrayBuffer()) };
  } catch (error) {
    return { status: "failed", reason: error instanceof Error ? `${error.message} ${String(error.cause ?? "")}` : String(error) };
  }
}

const describeOutcome = (outcome: Outcome): string =>
  outcome.status === "failed"
    ? `request failed: ${outcome.reason}`
    : `${outcome.status} ${Buffer.from(outcome.body.slice(0, 300)).toString("utf8")}`;

function expectAccepted(outcome: Outcome): void {
  expect(typeof outcome.status === "number" && outcome.status >= 200 && outcome.status < 300, describeOutcome(outcome)).toBe(
    true,
  );
}

/** Refused by the server (4xx), or — for bodies it will not read — the connection cut short. */
function expectRefused(outcome: Outcome, { allowCut = false } = {}): void {
  const refused = outcome.status === "failed" ? allowCut : outcome.status >= 400 && outcome.status < 500;
  expect(refused, describeOutcome(outcome)).toBe(true);
}

/** Replaces one query parameter's raw value, leaving the rest of the URL byte for byte as signed. */
function withQueryValue(url: string, name: string, value: string): string {
  const [base, query = ""] = url.split("?", 2) as [string, string?];
  const parts = query.split("&").map((part) => {
    const [rawName = ""] = part.split("=", 1);
    return decodeURIComponent(rawName) === name ? `${rawName}=${encodeURIComponent(value)}` : part;
  });
  return `${base}?${parts.join("&")}`;
}

const queryEntries = (url: string): [string, string][] => [...new URL(url).searchParams.entries()];

/** Changes one character of a signature-like value to another character of the same alphabet. */
const flipFirst = (value: string): string => (value.startsWith("a") ? "b" : "a") + value.slice(1);

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function blobStoreContract(adapterName: string, open: () => Promise<BlobStoreFixture>): void {
  describe(`BlobStore contract: ${adapterName}`, () => {
    let fixture: BlobStoreFixture;
    beforeAll(async () => {
      fixture = await open();
    });
    afterAll(async () => {
      await fixture?.cleanup();
    });

    const chunk = (size: number): Chunk => {
      const bytes = new Uint8Array(randomBytes(size));
      const sha256 = sha256Hex(bytes);
      return { bytes, sha256, key: `${fixture.namespace}/chunks/${sha256}` };
    };
    const presignPut = (c: Chunk, expiresIn = EXPIRES_IN) =>
      fixture.store.presignPut(c.key, { sha256: c.sha256, size: c.bytes.length }, expiresIn);
    const upload = async (c: Chunk): Promise<void> => expectAccepted(await send(await presignPut(c), c.bytes));
    const download = async (key: string, expiresIn = EXPIRES_IN): Promise<Outcome> =>
      send(await fixture.store.presignGet(key, expiresIn));
    const expectNothingAt = async (key: string): Promise<void> => expect(await fixture.store.stat(key)).toBeNull();
    const expectStored = async (c: Chunk): Promise<void> => {
      expect(await fixture.store.stat(c.key)).toEqual({ size: c.bytes.length, sha256: c.sha256 });
      const got = await download(c.key);
      expectAccepted(got);
      // Compare digests, not arrays: a 16 MiB diff would drown the report.
      if (got.status !== "failed") expect(sha256Hex(got.body)).toBe(c.sha256);
    };

    test("accepts exactly the signed bytes, reports them in stat, and serves them back", async () => {
      const c = chunk(4099);
      const before = Date.now();
      const put = await presignPut(c);
      expect(put.method).toBe("PUT");
      expect(Date.parse(put.expiresAt)).toBeGreaterThan(before);
      expect(Date.parse(put.expiresAt)).toBeLessThanOrEqual(before + (EXPIRES_IN + 5) * 1000);
      expectAccepted(await send(put, c.bytes));
      expect(await fixture.store.stat(c.key)).toEqual({ size: c.bytes.length, sha256: c.sha256 });
      const get = await fixture.store.presignGet(c.key, EXPIRES_IN);
      expect(get.method).toBe("GET");
      const got = await send(get);
      expectAccepted(got);
      if (got.status !== "failed") expect(Buffer.from(got.body).equals(Buffer.from(c.bytes))).toBe(true);
    });

    test("stat of a missing key is null", async () => {
      await expectNothingAt(chunk(16).key);
    });

    test("refuses different bytes of the same length and stores nothing", async () => {
      const c = chunk(2048);
      const other = new Uint8Array(randomBytes(c.bytes.length));
      expectRefused(await send(await presignPut(c), other));
      await expectNothingAt(c.key);
    });

    test("refuses a body shorter than signed and stores nothing", async () => {
      const c = chunk(2048);
      expectRefused(await send(await presignPut(c), c.bytes.slice(0, c.bytes.length - 1)), { allowCut: true });
      await expectNothingAt(c.key);
    });

    test("refuses a body longer than signed and stores nothing", async () => {
      const c = chunk(2048);
      const longer = new Uint8Array(c.bytes.length + 1024);
      longer.set(c.bytes);
      expectRefused(await send(await presignPut(c), longer), { allowCut: true });
      await expectNothingAt(c.key);
    });

    test("refuses a URL whose key was changed", async () => {
      const c = chunk(1500);
      const target = chunk(1500);
      const put = await presignPut(c);
      const url = new URL(put.url);
      expect(url.pathname.endsWith(c.sha256), `the key's digest should end the URL path: ${url.pathname}`).toBe(true);
      url.pathname = url.pathname.slice(0, -c.sha256.length) + target.sha256;
      expectRefused(await send(put, target.bytes, url.toString()));
      await expectNothingAt(target.key);
      await expectNothingAt(c.key);
    });

    test("refuses a URL whose signature was changed", async () => {
      const c = chunk(1500);
      const put = await presignPut(c);
      const signature = queryEntries(put.url).find(([name]) => /signature/i.test(name));
      expect(signature, `no signature parameter in ${put.url}`).toBeDefined();
      const [name, value] = signature!;
      expectRefused(await send(put, c.bytes, withQueryValue(put.url, name, flipFirst(value))));
      await expectNothingAt(c.key);
    });

    test("refuses a URL whose signed digest was changed to fit other bytes", async (context) => {
      const c = chunk(1500);
      const other = chunk(1500);
      const put = await presignPut(c);
      // Wherever the adapter carries the digest — query (hex) or a signed header (base64) — swap
      // in the digest of other bytes and send those: a URL for one chunk must not store another.
      const forms = [c.sha256, hexToBase64(c.sha256)];
      const swap = (value: string): string => (value === c.sha256 ? other.sha256 : hexToBase64(other.sha256));
      const inQuery = queryEntries(put.url).find(([, value]) => forms.includes(value));
      const inHeader = Object.entries(put.headers).find(([, value]) => forms.includes(value));
      if (!inQuery && !inHeader) return context.skip(`${adapterName} carries the digest neither in the query nor in a header`);
      const url = inQuery ? withQueryValue(put.url, inQuery[0], swap(inQuery[1])) : put.url;
      const headers = inHeader ? { ...put.headers, [inHeader[0]]: swap(inHeader[1]) } : put.headers;
      expectRefused(await send(put, other.bytes, url, headers));
      await expectNothingAt(c.key);
      await expectNothingAt(other.key);
    });

    test("refuses a URL whose signed size was changed", async (context) => {
      const c = chunk(1500);
      const put = await presignPut(c);
      const size = queryEntries(put.url).find(([name, value]) => /size|length/i.test(name) && value === String(c.bytes.length));
      if (!size) return context.skip(`${adapterName} binds the size outside the query; the short and long body cases cover it`);
      const longer = new Uint8Array(c.bytes.length + 1);
      longer.set(c.bytes);
      expectRefused(await send(put, longer, withQueryValue(put.url, size[0], String(longer.length))), { allowCut: true });
      await expectNothingAt(c.key);
    });

    test("refuses expired URLs, for PUT and GET", async () => {
      const stored = chunk(512);
      await upload(stored);
      const late = chunk(512);
      const put = await presignPut(late, 1);
      const get = await fixture.store.presignGet(stored.key, 1);
      await wait(3000);
      expectRefused(await send(put, late.bytes));
      await expectNothingAt(late.key);
      expectRefused(await send(get));
    });

    test("GET of a missing key is refused", async () => {
      expectRefused(await download(chunk(64).key));
    });

    test("a repeated PUT of the same content succeeds and leaves it intact", async () => {
      const c = chunk(3000);
      const put = await presignPut(c);
      expectAccepted(await send(put, c.bytes));
      expectAccepted(await send(put, c.bytes));
      expectAccepted(await send(await presignPut(c), c.bytes));
      await expectStored(c);
    });

    test("concurrent PUTs of the same content all succeed and leave it intact", async () => {
      const c = chunk(512 * 1024);
      const urls = await Promise.all([0, 1, 2, 3, 4].map(() => presignPut(c)));
      const outcomes = await Promise.all(urls.map((put) => send(put, c.bytes)));
      for (const outcome of outcomes) expectAccepted(outcome);
      await expectStored(c);
    });

    test("a maximum-size chunk (16 MiB) round-trips", { timeout: 120_000 }, async () => {
      const c = chunk(MAX_CHUNK_BYTES);
      await upload(c);
      await expectStored(c);
    });
  });
}
