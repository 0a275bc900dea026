import { randomUUID } from "node:crypto";
import { describe } from "vitest";
import { createS3BlobStore } from "../../infra/s3/index.ts";
import { s3SettingsOf, serverStatus, warnSkipped } from "../support/stack-env.ts";
import { blobStoreContract } from "./blob-store.contract.ts";

const status = await serverStatus("s3");
warnSkipped("BlobStore contract: S3", status);
const config = s3SettingsOf(status.settings);

describe.skipIf(!status.reachable)(`S3 at ${config.endpoint ?? "(not configured)"}, bucket ${config.bucket}`, () => {
  blobStoreContract("S3", async () => {
    const store = createS3BlobStore(config);
    // A random namespace per run: the bucket keeps earlier runs' chunks.
    return { store, namespace: `contract-${randomUUID()}`, cleanup: () => store.close() };
  });
});
