import { randomUUID } from "node:crypto";
import {
  type ClientId,
  DomainFailure,
  isNamespace,
  isSha256Hex,
  type Namespace,
  type UploadId,
  type UserId,
} from "../../domain/index.ts";
import type { StoredObjectNotice } from "../../infra/ports/index.ts";
import type { CommandContext } from "../context.ts";
import { confirmChunk } from "./confirm.ts";

const CHUNK_KEY = /^([^/]+)\/chunks\/([0-9a-f]{64})$/;

/**
 * Storage says a chunk landed (seed flow 3.2.2). Confirm it on every open upload in its
 * namespace that still waits for those bytes. The confirmation re-checks storage itself, so a
 * forged or stale notice can only make the server look, never make it believe.
 */
export async function onStoredObject(context: CommandContext, notice: StoredObjectNotice): Promise<number> {
  const match = CHUNK_KEY.exec(notice.key);
  if (!match) return 0;
  const [, namespace, sha256] = match as unknown as [string, string, string];
  if (!isNamespace(namespace) || !isSha256Hex(sha256)) return 0;
  const waiting = await context.readStore.uploadsAwaitingChunk(namespace, sha256);
  let confirmed = 0;
  for (const { uploadId, index } of waiting) {
    const metadata = {
      actor: "storage" as UserId,
      namespace: namespace as Namespace,
      clientId: "storage" as ClientId,
      correlationId: randomUUID(),
      at: context.clock().toISOString(),
    };
    try {
      await confirmChunk(context, metadata, uploadId as UploadId, index, "storage");
      confirmed++;
    } catch (error) {
      // The upload may have been aborted or completed meanwhile; that is not the notifier's problem.
      if (!(error instanceof DomainFailure)) throw error;
    }
  }
  return confirmed;
}
