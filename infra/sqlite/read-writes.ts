import { match } from "ts-pattern";
import type { ReadModelWrite } from "../ports/index.ts";
import type { SqliteDatabase } from "./connection.ts";

/**
 * Every statement compares positions so a write is applied only when it is newer than what the
 * row already holds: redelivery and out-of-order replays leave the read model unchanged. Column
 * references inside DO UPDATE read the row as it was before the update, so each CASE below sees
 * the old position.
 */
export function prepareWrites(db: SqliteDatabase): (write: ReadModelWrite) => void {
  const putFile = db.prepare(`
    INSERT INTO files (namespace, path_key, path, file_id, revision, size, content_hash, chunks, modified_at, position, removed)
    VALUES (@namespace, @pathKey, @path, @fileId, @revision, @size, @contentHash, @chunks, @modifiedAt, @position, 0)
    ON CONFLICT (namespace, path_key) DO UPDATE SET
      path = excluded.path, file_id = excluded.file_id, revision = excluded.revision, size = excluded.size,
      content_hash = excluded.content_hash, chunks = excluded.chunks, modified_at = excluded.modified_at,
      position = excluded.position, removed = 0
    WHERE excluded.position > files.position`);

  // At an equal position a remove beats a put, so even that (malformed) pair converges in any order.
  const removeFile = db.prepare(`
    INSERT INTO files (namespace, path_key, position, removed) VALUES (@namespace, @pathKey, @position, 1)
    ON CONFLICT (namespace, path_key) DO UPDATE SET position = excluded.position, removed = 1, chunks = NULL
    WHERE excluded.position > files.position OR (excluded.position = files.position AND files.removed = 0)`);

  const addChange = db.prepare(`
    INSERT INTO changes (namespace, position, kind, path, path_key, file_id, revision, size, content_hash, at, at_ms)
    VALUES (@namespace, @position, @kind, @path, @pathKey, @fileId, @revision, @size, @contentHash, @at, @atMs)
    ON CONFLICT DO NOTHING`);

  const addHistory = db.prepare(`
    INSERT INTO history (namespace, path_key, position, type, path, file_id, revision, at, actor, client_id, correlation_id,
                         size, content_hash, details)
    VALUES (@namespace, @pathKey, @position, @type, @path, @fileId, @revision, @at, @actor, @clientId, @correlationId,
            @size, @contentHash, @details)
    ON CONFLICT DO NOTHING`);

  const putUpload = db.prepare(
    `
    INSERT INTO uploads (upload_id, namespace, path, size, content_hash, base_revision, expires_at, created_at, facts_position,
                         status, result, status_position, position)
    VALUES (@uploadId, @namespace, @path, @size, @contentHash, @baseRevision, @expiresAt, @createdAt, @position,
            @status, @result, @position, @position)
    ON CONFLICT (upload_id) DO UPDATE SET
      namespace      = CASE WHEN facts_newer THEN excluded.namespace ELSE namespace END,
      path           = CASE WHEN facts_newer THEN excluded.path ELSE path END,
      size           = CASE WHEN facts_newer THEN excluded.size ELSE size END,
      content_hash   = CASE WHEN facts_newer THEN excluded.content_hash ELSE content_hash END,
      base_revision  = CASE WHEN facts_newer THEN excluded.base_revision ELSE base_revision END,
      expires_at     = CASE WHEN facts_newer THEN excluded.expires_at ELSE expires_at END,
      created_at     = CASE WHEN facts_newer THEN excluded.created_at ELSE created_at END,
      facts_position = CASE WHEN facts_newer THEN excluded.facts_position ELSE facts_position END,
      status          = CASE WHEN status_newer THEN excluded.status ELSE status END,
      result          = CASE WHEN status_newer THEN excluded.result ELSE result END,
      status_position = CASE WHEN status_newer THEN excluded.status_position ELSE status_position END,
      position = max(position, excluded.position)`
      .replaceAll("facts_newer", "(facts_position IS NULL OR excluded.facts_position > facts_position)")
      .replaceAll("status_newer", "(status_position IS NULL OR excluded.status_position > status_position)"),
  );

  const setUploadStatus = db.prepare(
    `
    INSERT INTO uploads (upload_id, status, result, status_position, position)
    VALUES (@uploadId, @status, @result, @position, @position)
    ON CONFLICT (upload_id) DO UPDATE SET
      status          = CASE WHEN status_newer THEN excluded.status ELSE status END,
      result          = CASE WHEN status_newer THEN excluded.result ELSE result END,
      status_position = CASE WHEN status_newer THEN excluded.status_position ELSE status_position END,
      position = max(position, excluded.position)`.replaceAll(
      "status_newer",
      "(status_position IS NULL OR excluded.status_position > status_position)",
    ),
  );

  // The manifest of an upload never changes, so a put may always fill in a chunk's facts.
  const putChunk = db.prepare(`
    INSERT INTO upload_chunks (upload_id, idx, namespace, size, sha256, status, position)
    VALUES (@uploadId, @index, @namespace, @size, @sha256, @status, @position)
    ON CONFLICT (upload_id, idx) DO UPDATE SET
      namespace = excluded.namespace, size = excluded.size, sha256 = excluded.sha256,
      status = CASE WHEN excluded.position > position THEN excluded.status ELSE status END,
      position = max(position, excluded.position)`);

  const setChunkStatus = db.prepare(`
    INSERT INTO upload_chunks (upload_id, idx, status, position) VALUES (@uploadId, @index, @status, @position)
    ON CONFLICT (upload_id, idx) DO UPDATE SET
      status = CASE WHEN excluded.position > position THEN excluded.status ELSE status END,
      position = max(position, excluded.position)`);

  const touchUpload = db.prepare(`
    INSERT INTO uploads (upload_id, position) VALUES (@uploadId, @position)
    ON CONFLICT (upload_id) DO UPDATE SET position = max(position, excluded.position)`);

  return (write) =>
    match(write)
      .with({ kind: "file.put" }, ({ file }) => {
        putFile.run({ ...file, chunks: JSON.stringify(file.chunks) });
      })
      .with({ kind: "file.remove" }, ({ namespace, pathKey, position }) => {
        removeFile.run({ namespace, pathKey, position });
      })
      .with({ kind: "change.add" }, ({ change }) => {
        const atMs = Date.parse(change.at);
        addChange.run({ ...change, atMs: Number.isNaN(atMs) ? null : atMs });
      })
      .with({ kind: "history.add" }, ({ entry }) => {
        addHistory.run({ ...entry, details: JSON.stringify(entry.details) });
      })
      .with({ kind: "upload.put" }, ({ upload }) => {
        putUpload.run({
          uploadId: upload.uploadId,
          namespace: upload.namespace,
          path: upload.path,
          size: upload.size,
          contentHash: upload.contentHash,
          baseRevision: upload.baseRevision,
          expiresAt: upload.expiresAt,
          createdAt: upload.createdAt,
          status: upload.status,
          result: upload.result === null ? null : JSON.stringify(upload.result),
          position: upload.position,
        });
        for (const chunk of upload.chunks) {
          putChunk.run({
            uploadId: upload.uploadId,
            index: chunk.index,
            namespace: upload.namespace,
            size: chunk.size,
            sha256: chunk.sha256,
            status: chunk.status,
            position: upload.position,
          });
        }
      })
      .with({ kind: "upload.chunk" }, ({ uploadId, index, status, position }) => {
        setChunkStatus.run({ uploadId, index, status, position });
        touchUpload.run({ uploadId, position });
      })
      .with({ kind: "upload.status" }, ({ uploadId, status, result, position }) => {
        setUploadStatus.run({ uploadId, status, result: result === null ? null : JSON.stringify(result), position });
      })
      .exhaustive();
}
