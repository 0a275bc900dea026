import type { LedgerboxApi } from "../../api/index.ts";
import { createDownloader } from "../../download/index.ts";
import type { Platform } from "../../platform/index.ts";
import type { LedgerboxDb } from "../../store/index.ts";
import { createUploader } from "../../upload/index.ts";
import type { Transfers } from "../ports.ts";
import { downloaderFetch } from "./downloader-fetch.ts";
import { uploaderTransfers } from "./uploader-transfers.ts";

/** The engine's Transfers port over the client core: resumable uploader (recording in `db`) and verifying downloader. */
export function clientTransfers(api: LedgerboxApi, db: LedgerboxDb, platform: Platform): Transfers {
  return uploaderTransfers(createUploader({ api, db, platform }), downloaderFetch(api, createDownloader({ api, platform })));
}
