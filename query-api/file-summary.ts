import type { FileEntry } from "../infra/ports/index.ts";

export const fileSummary = (file: Pick<FileEntry, "path" | "fileId" | "revision" | "size" | "contentHash" | "modifiedAt">) => ({
  path: file.path,
  fileId: file.fileId,
  revision: file.revision,
  size: file.size,
  contentHash: file.contentHash,
  modifiedAt: file.modifiedAt,
});
