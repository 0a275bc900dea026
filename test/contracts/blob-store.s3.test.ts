import { randomUUID } from "node:crypto";
import { describe, it } from "vitest";
import { createS3BlobStore } from "../../infra/s3/index.ts";
import { s3SettingsOf, serverStatus, warnSkipped } from "../support/stack-env.ts";
import { blobStoreContract } from "./blob-store.contract.ts";

const status = await serverStatus("s3");
warnSkipped("BlobStore contract: S3", status);

if (status.reachable) {
  const config = s3SettingsOf(status.settings);
  blobStoreContract(`S3 (${config.endpoint}, bucket ${config.bucket})`, async () => {
    const store = createS3BlobStore(config);
    // A random namespace per run: the bucket keeps earlier runs' chunks.
    return { store, namespace: `contract-${randomUUID()}`, cleanup: () => store.close() };
  });
} else {
  describe.skip(`BlobStore contract: S3 (skipped: ${status.reason})`, () => {
    it("needs a reachable S3_ENDPOINT and S3_BUCKET", () => {});
  });
}
