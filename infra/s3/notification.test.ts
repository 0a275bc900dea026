import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { NotificationError, parseBucketNotification } from "./notification.ts";

// Bodies MinIO posted to the webhook of the local stack (infra/local/minio.sh), captured verbatim.
const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8")) as Record<string, unknown>;
const created = fixture("minio-object-created.json");
const encoded = fixture("minio-object-created-encoded-key.json");
const digest = "be32d859785eac4727e40d85a8e00e824c4e04af67a0dcc3d8decafc5e30943b";

const withRecord = (patch: (record: Record<string, unknown>) => void): Record<string, unknown> => {
  const copy = structuredClone(created);
  patch((copy.Records as Record<string, unknown>[])[0]!);
  return copy;
};

describe("bucket notifications", () => {
  it("reads the created object's key and size from a MinIO notification", () => {
    expect(parseBucketNotification(created)).toEqual([{ key: `capture-ns/chunks/${digest}`, size: 30 }]);
  });

  it("decodes keys the way S3 encodes them: %XX escapes and + for a space", () => {
    expect(parseBucketNotification(encoded)).toEqual([{ key: `capture ns+plus/Übersicht/${digest}`, size: 30 }]);
  });

  it("accepts the raw body as text or bytes", () => {
    const text = JSON.stringify(created);
    expect(parseBucketNotification(text)).toEqual(parseBucketNotification(created));
    expect(parseBucketNotification(new TextEncoder().encode(text))).toEqual(parseBucketNotification(created));
  });

  it("accepts AWS's event names (no s3: prefix) and its configuration test event", () => {
    const aws = withRecord((record) => {
      record.eventName = "ObjectCreated:CompleteMultipartUpload";
    });
    expect(parseBucketNotification(aws)).toHaveLength(1);
    expect(parseBucketNotification({ Service: "Amazon S3", Event: "s3:TestEvent", Bucket: "ledgerbox" })).toEqual([]);
  });

  it("skips events other than creations, and other buckets when asked", () => {
    const removed = withRecord((record) => {
      record.eventName = "s3:ObjectRemoved:Delete";
      delete ((record.s3 as Record<string, unknown>).object as Record<string, unknown>).size;
    });
    expect(parseBucketNotification(removed)).toEqual([]);
    expect(parseBucketNotification(created, { bucket: "other" })).toEqual([]);
    expect(parseBucketNotification(created, { bucket: "ledgerbox" })).toHaveLength(1);
  });

  it("rejects malformed bodies saying what is wrong", () => {
    const cases: [unknown, RegExp][] = [
      ["{not json", /not JSON/],
      [[], /JSON object/],
      [{ EventName: "s3:ObjectCreated:Put" }, /"Records" array/],
      [{ Records: [null] }, /Records\[0\] is not an object/],
      [withRecord((r) => delete r.eventName), /no eventName/],
      [withRecord((r) => delete r.s3), /no s3\.object/],
      [withRecord((r) => delete ((r.s3 as Record<string, unknown>).object as Record<string, unknown>).key), /s3\.object\.key/],
      [
        withRecord((r) => (((r.s3 as Record<string, unknown>).object as Record<string, unknown>).size = "30")),
        /s3\.object\.size/,
      ],
      [
        withRecord((r) => (((r.s3 as Record<string, unknown>).object as Record<string, unknown>).key = "bad%E0%A4%A")),
        /URL encoding/,
      ],
    ];
    for (const [body, message] of cases) {
      expect(() => parseBucketNotification(body)).toThrow(NotificationError);
      expect(() => parseBucketNotification(body)).toThrow(message);
    }
  });
});
