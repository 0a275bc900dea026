import { randomBytes } from "node:crypto";
import {
  type ChunkSpec,
  chunkKey,
  DomainFailure,
  ID_RANDOM_BYTES,
  isUploadId,
  normalizePath,
  timeOrderedId,
  type UploadId,
  type UploadState,
  unwrap,
  uploadStream,
  validateManifest,
} from "../../domain/index.ts";
import type { PresignedRequest, RequestContext } from "../../infra/ports/index.ts";
import { uploadAggregate } from "../aggregate.ts";
import { contentHashOf } from "../content-hash.ts";
import { type CommandContext, metadataFor } from "../context.ts";
import { presentChunks } from "./stored-chunks.ts";

export interface StartUploadInput {
  readonly path: string;
  readonly size: number;
  readonly chunks: readonly { index: number; size: number; sha256: string }[];
  readonly baseRevision?: number | null;
  readonly contentHash?: string;
  /** Optional client-chosen id, so a create retried after a lost reply is the same upload. */
  readonly uploadId?: string;
  /** False: `chunks` are only the first part; the rest follow through `addManifestPart`. */
  readonly manifestComplete?: boolean;
}

export interface ChunkInstruction {
  readonly index: number;
  readonly sha256: string;
  readonly size: number;
  readonly status: "missing" | "uploaded" | "present";
  readonly upload?: PresignedRequest;
}

export interface UploadTicket {
  readonly uploadId: string;
  readonly path: string;
  readonly status: string;
  readonly expiresAt: string;
  /** Empty while the manifest is open. */
  readonly contentHash: string;
  readonly manifestComplete: boolean;
  /** Index the next manifest part starts at: how many chunks are declared. */
  readonly next: number;
  readonly chunks: ChunkInstruction[];
}

// Time-ordered (domain/time-ordered-id.ts): the stores' indexes by upload id take new ones at the end.
const newUploadId = (): UploadId => timeOrderedId(Date.now(), randomBytes(ID_RANDOM_BYTES)) as UploadId;

export async function startUpload(
  context: CommandContext,
  request: RequestContext,
  input: StartUploadInput,
): Promise<UploadTicket> {
  const path = unwrap(normalizePath(input.path));
  const complete = input.manifestComplete ?? true;
  const manifest = unwrap(validateManifest(input.size, input.chunks, complete));
  const contentHash = complete ? checkedContentHash(manifest.chunks, input.contentHash) : "";
  if (!complete && input.contentHash !== undefined) {
    throw new DomainFailure({
      code: "invalid_manifest",
      message: "contentHash can only be checked against a complete manifest: send it with the last manifest part",
    });
  }
  if (input.uploadId !== undefined && !isUploadId(input.uploadId)) {
    throw new DomainFailure({ code: "invalid_manifest", message: "uploadId must be 8-64 characters of A-Z a-z 0-9 _ -" });
  }
  const uploadId = (input.uploadId as UploadId | undefined) ?? newUploadId();
  const now = context.clock();
  const expiresAt = new Date(now.getTime() + context.settings.uploadTtlSeconds * 1000).toISOString();
  const present = await presentChunks(context.blobStore, request.namespace, manifest.chunks);
  const outcome = await context.handler.execute(
    uploadAggregate,
    uploadStream(uploadId),
    () => ({
      type: "StartUpload" as const,
      data: {
        uploadId,
        namespace: request.namespace,
        path,
        manifest,
        contentHash,
        present,
        baseRevision: input.baseRevision ?? null,
        expiresAt,
      },
    }),
    metadataFor(request, now),
  );
  if (outcome.state.status !== "none" && outcome.state.namespace !== request.namespace) {
    // An id reused from another namespace is reported as absent, never revealed.
    throw new DomainFailure({ code: "upload_exists", message: "this upload id is already used for another upload" });
  }
  return ticketFor(context, outcome.state, now);
}

/** The server's content hash of the whole manifest, checked against the one a client sent, if any. */
export function checkedContentHash(chunks: readonly ChunkSpec[], claimed: string | undefined): string {
  const contentHash = contentHashOf(chunks);
  if (claimed !== undefined && claimed !== contentHash) {
    throw new DomainFailure({
      code: "content_hash_mismatch",
      message: `contentHash ${claimed} does not match the chunks' content hash ${contentHash}`,
    });
  }
  return contentHash;
}

/**
 * What a client needs to (re)send the chunks still missing: fresh presigned URLs each time. `from`
 * and `count` narrow the answer to one manifest part, so declaring a part costs that part's URLs.
 */
export async function ticketFor(
  context: CommandContext,
  state: UploadState,
  now: Date,
  part: { readonly from: number; readonly count: number } | null = null,
): Promise<UploadTicket> {
  if (state.status === "none") throw new DomainFailure({ code: "upload_not_found", message: "no such upload" });
  const urlTtl = Math.max(
    1,
    Math.min(context.settings.putUrlTtlSeconds, Math.floor((Date.parse(state.expiresAt) - now.getTime()) / 1000)),
  );
  const listed = part === null ? state.chunks : state.chunks.slice(part.from, part.from + part.count);
  const chunks = await Promise.all(
    listed.map(async (chunk): Promise<ChunkInstruction> => {
      const status = state.chunkStatus[chunk.index] ?? "missing";
      const base = { index: chunk.index, sha256: chunk.sha256, size: chunk.size, status };
      if (status !== "missing" || state.status !== "open") return base;
      const upload = await context.blobStore.presignPut(
        chunkKey(state.namespace, chunk.sha256),
        { sha256: chunk.sha256, size: chunk.size },
        urlTtl,
      );
      return { ...base, upload };
    }),
  );
  return {
    uploadId: state.uploadId,
    path: state.path,
    status: state.status,
    expiresAt: state.expiresAt,
    contentHash: state.contentHash,
    manifestComplete: state.manifestComplete,
    next: state.chunks.length,
    chunks,
  };
}
