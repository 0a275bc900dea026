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
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)
    ON CONFLICT (namespace, path_key) DO UPDATE SET
      path = excluded.path, file_id = excluded.file_id, revision = excluded.revision, size = excluded.size,
      content_hash = excluded.content_hash, chunks = excluded.chunks, modified_at = excluded.modified_at,
      position = excluded.position, removed = 0
    WHERE excluded.position > files.position`);

  // At an equal position a remove beats a put, so even that (malformed) pair converges in any order.
  const removeFile = db.prepare(`
    INSERT INTO files (namespace, path_key, position, removed) VALUES (?, ?, ?, 1)
    ON CONFLICT (namespace, path_key) DO UPDATE SET position = excluded.position, removed = 1, chunks = NULL
    WHERE excluded.position > files.position OR (excluded.position = files.position AND files.removed = 0)`);

  const addChange = db.prepare(`
    INSERT INTO changes (namespace, position, kind, path, path_key, file_id, revision, size, content_hash, at, at_ms)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT DO NOTHING`);

  const addHistory = db.prepare(`
    INSERT INTO history (namespace, path_key, position, type, path, file_id, revision, at, actor, client_id, correlation_id,
                         size, content_hash, details)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT DO NOTHING`);

  const putUpload = db.prepare(
    `
    INSERT INTO uploads (upload_id, namespace, path, size, content_hash, base_revision, expires_at, created_at, facts_position,
                         status, result, status_position, position)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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

  // Only ever a first write: should the row exist already, the put goes the general way below.
  const insertFinishedUpload = db.prepare(`
    INSERT INTO uploads (upload_id, namespace, path, size, content_hash, base_revision, expires_at, created_at, facts_position,
                         status, result, status_position, position, chunks)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (upload_id) DO NOTHING`);

  const setUploadStatus = db.prepare(
    `
    INSERT INTO uploads (upload_id, status, result, status_position, position)
    VALUES (?, ?, ?, ?, ?)
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
    VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (upload_id, idx) DO UPDATE SET
      namespace = excluded.namespace, size = excluded.size, sha256 = excluded.sha256,
      status = CASE WHEN excluded.position > position THEN excluded.status ELSE status END,
      position = max(position, excluded.position)`);

  const setChunkStatus = db.prepare(`
    INSERT INTO upload_chunks (upload_id, idx, status, position) VALUES (?, ?, ?, ?)
    ON CONFLICT (upload_id, idx) DO UPDATE SET
      status = CASE WHEN excluded.position > position THEN excluded.status ELSE status END,
      position = max(position, excluded.position)`);

  const touchUpload = db.prepare(`
    INSERT INTO uploads (upload_id, position) VALUES (?, ?)
    ON CONFLICT (upload_id) DO UPDATE SET position = max(position, excluded.position)`);

  // A plain switch and positional parameters: this runs for every write of a catch-up, where
  // pattern matching and binding by name cost as much as SQLite's own work.
  return (write) => {
    switch (write.kind) {
      case "file.put": {
        const f = write.file;
        putFile.run(
          f.namespace,
          f.pathKey,
          f.path,
          f.fileId,
          f.revision,
          f.size,
          f.contentHash,
          JSON.stringify(f.chunks),
          f.modifiedAt,
          f.position,
        );
        return;
      }
      case "file.remove":
        removeFile.run(write.namespace, write.pathKey, write.position);
        return;
      case "change.add": {
        const c = write.change;
        const atMs = Date.parse(c.at);
        addChange.run(
          c.namespace,
          c.position,
          c.kind,
          c.path,
          c.pathKey,
          c.fileId,
          c.revision,
          c.size,
          c.contentHash,
          c.at,
          Number.isNaN(atMs) ? null : atMs,
        );
        return;
      }
      case "history.add": {
        const h = write.entry;
        addHistory.run(
          h.namespace,
          h.pathKey,
          h.position,
          h.type,
          h.path,
          h.fileId,
          h.revision,
          h.at,
          h.actor,
          h.clientId,
          h.correlationId,
          h.size,
          h.contentHash,
          JSON.stringify(h.details),
        );
        return;
      }
      case "upload.put": {
        const u = write.upload;
        const result = u.result === null ? null : JSON.stringify(u.result);
        // Facts, status and the row's own position all come from the put's position.
        const row = [
          u.uploadId,
          u.namespace,
          u.path,
          u.size,
          u.contentHash,
          u.baseRevision,
          u.expiresAt,
          u.createdAt,
          u.position,
          u.status,
          result,
          u.position,
          u.position,
        ];
        if (u.status !== "open" && insertFinishedUpload.run(...row, JSON.stringify(u.chunks)).changes === 1) return;
        putUpload.run(...row);
        for (const chunk of u.chunks) {
          putChunk.run(u.uploadId, chunk.index, u.namespace, chunk.size, chunk.sha256, chunk.status, u.position);
        }
        return;
      }
      case "upload.chunk":
        setChunkStatus.run(write.uploadId, write.index, write.status, write.position);
        touchUpload.run(write.uploadId, write.position);
        return;
      case "upload.status": {
        const result = write.result === null ? null : JSON.stringify(write.result);
        setUploadStatus.run(write.uploadId, write.status, result, write.position, write.position);
        return;
      }
      default:
        write satisfies never;
    }
  };
}
