import { DeleteObjectsCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { s3ClientOf, type s3SettingsOf } from "../../test/support/stack-env.ts";

/**
 * Deletes every object under `prefixes`. The MinIO rounds write a large file's bytes several times
 * per run (client, raw PUT and lib-storage); left in the bucket, repeated runs filled the disk.
 * Returns how many objects went.
 */
export async function deleteS3Prefixes(settings: ReturnType<typeof s3SettingsOf>, prefixes: readonly string[]): Promise<number> {
  const client = s3ClientOf(settings);
  let deleted = 0;
  try {
    for (const prefix of prefixes) {
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: settings.bucket, Prefix: prefix, ContinuationToken: token }),
        );
        const keys = (page.Contents ?? []).flatMap((object) => (object.Key ? [{ Key: object.Key }] : []));
        if (keys.length > 0) {
          await client.send(new DeleteObjectsCommand({ Bucket: settings.bucket, Delete: { Objects: keys, Quiet: true } }));
          deleted += keys.length;
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    }
  } finally {
    client.destroy();
  }
  return deleted;
}
