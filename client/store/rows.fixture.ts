import type { UploadRow } from "./schema.ts";

/** An upload row for tests: recorded, not yet acknowledged, unless `overrides` say otherwise. */
export const uploadRow = (uploadId: string, overrides: Partial<UploadRow> = {}): UploadRow => ({
  uploadId,
  path: `/${uploadId}.bin`,
  size: 10,
  contentHash: "c".repeat(64),
  status: "created",
  createdAt: 1,
  baseRevision: null,
  expiresAt: null,
  result: null,
  lastError: null,
  ...overrides,
});
