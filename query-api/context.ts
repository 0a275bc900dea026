import type { Observable } from "rxjs";
import type { BlobStore, ChangeNotice, ProjectionControl, ReadStore } from "../infra/ports/index.ts";

export interface QuerySettings {
  /** Lifetime of presigned download and upload URLs handed out by reads. */
  readonly getUrlTtlSeconds: number;
  readonly putUrlTtlSeconds: number;
  /** SSE comment heartbeat interval (API: 15 s). */
  readonly heartbeatMs: number;
}

export interface QueryContext {
  readonly readStore: ReadStore;
  readonly blobStore: BlobStore;
  /** Change notices, shared by every SSE connection of this process (one bus consumer). */
  readonly notices$: Observable<ChangeNotice> | null;
  /** Present where this process runs the projectors; admin routes answer 503 elsewhere. */
  readonly projections: ProjectionControl | null;
  readonly clock: () => Date;
  readonly settings: QuerySettings;
}
