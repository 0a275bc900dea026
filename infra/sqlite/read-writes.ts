import type { SqliteDatabase } from "./connection.ts";
import { OP, OP_ARITY, type Ops } from "./read-write-ops.ts";
import { runFrom } from "./run-from.ts";

/**
 * Every statement compares positions so a write is applied only when it is newer than what the
 * row already holds: redelivery and out-of-order replays leave the read model unchanged. Column
 * references inside DO UPDATE read the row as it was before the update, so each CASE below sees
 * the old position.
 */
export function prepareWrites(db: SqliteDatabase): (ops: Ops) => void {
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

  // A plain switch over flat parameters (read-write-ops.ts): this runs for every write of a
  // catch-up, where pattern matching and binding by name cost as much as SQLite's own work.
  return (ops) => {
    // The latest chunk status position per upload, to raise each upload's own position once
    // instead of once per chunk: a confirmation request counts up to 16 chunks of one upload,
    // which took 16 upserts of the same row. Pending raises run before any other write to the
    // uploads table, so that table sees its writes in the same order as before, only merged.
    const touched = new Map<unknown, string>();
    const touchUploads = (): void => {
      for (const [uploadId, position] of touched) touchUpload.run(uploadId, position);
      touched.clear();
    };
    let i = 0;
    while (i < ops.length) {
      const op = ops[i] as number;
      if (touched.size > 0 && (op === OP.putUpload || op === OP.setUploadStatus)) touchUploads();
      if (op === OP.putUpload) {
        i = putUploadOp(ops, i);
        continue;
      }
      const arity = OP_ARITY[op];
      if (arity === undefined) throw new Error(`unknown read-model write op ${String(op)} at ${i}`);
      const at = i + 1;
      i = at + arity;
      switch (op) {
        case OP.putFile:
          runFrom(putFile, ops, at, arity);
          break;
        case OP.removeFile:
          runFrom(removeFile, ops, at, arity);
          break;
        case OP.addChange:
          runFrom(addChange, ops, at, arity);
          break;
        case OP.addHistory:
          runFrom(addHistory, ops, at, arity);
          break;
        case OP.setChunkStatus: {
          runFrom(setChunkStatus, ops, at, arity);
          const position = ops[at + 3] as string;
          const latest = touched.get(ops[at]);
          if (latest === undefined || position > latest) touched.set(ops[at], position);
          break;
        }
        case OP.setUploadStatus:
          // Status and the row's position both come from the write's position.
          setUploadStatus.run(ops[at], ops[at + 1], ops[at + 2], ops[at + 3], ops[at + 3]);
          break;
      }
    }
    touchUploads();
  };

  /** An upload put; returns where the next op starts. */
  function putUploadOp(ops: Ops, at: number): number {
    const inline = ops[at + 14];
    const count = ops[at + 15] as number;
    const next = at + 16 + count * 4;
    // A finished upload written for the first time keeps its chunk list inline (see read-schema):
    // its 13 columns and the list follow one another in the ops.
    if (inline !== null && runFrom(insertFinishedUpload, ops, at + 1, 14).changes === 1) return next;
    runFrom(putUpload, ops, at + 1, 13);
    const uploadId = ops[at + 1];
    const namespace = ops[at + 2];
    const position = ops[at + 9];
    for (let c = at + 16; c < next; c += 4) {
      putChunk.run(uploadId, ops[c], namespace, ops[c + 1], ops[c + 2], ops[c + 3], position);
    }
    return next;
  }
}
