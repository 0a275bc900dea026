export { createS3BlobStore, type S3BlobStoreConfig } from "./blob-store.ts";
export { NotificationError, parseBucketNotification } from "./notification.ts";
