/**
 * The MinIO baseline a Node developer would reach for: `@aws-sdk/lib-storage`'s Upload (multipart,
 * parts in parallel) of the same file, streamed from disk. SDK defaults, except the parallelism,
 * which matches the client's.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { finish, runWorker, workerInput } from "./protocol.ts";

interface Input {
  readonly file: string;
  readonly key: string;
  readonly queueSize: number;
  readonly partSize?: number;
  readonly s3: {
    readonly endpoint: string | null;
    readonly region: string;
    readonly bucket: string;
    readonly forcePathStyle: boolean;
    readonly credentials?: { accessKeyId: string; secretAccessKey: string };
  };
}

runWorker(async () => {
  const { file, key, queueSize, partSize, s3 } = await workerInput<Input>();
  const client = new S3Client({
    region: s3.region,
    forcePathStyle: s3.forcePathStyle,
    ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
    ...(s3.credentials ? { credentials: s3.credentials } : {}),
  });
  const { size } = await stat(file);
  const started = performance.now();
  const upload = new Upload({
    client,
    params: { Bucket: s3.bucket, Key: key, Body: createReadStream(file) },
    queueSize,
    ...(partSize ? { partSize } : {}),
  });
  await upload.done();
  const ms = performance.now() - started;
  client.destroy();
  await finish({ ms, bytes: size, partSize: partSize ?? 5 * 1024 * 1024 });
});
