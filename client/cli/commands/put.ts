import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { ApiError } from "../../api/errors.ts";
import type { LedgerboxApi } from "../../api/index.ts";
import type { ChunkPlan } from "../../sync/index.ts";
import { remotePath } from "../config.ts";
import type { CommandContext } from "../context.ts";
import { ConflictError, isNodeError, NotFoundError, UsageError } from "../errors.ts";
import { formatBytes } from "../format.ts";
import { createKit, type Kit } from "../kit.ts";
import { fileSource } from "../node-source.ts";
import { openUploadState } from "../upload-state.ts";

export interface PutOptions {
  /** The revision the upload replaces; by default the file's current revision (or new). */
  readonly base?: number;
}

/**
 * `put <file> [remote]`: upload one file. Rerunning an interrupted put sends only the chunks the
 * server does not have yet (it reports stored chunks as present).
 */
export async function put(context: CommandContext, file: string, remote: string | undefined, options: PutOptions): Promise<void> {
  const info = await stat(file).catch((error: unknown) => {
    if (isNodeError(error, "ENOENT")) throw new NotFoundError(`no local file ${file}`);
    throw error;
  });
  if (!info.isFile()) throw new UsageError(`${file} is not a regular file`);
  let target = remote === undefined ? `/${basename(file)}` : remotePath(remote);
  if (target.endsWith("/")) target += basename(file);

  const state = await openUploadState(context.env, context.connection());
  try {
    await upload(
      context,
      file,
      target,
      options,
      state ? await createKit(context.connection(), state.opened.db) : await context.kit(),
    );
  } finally {
    state?.opened.close();
    await state?.release();
  }
}

async function upload(context: CommandContext, file: string, target: string, options: PutOptions, kit: Kit): Promise<void> {
  const { api, transfers } = kit;
  const baseRevision = options.base ?? (await currentRevision(api, target, context.signal));
  const source = await fileSource(file);
  const bar = context.progress.track(`↑ ${target}`, source.size);
  let plan: ChunkPlan | null = null;
  const result = await transfers.upload(target, source, baseRevision, {
    signal: context.signal,
    onProgress: (done) => bar.update(done),
    onPlan: (value) => {
      plan = value;
    },
  });
  bar.finish();
  context.progress.stop();
  if (result.conflict) {
    throw new ConflictError(`${target} changed on the server meanwhile; your file was kept as ${result.path}`, result);
  }
  const chunks = chunkSummary(plan);
  const sent = chunks ? `  (${chunks.sent} of ${chunks.total} chunks sent, ${chunks.present} already stored)` : "";
  context.output.result({ ...result, chunks }, `${result.path}  revision ${result.revision}  ${formatBytes(result.size)}${sent}`);
}

const chunkSummary = (plan: ChunkPlan | null) =>
  plan === null ? null : { total: plan.total, present: plan.present, sent: plan.missing };

/** The revision a put replaces: the current one, so `put` means "make it this" (null for a new path). */
export async function currentRevision(api: LedgerboxApi, path: string, signal: AbortSignal): Promise<number | null> {
  try {
    return (await api.fileMeta(path, signal)).revision;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}
