/**
 * The MinIO baseline a Node developer would reach for: `@aws-sdk/lib-storage`'s Upload (multipart,
 * parts in parallel) of the same file, streamed from disk. SDK defaults, except the parallelism,
 * which matches the client's.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Upload } from "@aws-sdk/lib-storage";
import { s3ClientOf, type s3SettingsOf } from "../../test/support/stack-env.ts";
import { finish, runWorker, workerInput } from "./protocol.ts";

interface Input {
  readonly file: string;
  readonly key: string;
  readonly queueSize: number;
  readonly partSize?: number;
  readonly s3: ReturnType<typeof s3SettingsOf>;
}

runWorker(async () => {
  const { file, key, queueSize, partSize, s3 } = await workerInput<Input>();
  const client = s3ClientOf(s3);
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
