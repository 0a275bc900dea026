import { createHash, randomBytes, randomUUID } from "node:crypto";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, describe, expect, it } from "vitest";
import { StoreUnavailableError } from "../../infra/ports/index.ts";
import { createS3BlobStore } from "../../infra/s3/index.ts";
import { s3SettingsOf, serverStatus, warnSkipped } from "../support/stack-env.ts";

/**
 * What only the S3 adapter can get wrong: the checksum header is required by the signature, and
 * `stat` reports a digest only for objects stored with one (an object written some other way must
 * not look verified).
 */
const status = await serverStatus("s3");
warnSkipped("S3 checksum behaviour", status);
const config = s3SettingsOf(status.settings);

describe.skipIf(!status.reachable)("S3 blob store checksums", () => {
  const store = createS3BlobStore(config);
  const namespace = `contract-${randomUUID()}`;
  afterAll(() => store.close());

  const chunk = () => {
    const bytes = randomBytes(1024);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    return { bytes, sha256, key: `${namespace}/chunks/${sha256}` };
  };

  it("refuses a PUT that leaves out the checksum header", async () => {
    const c = chunk();
    const put = await store.presignPut(c.key, { sha256: c.sha256, size: c.bytes.length }, 60);
    const response = await fetch(put.url, { method: "PUT", body: c.bytes });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(await store.stat(c.key)).toBeNull();
  });

  it("stat reports no digest for an object stored without a SHA-256 checksum", async () => {
    const c = chunk();
    const raw = new S3Client({
      region: config.region,
      forcePathStyle: config.forcePathStyle,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      ...(config.credentials ? { credentials: config.credentials } : {}),
      requestChecksumCalculation: "WHEN_REQUIRED",
    });
    try {
      await raw.send(new PutObjectCommand({ Bucket: config.bucket, Key: c.key, Body: c.bytes }));
    } finally {
      raw.destroy();
    }
    expect(await store.stat(c.key)).toEqual({ size: c.bytes.length, sha256: null });
  });

  it("an unreachable server is StoreUnavailableError", async () => {
    const down = createS3BlobStore({ ...config, endpoint: "http://127.0.0.1:1" });
    try {
      await expect(down.stat(`${namespace}/chunks/x`)).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      await down.close();
    }
  });
});
