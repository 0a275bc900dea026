export type { BlobFiles, VerifiedBlob, WriteOutcome } from "./blob-files.ts";
export { BlobUploadError, type BlobUploadErrorCode, InvalidBlobKeyError } from "./errors.ts";
export { assertSafeKey, isSafeKey, keyPath } from "./key.ts";
export { type LocalBlobRoutesOptions, localBlobRoutes } from "./routes.ts";
export { MAX_EXPIRES_IN_SECONDS, WeakSecretError } from "./signing.ts";
export { BLOBS_PATH, createLocalBlobStore, type LocalBlobStore, type LocalBlobStoreOptions } from "./store.ts";
