import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createS3BlobStore } from "./blob-store.ts";
import { base64ToHex, hexToBase64 } from "./checksum.ts";
import { checkSignedHeaders } from "./signed-headers.ts";

// Presigning is local computation: no server is needed to check what a URL binds.
const store = createS3BlobStore({
  endpoint: "http://127.0.0.1:1",
  region: "us-east-1",
  bucket: "ledgerbox",
  forcePathStyle: true,
  credentials: { accessKeyId: "test", secretAccessKey: "test-secret" },
});
const digest = createHash("sha256").update("hello").digest("hex");

describe("S3 presigning", () => {
  it("binds the checksum and length, and hands the client only the checksum header", async () => {
    const put = await store.presignPut(`ns/chunks/${digest}`, { sha256: digest, size: 5 }, 60);
    const url = new URL(put.url);
    expect(put.method).toBe("PUT");
    expect(url.pathname).toBe(`/ledgerbox/ns/chunks/${digest}`);
    expect(url.searchParams.get("X-Amz-SignedHeaders")).toBe("content-length;host;x-amz-checksum-sha256");
    expect(url.searchParams.get("X-Amz-Expires")).toBe("60");
    // Checksum must travel as a header (S3 ignores it in the query) and no SDK default may sneak in.
    expect([...url.searchParams.keys()].some((name) => /checksum/i.test(name))).toBe(false);
    expect(put.headers).toEqual({ "x-amz-checksum-sha256": hexToBase64(digest) });
    expect(Date.parse(put.expiresAt) - Date.now()).toBeGreaterThan(55_000);
  });

  it("presigns GETs with no headers to send", async () => {
    const get = await store.presignGet(`ns/chunks/${digest}`, 30);
    expect(get.method).toBe("GET");
    expect(get.headers).toEqual({});
    expect(new URL(get.url).searchParams.get("X-Amz-SignedHeaders")).toBe("host");
  });

  it("refuses malformed digests and expiries outside S3's limits", async () => {
    await expect(store.presignPut("k", { sha256: digest.toUpperCase(), size: 5 }, 60)).rejects.toThrow(RangeError);
    await expect(store.presignPut("k", { sha256: digest, size: 5 }, 0)).rejects.toThrow(RangeError);
    await expect(store.presignGet("k", 8 * 24 * 3600)).rejects.toThrow(RangeError);
  });

  it("notices when a URL signs headers the client is not told about", () => {
    const base = "http://h/b/k?X-Amz-Signature=x&X-Amz-SignedHeaders=";
    expect(() => checkSignedHeaders(`${base}content-length%3Bhost%3Bx-amz-checksum-sha256`)).not.toThrow();
    expect(() =>
      checkSignedHeaders(`${base}content-length%3Bhost%3Bx-amz-checksum-sha256%3Bx-amz-sdk-checksum-algorithm`),
    ).toThrow(/x-amz-sdk-checksum-algorithm/);
    expect(() => checkSignedHeaders(`${base}host`)).toThrow(/expected exactly/);
  });
});

describe("checksum encoding", () => {
  it("converts between hex and S3's base64, rejecting composite multipart checksums", () => {
    expect(base64ToHex(hexToBase64(digest))).toBe(digest);
    expect(base64ToHex(`${hexToBase64(digest)}-3`)).toBeNull();
    expect(base64ToHex("AAAA")).toBeNull();
  });
});
