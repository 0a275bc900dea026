import { CreateBucketCommand, S3ServiceException } from "@aws-sdk/client-s3";
import { s3ClientOf, type s3SettingsOf } from "../../test/support/stack-env.ts";

type S3Settings = ReturnType<typeof s3SettingsOf>;

/**
 * The stack's bucket notifies Ledgerbox of every PUT (a webhook to :8080, where nothing listens
 * during a benchmark), and MinIO keeps each event it could not deliver in a queue on disk, to be
 * sent in order later: after a day of benchmark runs 10,427 were waiting, and the next `npm test`
 * in that checkout waited behind them until its notification test timed out. The benchmark's
 * MinIO rounds use a bucket of their own, made here without a webhook, so there is nothing to queue.
 */
export async function benchBucket(settings: S3Settings): Promise<S3Settings> {
  const bucket = `${settings.bucket}-bench`;
  const client = s3ClientOf(settings);
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    const owned = error instanceof S3ServiceException && error.name === "BucketAlreadyOwnedByYou";
    if (!owned) throw error;
  } finally {
    client.destroy();
  }
  return { ...settings, bucket };
}
