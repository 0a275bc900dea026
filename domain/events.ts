import type { FileEvent } from "./file/events.ts";
import { FILE_EVENT_TYPES } from "./file/events.ts";
import type { UploadEvent } from "./upload/events.ts";
import { UPLOAD_EVENT_TYPES } from "./upload/events.ts";

export type LedgerEvent = UploadEvent | FileEvent;

export const isLedgerEventType = (type: string): type is LedgerEvent["type"] =>
  UPLOAD_EVENT_TYPES.has(type) || FILE_EVENT_TYPES.has(type);

/** Streams Ledgerbox writes; a subscription to the global log filters on these prefixes. */
export const STREAM_PREFIXES = ["upload-", "file-"] as const;
